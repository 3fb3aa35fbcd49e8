// run.json as one struct (report/run_manifest.hpp): what run writes, the report reads back
// unchanged, and a damaged file is refused with the key that is wrong.

#include <catch2/catch.hpp>

#include "proxima/core/error.hpp"
#include "proxima/report/run_manifest.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

namespace {

RunManifest sample_manifest() {
    RunManifest m;
    m.proxima_version = "1.2.3";
    m.study = {"Andorra", "data/studies/andorra.toml", "ab12", 0, "EPSG:3035"};
    m.inputs = {{"data/osm/andorra.osm.pbf", "cd34"}, {"data/andorra/poblacions.csv", "ef56"}};
    m.graph = {"built from data/osm/andorra.osm.pbf", 3205, 6376, "car", "0102", "cd34"};
    m.parameters = {5.0, 1000.0, 200.0, 0, {10, 20, 30, 45, 60}, "time > threshold, or unreachable", 100.0, "gis",
                    {"auto", "phast", 8, "the graph has a contraction hierarchy"}};
    m.services = {{"urgences", "Service d'urgences", 30.0, "to_service", 1, 1, 0, 0, 0, 81362.0, 3063.0, 0.0376, "sante"},
                  {"ecole", "École", 20.0, "to_service", 0, 0, 0, 0, 0, 0.0, 0.0, std::nullopt, ""}};
    m.population = {85015.0, 120, 3653.0, {{"Incles (no coordinates)", 663.0}}};
    m.poles = {{"method", "osm"}, {"approximation", true}};
    m.warnings = {"5 boundaries cut by the extract's edge"};
    m.timings_s = {{"load: graph", 0.02}, {"search", 0.001}};
    m.memory = {48.5, {{"load: graph", 40.25}, {"search", 48.5}}, "madvise"};
    m.outputs = {"access.gpkg", "report.html", "run.json"};
    return m;
}

} // namespace

TEST_CASE("run.json round-trips through the manifest struct, key order included", "[report]") {
    const RunManifest m = sample_manifest();
    const auto json = to_json(m);
    const RunManifest back = parse_run_manifest(nlohmann::ordered_json::parse(json.dump()), "run.json");
    CHECK(to_json(back).dump() == json.dump());
    CHECK(back.services.at(1).share_over == std::nullopt);  // no population: NULL, not 0
    CHECK(back.graph.nodes == 3205);
    CHECK(back.parameters.search.method == "phast");  // how the services were searched
    CHECK(back.parameters.search.lanes == 8);
    CHECK(back.timings_s.at(0).first == "load: graph");
    CHECK(back.memory.peak_mib == 48.5);
    CHECK(back.memory.peak_mib_after.at(0) == std::pair<std::string, double>{"load: graph", 40.25});
    CHECK(back.memory.huge_pages == "madvise");  // the system's setting, which the timings depend on
    // The keys a reader of run.json finds first.
    std::vector<std::string> keys;
    for (const auto& [k, v] : json.items()) {
        keys.push_back(k);
    }
    CHECK(keys == std::vector<std::string>{"proxima_version", "study", "inputs", "graph", "parameters", "services",
                                           "population", "poles", "warnings", "timings_s", "memory", "outputs"});
    // Without a classification there is no "poles" key at all.
    RunManifest without = m;
    without.poles = nullptr;
    CHECK_FALSE(to_json(without).contains("poles"));
}

TEST_CASE("a damaged run.json is refused, naming the file and the key", "[report]") {
    auto json = to_json(sample_manifest());
    SECTION("a missing key") {
        json["graph"].erase("nodes");
        CHECK_THROWS_WITH(parse_run_manifest(json, "out/run.json"),
                          Contains("'out/run.json'") && Contains("\"graph.nodes\" should be present"));
    }
    SECTION("a mistyped value") {
        json["services"][0]["threshold_min"] = "30";
        CHECK_THROWS_WITH(parse_run_manifest(json, "run.json"), Contains("\"services[].threshold_min\" should be a number"));
    }
    SECTION("a negative count") {
        json["population"]["origins"] = -1;
        CHECK_THROWS_AS(parse_run_manifest(json, "run.json"), InputError);
    }
    SECTION("a mistyped huge pages setting") {
        json["memory"]["huge_pages"] = 1;
        CHECK_THROWS_WITH(parse_run_manifest(json, "run.json"), Contains("\"memory.huge_pages\" should be a text"));
    }
    SECTION("not an object") {
        CHECK_THROWS_AS(parse_run_manifest(nlohmann::ordered_json::array(), "run.json"), InputError);
    }
}

TEST_CASE("run.json written before the huge pages setting was recorded is read, without it", "[report]") {
    auto json = to_json(sample_manifest());
    json["memory"].erase("huge_pages");
    const RunManifest back = parse_run_manifest(json, "run.json");
    CHECK(back.memory.huge_pages.empty());
    CHECK(back.memory.peak_mib == 48.5);
    CHECK_FALSE(to_json(back)["memory"].contains("huge_pages"));  // not made up when written again
}
