#pragma once
// The search kernel: multi-source Dijkstra over the turn-aware search graph of a RoadGraph
// (states = arcs driven, transitions = allowed turns; see graph/road_graph.hpp), forward (time
// FROM the sources) or reverse (time TO the sources), with per-source start offsets, an optional
// time bound, and two hooks (RoutingKit's style): a prune rule that keeps a state out of the
// queue, and a callback for every settled state. Every search in Proxima is this one.
//
// The graph is shared read-only; a MultiSourceDijkstra object owns all scratch memory and is
// reused across queries (one per thread). reset() is O(1) (round stamps).
//
//   MultiSourceDijkstra search(graph, Direction::reverse);
//   search.reset();
//   search.add_source(StateId{12}, 30);   // start in state 12, 3.0 s already spent
//   search.run();                         // or run(bound_ds), or run(bound, prune, on_settle)
//   search.time_ds(StateId{7});           // unreachable_ds if not reached
//
// Points on edges become sources and targets through seeds() (routing/point_routing.hpp).

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <type_traits>
#include <vector>

#include "proxima/graph/road_graph.hpp"
#include "proxima/routing/detail/bucket_queue.hpp"
#include "proxima/routing/detail/radix_heap.hpp"

namespace proxima {

enum class Direction {
    forward,  ///< times from the sources along transitions (e.g. an ambulance leaving its base)
    reverse,  ///< times to the sources (e.g. residents driving to the nearest facility)
};

/// Prune rule that keeps every state (the default).
struct NoPrune {
    constexpr bool operator()(std::uint32_t /*state*/, Deciseconds /*time*/) const noexcept { return false; }
};
/// Settle callback that does nothing (the default).
struct NoSettleCallback {
    constexpr void operator()(std::uint32_t /*state*/, Deciseconds /*time*/) const noexcept {}
};

class MultiSourceDijkstra {
public:
    /// Borrows `graph`, which must outlive the search. With track_length false, length_m() is not
    /// maintained (a little faster when only times matter).
    MultiSourceDijkstra(const RoadGraph& graph, Direction direction, bool track_length = true);
    MultiSourceDijkstra(RoadGraph&&, Direction, bool = true) = delete;  // would dangle

    /// Forgets the previous query.
    void reset();
    /// Adds a source in `state` with `offset_ds` already spent (e.g. the off-network leg and the
    /// start of the arc). A state added twice keeps the smaller offset (ties: lower tag).
    /// `source_tag` is reported by source_of() for the states this source reaches first (e.g.
    /// the facility index). offset_ds must be <= max_travel_ds. `offset_m` is the length already
    /// covered (reported by length_m()).
    void add_source(StateId state, Deciseconds offset_ds, std::uint32_t source_tag = 0, float offset_m = 0.0F);

    /// Settles states in increasing time until the queue is empty or the next time exceeds
    /// bound_ds; states beyond the bound stay unreachable. Returns the number settled.
    std::uint32_t run(Deciseconds bound_ds = max_travel_ds) { return run(bound_ds, NoPrune{}, NoSettleCallback{}); }

    /// The same with hooks. `prune(state, time)` returning true keeps a state out of the queue
    /// when it is reached at `time` (it stays unreached; e.g. "the current facilities reach it at
    /// least as fast"); sources are pruned too. `on_settle(state, time)` is called for each
    /// settled state, in settling order.
    template <typename Prune, typename OnSettle>
    std::uint32_t run(Deciseconds bound_ds, Prune&& prune, OnSettle&& on_settle);

    /// Time of `state` (deciseconds), unreachable_ds if not reached within the bound.
    [[nodiscard]] Deciseconds time_ds(StateId state) const {
        const auto v = to_index(state);
        return m_stamp[v] == m_round + 1 ? m_time[v] : unreachable_ds;
    }
    /// Length in metres of the fastest path found to `state` (ties between equally fast paths
    /// are broken towards the shorter one). Meaningful only if time_ds(state) != unreachable_ds
    /// and the search tracks lengths.
    [[nodiscard]] float length_m(StateId state) const { return m_length[to_index(state)]; }
    /// Tag of the source whose path reaches `state` first (ties: lower tag). Meaningful only if
    /// time_ds(state) != unreachable_ds.
    [[nodiscard]] std::uint32_t source_of(StateId state) const { return m_source[to_index(state)]; }

    /// Copies all times into `out` (size state_count), unreachable_ds where not reached.
    void times(std::span<Deciseconds> out) const;

    [[nodiscard]] Direction direction() const noexcept { return m_direction; }
    [[nodiscard]] const RoadGraph& graph() const noexcept { return m_graph; }

private:
    template <bool TrackLength, typename Queue, typename Prune, typename OnSettle>
    std::uint32_t run_impl(Queue& queue, Deciseconds bound_ds, Prune& prune, OnSettle& on_settle);

