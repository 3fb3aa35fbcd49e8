#pragma once
// Independent reference for every search: Boost.Graph's Dijkstra on the same CSR arrays.
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
    std::uint32_t node;
    std::int64_t offset_ds;
};

inline std::vector<std::optional<std::int64_t>> boost_dijkstra(const RoadGraph& graph, Direction direction,
                                                               const std::vector<ReferenceSource>& sources) {
    struct Weight {
        std::int64_t w;
    };
    using Graph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, Weight>;
    const std::uint32_t n = graph.node_count();
    const std::uint32_t super = n;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> arcs;
    std::vector<Weight> weights;
    // Arcs as the graph itself stores them, without going through MultiSourceDijkstra's code.
    for (std::uint32_t u = 0; u < n; ++u) {
        for (auto a = graph.first_out()[u]; a < graph.first_out()[u + 1]; ++a) {
            const std::uint32_t v = graph.head()[a];
            if (direction == Direction::forward) {
                arcs.emplace_back(u, v);
            } else {
                arcs.emplace_back(v, u);
            }
            weights.push_back({static_cast<std::int64_t>(graph.travel_ds()[a])});
        }
    }
    for (const auto& s : sources) {
        arcs.emplace_back(super, s.node);
        weights.push_back({s.offset_ds});
    }
    const Graph g(boost::edges_are_unsorted_multi_pass, arcs.begin(), arcs.end(), weights.begin(), n + 1);
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

} // namespace proxima::test
