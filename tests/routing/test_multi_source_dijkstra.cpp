#include <random>

#include <catch2/catch.hpp>

#include "proxima/routing/multi_source_dijkstra.hpp"
#include "proxima_test/boost_reference.hpp"
#include "proxima_test/graphs.hpp"

using namespace proxima;
using proxima::test::boost_dijkstra;
using proxima::test::boost_node_dijkstra;
using proxima::test::ReferenceSource;

namespace {

/// Runs ours and Boost's (on the turn-aware graph's transitions) with the same sources and
/// requires equal times in every state.
void require_same_as_boost(const RoadGraph& graph, Direction direction, const std::vector<ReferenceSource>& sources,
                           MultiSourceDijkstra& search) {
    search.reset();
    for (const auto& s : sources) {
        search.add_source(StateId{s.id}, static_cast<Deciseconds>(s.offset_ds));
    }
    search.run();
    const auto reference = boost_dijkstra(graph, direction, sources);
    std::size_t mismatches = 0;
    std::size_t reached = 0;
    for (std::uint32_t v = 0; v < graph.state_count(); ++v) {
        const Deciseconds ours = search.time_ds(StateId{v});
        if (reference[v]) {
            ++reached;
            if (ours != static_cast<Deciseconds>(*reference[v])) {
                ++mismatches;
            }
        } else if (ours != unreachable_ds) {
            ++mismatches;
        }
    }
    INFO("states " << graph.state_count() << ", reached " << reached << ", sources " << sources.size());
    REQUIRE(mismatches == 0);
}

std::vector<ReferenceSource> random_sources(const RoadGraph& g, std::mt19937_64& rng, int count, int max_offset) {
    std::uniform_int_distribution<std::uint32_t> state(0, g.state_count() - 1);
    std::uniform_int_distribution<int> offset(0, max_offset);
    std::vector<ReferenceSource> out;
    for (int i = 0; i < count; ++i) {
        out.push_back({state(rng), offset(rng)});
    }
    return out;
}

} // namespace

TEST_CASE("multi-source Dijkstra equals Boost.Graph on random graphs with loops, parallel and zero arcs",
          "[routing]") {
    std::mt19937_64 rng(test::random_seed());
    for (int round = 0; round < 20; ++round) {
        const std::uint32_t nodes = 20 + static_cast<std::uint32_t>(rng() % 300);
        const std::uint32_t arcs = nodes * (1 + static_cast<std::uint32_t>(rng() % 3));
        const RoadGraph g = test::random_graph(nodes, arcs, rng());
        if (g.state_count() == 0) {
            continue;
        }
        for (auto direction : {Direction::forward, Direction::reverse}) {
            MultiSourceDijkstra search(g, direction);
            for (int q = 0; q < 5; ++q) {
                require_same_as_boost(g, direction, random_sources(g, rng, 1 + q * 3, q == 0 ? 0 : 500), search);
            }
            // Source offsets spread wider than the bucket window: the radix-heap path.
            require_same_as_boost(g, direction, random_sources(g, rng, 6, 50'000'000), search);
        }
    }
}

TEST_CASE("with every turn free, state times are the node times of Boost.Graph on the arcs", "[routing]") {
    // Checks the expansion itself, independently of the transition arrays: a graph whose turns are
    // all allowed at no cost must give the classic node-based shortest paths.
    std::mt19937_64 rng(test::random_seed() + 1);
    for (int round = 0; round < 10; ++round) {
        const std::uint32_t nodes = 20 + static_cast<std::uint32_t>(rng() % 200);
        const RoadGraph g = test::random_graph(nodes, nodes * 3, rng());
        std::uniform_int_distribution<std::uint32_t> node(0, nodes - 1);
        const std::uint32_t u = node(rng);
        MultiSourceDijkstra search(g, Direction::forward);
        search.reset();
        for (auto b = g.first_out()[u]; b < g.first_out()[u + 1]; ++b) {
            search.add_source(RoadGraph::arc_state(ArcId{b}), 0);
        }
        search.run();
        const auto ours = test::node_times_from_states(g, search);
        const auto reference = boost_node_dijkstra(g, Direction::forward, {{u, 0}});
        for (std::uint32_t v = 0; v < nodes; ++v) {
            const bool has_exit = g.first_out()[v + 1] > g.first_out()[v];
            if (!has_exit) {
                continue;  // a node without exits has no state of its own
            }
            INFO("node " << v);
            if (reference[v]) {
                REQUIRE(ours[v] == static_cast<Deciseconds>(*reference[v]));
            } else {
                REQUIRE(ours[v] == unreachable_ds);
            }
        }
    }
}

