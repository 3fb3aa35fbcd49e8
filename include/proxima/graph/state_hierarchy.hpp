#pragma once
// StateHierarchy: a contraction hierarchy of the turn-aware search graph (road_graph.hpp), as
// flat arrays, stored in the graph file next to the graph it was made from. It is built by
// routing/contraction_hierarchy.hpp and read by routing/phast.hpp; graph/ only holds, stores and
// validates it.
//
// Every state has a rank (0 = contracted first, state_count-1 = last). The arcs of the hierarchy
// are the transitions and the shortcuts added while contracting (a shortcut u -> w of weight
// d(u, v) + d(v, w) stands for a path through a lower-ranked v that no other path matched). They
// are kept at their lower end, indexed by rank (ids in the arrays are ranks, not states):
//  - up:   arcs r -> h with h > r (a search climbing forwards), at r;
//  - down: arcs h -> r with h > r (a search climbing backwards, or a sweep pulling down), at r.
// For any two states the shortest up-then-down path has exactly the time of the shortest path in
// the search graph: a multi-source search climbs from its sources, then one sweep over ranks in
// decreasing order finishes every state (PHAST).
//
// Weights are deciseconds, capped at hierarchy_cap_ds (a path through a capped arc is beyond any
// search bound, as the real one would be).
//
// Invariants (checked by validate()):
//  - rank has state_count entries and is a permutation of 0..state_count-1;
//  - up_first and down_first have state_count+1 entries, start at 0, never decrease, end at the
//    size of their head/tail and weight arrays;
//  - every arc leads from its rank to a strictly higher one, below state_count;
//  - weights are at most hierarchy_cap_ds.

#include <cstdint>
#include <vector>

#include "proxima/graph/ids.hpp"

namespace proxima {

/// Largest weight of a hierarchy arc: one more than any search may reach.
inline constexpr Deciseconds hierarchy_cap_ds = max_travel_ds + 1;
static_assert(std::uint64_t{hierarchy_cap_ds} * 2 < unreachable_ds, "a capped time plus a capped arc must not wrap");

struct StateHierarchy {
    std::vector<std::uint32_t> rank;        ///< per state
    std::vector<std::uint32_t> up_first;    ///< per rank + 1, into up_head / up_ds
    std::vector<std::uint32_t> up_head;     ///< rank of the higher end of r -> h
    std::vector<Deciseconds> up_ds;
    std::vector<std::uint32_t> down_first;  ///< per rank + 1, into down_tail / down_ds
    std::vector<std::uint32_t> down_tail;   ///< rank of the higher end of h -> r
    std::vector<Deciseconds> down_ds;

    [[nodiscard]] std::uint32_t state_count() const noexcept { return static_cast<std::uint32_t>(rank.size()); }
    [[nodiscard]] std::size_t arc_count() const noexcept { return up_head.size() + down_tail.size(); }
    [[nodiscard]] std::size_t memory_bytes() const noexcept;

    /// Checks the invariants above for a graph of `state_count` states; throws CacheError naming
    /// the first broken one.
    void validate(std::uint32_t state_count) const;
};

} // namespace proxima
