#pragma once
// Strongly connected components of a directed graph given as CSR arrays (Boost.Graph).

#include <cstdint>
#include <span>
#include <vector>

namespace proxima {

struct StrongComponents {
    std::vector<std::uint32_t> component;  ///< per node: component id
    std::uint32_t count = 0;               ///< number of components
    std::uint32_t largest = 0;             ///< id of the largest (ties: the one holding the lowest node)
    std::uint32_t largest_size = 0;        ///< nodes in it
};

/// Components of the graph with `first_out.size() - 1` nodes and arcs u -> head[a] for
/// a in [first_out[u], first_out[u+1]).
[[nodiscard]] StrongComponents strong_components(std::span<const std::uint32_t> first_out,
                                                 std::span<const std::uint32_t> head);

} // namespace proxima
