#include <fstream>
#include <sstream>

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "proxima/core/error.hpp"
#include "proxima/osm/graph_builder.hpp"
#include "proxima/routing/multi_source_dijkstra.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/graphs.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

using test::node_at;

namespace {

GraphBuildResult build_fixture(const std::string& name) {
    return build_road_graph(test::fixture(name), load_profile(test::fixture("test-profile.toml")));
}

Deciseconds time_between(const RoadGraph& g, NodeId from, NodeId to) { return test::node_to_node_ds(g, from, to); }

bool has_arc(const RoadGraph& g, NodeId from, NodeId to) {
    for (auto a = g.first_out()[to_index(from)]; a < g.first_out()[to_index(from) + 1]; ++a) {
        if (g.head()[a] == to_index(to)) {
            return true;
        }
    }
    return false;
}

} // namespace

// Distances below: 0.001 deg on the equator = 111.23 m; the test profile drives 1 m per ds.

TEST_CASE("one-way streets are driven only their way, oneway=-1 reverses the drawing", "[osm]") {
    const auto r = build_fixture("oneway-square.osm");
    const RoadGraph& g = r.graph;
    REQUIRE(g.node_count() == 4);
    REQUIRE(g.arc_count() == 8);
    const NodeId a = node_at(g, 0, 0), c = node_at(g, 0.001, 0.001), d = node_at(g, 0, 0.001);
    CHECK(has_arc(g, c, d));
    CHECK_FALSE(has_arc(g, d, c));
    CHECK(has_arc(g, a, d));  // way drawn D->A with oneway=-1
    CHECK_FALSE(has_arc(g, d, a));
    CHECK(time_between(g, c, d) == 111);
    CHECK(time_between(g, d, c) == 157 + 111);  // D -> B (diagonal) -> C
    CHECK(time_between(g, a, d) == 111);
    CHECK(time_between(g, d, a) == 157 + 111);
}

TEST_CASE("a roundabout is one-way without an oneway tag", "[osm]") {
    const auto r = build_fixture("roundabout.osm");
    const RoadGraph& g = r.graph;
    // Ring nodes 12 and 14 only continue the ring: merged into the edges 11->13 and 13->11.
    REQUIRE(g.node_count() == 4);
    REQUIRE(g.arc_count() == 6);
    const NodeId west = node_at(g, -0.002, 0), east = node_at(g, 0.002, 0);
    const NodeId n11 = node_at(g, -0.0005, 0), n13 = node_at(g, 0.0005, 0);
    // 11 -> 12 -> 13 runs south of the centre, 13 -> 14 -> 11 north of it: each only once.
    for (auto [from, to, lat] : {std::tuple{n11, n13, -0.0005}, std::tuple{n13, n11, 0.0005}}) {
        int arcs = 0;
        for (auto arc = g.first_out()[to_index(from)]; arc < g.first_out()[to_index(from) + 1]; ++arc) {
            if (g.head()[arc] != to_index(to)) {
                continue;
            }
            ++arcs;
            const auto points = g.edge_points(g.arc_edge(ArcId{arc}));
            REQUIRE(points.size() == 3);
            CHECK(points[1].lat == Approx(lat));
        }
        CHECK(arcs == 1);
    }
    // 167 (arm) + 157 (half ring, 2 x 78.6) + 167 (arm), both ways round.
    CHECK(time_between(g, west, east) == 167 + 157 + 167);
    CHECK(time_between(g, east, west) == 167 + 157 + 167);
}

TEST_CASE("access restrictions, unroutable classes, areas and islands are dropped and counted", "[osm]") {
    const auto r = build_fixture("access.osm");
    const RoadGraph& g = r.graph;
    const auto& rep = r.report;
    CHECK(rep.ways_by_verdict[static_cast<int>(WayVerdict::access_denied)] == 2);     // private, motor_vehicle=no
    CHECK(rep.ways_by_verdict[static_cast<int>(WayVerdict::unroutable_class)] == 1);  // footway
    CHECK(rep.ways_by_verdict[static_cast<int>(WayVerdict::area)] == 1);
    CHECK(rep.ways_by_verdict[static_cast<int>(WayVerdict::routable)] == 3);  // main street, side road 32, island
    CHECK(rep.km_by_verdict[static_cast<int>(WayVerdict::access_denied)] == Approx(0.2225).margin(0.001));
    CHECK(rep.osm_nodes_routable == 7);
    CHECK(rep.osm_nodes_disconnected == 2);  // the island 9-10
    CHECK(rep.segments_disconnected == 1);
    CHECK(rep.components == 2);
    // Kept: nodes 1, 3, 4 and 6 (node 2 lost its private side road and merged into a chain).
    REQUIRE(g.node_count() == 4);
    CHECK(g.arc_count() == 6);
    CHECK(rep.km_kept == Approx(0.4449).margin(0.001));
    const NodeId n1 = node_at(g, 0, 0), n6 = node_at(g, 0.002, 0.001);
    CHECK(time_between(g, n1, n6) == 222 + 111);
}