TEST_CASE("multi-source Dijkstra equals Boost.Graph on the turn-aware graphs of the samples, forward and reverse",
          "[routing]") {
    std::mt19937_64 rng(test::random_seed());
    for (const char* name : {"andorra-2021", "monaco-riviera-2016", "nantes-centre-2014"}) {
        const RoadGraph& g = test::sample_graph(name);
        INFO(name);
        for (auto direction : {Direction::forward, Direction::reverse}) {
            MultiSourceDijkstra search(g, direction);
            for (int q = 0; q < 6; ++q) {  // one-to-all
                require_same_as_boost(g, direction, random_sources(g, rng, 1, 0), search);
            }
            for (int q = 0; q < 3; ++q) {  // many sources with start offsets
                require_same_as_boost(g, direction, random_sources(g, rng, 12, 3000), search);
            }
        }
    }
}

TEST_CASE("a time bound leaves exactly the states beyond it unreached", "[routing]") {
    const RoadGraph& g = test::sample_graph("andorra-2021");
    MultiSourceDijkstra full(g, Direction::reverse);
    MultiSourceDijkstra bounded(g, Direction::reverse);
    for (std::uint32_t source : {0U, g.state_count() / 2, g.state_count() - 1}) {
        full.reset();
        full.add_source(StateId{source}, 25);
        full.run();
        for (Deciseconds bound : {Deciseconds{0}, Deciseconds{24}, Deciseconds{25}, Deciseconds{3000}, Deciseconds{9000}}) {
            bounded.reset();
            bounded.add_source(StateId{source}, 25);
            bounded.run(bound);
            for (std::uint32_t v = 0; v < g.state_count(); ++v) {
                const auto t = full.time_ds(StateId{v});
                const auto expected = t <= bound ? t : unreachable_ds;
                REQUIRE(bounded.time_ds(StateId{v}) == expected);
            }
        }
    }
}

TEST_CASE("the prune hook keeps states out of the queue, and settled states come in time order", "[routing]") {
    const RoadGraph& g = test::sample_graph("andorra-2021");
    MultiSourceDijkstra full(g, Direction::forward);
    full.reset();
    full.add_source(StateId{10}, 0);
    full.run();
    // Prune every state the full search reaches later than 2 minutes: what is left is exactly the
    // bounded search (a pruned state is never expanded, so nothing beyond it is reached either).
    MultiSourceDijkstra pruned(g, Direction::forward);
    pruned.reset();
    pruned.add_source(StateId{10}, 0);
    std::vector<Deciseconds> order;
    pruned.run(
        max_travel_ds, [](std::uint32_t, Deciseconds t) { return t > 1200; },
        [&](std::uint32_t v, Deciseconds t) {
            order.push_back(t);
            REQUIRE(t == full.time_ds(StateId{v}));
        });
    CHECK(std::is_sorted(order.begin(), order.end()));
    std::size_t within = 0;
    for (std::uint32_t v = 0; v < g.state_count(); ++v) {
        const auto t = full.time_ds(StateId{v});
        REQUIRE(pruned.time_ds(StateId{v}) == (t <= 1200 ? t : unreachable_ds));
        within += t <= 1200 ? 1 : 0;
    }
    CHECK(order.size() == within);
    // A pruned source is not searched from at all.
    pruned.reset();
    pruned.add_source(StateId{10}, 0);
    CHECK(pruned.run(max_travel_ds, [](std::uint32_t, Deciseconds) { return true; }, NoSettleCallback{}) == 0);
}

