#pragma once
// Multi-source Dijkstra over a RoadGraph, forward (time FROM the sources) or reverse (time TO the
// sources), with per-source start offsets and an optional time bound.
//
// The graph is shared read-only; a MultiSourceDijkstra object owns all scratch memory and is
// reused across queries (one per thread). reset() is O(nodes touched by the previous query).
//
//   MultiSourceDijkstra search(graph, Direction::reverse);
//   search.reset();
//   search.add_source(NodeId{12}, 30);    // start at node 12, 3.0 s already spent
//   search.run();                         // or run(bound_ds)
//   search.time_ds(NodeId{7});            // unreachable_ds if not reached

#include <cstdint>
#include <span>
#include <vector>

#include "proxima/graph/road_graph.hpp"
#include <memory>

#include "proxima/routing/bucket_queue.hpp"
#include "proxima/routing/radix_heap.hpp"

namespace proxima {

enum class Direction {
    forward,  ///< times from the sources along arcs (e.g. an ambulance leaving its base)
    reverse,  ///< times to the sources (e.g. residents driving to the nearest facility)
};

class MultiSourceDijkstra {
public:
    /// Borrows `graph`, which must outlive the search. With track_length false, length_m() is not
    /// maintained (a little faster when only times matter).
    MultiSourceDijkstra(const RoadGraph& graph, Direction direction, bool track_length = true);
    MultiSourceDijkstra(RoadGraph&&, Direction, bool = true) = delete;  // would dangle

    /// Forgets the previous query.
    void reset();
    /// Adds a source at `node` with `offset_ds` already spent (e.g. the off-network leg). A node
    /// added twice keeps the smaller offset. `source_tag` is reported by source_of() for the nodes
    /// this source reaches first (e.g. the facility index). offset_ds must be <= max_travel_ds.
    /// `offset_m` is the length already covered (reported by length_m()).
    void add_source(NodeId node, Deciseconds offset_ds, std::uint32_t source_tag = 0, float offset_m = 0.0F);
    /// Settles nodes in increasing time until the queue is empty or the next time exceeds
    /// bound_ds; nodes beyond the bound stay unreachable. Returns the number of settled nodes.
    std::uint32_t run(Deciseconds bound_ds = max_travel_ds);

    /// Time of `node` (deciseconds), unreachable_ds if not reached within the bound.
    [[nodiscard]] Deciseconds time_ds(NodeId node) const {
        const auto v = to_index(node);
        return m_stamp[v] == m_round + 1 ? m_time[v] : unreachable_ds;
    }
    /// Length in metres of the fastest path found to `node` (ties between equally fast paths are
    /// broken towards the shorter one). Meaningful only if time_ds(node) != unreachable_ds and the
    /// search tracks lengths.
    [[nodiscard]] float length_m(NodeId node) const { return m_length[to_index(node)]; }
    /// Tag of the source whose path reaches `node` first (ties: lower tag). Meaningful only if
    /// time_ds(node) != unreachable_ds.
    [[nodiscard]] std::uint32_t source_of(NodeId node) const { return m_source[to_index(node)]; }

    /// Copies all times into `out` (size node_count), unreachable_ds where not reached.
    void times(std::span<Deciseconds> out) const;

    [[nodiscard]] Direction direction() const noexcept { return m_direction; }
    [[nodiscard]] const RoadGraph& graph() const noexcept { return m_graph; }

private:
    template <bool TrackLength, typename Queue>
    std::uint32_t run_impl(Queue& queue, Deciseconds bound_ds);

    const RoadGraph& m_graph;
    Direction m_direction;
    bool m_track_length;
    std::span<const std::uint32_t> m_first;
    std::span<const std::uint32_t> m_target;
    std::span<const Deciseconds> m_weight;
    std::span<const float> m_arc_length;
    std::span<const std::uint32_t> m_arc_of_slot;  ///< reverse: forward arc id of each slot (for lengths)

    std::vector<Deciseconds> m_time;
    std::vector<float> m_length;
    std::vector<std::uint32_t> m_source;
    /// m_stamp[v] == m_round: reached, m_time[v] tentative; == m_round + 1: settled (final).
    /// Anything else: not reached in this query. reset() adds 2, so clearing is O(1).
    std::vector<std::uint32_t> m_stamp;
    std::uint32_t m_round = 2;
    std::vector<std::uint32_t> m_pending;  ///< sources added since reset(), each once

    // Queues. Dial's buckets when the arc weights and the spread of source offsets fit a window
    // of at most max_bucket_count deciseconds (the usual case: fastest); else a radix heap.
    static constexpr std::uint32_t max_bucket_count = 1U << 20;
    std::unique_ptr<BucketQueue> m_buckets;
    RadixHeap m_radix;
};

/// A set of sources for one search.
struct SourceSet {
    struct Source {
        NodeId node;
        Deciseconds offset_ds = 0;
        std::uint32_t tag = 0;
        float offset_m = 0.0F;
    };
    std::vector<Source> sources;
    Deciseconds bound_ds = max_travel_ds;
};

/// Runs one search per source set in parallel (OpenMP, one search object per thread) and returns
/// node times per set: result[i][v]. Deterministic whatever the thread count.
[[nodiscard]] std::vector<std::vector<Deciseconds>> run_many(const RoadGraph& graph, Direction direction,
                                                             std::span<const SourceSet> sets, int threads = 0);

} // namespace proxima
