// Contraction hierarchy + PHAST against MultiSourceDijkstra (times and source tags) and Boost.Graph
// (times), state by state, forward and reverse, on random graphs and on the samples.

#include <algorithm>
#include <random>

#include <catch2/catch.hpp>

#include "proxima/core/error.hpp"
#include "proxima/graph/graph_file.hpp"
#include "proxima/routing/contraction_hierarchy.hpp"
#include "proxima/routing/phast.hpp"
#include "proxima_test/boost_reference.hpp"
#include "proxima_test/graphs.hpp"

using namespace proxima;

namespace {

struct Source {
    std::uint32_t state;
    Deciseconds offset_ds;
    std::uint32_t tag;
};

struct Lane {
    std::vector<Source> sources;
    Deciseconds bound_ds = max_travel_ds;
};

/// Sources drawn as sites: `sites` tags, each with 1 to 3 states and offsets up to max_offset.
Lane random_lane(const RoadGraph& g, std::mt19937_64& rng, std::uint32_t sites, Deciseconds max_offset,
                 Deciseconds bound) {
    std::uniform_int_distribution<std::uint32_t> state(0, g.state_count() - 1);
    std::uniform_int_distribution<Deciseconds> offset(0, max_offset);
    Lane lane;
    for (std::uint32_t f = 0; f < sites; ++f) {
        const auto seeds = 1 + rng() % 3;
        for (std::uint64_t k = 0; k < seeds; ++k) {
            lane.sources.push_back({state(rng), offset(rng), f});
        }
    }
    lane.bound_ds = bound;
    return lane;
}

/// Runs PHAST with all `lanes` in one sweep and each lane with Dijkstra; requires the same time
/// and tag in every state. With `boost`, the times of lane 0 are also checked against Boost.Graph.
void require_phast_equals_dijkstra(const RoadGraph& g, Direction direction, const std::vector<Lane>& lanes,
                                   bool boost = false) {
    Phast phast(g, direction, static_cast<unsigned>(lanes.size()));
    phast.reset();
    std::vector<Deciseconds> bounds;
    for (unsigned l = 0; l < lanes.size(); ++l) {
        for (const auto& s : lanes[l].sources) {
            phast.add_source(l, StateId{s.state}, s.offset_ds, s.tag);
        }
        bounds.push_back(lanes[l].bound_ds);
    }
    phast.run(bounds);
    MultiSourceDijkstra dijkstra(g, direction, false);
    for (unsigned l = 0; l < lanes.size(); ++l) {
        dijkstra.reset();
        for (const auto& s : lanes[l].sources) {
            dijkstra.add_source(StateId{s.state}, s.offset_ds, s.tag);
        }
        dijkstra.run(lanes[l].bound_ds);
        std::size_t time_mismatches = 0;
        std::size_t tag_mismatches = 0;
        std::size_t reached = 0;
        for (std::uint32_t v = 0; v < g.state_count(); ++v) {
            const auto t = dijkstra.time_ds(StateId{v});
            time_mismatches += phast.time_ds(l, StateId{v}) != t ? 1 : 0;
            if (t != unreachable_ds) {
                ++reached;
                tag_mismatches += phast.source_of(l, StateId{v}) != dijkstra.source_of(StateId{v}) ? 1 : 0;
            }
        }
        INFO("lane " << l << " of " << lanes.size() << ", states " << g.state_count() << ", reached " << reached
                     << ", bound " << lanes[l].bound_ds);
        REQUIRE(time_mismatches == 0);
        REQUIRE(tag_mismatches == 0);
    }
    if (boost) {
        std::vector<test::ReferenceSource> sources;
        for (const auto& s : lanes[0].sources) {
            sources.push_back({s.state, s.offset_ds});
        }
        const auto reference = test::boost_dijkstra(g, direction, sources);
        std::size_t mismatches = 0;
        for (std::uint32_t v = 0; v < g.state_count(); ++v) {
            const bool within = reference[v] && *reference[v] <= static_cast<std::int64_t>(lanes[0].bound_ds);
            const auto expected = within ? static_cast<Deciseconds>(*reference[v]) : unreachable_ds;
            mismatches += phast.time_ds(0, StateId{v}) != expected ? 1 : 0;
        }
        REQUIRE(mismatches == 0);
    }
}

} // namespace

