#include <fstream>

#include <catch2/catch.hpp>

#include "proxima/core/error.hpp"
#include "proxima/core/sha256.hpp"
#include "proxima/graph/graph_file.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/graphs.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

namespace {

std::vector<char> read_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_bytes(const std::filesystem::path& p, const std::vector<char>& bytes) {
    std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

} // namespace

TEST_CASE("a saved graph loads back identical, with its provenance", "[graph]") {
    test::TempDir dir("graph-file");
    const RoadGraph& g = test::sample_graph("andorra-2021");
    const auto path = dir.path() / "andorra.pxg";
    save_graph(g, path);
    const RoadGraph loaded = load_graph(path);
    const auto& a = g.arrays();
    const auto& b = loaded.arrays();
    CHECK(a.first_out == b.first_out);
    CHECK(a.head == b.head);
    CHECK(a.travel_ds == b.travel_ds);
    CHECK(a.length_m == b.length_m);
    CHECK(a.in_arc == b.in_arc);
    CHECK(a.node_coord == b.node_coord);
    CHECK(a.points == b.points);
    CHECK(a.point_fwd_ds == b.point_fwd_ds);
    CHECK(a.edge_way_id == b.edge_way_id);
    CHECK(loaded.provenance().source_file == "andorra-2021.osm.pbf");
    CHECK(loaded.provenance().source_sha256 == sha256_file(test::data_file("osm/andorra-2021.osm.pbf")));
    CHECK(loaded.provenance().profile_name == "car");
    // Same input, same bytes: the cache is deterministic.
    save_graph(test::sample_graph("andorra-2021"), dir.path() / "again.pxg");
    CHECK(sha256_file(path) == sha256_file(dir.path() / "again.pxg"));
    // No temporary file is left behind.
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        CHECK(entry.path().string().find(".tmp-") == std::string::npos);
    }
}

TEST_CASE("foreign, old, truncated and corrupt graph files are refused", "[graph]") {
    test::TempDir dir("graph-file-bad");
    const auto good = dir.path() / "good.pxg";
    save_graph(test::sample_graph("monaco-riviera-2016"), good);
    const auto bytes = read_bytes(good);
    const auto bad = dir.path() / "bad.pxg";

    SECTION("missing") {
        REQUIRE_THROWS_AS(load_graph(dir.path() / "missing.pxg"), InputError);
        REQUIRE_THROWS_WITH(load_graph(dir.path() / "missing.pxg"), Contains("does not exist") && Contains("build-graph"));
    }
    SECTION("not a graph") {
        std::ofstream(bad) << "source_id,target_id\nsome,csv\nthat is long enough to pass the size check......\n";
        REQUIRE_THROWS_AS(load_graph(bad), CacheError);
        REQUIRE_THROWS_WITH(load_graph(bad), Contains("not a Proxima graph"));
    }
    SECTION("too short") {
        write_bytes(bad, std::vector<char>(bytes.begin(), bytes.begin() + 20));
        REQUIRE_THROWS_WITH(load_graph(bad), Contains("not a Proxima graph"));
    }
    SECTION("another format version") {
        auto v = bytes;
        v[8] = 99;
        write_bytes(bad, v);
        REQUIRE_THROWS_WITH(load_graph(bad), Contains("format version 99") && Contains("build-graph"));
    }
    SECTION("truncated") {
        write_bytes(bad, std::vector<char>(bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() / 2)));
        REQUIRE_THROWS_WITH(load_graph(bad), Contains("truncated"));
    }
    SECTION("one byte flipped") {
        auto v = bytes;
        v[v.size() / 2] ^= 0x5A;
        write_bytes(bad, v);
        REQUIRE_THROWS_AS(load_graph(bad), CacheError);
        REQUIRE_THROWS_WITH(load_graph(bad), Contains("corrupt"));
    }
    SECTION("stale: built from another extract or profile") {
        const RoadGraph g = load_graph(good);
        const auto sha = sha256_file(test::data_file("osm/monaco-riviera-2016.osm.pbf"));
        REQUIRE_NOTHROW(require_graph_source(g, good, sha, g.provenance().profile_sha256));
        REQUIRE_THROWS_WITH(require_graph_source(g, good, std::string(64, '0'), ""), Contains("stale"));
        REQUIRE_THROWS_WITH(require_graph_source(g, good, "", std::string(64, '1')), Contains("stale"));
    }
}

TEST_CASE("an output folder that does not exist is an output error, nothing written", "[graph]") {
    test::TempDir dir("graph-file-out");
    REQUIRE_THROWS_AS(save_graph(test::sample_graph("monaco-riviera-2016"), dir.path() / "no" / "such" / "g.pxg"),
                      OutputError);
    REQUIRE_THROWS_AS(save_graph(test::sample_graph("monaco-riviera-2016"), dir.path()), OutputError);
    CHECK(std::filesystem::is_empty(dir.path()));
}

TEST_CASE("a graph is never written over a file that is not a graph", "[graph]") {
    test::TempDir dir("graph-destination");
    const RoadGraph& g = test::sample_graph("andorra-2021");
    const auto study = dir.path() / "study.toml";
    std::ofstream(study) << "[study]\nname = \"precious\"\n";
    const auto before = sha256_file(study);
    REQUIRE_THROWS_AS(save_graph(g, study), OutputError);
    REQUIRE_THROWS_WITH(save_graph(g, study), Contains("is not a Proxima graph file") && Contains("not replaced") &&
                                                  Contains("study-graph.pxg"));
    CHECK(sha256_file(study) == before);
    REQUIRE_THROWS_WITH(check_graph_destination(dir.path(), "-o"), Contains("is a folder"));
    // A graph file is replaced; a new name is written.
    const auto graph = dir.path() / "g.pxg";
    save_graph(g, graph);
    CHECK(has_graph_signature(graph));
    CHECK_NOTHROW(save_graph(g, graph));
    CHECK_FALSE(has_graph_signature(study));
}
