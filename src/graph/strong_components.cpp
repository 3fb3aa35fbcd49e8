#include "proxima/graph/strong_components.hpp"

#include <utility>

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/strong_components.hpp>

namespace proxima {

StrongComponents strong_components(std::span<const std::uint32_t> first_out, std::span<const std::uint32_t> head) {
    using Graph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                                     boost::no_property, std::uint32_t, std::uint32_t>;
    const std::uint32_t n = first_out.empty() ? 0 : static_cast<std::uint32_t>(first_out.size() - 1);
    StrongComponents out;
    out.component.assign(n, 0);
    if (n == 0) {
        return out;
    }
    std::vector<std::pair<std::uint32_t, std::uint32_t>> arcs;
    arcs.reserve(head.size());
    for (std::uint32_t u = 0; u < n; ++u) {
        for (auto a = first_out[u]; a < first_out[u + 1]; ++a) {
            arcs.emplace_back(u, head[a]);
        }
    }
    // Arcs are already sorted by source, as the CSR constructor requires.
    const Graph g(boost::edges_are_sorted, arcs.begin(), arcs.end(), n);
    out.count = static_cast<std::uint32_t>(boost::strong_components(
        g, boost::make_iterator_property_map(out.component.begin(), boost::get(boost::vertex_index, g))));
    std::vector<std::uint32_t> size(out.count, 0);
    for (auto c : out.component) {
        ++size[c];
    }
    // Ties broken by the lowest node: scan nodes in order, first component reaching the max wins.
    std::uint32_t best_size = 0;
    for (std::uint32_t v = 0; v < n; ++v) {
        const auto c = out.component[v];
        if (size[c] > best_size) {
            best_size = size[c];
            out.largest = c;
        }
    }
    out.largest_size = best_size;
    return out;
}

} // namespace proxima