TEST_CASE("chains of degree-2 nodes become one edge with its geometry and per-point times", "[osm]") {
    const auto r = build_fixture("chain-and-speeds.osm");
    const RoadGraph& g = r.graph;
    REQUIRE(g.node_count() == 5);  // 1, 3, 6, the ferry landings 5 and 7
    REQUIRE(g.edge_count() == 4);  // a road and a ferry never share an edge: node 5 stays
    REQUIRE(g.arc_count() == 8);
    const NodeId n1 = node_at(g, 0, 0), n3 = node_at(g, 0.002, 0), n7 = node_at(g, 0.006, 0);
    // 1-2-3 at maxspeed 144 x 0.5 = 72 km/h (2 m per ds): 222.45 m in 111 ds.
    CHECK(time_between(g, n1, n3) == 111);
    // 3-4-5 at 1 m per ds (222 ds), then the ferry: duration 00:05 = 3000 ds.
    CHECK(time_between(g, n3, n7) == 3222);
    CHECK(time_between(g, n7, n1) == 3333);
    for (std::uint32_t e = 0; e < g.edge_count(); ++e) {
        const auto points = g.edge_points(EdgeId{e});
        const auto fwd = g.edge_point_fwd_ds(EdgeId{e});
        const auto metres = g.edge_point_m(EdgeId{e});
        const bool three_to_five = std::abs(points.front().lon - 0.002) < 1e-9 && std::abs(points.back().lon - 0.004) < 1e-9;
        if (three_to_five) {  // 3-4-5 at 1 m per ds
            CHECK(metres.back() == Approx(222.4).margin(0.1));
            CHECK(fwd.back() == Approx(222.4).margin(0.1));
            CHECK(fwd[1] == Approx(111.2).margin(0.1));
        }
    }
    CHECK(r.report.km_by_class.size() == 3);  // primary, residential, ferry
}

TEST_CASE("the real samples build into valid, connected graphs", "[osm]") {
    for (const char* name : {"andorra-2021", "monaco-riviera-2016", "nantes-centre-2014", "saint-barthelemy-2014"}) {
        const RoadGraph& g = test::sample_graph(name);
        INFO(name);
        g.validate();
        CHECK(g.node_count() > 500);
        // Strongly connected, turns included: from a state of the open network, a search reaches
        // every state but one of the two states of each destination-only arc (the one a trip
        // starts in, forward; the one the open network leads into, backward) and the few that
        // turn restrictions leave apart.
        const auto& r = test::sample_report(name);
        for (auto direction : {Direction::forward, Direction::reverse}) {
            MultiSourceDijkstra search(g, direction);
            std::uint32_t best = 0;
            for (std::uint32_t start = 0; start < 20; ++start) {
                search.reset();
                search.add_source(StateId{start * (g.arc_count() / 20)}, 0);
                best = std::max(best, search.run());
            }
            CHECK(best >= g.state_count() - r.states_destination_only - r.states_apart);
        }
        CHECK(r.states_apart * 100 < g.state_count());
    }
}

TEST_CASE("bad extracts are refused with a message naming the file", "[osm]") {
    const Profile profile = load_profile(test::fixture("test-profile.toml"));
    test::TempDir dir("bad-extracts");
    SECTION("missing file") {
        REQUIRE_THROWS_AS(build_road_graph(dir.path() / "nope.osm.pbf", profile), InputError);
        REQUIRE_THROWS_WITH(build_road_graph(dir.path() / "nope.osm.pbf", profile), Contains("nope.osm.pbf") && Contains("does not exist"));
    }
    SECTION("not a PBF") {
        const auto path = dir.path() / "text.osm.pbf";
        std::ofstream(path) << "this is not an OpenStreetMap file\n";
        REQUIRE_THROWS_AS(build_road_graph(path, profile), InputError);
        REQUIRE_THROWS_WITH(build_road_graph(path, profile), Contains("text.osm.pbf"));
    }
    SECTION("no drivable road") {
        REQUIRE_THROWS_WITH(build_road_graph(test::fixture("no-roads.osm"), profile),
                            Contains("no-roads.osm") && Contains("no road drivable"));
    }
    SECTION("a folder") {
        REQUIRE_THROWS_AS(build_road_graph(dir.path(), profile), InputError);
    }
}

TEST_CASE("hostile tag values never make zero-time or absurd arcs, and JOSM's negative ids are nodes", "[osm]") {
    const auto r = build_fixture("hostile-tags.osm");
    const RoadGraph& g = r.graph;
    CHECK(r.report.ways_with_invalid_maxspeed == 3);  // maxspeed=nan, the ferry duration, maxspeed:forward=inf
    CHECK(r.report.osm_nodes_routable == 4);          // every node has a negative id: none dropped
    REQUIRE(g.node_count() == 4);                     // a straight chain, cut where the ferry starts and ends
    const NodeId a = node_at(g, 0.000, 0.0);
    const NodeId d = node_at(g, 0.020, 0.0);
    // Class speed over 2 km (not 0 s), ferry speed for the absurd duration (no abort), class speed.
    CHECK(time_between(g, a, d) == Approx(2004 + 223 + 111).margin(4));  // three arcs, each rounded
    CHECK(time_between(g, d, a) == Approx(2004 + 223 + 111).margin(4));
}

TEST_CASE("an extract path that is not a regular file is refused before anything is read", "[osm]") {
    const Profile profile = load_profile(test::fixture("test-profile.toml"));
    REQUIRE_THROWS_WITH(build_road_graph("/dev/zero", profile), Contains("/dev/zero") && Contains("not a regular file"));
    test::TempDir dir("fifo-extract");
    const auto fifo = dir.path() / "extract.osm.pbf";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    REQUIRE_THROWS_WITH(build_road_graph(fifo, profile), Contains("not a regular file"));
    REQUIRE_THROWS_WITH(build_road_graph(dir.path(), profile), Contains("is a folder"));
    // A library's message ends with a full stop: ours must not read "..".
    const auto text = dir.path() / "text.osm.pbf";
    std::ofstream(text) << "not osm\n";
    try {
        (void)build_road_graph(text, profile);
        FAIL("a text file was read as OSM");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()).find("..") == std::string::npos);
        CHECK(std::string(e.what()).find(". .") == std::string::npos);
    }
}
