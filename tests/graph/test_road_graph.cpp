#include <cmath>
#include <functional>
#include <limits>

#include <catch2/catch.hpp>
#include <omp.h>

#include "proxima/core/error.hpp"
#include "proxima/graph/road_graph.hpp"
#include "proxima/graph/strong_components.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

TEST_CASE("graph_from_arcs makes a valid CSR with its reverse", "[graph]") {
    const RoadGraph g = graph_from_arcs({{0, 0}, {0.001, 0}, {0.002, 0}},
                                        {{2, 0, 7, 70}, {0, 1, 5, 50}, {0, 2, 9, 90}, {1, 1, 0, 0}});
    g.validate();
    CHECK(g.node_count() == 3);
    CHECK(g.arc_count() == 4);
    CHECK(std::vector<std::uint32_t>(g.first_out().begin(), g.first_out().end()) == std::vector<std::uint32_t>{0, 2, 3, 4});
    CHECK(g.tail(ArcId{3}) == NodeId{2});
    // Node 0 is entered only from node 2.
    REQUIRE(g.first_in()[1] - g.first_in()[0] == 1);
    CHECK(g.tail_in()[g.first_in()[0]] == 2);
    CHECK(g.in_travel_ds()[g.first_in()[0]] == 7);
}

TEST_CASE("validate() names the broken invariant", "[graph]") {
    const RoadGraph good = graph_from_arcs({{0, 0}, {0.001, 0}}, {{0, 1, 5, 50}, {1, 0, 5, 50}});
    SECTION("head out of range") {
        auto a = good.arrays();
        a.head[0] = 9;
        REQUIRE_THROWS_WITH(RoadGraph(a), Contains("points to node 9"));
    }
    SECTION("reverse CSR out of step") {
        auto a = good.arrays();
        a.in_travel_ds[0] = 6;
        REQUIRE_THROWS_AS(RoadGraph(a), CacheError);
    }
    SECTION("arc time disagrees with its edge") {
        auto a = good.arrays();
        a.travel_ds[0] = 50;
        build_reverse_csr(a);
        REQUIRE_THROWS_WITH(RoadGraph(a), Contains("disagrees with its edge"));
    }
    SECTION("decreasing cumulative offsets") {
        auto a = good.arrays();
        a.point_m[1] = -1;
        REQUIRE_THROWS_WITH(RoadGraph(a), Contains("decreasing"));
    }
    SECTION("first_out size") {
        auto a = good.arrays();
        a.first_out.pop_back();
        REQUIRE_THROWS_WITH(RoadGraph(a), Contains("first_out"));
    }
}

TEST_CASE("validate() names the first broken item of a large graph, checked on every thread", "[graph]") {
    // A road of 200 000 arcs (more than one block of the parallel checks): with several items
    // broken, the first is named, as a loop from 0 would name it, on any number of threads.
    constexpr std::uint32_t arcs = 200'000;
    std::vector<LonLat> nodes;
    std::vector<ArcSpec> specs;
    for (std::uint32_t i = 0; i <= arcs; ++i) {
        nodes.push_back({1.0 + i * 1e-5, 45.0});
    }
    for (std::uint32_t i = 0; i < arcs; ++i) {
        specs.push_back({i, i + 1, 10, 1.0F});
    }
    const RoadGraph good = graph_from_arcs(nodes, specs);
    // Each check on 1, 2 and 4 threads (OpenMP's default for the regions of validate()).
    const auto on_threads = [](const std::function<void()>& check) {
        const int before = omp_get_max_threads();
        for (const int threads : {1, 2, 4}) {
            omp_set_num_threads(threads);
            INFO(threads << " threads");
            check();
        }
        omp_set_num_threads(before);
    };
    SECTION("lengths broken in two blocks") {
        auto a = good.arrays();
        a.length_m[150'000] = -1.0F;
        a.length_m[70'001] = std::numeric_limits<float>::quiet_NaN();
        a.length_m[140'000] = -2.0F;
        on_threads([&] { REQUIRE_THROWS_WITH(RoadGraph(a), Contains("arc 70001 has length")); });
    }
    SECTION("a reverse slot names an arc twice, after one that does not mirror its arc") {
        auto a = good.arrays();
        a.in_arc[100'000] = a.in_arc[5];  // slot i holds arc i on this road
        a.in_travel_ds[120'000] = 11;
        on_threads([&] { REQUIRE_THROWS_WITH(RoadGraph(a), Contains("reverse slot 100000 names arc 5 twice")); });
        a.in_travel_ds[90'000] = 11;
        on_threads([&] { REQUIRE_THROWS_WITH(RoadGraph(a), Contains("reverse slot 90000 does not mirror arc 90000")); });
    }
    SECTION("a transition too light in a late block, then in an early one") {
        auto a = good.arrays();
        a.transition_ds[a.first_transition[180'000]] = 5;  // less than its arc's 10 ds
        on_threads([&] { REQUIRE_THROWS_WITH(RoadGraph(a), Contains("transition 180000 -> 180001 weighs 5 ds")); });
        a.transition_ds[a.first_transition[66'000]] = 4;
        on_threads([&] { REQUIRE_THROWS_WITH(RoadGraph(a), Contains("transition 66000 -> 66001 weighs 4 ds")); });
    }
}

TEST_CASE("strong components find the largest one, ties to the lowest node", "[graph]") {
    // 0 <-> 1 <-> 2 is one component; 3 -> 4 -> 3 another; 5 alone; 2 -> 3 one way.
    const std::vector<std::uint32_t> first_out = {0, 1, 3, 5, 6, 7, 7};
    const std::vector<std::uint32_t> head = {1, 0, 2, 1, 3, 4, 3};
    const auto scc = strong_components(first_out, head);
    CHECK(scc.count == 3);
    CHECK(scc.largest_size == 3);
    CHECK(scc.component[0] == scc.largest);
    CHECK(scc.component[2] == scc.largest);
    CHECK(scc.component[3] != scc.largest);
    CHECK(scc.component[3] == scc.component[4]);
    // Two components of equal size: the one holding node 0 wins.
    const auto tie = strong_components(std::vector<std::uint32_t>{0, 1, 2, 3, 4}, std::vector<std::uint32_t>{1, 0, 3, 2});
    CHECK(tie.largest == tie.component[0]);
}
