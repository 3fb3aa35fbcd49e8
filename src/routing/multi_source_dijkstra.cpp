#include "proxima/routing/multi_source_dijkstra.hpp"

#include <cassert>
#include <stdexcept>

#include <omp.h>

#include "proxima/core/huge_pages.hpp"
#include "proxima/core/threads.hpp"

namespace proxima {

MultiSourceDijkstra::MultiSourceDijkstra(const RoadGraph& graph, Direction direction, bool track_length)
    : m_graph(graph),
      m_direction(direction),
      m_track_length(track_length) {
    // Per-state arrays read at random: on huge pages (core/huge_pages.hpp).
    const std::size_t n = graph.state_count();
    assign_on_huge_pages(m_time, n, unreachable_ds);
    assign_on_huge_pages(m_length, n, 0.0F);
    assign_on_huge_pages(m_source, n, std::uint32_t{0});
    assign_on_huge_pages(m_stamp, n, std::uint32_t{0});
    if (direction == Direction::forward) {
        m_first = graph.first_transition();
        m_target = graph.transition_head();
        m_weight = graph.transition_ds();
    } else {
        m_first = graph.first_in_transition();
        m_target = graph.in_transition_tail();
        m_weight = graph.in_transition_ds();
    }
    m_state_arc = graph.state_arcs();
    m_arc_length = graph.length_m();
    const auto weights = graph.transition_ds();
    const Deciseconds max_weight = weights.empty() ? 0 : *std::max_element(weights.begin(), weights.end());
    if (max_weight < max_bucket_count / 2) {
        // Twice the largest weight: room for sources spread over one weight at no extra cost.
        m_buckets = std::make_unique<detail::BucketQueue>(graph.state_count(),
                                                          std::max<std::uint32_t>(2 * (max_weight + 1), 1024));
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

void MultiSourceDijkstra::add_source(StateId state, Deciseconds offset_ds, std::uint32_t source_tag, float offset_m) {
    if (offset_ds > max_travel_ds) {
        throw std::invalid_argument("MultiSourceDijkstra::add_source: offset beyond max_travel_ds");
    }
    const auto v = to_index(state);
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
                search.add_source(s.state, s.offset_ds, s.tag, s.offset_m);
            }
            search.run(sets[i].bound_ds);
            result[i].resize(graph.state_count());
            search.times(result[i]);
        }
    }
    return result;
}

} // namespace proxima
