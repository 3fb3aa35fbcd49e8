#pragma once
// Graphs for tests: random synthetic ones (loops, parallel arcs, zero weights, unreachable parts)
// and the real samples, built once per process.

#include <cmath>
#include <map>
#include <stdexcept>
#include <random>
#include <string>

#include "proxima/osm/default_profile.hpp"
#include "proxima/osm/graph_builder.hpp"
#include "proxima/routing/multi_source_dijkstra.hpp"
#include "proxima_test/fixtures.hpp"

namespace proxima::test {

inline RoadGraph random_graph(std::uint32_t nodes, std::uint32_t arcs, std::uint64_t seed, Deciseconds max_weight = 600) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::uint32_t> node(0, nodes - 1);
    std::uniform_int_distribution<Deciseconds> weight(0, max_weight);
    std::uniform_real_distribution<double> coord(0.0, 0.1);
    std::vector<LonLat> coords(nodes);
    for (auto& c : coords) {
        c = {coord(rng), coord(rng)};
    }
    std::vector<ArcSpec> list;
    for (std::uint32_t i = 0; i < arcs; ++i) {
        const auto w = weight(rng);
        list.push_back({node(rng), node(rng), w, static_cast<float>(w) * 1.5F});
    }
    return graph_from_arcs(std::move(coords), list);
}

/// The road graph of a bundled extract (data/osm/<name>.osm.pbf) with the car profile, and its
/// build report, cached.
inline const GraphBuildResult& sample_build(const std::string& name) {
    static std::map<std::string, GraphBuildResult> cache;
    auto it = cache.find(name);
    if (it == cache.end()) {
        it = cache.emplace(name, build_road_graph(data_file("osm/" + name + ".osm.pbf"), default_car_profile())).first;
    }
    return it->second;
}
inline const RoadGraph& sample_graph(const std::string& name) { return sample_build(name).graph; }
inline const GraphBuildReport& sample_report(const std::string& name) { return sample_build(name).report; }

/// Time from node `from` to node `to` on the turn-aware graph: leave `from` by any arc (no turn to
/// make there), arrive at `to` by any arc (its last arc driven to the end). unreachable_ds if none.
inline Deciseconds node_to_node_ds(const RoadGraph& g, NodeId from, NodeId to) {
    if (from == to) {
        return 0;
    }
    MultiSourceDijkstra search(g, Direction::forward, false);
    search.reset();
    const auto u = to_index(from);
    for (auto b = g.first_out()[u]; b < g.first_out()[u + 1]; ++b) {
        search.add_source(RoadGraph::arc_state(ArcId{b}), 0);
    }
    search.run();
    Deciseconds best = unreachable_ds;
    const auto v = to_index(to);
    for (auto i = g.first_in()[v]; i < g.first_in()[v + 1]; ++i) {
        const auto c = g.in_arc()[i];
        auto consider = [&](std::uint32_t state) {
            const auto t = search.time_ds(StateId{state});
            if (t != unreachable_ds) {
                best = std::min(best, t + g.travel_ds()[c]);
            }
        };
        consider(c);
        for (const auto copy : g.arc_copies(ArcId{c})) {
            consider(copy);
        }
    }
    return best;
}

/// The graph node at a position (degrees, to 1e-9) of a hand-made fixture; throws if there is none.
inline NodeId node_at(const RoadGraph& g, double lon, double lat) {
    for (std::uint32_t v = 0; v < g.node_count(); ++v) {
        const auto c = g.coord(NodeId{v});
        if (std::abs(c.lon - lon) < 1e-9 && std::abs(c.lat - lat) < 1e-9) {
            return NodeId{v};
        }
    }
    throw std::runtime_error("no graph node at " + std::to_string(lon) + "," + std::to_string(lat));
}

/// Node-to-node time between two positions of a fixture (node_to_node_ds).
inline Deciseconds trip(const RoadGraph& g, LonLat from, LonLat to) {
    return node_to_node_ds(g, node_at(g, from.lon, from.lat), node_at(g, to.lon, to.lat));
}

/// Node times from a turn-free graph's state times (graph_from_arcs): a node's time is the time of
/// any state leaving it, or, for a node without exits, of an arc into it driven to the end.
inline std::vector<Deciseconds> node_times_from_states(const RoadGraph& g, const MultiSourceDijkstra& search) {
    std::vector<Deciseconds> out(g.node_count(), unreachable_ds);
    for (std::uint32_t s = 0; s < g.state_count(); ++s) {
        const auto t = search.time_ds(StateId{s});
        if (t == unreachable_ds) {
            continue;
        }
        const auto arc = g.state_arc(StateId{s});
        const auto tail = to_index(g.tail(arc));
        out[tail] = std::min(out[tail], t);
    }
    return out;
}

} // namespace proxima::test
