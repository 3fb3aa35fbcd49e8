// Bad input at the core's readers: non-UTF-8 text, records with the wrong number of fields,
// paths that are not regular files, thread counts, library messages.

#include <fstream>
#include <thread>

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "proxima/core/csv_reader.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/input_path.hpp"
#include "proxima/core/text_encoding.hpp"
#include "proxima/core/threads.hpp"
#include "proxima/osm/profile.hpp"
#include "proxima/study/study_file.hpp"
#include "proxima/territory/gammes.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

namespace {

void write(const std::filesystem::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
}

/// Warnings sent to a Log, collected.
struct Collected {
    std::vector<std::string> warnings;
    Log log() {
        return Log([this](LogLevel level, const std::string& m) {
            if (level == LogLevel::warning) {
                warnings.push_back(m);
            }
        });
    }
};

} // namespace

TEST_CASE("UTF-8 is checked strictly: overlong forms, surrogates and cut characters are not UTF-8", "[core]") {
    CHECK_FALSE(first_invalid_utf8("Lozère, Œuvre, 🚑"));
    CHECK(first_invalid_utf8("Loz\xE8re") == 3u);           // Latin-1 è
    CHECK(first_invalid_utf8("\xC0\xAF") == 0u);            // overlong '/'
    CHECK(first_invalid_utf8("a\xED\xA0\x80") == 1u);       // a UTF-16 surrogate
    CHECK(first_invalid_utf8("ab\xE2\x82") == 2u);          // cut at the end
    CHECK(first_invalid_utf8("\xF4\x90\x80\x80") == 0u);    // above U+10FFFF
    CHECK(cp1252_to_utf8("Loz\xE8re \x9C\x80") == "Lozère œ€");
}

TEST_CASE("a Windows-1252 CSV is read as such, once, with a warning naming the file and the fix", "[core]") {
    test::TempDir dir("csv-cp1252");
    const auto path = dir.path() / "points.csv";
    write(path, "id,nom\n1,Loz\xE8re\n2,C\x9Cur\n");
    Collected c;
    CsvReader csv(path, "points file", c.log());
    CHECK(csv.columns() == std::vector<std::string>{"id", "nom"});
    REQUIRE(csv.next());
    CHECK(csv.field(1) == "Lozère");
    REQUIRE(csv.next());
    CHECK(csv.field(1) == "Cœur");
    REQUIRE(c.warnings.size() == 1);
    CHECK_THAT(c.warnings[0], Contains("points.csv") && Contains("line 2") && Contains("0xE8") &&
                                  Contains("Windows-1252") && Contains("iconv -f WINDOWS-1252 -t UTF-8"));
    SECTION("UTF-8 gives no warning") {
        write(path, "id,nom\n1,Lozère\n");
        Collected quiet;
        CsvReader utf8(path, "points file", quiet.log());
        REQUIRE(utf8.next());
        CHECK(utf8.field(1) == "Lozère");
        CHECK(quiet.warnings.empty());
    }
    SECTION("UTF-16 or binary: refused") {
        write(path, std::string("i\0d\0,\0n\0", 8));
        REQUIRE_THROWS_WITH(CsvReader(path, "points file"), Contains("NUL byte") && Contains("UTF-8"));
    }
}

TEST_CASE("a CSV record with more or fewer fields than its header is an error naming the line", "[core]") {
    test::TempDir dir("csv-fields");
    const auto path = dir.path() / "t.csv";
    SECTION("one field too many (a comma inside an unquoted value)") {
        write(path, "code,population\n06012,13470\n06032,4,482\n");
        REQUIRE_THROWS_WITH(CsvReader(path, "commune table"),
                            Contains("t.csv', line 3: 3 fields where the header has 2") && Contains("quote"));
    }
    SECTION("a row cut short") {
        write(path, "code;nom;population\n06012;Beausoleil\n");
        REQUIRE_THROWS_WITH(CsvReader(path, "commune table"), Contains("line 2: 2 fields where the header has 3"));
    }
    SECTION("quoted separators and line breaks are fine; blank lines are skipped") {
        write(path, "id,nom\n1,\"Cap-d'Ail, Alpes\"\n\n2,\"two\nlines\"\n3,x\n");
        CsvReader csv(path, "points file");
        int rows = 0;
        while (csv.next()) {
            ++rows;
        }
        CHECK(rows == 3);
    }
}

