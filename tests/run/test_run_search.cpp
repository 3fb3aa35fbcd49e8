// `proxima run` with the search forced to Dijkstra and to PHAST: the same tables, rasters and
// deficit areas, and the method used recorded in run.json.

#include <fstream>
#include <map>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "proxima/graph/graph_file.hpp"
#include "proxima/run/run_study.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;

namespace {

std::string file_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

nlohmann::json search_of(const std::filesystem::path& out) {
    return nlohmann::json::parse(file_text(out / "run.json"))["parameters"]["search"];
}

} // namespace

TEST_CASE("run: the search forced to PHAST or to Dijkstra gives the same access tables, rasters and deficit areas",
          "[run]") {
    test::TempDir dir("run-search");
    StudyFile study = load_study(test::data_file("studies/andorra.toml"));
    study.network.graph = dir.path() / "andorra.pxg";  // built once with its hierarchy, then loaded
    RunOptions options;
    options.maps = false;
    options.pdf = false;
    options.threads = 2;
    std::map<std::string, std::filesystem::path> outs;
    for (const char* method : {"dijkstra", "phast"}) {
        options.output_dir = dir.path() / method;
        options.search = parse_search_choice(method);
        (void)run_study(study, options);
        outs[method] = options.output_dir;
        CHECK(search_of(options.output_dir)["method"] == method);
        CHECK(search_of(options.output_dir)["requested"] == method);
    }
    REQUIRE(load_graph(study.network.graph).hierarchy() != nullptr);
    std::size_t compared = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(outs["dijkstra"])) {
        const auto ext = e.path().extension();
        if (ext != ".csv" && ext != ".tif") {
            continue;  // the GeoPackage and run.json carry timings and dates
        }
        const auto rel = std::filesystem::relative(e.path(), outs["dijkstra"]);
        INFO(rel.string());
        REQUIRE(std::filesystem::exists(outs["phast"] / rel));
        CHECK(file_text(e.path()) == file_text(outs["phast"] / rel));
        ++compared;
    }
    CHECK(compared >= 4);  // origins, zones, summary... and the rasters
    // Left to itself, a run on a graph with a hierarchy uses PHAST.
    options.output_dir = dir.path() / "auto";
    options.search.reset();
    (void)run_study(study, options);
    CHECK(search_of(options.output_dir)["requested"] == "auto");
    CHECK(search_of(options.output_dir)["method"] == "phast");
}