    /// Equally fast paths: the shorter one (when lengths are tracked), then the lower tag.
    template <bool TrackLength>
    static bool better_label(float length, std::uint32_t tag, float best_length, std::uint32_t best_tag) {
        return (TrackLength && length < best_length) || ((!TrackLength || length == best_length) && tag < best_tag);
    }
    /// A settled state `v` offered a better label (length, tag) at its own time, through a
    /// zero-weight transition from a state settled after it: takes it and passes it on to the
    /// states it leads to at the same times. Without this, ties across zero-weight transitions
    /// would depend on the settling order; with it, the tag of every state is the lowest tag among
    /// the sources that reach it in its time (what PHAST computes, routing/phast.hpp).
    template <bool TrackLength>
    void relabel_settled(std::uint32_t v, std::uint32_t tag, float length);

    const RoadGraph& m_graph;
    Direction m_direction;
    bool m_track_length;
    std::span<const std::uint32_t> m_first;
    std::span<const std::uint32_t> m_target;
    std::span<const Deciseconds> m_weight;
    std::span<const std::uint32_t> m_state_arc;
    std::span<const float> m_arc_length;

    std::vector<Deciseconds> m_time;
    std::vector<float> m_length;
    std::vector<std::uint32_t> m_source;
    /// m_stamp[v] == m_round: reached, m_time[v] tentative; == m_round + 1: settled (final).
    /// Anything else: not reached in this query. reset() adds 2, so clearing is O(1).
    std::vector<std::uint32_t> m_stamp;
    std::uint32_t m_round = 2;
    std::vector<std::uint32_t> m_pending;  ///< sources added since reset(), each once
    std::vector<std::uint32_t> m_relabel;  ///< scratch of relabel_settled()

