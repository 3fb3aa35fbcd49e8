#pragma once
// Independent reference for every search: Boost.Graph's Dijkstra on the same graph.
// boost_dijkstra: on the turn-aware search graph (states and transitions, as the graph stores
// them, without going through MultiSourceDijkstra's code); boost_node_dijkstra: on the physical
// arcs between nodes (no turns), for graphs whose turns are all free (graph_from_arcs).
// Multi-source searches with start offsets use a super-source with one arc per source whose
// weight is the offset. Distances are 64-bit; "unreachable" is std::nullopt.

#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>

#include "proxima/graph/road_graph.hpp"
#include "proxima/routing/multi_source_dijkstra.hpp"

namespace proxima::test {

struct ReferenceSource {
    std::uint32_t id;  ///< a state (boost_dijkstra) or a node (boost_node_dijkstra)
    std::int64_t offset_ds;
};

namespace detail {

/// Dijkstra from a super source over n vertices and the given arcs.
inline std::vector<std::optional<std::int64_t>> super_source_dijkstra(
    std::uint32_t n, std::vector<std::pair<std::uint32_t, std::uint32_t>> arcs, std::vector<std::int64_t> weights,
    const std::vector<ReferenceSource>& sources) {
    struct Weight {
        std::int64_t w;
    };
    using Graph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, Weight>;
    const std::uint32_t super = n;
    std::vector<Weight> w;
    for (auto x : weights) {
        w.push_back({x});
    }
    for (const auto& s : sources) {
        arcs.emplace_back(super, s.id);
        w.push_back({s.offset_ds});
    }
    const Graph g(boost::edges_are_unsorted_multi_pass, arcs.begin(), arcs.end(), w.begin(), n + 1);
    const std::int64_t inf = std::numeric_limits<std::int64_t>::max();
    std::vector<std::int64_t> dist(n + 1, inf);
    boost::dijkstra_shortest_paths(
        g, super,
        boost::weight_map(boost::get(&Weight::w, g))
            .distance_map(boost::make_iterator_property_map(dist.begin(), boost::get(boost::vertex_index, g)))
            .distance_inf(inf));
    std::vector<std::optional<std::int64_t>> out(n);
    for (std::uint32_t v = 0; v < n; ++v) {
        if (dist[v] != inf) {
            out[v] = dist[v];
        }
    }
    return out;
}

} // namespace detail

/// State times on the turn-aware graph, from the graph's own transition arrays.
inline std::vector<std::optional<std::int64_t>> boost_dijkstra(const RoadGraph& graph, Direction direction,
                                                               const std::vector<ReferenceSource>& sources) {
    const std::uint32_t n = graph.state_count();
    std::vector<std::pair<std::uint32_t, std::uint32_t>> arcs;
    std::vector<std::int64_t> weights;
    for (std::uint32_t s = 0; s < n; ++s) {
        for (auto i = graph.first_transition()[s]; i < graph.first_transition()[s + 1]; ++i) {
            const std::uint32_t t = graph.transition_head()[i];
            arcs.emplace_back(direction == Direction::forward ? s : t, direction == Direction::forward ? t : s);
            weights.push_back(graph.transition_ds()[i]);
        }
    }
    return detail::super_source_dijkstra(n, std::move(arcs), std::move(weights), sources);
}

/// Node times on the physical arcs (no turn costs, every turn allowed).
inline std::vector<std::optional<std::int64_t>> boost_node_dijkstra(const RoadGraph& graph, Direction direction,
                                                                    const std::vector<ReferenceSource>& sources) {
    const std::uint32_t n = graph.node_count();
    std::vector<std::pair<std::uint32_t, std::uint32_t>> arcs;
    std::vector<std::int64_t> weights;
    for (std::uint32_t u = 0; u < n; ++u) {
        for (auto a = graph.first_out()[u]; a < graph.first_out()[u + 1]; ++a) {
            const std::uint32_t v = graph.head()[a];
            arcs.emplace_back(direction == Direction::forward ? u : v, direction == Direction::forward ? v : u);
            weights.push_back(graph.travel_ds()[a]);
        }
    }
    return detail::super_source_dijkstra(n, std::move(arcs), std::move(weights), sources);
}

} // namespace proxima::test
