#include "proxima/routing/multi_source_dijkstra.hpp"
#include "proxima/core/threads.hpp"

#include <algorithm>
#include <cassert>
#include <stdexcept>
#include <type_traits>

#include <omp.h>

namespace proxima {

MultiSourceDijkstra::MultiSourceDijkstra(const RoadGraph& graph, Direction direction, bool track_length)
    : m_graph(graph),
      m_direction(direction),
      m_track_length(track_length),
      m_time(graph.node_count(), unreachable_ds),
      m_length(graph.node_count(), 0.0F),
      m_source(graph.node_count(), 0),
      m_stamp(graph.node_count(), 0) {
    if (direction == Direction::forward) {
        m_first = graph.first_out();
        m_target = graph.head();
        m_weight = graph.travel_ds();
    } else {
        m_first = graph.first_in();
        m_target = graph.tail_in();
        m_weight = graph.in_travel_ds();
        m_arc_of_slot = graph.in_arc();
    }
    m_arc_length = graph.length_m();
    const auto weights = graph.travel_ds();
    const Deciseconds max_arc = weights.empty() ? 0 : *std::max_element(weights.begin(), weights.end());
    if (max_arc < max_bucket_count / 2) {
        // Twice the largest arc: room for sources spread over one arc weight at no extra cost.
        m_buckets = std::make_unique<BucketQueue>(graph.node_count(), std::max<std::uint32_t>(2 * (max_arc + 1), 1024));
    }
}

void MultiSourceDijkstra::reset() {
    m_pending.clear();
    m_radix.clear();
    m_round += 2;
    if (m_round < 2) {  // wrapped after 2 billion queries: clear the stamps once
        std::fill(m_stamp.begin(), m_stamp.end(), 0);
        m_round = 2;
    }
}

void MultiSourceDijkstra::add_source(NodeId node, Deciseconds offset_ds, std::uint32_t source_tag, float offset_m) {
    if (offset_ds > max_travel_ds) {
        throw std::invalid_argument("MultiSourceDijkstra::add_source: offset beyond max_travel_ds");
    }
    const auto v = to_index(node);
    if (m_stamp[v] == m_round) {
        if (m_time[v] < offset_ds || (m_time[v] == offset_ds && m_source[v] <= source_tag)) {
            return;
        }
    } else {
        m_stamp[v] = m_round;
        m_pending.push_back(v);
    }
    m_time[v] = offset_ds;
    m_length[v] = offset_m;
    m_source[v] = source_tag;
}

std::uint32_t MultiSourceDijkstra::run(Deciseconds bound_ds) {
    bound_ds = std::min(bound_ds, max_travel_ds);
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
    // source offset, or the key being settled plus one arc.
    if (m_buckets && highest - lowest < m_buckets->bucket_count() / 2) {
        m_buckets->start(lowest);
        for (auto v : m_pending) {
            m_buckets->push(m_time[v], v);
        }
        return m_track_length ? run_impl<true>(*m_buckets, bound_ds) : run_impl<false>(*m_buckets, bound_ds);
    }
    for (auto v : m_pending) {
        m_radix.push(m_time[v], v);
    }
    return m_track_length ? run_impl<true>(m_radix, bound_ds) : run_impl<false>(m_radix, bound_ds);
}

template <bool TrackLength, typename Queue>
std::uint32_t MultiSourceDijkstra::run_impl(Queue& queue, Deciseconds bound_ds) {
    // The radix heap has no decrease-key: a node is queued again and stale entries are skipped.
    constexpr bool lazy = std::is_same_v<Queue, RadixHeap>;
    std::uint32_t settled = 0;
    const std::uint32_t* first = m_first.data();
    const std::uint32_t* target = m_target.data();
    const Deciseconds* weight = m_weight.data();
    const float* arc_length = m_arc_length.data();
    const std::uint32_t* arc_of_slot = m_arc_of_slot.empty() ? nullptr : m_arc_of_slot.data();
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
        const std::uint32_t su = source[u];
        [[maybe_unused]] const float lu = TrackLength ? length[u] : 0.0F;
        for (std::uint32_t a = first[u], end = first[u + 1]; a < end; ++a) {
            const std::uint32_t v = target[a];
            const Deciseconds tv = tu + weight[a];
            const std::uint32_t sv = stamp[v];
            if (sv != reached && sv != done) {
                stamp[v] = reached;
                time[v] = tv;
                source[v] = su;
                if constexpr (TrackLength) {
                    length[v] = lu + arc_length[arc_of_slot != nullptr ? arc_of_slot[a] : a];
                }
                queue.push(tv, v);
            } else if (sv == reached) {
                if (tv < time[v]) {
                    time[v] = tv;
                    source[v] = su;
                    if constexpr (TrackLength) {
                        length[v] = lu + arc_length[arc_of_slot != nullptr ? arc_of_slot[a] : a];
                    }
                    if constexpr (lazy) {
                        queue.push(tv, v);
                    } else {
                        queue.decrease(tv, v);
                    }
                } else if (tv == time[v]) {
                    // Equally fast: prefer the shorter path, then the lower source tag (determinism).
                    float lv = 0.0F;
                    if constexpr (TrackLength) {
                        lv = lu + arc_length[arc_of_slot != nullptr ? arc_of_slot[a] : a];
                    }
                    if ((TrackLength && lv < length[v]) || ((!TrackLength || lv == length[v]) && su < source[v])) {
                        source[v] = su;
                        if constexpr (TrackLength) {
                            length[v] = lv;
                        }
                    }
                }
            }
        }
    }
    return settled;
}

void MultiSourceDijkstra::times(std::span<Deciseconds> out) const {
    assert(out.size() == m_time.size());
    const std::uint32_t done = m_round + 1;
    for (std::size_t v = 0; v < out.size(); ++v) {
        out[v] = m_stamp[v] == done ? m_time[v] : unreachable_ds;
    }
}

std::vector<std::vector<Deciseconds>> run_many(const RoadGraph& graph, Direction direction,
                                               std::span<const SourceSet> sets, int threads) {
    std::vector<std::vector<Deciseconds>> result(sets.size());
    const int threads_used = proxima::thread_count(threads);
#pragma omp parallel num_threads(threads_used)
    {
        MultiSourceDijkstra search(graph, direction, false);
#pragma omp for schedule(dynamic, 1)
        for (std::size_t i = 0; i < sets.size(); ++i) {
            search.reset();
            for (const auto& s : sets[i].sources) {
                search.add_source(s.node, s.offset_ds, s.tag, s.offset_m);
            }
            search.run(sets[i].bound_ds);
            result[i].resize(graph.node_count());
            search.times(result[i]);
        }
    }
    return result;
}

} // namespace proxima