TEST_CASE("an input path must be a regular file: folders, devices and FIFOs are refused at once", "[core]") {
    test::TempDir dir("input-path");
    CHECK_THROWS_WITH(require_input_file(dir.path() / "nope.csv", "commune table"),
                      Contains("commune table") && Contains("does not exist"));
    CHECK_THROWS_WITH(require_input_file(dir.path(), "commune table"), Contains("is a folder"));
    CHECK_THROWS_WITH(require_input_file("/dev/zero", "OSM extract"), Contains("not a regular file"));
    const auto fifo = dir.path() / "pipe.csv";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK_THROWS_WITH(require_input_file(fifo, "points file"), Contains("not a regular file"));
    // The CSV reader and the checksum never open such a path (they would wait forever).
    CHECK_THROWS_WITH(CsvReader(fifo, "points file"), Contains("not a regular file"));
    const auto file = dir.path() / "ok.csv";
    write(file, "a\n1\n");
    CHECK_NOTHROW(require_input_file(file, "points file"));
    std::filesystem::create_symlink(file, dir.path() / "link.csv");
    CHECK_NOTHROW(require_input_file(dir.path() / "link.csv", "points file"));
}

TEST_CASE("a study, profile or gammes file that is another kind of file, or huge, is refused before it is read",
          "[core]") {
    test::TempDir dir("settings-file");
    const auto graph = dir.path() / "study.toml";
    write(graph, std::string("PXGRAPH\0", 8) + std::string(100, '\x01'));
    CHECK_THROWS_AS(load_study(graph), InputError);
    CHECK_THROWS_WITH(load_study(graph), Contains("study file '" + graph.string() + "' is a Proxima graph file") &&
                                             Contains("data/studies/riviera.toml"));
    CHECK_THROWS_WITH(load_profile(test::data_file("osm/andorra-2021.osm.pbf")),
                      Contains("profile") && Contains("is an OSM extract") && Contains("data/profiles/car.toml"));
    const auto gpkg = dir.path() / "gammes.toml";
    write(gpkg, std::string("SQLite format 3\0", 16) + "rest");
    CHECK_THROWS_WITH(load_gammes(gpkg.string()), Contains("gammes file") && Contains("GeoPackage"));
    // Larger than any settings file: refused by its size, not read (a sparse file of 17 MB).
    const auto huge = dir.path() / "huge.toml";
    write(huge, "[study]\nname = \"x\"\n");
    std::filesystem::resize_file(huge, max_settings_file_bytes + 1);
    CHECK_THROWS_WITH(load_study(huge), Contains("is 16.0 MiB, more than the 16 MiB") && Contains("a few kB"));
    // At the cap, the size is no reason: the text is parsed (and its zeros refused as TOML).
    std::filesystem::resize_file(huge, max_settings_file_bytes);
    CHECK_THROWS_AS(load_study(huge), ConfigError);
    // Every kind, by its first bytes.
    const std::vector<std::pair<std::string, std::string>> kinds{
        {std::string("PXGRAPH\0", 8), "a Proxima graph file"},
        {std::string("\0\0\0\x0e\x0a\x09OSMHeader\x18", 16), "an OSM extract"},
        {std::string("SQLite format 3\0", 16), "an SQLite database or GeoPackage"},
        {"PK\x03\x04", "a ZIP archive"},
        {"\x89PNG\r\n", "a PNG image"},
        {"%PDF-1.5", "a PDF document"},
        {std::string("II*\0", 4), "a TIFF image"},
        {std::string("MM\0*", 4), "a TIFF image"},
    };
    const auto other = dir.path() / "other.toml";
    for (const auto& [bytes, kind] : kinds) {
        write(other, bytes + std::string(40, 'x'));
        CHECK_THROWS_WITH(read_settings_file(other, "study file", "x.toml"), Contains("is " + kind));
    }
    // Text that merely starts like one is read as TOML, as before: "OSMHeader" at offset 6 of a
    // valid TOML line, "PK" as a key.
    for (const std::string text : {"name=\"OSMHeader\"\n", "PK = 1\n"}) {
        write(other, text);
        CHECK(read_settings_file(other, "study file", "x.toml") == text);
    }
}

TEST_CASE("thread counts are capped at the processors: 100 000 threads is all of them, not a crash", "[core]") {
    const int cores = processor_count();
    CHECK(cores >= 1);
    CHECK(thread_count(0) == cores);
    CHECK(thread_count(-5) == cores);
    CHECK(thread_count(1) == 1);
    CHECK(thread_count(100000) == cores);
    CHECK(thread_count(2147483647) == cores);
}

TEST_CASE("library messages lose their closing full stop before ours are appended", "[core]") {
    CHECK(library_message("Could not detect file format.") == "Could not detect file format");
    CHECK(library_message("bad header. \n") == "bad header");
    CHECK(library_message("..") == "no detail given");
    CHECK(library_message("v1.2 unsupported") == "v1.2 unsupported");
}
