#pragma once
// PHAST: one-to-all times over a contraction hierarchy of the search graph
// (graph/state_hierarchy.hpp), for several searches at once.
//
// A query climbs the hierarchy from its sources (multi-source, with start offsets and tags, as
// MultiSourceDijkstra::add_source), visiting states in increasing rank, then one linear sweep
// over all states in decreasing rank pulls each state's time from the higher ones. The arrays
// are laid out by rank, so the sweep reads memory in order, except the rows of the higher states
// it pulls from: those it asks for a few states ahead (prefetch), so that their cache misses
// overlap. Rows start on a cache line (8 lanes: one line per state). Up to max_lanes searches
// share one sweep ("lanes": each lane has its own sources, tags and bound; the inner loop runs
// over the lanes of fixed-size blocks, which the compiler vectorises).
//
// Results equal MultiSourceDijkstra's on the same sources exactly (see its header for the rule):
// the time of every state, unreachable beyond the lane's bound, and the tag of the source that
// gives it, ties broken by the lowest tag (the label of a state is the pair (time, tag), minimised
// lexicographically; tags never change along a path, so the minimum over up-then-down paths is the
// minimum over all paths).
//
// The graph (and its hierarchy) is shared read-only; a Phast object owns its scratch memory,
// state_count × lanes × 8 bytes, and is reused across queries (one per thread).
//
//   Phast phast(graph, Direction::reverse, 8);
//   phast.reset();
//   phast.add_source(0, StateId{12}, 30, 0);   // lane 0: state 12, 3.0 s already spent, tag 0
//   phast.add_source(1, StateId{40}, 0, 0);    // lane 1: another search
//   phast.run({bound0, bound1});
//   phast.time_ds(1, StateId{7});

#include <cstdint>
#include <span>
#include <vector>

#include "proxima/core/cache_aligned.hpp"
#include "proxima/graph/road_graph.hpp"
#include "proxima/routing/multi_source_dijkstra.hpp"

namespace proxima {

class Phast {
public:
    static constexpr unsigned max_lanes = 8;

    /// Borrows `graph`, which must have a hierarchy (graph.hierarchy() != nullptr; Error if not)
    /// and outlive this object. `lanes` searches per sweep, 1..max_lanes.
    Phast(const RoadGraph& graph, Direction direction, unsigned lanes);
    Phast(RoadGraph&&, Direction, unsigned) = delete;  // would dangle

    /// Lanes of this object (the lanes asked for, rounded up to 1, 2, 4 or 8).
    [[nodiscard]] unsigned lanes() const noexcept { return m_lanes; }

    /// The memory an object with `lanes` lanes holds on a graph of `states` states: per state, a
    /// time and a tag per lane and a mark.
    [[nodiscard]] static std::size_t memory_bytes(std::size_t states, unsigned lanes);

    /// Forgets every lane's sources.
    void reset();
    /// As MultiSourceDijkstra::add_source, in lane `lane`.
    void add_source(unsigned lane, StateId state, Deciseconds offset_ds, std::uint32_t source_tag = 0);
    /// Runs every lane; bounds[i] is lane i's bound (missing lanes: max_travel_ds).
    void run(std::span<const Deciseconds> bounds = {});

    /// Time of `state` in `lane`, unreachable_ds if not reached within the lane's bound.
    [[nodiscard]] Deciseconds time_ds(unsigned lane, StateId state) const {
        const Deciseconds t = m_label[std::size_t{m_rank[to_index(state)]} * 2 * m_lanes + lane];
        return t <= m_bound[lane] ? t : unreachable_ds;
    }
    /// Tag of the source that reaches `state` first in `lane` (ties: lower tag). Meaningful only
    /// if time_ds(lane, state) != unreachable_ds.
    [[nodiscard]] std::uint32_t source_of(unsigned lane, StateId state) const {
        return m_label[std::size_t{m_rank[to_index(state)]} * 2 * m_lanes + m_lanes + lane];
    }

    /// Every lane's label of `state` in one row (one cache line at 8 lanes): times at [0, lanes()),
    /// tags at [lanes(), 2 * lanes()). A time above bounds()[lane] means unreachable, as time_ds
    /// says; readers of many points take the row once for all lanes.
    [[nodiscard]] const std::uint32_t* label_row(StateId state) const {
        return m_label.data() + std::size_t{m_rank[to_index(state)]} * 2 * m_lanes;
    }
    /// Asks the memory for label_row(state) ahead of its use. Callers reading the rows of many
    /// scattered states (every pixel of a surface) ask for a run of them first, so that the
    /// cache misses overlap instead of following one another.
    void prefetch_row(StateId state) const { __builtin_prefetch(label_row(state)); }
    /// The first step of prefetch_row(): where a state's row is (its rank) is itself a read that
    /// misses on a large graph. Asked for earlier still, it lets prefetch_row() not wait.
    void prefetch_rank(StateId state) const { __builtin_prefetch(m_rank.data() + to_index(state)); }
    /// Each lane's bound in the last run.
    [[nodiscard]] std::span<const Deciseconds> bounds() const noexcept { return m_bound; }

    [[nodiscard]] Direction direction() const noexcept { return m_direction; }
    [[nodiscard]] const RoadGraph& graph() const noexcept { return m_graph; }

private:
    struct Source {
        std::uint32_t rank;
        Deciseconds offset_ds;
        std::uint32_t tag;
    };
    void climb(unsigned lane);
    template <unsigned Lanes>
    void sweep();

    const RoadGraph& m_graph;
    Direction m_direction;
    unsigned m_lanes;
    std::span<const std::uint32_t> m_rank;
    // Climbing: arcs from a rank to higher ones; sweeping: arcs a rank pulls from higher ones.
    std::span<const std::uint32_t> m_climb_first;
    std::span<const std::uint32_t> m_climb_other;
    std::span<const Deciseconds> m_climb_ds;
    std::span<const std::uint32_t> m_pull_first;
    std::span<const std::uint32_t> m_pull_other;
    std::span<const Deciseconds> m_pull_ds;

    /// Per rank, the times of every lane (at most hierarchy_cap_ds), then their tags:
    /// [rank * 2 * lanes + lane] and [rank * 2 * lanes + lanes + lane]. Aligned, so that a row
    /// of 8 lanes is one cache line.
    std::vector<std::uint32_t, CacheAlignedAllocator<std::uint32_t>> m_label;
    std::vector<std::vector<Source>> m_sources;  ///< per lane
    std::vector<Deciseconds> m_bound;            ///< per lane, of the last run
    std::vector<std::uint32_t> m_heap;           ///< ranks to climb from (min-heap)
    /// Per rank: bit l set when lane l's climb labelled it in this run. Without it the state has
    /// no label of its own, whatever the arrays hold from the last run (they are not cleared:
    /// the sweep writes every entry).
    std::vector<std::uint8_t> m_climbed;
    std::vector<std::uint32_t> m_climbed_ranks;  ///< ranks with a bit set, to clear after the run
};

} // namespace proxima
