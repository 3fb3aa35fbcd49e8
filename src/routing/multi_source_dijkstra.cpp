#include "proxima/routing/multi_source_dijkstra.hpp"

#include <algorithm>
#include <cassert>

#include <omp.h>

namespace proxima {

MultiSourceDijkstra::MultiSourceDijkstra(const RoadGraph& graph, Direction direction)
    : m_graph(graph),
      m_direction(direction),
      m_time(graph.node_count(), unreachable_ds),
      m_length(graph.node_count(), 0.0F),
      m_source(graph.node_count(), 0),
      m_stamp(graph.node_count(), 0),
      m_queue(graph.node_count()) {
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
}

void MultiSourceDijkstra::reset() {
    m_queue.clear();
    ++m_round;
    if (m_round == 0) {  // wrapped after 4 billion queries: clear stamps once
        std::fill(m_stamp.begin(), m_stamp.end(), 0);
        m_round = 1;
    }
}

void MultiSourceDijkstra::add_source(NodeId node, Deciseconds offset_ds, std::uint32_t source_tag, float offset_m) {
    assert(offset_ds <= max_travel_ds);
    const auto v = to_index(node);
    if (m_stamp[v] == m_round && (m_time[v] < offset_ds || (m_time[v] == offset_ds && m_source[v] <= source_tag))) {
        return;
    }
    m_stamp[v] = m_round;
    m_time[v] = offset_ds;
    m_length[v] = offset_m;
    m_source[v] = source_tag;
    m_queue.push_or_decrease(v, offset_ds);
}

std::uint32_t MultiSourceDijkstra::run(Deciseconds bound_ds) {
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
    const std::uint32_t round = m_round;

    while (!m_queue.empty()) {
        const auto top = m_queue.peek();
        if (top.key > bound_ds) {
            // Everything still queued is beyond the bound: unreached.
            while (!m_queue.empty()) {
                stamp[m_queue.pop().id] = round - 1;
            }
            break;
        }
        m_queue.pop();
        ++settled;
        const std::uint32_t u = top.id;
        const Deciseconds tu = top.key;
        const float lu = length[u];
        const std::uint32_t su = source[u];
        for (std::uint32_t a = first[u], end = first[u + 1]; a < end; ++a) {
            const std::uint32_t v = target[a];
            const Deciseconds tv = tu + weight[a];
            const float lv = lu + arc_length[arc_of_slot != nullptr ? arc_of_slot[a] : a];
            if (stamp[v] != round) {
                stamp[v] = round;
                time[v] = tv;
                length[v] = lv;
                source[v] = su;
                m_queue.push_or_decrease(v, tv);
            } else if (tv < time[v]) {
                time[v] = tv;
                length[v] = lv;
                source[v] = su;
                m_queue.push_or_decrease(v, tv);
            } else if (tv == time[v] && m_queue.contains(v) && (lv < length[v] || (lv == length[v] && su < source[v]))) {
                length[v] = lv;
                source[v] = su;
            }
        }
    }
    return settled;
}

void MultiSourceDijkstra::times(std::span<Deciseconds> out) const {
    assert(out.size() == m_time.size());
    for (std::size_t v = 0; v < out.size(); ++v) {
        out[v] = m_stamp[v] == m_round ? m_time[v] : unreachable_ds;
    }
}

std::vector<std::vector<Deciseconds>> run_many(const RoadGraph& graph, Direction direction,
                                               std::span<const SourceSet> sets, int threads) {
    std::vector<std::vector<Deciseconds>> result(sets.size());
    const int thread_count = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel num_threads(thread_count)
    {
        MultiSourceDijkstra search(graph, direction);
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