TEST_CASE("reset forgets the previous query and a repeated source keeps its smaller offset", "[routing]") {
    // 0 -> 1 (10 ds) -> 2 (5 ds): states 0 (arc 0->1) and 1 (arc 1->2).
    const RoadGraph g = graph_from_arcs({{0, 0}, {0.001, 0}, {0.002, 0}}, {{0, 1, 10, 100}, {1, 2, 5, 50}});
    MultiSourceDijkstra search(g, Direction::forward);
    search.reset();
    search.add_source(StateId{0}, 7, 3);
    search.add_source(StateId{0}, 2, 4);
    search.add_source(StateId{0}, 9, 5);
    search.run();
    CHECK(search.time_ds(StateId{1}) == 12);  // at node 1, having driven arc 0
    CHECK(search.source_of(StateId{1}) == 4);
    CHECK(search.length_m(StateId{1}) == Approx(100));
    search.reset();
    search.add_source(StateId{1}, 0);
    search.run();
    CHECK(search.time_ds(StateId{0}) == unreachable_ds);
    CHECK(search.time_ds(StateId{1}) == 0);

    MultiSourceDijkstra reverse(g, Direction::reverse);
    reverse.reset();
    reverse.add_source(StateId{1}, 5);  // node 2 reached: the end of arc 1
    reverse.run();
    CHECK(reverse.time_ds(StateId{0}) == 15);
    CHECK(reverse.length_m(StateId{0}) == Approx(100));
}

TEST_CASE("source_of names the nearest source, ties to the lower tag", "[routing]") {
    // 0 - 1 - 2 - 3 - 4 in a line, both directions, 10 ds each
    std::vector<ArcSpec> arcs;
    for (std::uint32_t i = 0; i < 4; ++i) {
        arcs.push_back({i, i + 1, 10, 10});
        arcs.push_back({i + 1, i, 10, 10});
    }
    const RoadGraph g = graph_from_arcs({{0, 0}, {1e-4, 0}, {2e-4, 0}, {3e-4, 0}, {4e-4, 0}}, arcs);
    auto arc = [&](std::uint32_t from, std::uint32_t to) {
        for (auto a = g.first_out()[from]; a < g.first_out()[from + 1]; ++a) {
            if (g.head()[a] == to) {
                return StateId{a};
            }
        }
        FAIL("no arc");
        return StateId{0};
    };
    MultiSourceDijkstra search(g, Direction::reverse);
    search.reset();
    search.add_source(arc(3, 4), 10, 7);  // driving into node 4
    search.add_source(arc(1, 0), 10, 9);  // driving into node 0
    search.run();
    CHECK(search.source_of(arc(1, 0)) == 9);
    CHECK(search.source_of(arc(3, 4)) == 7);
    CHECK(search.time_ds(arc(2, 1)) == 20);
    CHECK(search.time_ds(arc(2, 3)) == 20);
    CHECK(search.source_of(arc(2, 1)) == 9);
    CHECK(search.source_of(arc(2, 3)) == 7);
}

TEST_CASE("run_many gives the same times as sequential searches, whatever the thread count", "[routing]") {
    const RoadGraph& g = test::sample_graph("monaco-riviera-2016");
    std::mt19937_64 rng(test::random_seed());
    std::vector<SourceSet> sets(9);
    for (auto& set : sets) {
        for (const auto& s : random_sources(g, rng, 1 + static_cast<int>(rng() % 5), 600)) {
            set.sources.push_back({StateId{s.id}, static_cast<Deciseconds>(s.offset_ds)});
        }
    }
    sets[3].bound_ds = 1200;
    const auto one = run_many(g, Direction::reverse, sets, 1);
    const auto two = run_many(g, Direction::reverse, sets, 2);
    REQUIRE(one == two);
    MultiSourceDijkstra search(g, Direction::reverse);
    for (std::size_t i = 0; i < sets.size(); ++i) {
        search.reset();
        for (const auto& s : sets[i].sources) {
            search.add_source(s.state, s.offset_ds);
        }
        search.run(sets[i].bound_ds);
        std::vector<Deciseconds> times(g.state_count());
        search.times(times);
        REQUIRE(times == one[i]);
    }
}