TEST_CASE("the contraction hierarchy is valid, deterministic and keeps every transition once", "[routing]") {
    std::mt19937_64 rng(test::random_seed());
    const RoadGraph g = test::random_graph(120, 300, rng(), 40);
    HierarchyBuildReport report;
    const StateHierarchy a = build_state_hierarchy(g, &report);
    REQUIRE_NOTHROW(a.validate(g.state_count()));
    const StateHierarchy b = build_state_hierarchy(g);
    CHECK(a.rank == b.rank);
    CHECK(a.up_head == b.up_head);
    CHECK(a.up_ds == b.up_ds);
    CHECK(a.down_tail == b.down_tail);
    CHECK(a.down_ds == b.down_ds);
    CHECK(report.states == g.state_count());
    CHECK(report.arcs == report.transitions + report.shortcuts);
    CHECK(report.bytes == a.memory_bytes());
    // A broken hierarchy is refused when attached.
    RoadGraph copy = g;
    StateHierarchy broken = a;
    std::swap(broken.rank[0], broken.rank[1]);
    broken.rank[0] = broken.rank[1];
    CHECK_THROWS_AS(copy.set_hierarchy(broken), CacheError);
    broken = a;
    if (!broken.up_head.empty()) {
        broken.up_head[0] = 0;  // an arc down to rank 0
        CHECK_THROWS_AS(copy.set_hierarchy(broken), CacheError);
    }
    CHECK_THROWS_AS(Phast(copy, Direction::forward, 1), Error);  // no hierarchy attached
}

TEST_CASE("PHAST equals Dijkstra and Boost.Graph on random graphs with zero, parallel and unreachable parts, "
          "1 to 8 lanes, offsets, tags and bounds",
          "[routing]") {
    std::mt19937_64 rng(test::random_seed() + 7);
    for (int round = 0; round < 12; ++round) {
        const std::uint32_t nodes = 20 + static_cast<std::uint32_t>(rng() % 250);
        const std::uint32_t arcs = nodes * (1 + static_cast<std::uint32_t>(rng() % 3));
        // Small weights: many zero-weight transitions and ties between sites.
        const Deciseconds max_weight = round % 2 == 0 ? 3 : 600;
        RoadGraph g = test::random_graph(nodes, arcs, rng(), max_weight);
        if (g.state_count() == 0) {
            continue;
        }
        add_state_hierarchy(g);
        for (auto direction : {Direction::forward, Direction::reverse}) {
            const unsigned lanes = 1 + static_cast<unsigned>(rng() % Phast::max_lanes);
            std::vector<Lane> set;
            for (unsigned l = 0; l < lanes; ++l) {
                const Deciseconds bound = l % 3 == 2 ? static_cast<Deciseconds>(rng() % (20 * max_weight + 1)) : max_travel_ds;
                set.push_back(random_lane(g, rng, 1 + static_cast<std::uint32_t>(rng() % 6), max_weight * 2, bound));
            }
            INFO("round " << round << ", " << lanes << " lanes");
            require_phast_equals_dijkstra(g, direction, set, true);
        }
    }
}

TEST_CASE("PHAST equals Dijkstra on the samples (destination-only roads, turn restrictions), forward and reverse",
          "[routing]") {
    std::mt19937_64 rng(test::random_seed() + 11);
    for (const char* name : {"andorra-2021", "nantes-centre-2014", "saint-barthelemy-2014"}) {
        RoadGraph g = test::sample_graph(name);
        INFO(name);
        const HierarchyBuildReport report = add_state_hierarchy(g);
        CHECK(report.shortcuts > 0);
        for (auto direction : {Direction::forward, Direction::reverse}) {
            std::vector<Lane> set;
            for (unsigned l = 0; l < Phast::max_lanes; ++l) {
                set.push_back(random_lane(g, rng, 1 + l * 3, 600, l == 5 ? 3000 : max_travel_ds));
            }
            require_phast_equals_dijkstra(g, direction, set, direction == Direction::forward);
            require_phast_equals_dijkstra(g, direction, {random_lane(g, rng, 1, 0, max_travel_ds)}, true);
        }
    }
    // The samples do have what the hierarchy must keep: destination-only states and restrictions.
    CHECK(test::sample_report("andorra-2021").states_destination_only > 0);
}