    // Queues. Dial's buckets when the transition weights and the spread of source offsets fit a
    // window of at most max_bucket_count deciseconds (the usual case: fastest); else a radix heap.
    static constexpr std::uint32_t max_bucket_count = 1U << 20;
    std::unique_ptr<detail::BucketQueue> m_buckets;
    detail::RadixHeap m_radix;
};

template <typename Prune, typename OnSettle>
std::uint32_t MultiSourceDijkstra::run(Deciseconds bound_ds, Prune&& prune, OnSettle&& on_settle) {
    bound_ds = std::min(bound_ds, max_travel_ds);
    // Sources the prune rule rejects are not searched from.
    std::erase_if(m_pending, [&](std::uint32_t v) {
        if (prune(v, m_time[v])) {
            m_stamp[v] = 0;
            return true;
        }
        return false;
    });
    if (m_pending.empty()) {
        return 0;
    }
    Deciseconds lowest = unreachable_ds;
    Deciseconds highest = 0;
    for (auto v : m_pending) {
        lowest = std::min(lowest, m_time[v]);
        highest = std::max(highest, m_time[v]);
    }
    // Every queued key must stay within one window of buckets: keys are at most the highest
    // source offset, or the key being settled plus one transition.
    if (m_buckets && highest - lowest < m_buckets->bucket_count() / 2) {
        m_buckets->start(lowest);
        for (auto v : m_pending) {
            m_buckets->push(m_time[v], v);
        }
        return m_track_length ? run_impl<true>(*m_buckets, bound_ds, prune, on_settle)
                              : run_impl<false>(*m_buckets, bound_ds, prune, on_settle);
    }
    for (auto v : m_pending) {
        m_radix.push(m_time[v], v);
    }
    return m_track_length ? run_impl<true>(m_radix, bound_ds, prune, on_settle)
                          : run_impl<false>(m_radix, bound_ds, prune, on_settle);
}

template <bool TrackLength, typename Queue, typename Prune, typename OnSettle>
std::uint32_t MultiSourceDijkstra::run_impl(Queue& queue, Deciseconds bound_ds, Prune& prune, OnSettle& on_settle) {
    // The radix heap has no decrease-key: a state is queued again and stale entries are skipped.
    constexpr bool lazy = std::is_same_v<Queue, detail::RadixHeap>;
    constexpr bool pruning = !std::is_same_v<std::decay_t<Prune>, NoPrune>;
    std::uint32_t settled = 0;
    const std::uint32_t* first = m_first.data();
    const std::uint32_t* target = m_target.data();
    const Deciseconds* weight = m_weight.data();
    const std::uint32_t* state_arc = m_state_arc.data();
    const float* arc_length = m_arc_length.data();
    const bool reverse = m_direction == Direction::reverse;
    Deciseconds* time = m_time.data();
    float* length = m_length.data();
    std::uint32_t* source = m_source.data();
    std::uint32_t* stamp = m_stamp.data();
    const std::uint32_t reached = m_round;
    const std::uint32_t done = m_round + 1;

    while (!queue.empty()) {
        const auto top = queue.pop();
        const std::uint32_t u = top.id;
        if constexpr (lazy) {
            if (stamp[u] == done || top.key != time[u]) {
                continue;  // stale entry: u was settled, or queued again with a better time
            }
        }
        if (top.key > bound_ds) {
            // Everything left is beyond the bound and stays unsettled (unreachable).
            if constexpr (!lazy) {
                while (!queue.empty()) {
                    queue.pop();
                }
            }
            break;
        }
        stamp[u] = done;
        ++settled;
        const Deciseconds tu = top.key;
        on_settle(u, tu);
        const std::uint32_t su = source[u];
        // Forward, a transition u -> v drives arc(u); reverse (v -> u), it drives arc(v).
        [[maybe_unused]] const float lu = TrackLength ? length[u] : 0.0F;
        [[maybe_unused]] const float own = TrackLength && !reverse ? arc_length[state_arc[u]] : 0.0F;
        for (std::uint32_t a = first[u], end = first[u + 1]; a < end; ++a) {
            const std::uint32_t v = target[a];
            const Deciseconds tv = tu + weight[a];
            const std::uint32_t sv = stamp[v];
            if (sv == done) {
                if (tv == time[v]) {
                    // A zero-weight transition into a state settled at the same time: its label
                    // (length, source) may still improve; see relabel_settled().
                    relabel_settled<TrackLength>(v, su, TrackLength ? lu + (reverse ? arc_length[state_arc[v]] : own) : 0.0F);
                }
                continue;
            }
            [[maybe_unused]] float lv = 0.0F;
            if constexpr (TrackLength) {
                lv = lu + (reverse ? arc_length[state_arc[v]] : own);
            }
            if (sv != reached) {
                if constexpr (pruning) {
                    if (prune(v, tv)) {
                        continue;
                    }
                }
                stamp[v] = reached;
                time[v] = tv;
                source[v] = su;
                if constexpr (TrackLength) {
                    length[v] = lv;
                }
                queue.push(tv, v);
            } else if (tv < time[v]) {
                time[v] = tv;
                source[v] = su;
                if constexpr (TrackLength) {
                    length[v] = lv;
                }
                if constexpr (lazy) {
                    queue.push(tv, v);
                } else {
                    queue.decrease(tv, v);
                }
            } else if (tv == time[v]) {
                // Equally fast: prefer the shorter path, then the lower source tag (determinism).
                if (better_label<TrackLength>(lv, su, length[v], source[v])) {
                    source[v] = su;
                    if constexpr (TrackLength) {
                        length[v] = lv;
                    }
                }
            }
        }
    }
    return settled;
}

template <bool TrackLength>
void MultiSourceDijkstra::relabel_settled(std::uint32_t v, std::uint32_t tag, float length) {
    if (!better_label<TrackLength>(length, tag, m_length[v], m_source[v])) {
        return;
    }
    m_source[v] = tag;
    if constexpr (TrackLength) {
        m_length[v] = length;
    }
    const bool reverse = m_direction == Direction::reverse;
    const std::uint32_t reached = m_round;
    const std::uint32_t done = m_round + 1;
    m_relabel.assign(1, v);
    while (!m_relabel.empty()) {
        const std::uint32_t x = m_relabel.back();
        m_relabel.pop_back();
        const Deciseconds tx = m_time[x];
        for (std::uint32_t a = m_first[x], end = m_first[x + 1]; a < end; ++a) {
            const std::uint32_t y = m_target[a];
            if ((m_stamp[y] != done && m_stamp[y] != reached) || tx + m_weight[a] != m_time[y]) {
                continue;  // not reached (pruned), or not through x in its time
            }
            float ly = 0.0F;
            if constexpr (TrackLength) {
                ly = m_length[x] + m_arc_length[m_state_arc[reverse ? y : x]];
            }
            if (better_label<TrackLength>(ly, m_source[x], m_length[y], m_source[y])) {
                m_source[y] = m_source[x];
                if constexpr (TrackLength) {
                    m_length[y] = ly;
                }
                if (m_stamp[y] == done) {
                    m_relabel.push_back(y);  // a state still queued passes it on when settled
                }
            }
        }
    }
}

/// A set of sources for one search.
struct SourceSet {
    struct Source {
        StateId state;
        Deciseconds offset_ds = 0;
        std::uint32_t tag = 0;
        float offset_m = 0.0F;
    };
    std::vector<Source> sources;
    Deciseconds bound_ds = max_travel_ds;
};

/// Runs one search per source set in parallel (OpenMP, one search object per thread) and returns
/// state times per set: result[i][s]. Deterministic whatever the thread count.
[[nodiscard]] std::vector<std::vector<Deciseconds>> run_many(const RoadGraph& graph, Direction direction,
                                                             std::span<const SourceSet> sets, int threads = 0);

} // namespace proxima
