// What an output folder may replace, one writer at a time, and what an interrupted run leaves.

#include <cstdlib>
#include <fstream>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "proxima/core/error.hpp"
#include "proxima/run/output_folder.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

namespace {

void touch(const std::filesystem::path& p, const std::string& text = "x") {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

void finish(OutputFolder& folder, const std::string& content) {
    touch(folder.tmp() / "result.txt", content);
    folder.commit();
}

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::string s;
    std::getline(in, s);
    return s;
}

/// Names in `dir` other than `keep` (leftovers: *.tmp-*, *.old-*, *.lock).
std::vector<std::string> others(const std::filesystem::path& dir, const std::string& keep) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().filename() != keep) {
            out.push_back(e.path().filename().string());
        }
    }
    return out;
}

} // namespace

TEST_CASE("a result folder appears complete, replaces only a previous result, and leaves nothing else", "[run]") {
    test::TempDir dir("output-folder");
    const auto out = dir.path() / "out";
    {
        OutputFolder folder(out, false);
        CHECK(std::filesystem::exists(out.string() + ".lock"));
        CHECK_FALSE(std::filesystem::exists(out));
        finish(folder, "first");
    }
    CHECK(read(out / "result.txt") == "first");
    CHECK(std::filesystem::exists(out / output_marker_name));
    CHECK(is_proxima_output(out));
    CHECK(others(dir.path(), "out").empty());  // no lock, no temporary

    SECTION("without --force an existing folder is kept, and the failed attempt frees the destination") {
        REQUIRE_THROWS_WITH(OutputFolder(out, false), Contains("already exists") && Contains("--force"));
        {
            OutputFolder again(out, true);  // the lock of the failed attempt was released
            finish(again, "second");
        }
        CHECK(read(out / "result.txt") == "second");
        CHECK(others(dir.path(), "out").empty());
    }
    SECTION("--force replaces a previous result, never a folder Proxima did not write") {
        const auto mine = dir.path() / "mine";
        touch(mine / "thesis.docx");
        REQUIRE_THROWS_WITH(OutputFolder(mine, true), Contains("not a Proxima result") && Contains("choose another -o"));
        CHECK(std::filesystem::exists(mine / "thesis.docx"));
        // An empty folder holds nothing to lose; a folder from before the marker, with Proxima's run.json, is a result.
        std::filesystem::create_directories(dir.path() / "empty");
        CHECK_NOTHROW(OutputFolder(dir.path() / "empty", true));
        touch(dir.path() / "legacy" / "run.json", "{\"proxima_version\": \"0.1.0\"}");
        CHECK(is_proxima_output(dir.path() / "legacy"));
    }
    SECTION("one writer at a time: a second job into the same folder fails at once") {
        OutputFolder first(out, true);
        REQUIRE_THROWS_WITH(OutputFolder(out, true), Contains("another proxima process") &&
                                                         Contains(std::to_string(::getpid())));
        finish(first, "third");
        CHECK(read(out / "result.txt") == "third");
    }
}

TEST_CASE("an output folder that holds the inputs, the home, the current folder or / is refused", "[run]") {
    test::TempDir dir("output-refused");
    const auto inputs = dir.path() / "data";
    touch(inputs / "studies" / "study.toml");
    touch(inputs / "osm" / "extract.osm.pbf");
    const std::vector<std::filesystem::path> files = {inputs / "studies" / "study.toml", inputs / "osm" / "extract.osm.pbf"};
    for (const auto& bad : {inputs, inputs / "studies", inputs / "osm" / ".." / "studies", dir.path()}) {
        INFO(bad.string());
        REQUIRE_THROWS_WITH(OutputFolder(bad, true, files), Contains("holds an input of the study"));
    }
    CHECK(std::filesystem::exists(inputs / "studies" / "study.toml"));
    REQUIRE_THROWS_WITH(OutputFolder("/", true), Contains("root of the file system"));
    REQUIRE_THROWS_WITH(OutputFolder("-", true), Contains("standard output"));

    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(inputs);
    CHECK_THROWS_WITH(OutputFolder(".", true), Contains("current folder"));
    CHECK_THROWS_WITH(OutputFolder("..", true), Contains("current folder"));
    std::filesystem::current_path(cwd);

    const char* home = std::getenv("HOME");
    const std::string saved = home != nullptr ? home : "";
    ::setenv("HOME", (dir.path() / "home").c_str(), 1);
    std::filesystem::create_directories(dir.path() / "home");
    CHECK_THROWS_WITH(OutputFolder(dir.path() / "home", true), Contains("home folder"));
    if (home != nullptr) {
        ::setenv("HOME", saved.c_str(), 1);
    } else {
        ::unsetenv("HOME");
    }
    // A sibling of the inputs is fine.
    OutputFolder ok(dir.path() / "results", true, files);
    finish(ok, "fine");
}

TEST_CASE("what a killed run left is cleaned by the next one, and parked results are put back", "[run]") {
    test::TempDir dir("output-leftovers");
    const auto out = dir.path() / "out";
    SECTION("temporary folders of dead processes are removed") {
        touch(dir.path() / "out.tmp-999999" / "half.gpkg");
        touch(dir.path() / "outside.tmp-1" / "kept");  // another destination's: not ours to touch
        OutputFolder folder(out, false);
        CHECK_FALSE(std::filesystem::exists(dir.path() / "out.tmp-999999"));
        CHECK(std::filesystem::exists(dir.path() / "outside.tmp-1"));
        finish(folder, "new");
    }
    SECTION("results parked as .old-PID by a run that died between its renames come back") {
        touch(dir.path() / "out.old-4242" / "result.txt", "precious");
        touch(dir.path() / "out.old-4242" / output_marker_name);
        REQUIRE_THROWS_WITH(OutputFolder(out, false), Contains("already exists"));  // restored, so it exists
        CHECK(read(out / "result.txt") == "precious");
        CHECK_FALSE(std::filesystem::exists(dir.path() / "out.old-4242"));
    }
}