TEST_CASE("PHAST's label rows start on a cache line: 8 lanes read one line per state", "[routing]") {
    RoadGraph g = test::sample_graph("saint-barthelemy-2014");
    add_state_hierarchy(g);
    for (unsigned lanes : {1U, 2U, 4U, 8U}) {
        const Phast phast(g, Direction::reverse, lanes);
        INFO(lanes << " lanes");
        const auto row_bytes = 2 * lanes * sizeof(std::uint32_t);
        for (std::uint32_t s = 0; s < g.state_count(); ++s) {
            const auto address = reinterpret_cast<std::uintptr_t>(phast.label_row(StateId{s}));
            REQUIRE(address % row_bytes == 0);  // 64 bytes at 8 lanes: never split over two lines
        }
    }
}

namespace {
void check_same_hierarchy(const StateHierarchy& a, const StateHierarchy& b) {
    CHECK(a.rank == b.rank);
    CHECK(a.up_first == b.up_first);
    CHECK(a.up_head == b.up_head);
    CHECK(a.up_ds == b.up_ds);
    CHECK(a.down_first == b.down_first);
    CHECK(a.down_tail == b.down_tail);
    CHECK(a.down_ds == b.down_ds);
}
} // namespace

TEST_CASE("the contraction hierarchy is the same on one thread and on several", "[routing]") {
    for (const char* name : {"andorra-2021", "nantes-centre-2014"}) {
        INFO(name);
        const RoadGraph g = test::sample_graph(name);
        HierarchyBuildOptions one;
        one.threads = 1;
        HierarchyBuildOptions several;
        several.threads = 4;  // capped at the processors; rounds are split among them
        const StateHierarchy a = build_state_hierarchy(g, nullptr, one);
        const StateHierarchy b = build_state_hierarchy(g, nullptr, several);
        check_same_hierarchy(a, b);
    }
}

TEST_CASE("the contraction hierarchy is stored in the graph file, a file without one loads without it", "[routing]") {
    test::TempDir dir("hierarchy-file");
    RoadGraph g = test::sample_graph("saint-barthelemy-2014");
    save_graph(g, dir.path() / "plain.pxg");
    CHECK(load_graph(dir.path() / "plain.pxg").hierarchy() == nullptr);
    add_state_hierarchy(g);
    save_graph(g, dir.path() / "with.pxg");
    const RoadGraph loaded = load_graph(dir.path() / "with.pxg");
    REQUIRE(loaded.hierarchy() != nullptr);
    const StateHierarchy& a = *g.hierarchy();
    const StateHierarchy& b = *loaded.hierarchy();
    check_same_hierarchy(a, b);
    std::mt19937_64 rng(test::random_seed() + 3);
    require_phast_equals_dijkstra(loaded, Direction::reverse, {random_lane(loaded, rng, 5, 100, max_travel_ds)});
}

TEST_CASE("across a zero-weight transition, both methods give a state the lowest tag that reaches it in its time",
          "[routing]") {
    // 0 -> 1 (0 ds) -> 2 (5 ds): state 0 (arc 0->1) leads to state 1 (arc 1->2) at no cost.
    RoadGraph g = graph_from_arcs({{0, 0}, {0.001, 0}, {0.002, 0}}, {{0, 1, 0, 0}, {1, 2, 5, 50}});
    add_state_hierarchy(g);
    for (bool low_first : {true, false}) {
        MultiSourceDijkstra dijkstra(g, Direction::forward, false);
        Phast phast(g, Direction::forward, 1);
        dijkstra.reset();
        phast.reset();
        // Tag 0 at state 0 and tag 1 at state 1, both at time 0, added in either order: state 1
        // is reached at time 0 from both, and takes tag 0 whatever the settling order.
        for (int k = 0; k < 2; ++k) {
            const bool low = (k == 0) == low_first;
            dijkstra.add_source(StateId{low ? 0U : 1U}, 0, low ? 0 : 1);
            phast.add_source(0, StateId{low ? 0U : 1U}, 0, low ? 0 : 1);
        }
        dijkstra.run();
        phast.run();
        CHECK(dijkstra.time_ds(StateId{1}) == 0);
        CHECK(dijkstra.source_of(StateId{1}) == 0);
        CHECK(phast.time_ds(0, StateId{1}) == 0);
        CHECK(phast.source_of(0, StateId{1}) == 0);
    }
}
