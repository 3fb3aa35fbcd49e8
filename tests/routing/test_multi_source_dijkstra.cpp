#include <random>

#include <catch2/catch.hpp>

#include "proxima/routing/multi_source_dijkstra.hpp"
#include "proxima_test/boost_reference.hpp"
#include "proxima_test/graphs.hpp"

using namespace proxima;
using proxima::test::boost_dijkstra;
using proxima::test::ReferenceSource;

namespace {

/// Runs ours and Boost's with the same sources and requires equal times at every node.
void require_same_as_boost(const RoadGraph& graph, Direction direction, const std::vector<ReferenceSource>& sources,
                           MultiSourceDijkstra& search) {
    search.reset();
    for (const auto& s : sources) {
        search.add_source(NodeId{s.node}, static_cast<Deciseconds>(s.offset_ds));
    }
    search.run();
    const auto reference = boost_dijkstra(graph, direction, sources);
    std::size_t mismatches = 0;
    std::size_t reached = 0;
    for (std::uint32_t v = 0; v < graph.node_count(); ++v) {
        const Deciseconds ours = search.time_ds(NodeId{v});
        if (reference[v]) {
            ++reached;
            if (ours != static_cast<Deciseconds>(*reference[v])) {
                ++mismatches;
            }
        } else if (ours != unreachable_ds) {
            ++mismatches;
        }
    }
    INFO("nodes " << graph.node_count() << ", reached " << reached << ", sources " << sources.size());
    REQUIRE(mismatches == 0);
}

std::vector<ReferenceSource> random_sources(const RoadGraph& g, std::mt19937_64& rng, int count, int max_offset) {
    std::uniform_int_distribution<std::uint32_t> node(0, g.node_count() - 1);
    std::uniform_int_distribution<int> offset(0, max_offset);
    std::vector<ReferenceSource> out;
    for (int i = 0; i < count; ++i) {
        out.push_back({node(rng), offset(rng)});
    }
    return out;
}

} // namespace

TEST_CASE("multi-source Dijkstra equals Boost.Graph on random graphs with loops, parallel and zero arcs",
          "[routing]") {
    std::mt19937_64 rng(test::random_seed());
    for (int round = 0; round < 20; ++round) {
        const std::uint32_t nodes = 20 + static_cast<std::uint32_t>(rng() % 400);
        const std::uint32_t arcs = nodes * (1 + static_cast<std::uint32_t>(rng() % 4));
        const RoadGraph g = test::random_graph(nodes, arcs, rng());
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

TEST_CASE("multi-source Dijkstra equals Boost.Graph on the Andorra and Monaco road graphs, forward and reverse",
          "[routing]") {
    std::mt19937_64 rng(test::random_seed());
    for (const char* name : {"andorra-2021", "monaco-riviera-2016"}) {
        const RoadGraph& g = test::sample_graph(name);
        for (auto direction : {Direction::forward, Direction::reverse}) {
            MultiSourceDijkstra search(g, direction);
            for (int q = 0; q < 8; ++q) {  // one-to-all
                require_same_as_boost(g, direction, random_sources(g, rng, 1, 0), search);
            }
            for (int q = 0; q < 4; ++q) {  // many sources with start offsets
                require_same_as_boost(g, direction, random_sources(g, rng, 12, 3000), search);
            }
        }
    }
}

TEST_CASE("a time bound leaves exactly the nodes beyond it unreached", "[routing]") {
    const RoadGraph& g = test::sample_graph("andorra-2021");
    MultiSourceDijkstra full(g, Direction::reverse);
    MultiSourceDijkstra bounded(g, Direction::reverse);
    for (std::uint32_t source : {0U, g.node_count() / 2, g.node_count() - 1}) {
        full.reset();
        full.add_source(NodeId{source}, 25);
        full.run();
        for (Deciseconds bound : {Deciseconds{0}, Deciseconds{24}, Deciseconds{25}, Deciseconds{3000}, Deciseconds{9000}}) {
            bounded.reset();
            bounded.add_source(NodeId{source}, 25);
            bounded.run(bound);
            for (std::uint32_t v = 0; v < g.node_count(); ++v) {
                const auto t = full.time_ds(NodeId{v});
                const auto expected = t <= bound ? t : unreachable_ds;
                REQUIRE(bounded.time_ds(NodeId{v}) == expected);
            }
        }
    }
}

TEST_CASE("reset forgets the previous query and a repeated source keeps its smaller offset", "[routing]") {
    // 0 -> 1 (10 ds) -> 2 (5 ds)
    const RoadGraph g = graph_from_arcs({{0, 0}, {0.001, 0}, {0.002, 0}}, {{0, 1, 10, 100}, {1, 2, 5, 50}});
    MultiSourceDijkstra search(g, Direction::forward);
    search.reset();
    search.add_source(NodeId{0}, 7, 3);
    search.add_source(NodeId{0}, 2, 4);
    search.add_source(NodeId{0}, 9, 5);
    search.run();
    CHECK(search.time_ds(NodeId{2}) == 17);
    CHECK(search.source_of(NodeId{2}) == 4);
    CHECK(search.length_m(NodeId{2}) == Approx(150));
    search.reset();
    search.add_source(NodeId{1}, 0);
    search.run();
    CHECK(search.time_ds(NodeId{0}) == unreachable_ds);
    CHECK(search.time_ds(NodeId{1}) == 0);
    CHECK(search.time_ds(NodeId{2}) == 5);

    MultiSourceDijkstra reverse(g, Direction::reverse);
    reverse.reset();
    reverse.add_source(NodeId{2}, 0);
    reverse.run();
    CHECK(reverse.time_ds(NodeId{0}) == 15);
    CHECK(reverse.length_m(NodeId{0}) == Approx(150));
}

TEST_CASE("source_of names the nearest source, ties to the lower tag", "[routing]") {
    // 0 - 1 - 2 - 3 - 4 in a line, both directions, 10 ds each
    std::vector<ArcSpec> arcs;
    for (std::uint32_t i = 0; i < 4; ++i) {
        arcs.push_back({i, i + 1, 10, 10});
        arcs.push_back({i + 1, i, 10, 10});
    }
    const RoadGraph g = graph_from_arcs({{0, 0}, {1e-4, 0}, {2e-4, 0}, {3e-4, 0}, {4e-4, 0}}, arcs);
    MultiSourceDijkstra search(g, Direction::reverse);
    search.reset();
    search.add_source(NodeId{4}, 0, 7);
    search.add_source(NodeId{0}, 0, 9);
    search.run();
    CHECK(search.source_of(NodeId{1}) == 9);
    CHECK(search.source_of(NodeId{3}) == 7);
    CHECK(search.source_of(NodeId{2}) == 7);  // 20 ds from both: lower tag
}

TEST_CASE("run_many gives the same times as sequential searches, whatever the thread count", "[routing]") {
    const RoadGraph& g = test::sample_graph("monaco-riviera-2016");
    std::mt19937_64 rng(test::random_seed());
    std::vector<SourceSet> sets(9);
    for (auto& set : sets) {
        for (const auto& s : random_sources(g, rng, 1 + static_cast<int>(rng() % 5), 600)) {
            set.sources.push_back({NodeId{s.node}, static_cast<Deciseconds>(s.offset_ds)});
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
            search.add_source(s.node, s.offset_ds);
        }
        search.run(sets[i].bound_ds);
        std::vector<Deciseconds> times(g.node_count());
        search.times(times);
        REQUIRE(times == one[i]);
    }
}
