#include "proxima/routing/phast.hpp"

#include <algorithm>
#include <functional>

#include "proxima/core/error.hpp"
#include "proxima/core/huge_pages.hpp"

namespace proxima {

namespace {

const StateHierarchy& hierarchy_of(const RoadGraph& graph) {
    if (graph.hierarchy() == nullptr) {
        throw Error("PHAST needs the graph's contraction hierarchy; rebuild the graph file with 'proxima build-graph'");
    }
    return *graph.hierarchy();
}

unsigned lane_block(unsigned lanes) {
    if (lanes == 0 || lanes > Phast::max_lanes) {
        throw Error("PHAST: lanes must be between 1 and 8");
    }
    return lanes <= 1 ? 1 : lanes <= 2 ? 2 : lanes <= 4 ? 4 : 8;
}

/// (time, tag) is better than (best_time, best_tag): earlier, or as early from a lower tag.
inline bool better(Deciseconds time, std::uint32_t tag, Deciseconds best_time, std::uint32_t best_tag) {
    return time < best_time || (time == best_time && tag < best_tag);
}

} // namespace

std::size_t Phast::memory_bytes(std::size_t states, unsigned lanes) {
    return states * (2 * std::size_t{lane_block(lanes)} * sizeof(std::uint32_t) + 1);
}

Phast::Phast(const RoadGraph& graph, Direction direction, unsigned lanes)
    : m_graph(graph), m_direction(direction), m_lanes(lane_block(lanes)) {
    const StateHierarchy& h = hierarchy_of(graph);
    m_rank = h.rank;
    // Forward: climb the arcs r -> higher, then each state pulls from the higher states that
    // lead to it. Reverse (times to the sources): the mirror.
    const bool forward = direction == Direction::forward;
    m_climb_first = forward ? std::span<const std::uint32_t>(h.up_first) : std::span<const std::uint32_t>(h.down_first);
    m_climb_other = forward ? std::span<const std::uint32_t>(h.up_head) : std::span<const std::uint32_t>(h.down_tail);
    m_climb_ds = forward ? std::span<const Deciseconds>(h.up_ds) : std::span<const Deciseconds>(h.down_ds);
    m_pull_first = forward ? std::span<const std::uint32_t>(h.down_first) : std::span<const std::uint32_t>(h.up_first);
    m_pull_other = forward ? std::span<const std::uint32_t>(h.down_tail) : std::span<const std::uint32_t>(h.up_head);
    m_pull_ds = forward ? std::span<const Deciseconds>(h.down_ds) : std::span<const Deciseconds>(h.up_ds);
    const std::size_t n = h.state_count();
    m_label.assign(n * 2 * m_lanes, hierarchy_cap_ds);
    m_sources.resize(m_lanes);
    m_bound.assign(m_lanes, max_travel_ds);
    assign_on_huge_pages(m_climbed, n, std::uint8_t{0});
}

void Phast::reset() {
    for (auto& s : m_sources) {
        s.clear();
    }
}

void Phast::add_source(unsigned lane, StateId state, Deciseconds offset_ds, std::uint32_t source_tag) {
    m_sources.at(lane).push_back({m_rank[to_index(state)], offset_ds, source_tag});
}

void Phast::climb(unsigned lane) {
    const std::size_t lanes = m_lanes;
    const auto bit = static_cast<std::uint8_t>(1U << lane);
    const Deciseconds bound = m_bound[lane];
    Deciseconds* time = m_label.data() + lane;
    std::uint32_t* tag = m_label.data() + lanes + lane;
    auto offer = [&](std::uint32_t r, Deciseconds t, std::uint32_t g) {
        const std::size_t i = r * 2 * lanes;
        if (t > bound) {
            return;
        }
        if ((m_climbed[r] & bit) == 0) {  // first label of r in this lane (the array holds the last run's)
            if (m_climbed[r] == 0) {
                m_climbed_ranks.push_back(r);
            }
            m_climbed[r] |= bit;
            time[i] = t;
            tag[i] = g;
            m_heap.push_back(r);
            std::push_heap(m_heap.begin(), m_heap.end(), std::greater<>{});
        } else if (better(t, g, time[i], tag[i])) {
            time[i] = t;  // queued already: r's label is read when it leaves the heap
            tag[i] = g;
        }
    };
    m_heap.clear();
    for (const auto& s : m_sources[lane]) {
        offer(s.rank, s.offset_ds, s.tag);
    }
    // Arcs lead to higher ranks only: taken in increasing rank, a state's label is final when
    // it leaves the heap (whatever the weights, zero included).
    while (!m_heap.empty()) {
        std::pop_heap(m_heap.begin(), m_heap.end(), std::greater<>{});
        const std::uint32_t r = m_heap.back();
        m_heap.pop_back();
        const Deciseconds t = time[r * 2 * lanes];
        const std::uint32_t g = tag[r * 2 * lanes];
        for (auto i = m_climb_first[r]; i < m_climb_first[r + 1]; ++i) {
            offer(m_climb_other[i], t + m_climb_ds[i], g);
        }
    }
}

template <unsigned Lanes>
void Phast::sweep() {
    // How far ahead rows are asked for: about the misses a core keeps in flight. A row of 8 lanes
    // is a whole line; narrower rows share lines. Measured on the 4 M-node mosaic, 16 services
    // (8 lanes 4, 6 and 8 ranks ahead: 0.93, 0.80 and 0.83-0.89 s; 4 lanes 8, 12 and 24: within
    // 6 %; 1 lane 16, 24 and 32: within 5 %).
    constexpr std::uint32_t prefetch_ranks_ahead = Lanes >= 8 ? 6 : 24;
    const auto n = static_cast<std::uint32_t>(m_rank.size());
    const std::uint32_t* first = m_pull_first.data();
    const std::uint32_t* other = m_pull_other.data();
    const Deciseconds* weight = m_pull_ds.data();
    // One block of 2 × Lanes words per rank, times then tags: one cache line for 8 lanes.
    constexpr std::size_t block = 2 * Lanes;
    Deciseconds* time = m_label.data();
    std::uint32_t* tag = m_label.data() + Lanes;
    const std::uint8_t* climbed = m_climbed.data();
    for (std::uint32_t r = n; r-- > 0;) {
        // The rows a state pulls from are scattered over the higher ranks: on a graph larger than
        // the caches each is a miss. Asking for those of a state a few ranks ahead overlaps the
        // misses instead of waiting for each in turn.
        if (r >= prefetch_ranks_ahead) {
            const std::uint32_t ahead = r - prefetch_ranks_ahead;
            for (auto i = first[ahead]; i < first[ahead + 1]; ++i) {
                __builtin_prefetch(time + std::size_t{other[i]} * block);
            }
        }
        // The state's own label: from the climb, or none (the array still holds the last run's).
        Deciseconds best[Lanes];
        std::uint32_t best_tag[Lanes];
        const unsigned mask = climbed[r];
        for (unsigned l = 0; l < Lanes; ++l) {
            const bool own = ((mask >> l) & 1U) != 0;
            best[l] = own ? time[std::size_t{r} * block + l] : hierarchy_cap_ds;
            best_tag[l] = own ? tag[std::size_t{r} * block + l] : invalid_index;
        }
        for (auto i = first[r]; i < first[r + 1]; ++i) {
            const Deciseconds w = weight[i];
            const Deciseconds* from_time = time + std::size_t{other[i]} * block;
            const std::uint32_t* from_tag = tag + std::size_t{other[i]} * block;
#pragma omp simd
            for (unsigned l = 0; l < Lanes; ++l) {
                const Deciseconds t = from_time[l] + w;  // both at most the cap: no wrap
                const std::uint32_t g = from_tag[l];
                const bool take = (t < best[l]) | ((t == best[l]) & (g < best_tag[l]));
                best[l] = take ? t : best[l];
                best_tag[l] = take ? g : best_tag[l];
            }
        }
        for (unsigned l = 0; l < Lanes; ++l) {
            time[std::size_t{r} * block + l] = std::min(best[l], hierarchy_cap_ds);
            tag[std::size_t{r} * block + l] = best_tag[l];
        }
    }
}

void Phast::run(std::span<const Deciseconds> bounds) {
    for (unsigned l = 0; l < m_lanes; ++l) {
        m_bound[l] = std::min(l < bounds.size() ? bounds[l] : max_travel_ds, max_travel_ds);
        climb(l);
    }
    switch (m_lanes) {
    case 1: sweep<1>(); break;
    case 2: sweep<2>(); break;
    case 4: sweep<4>(); break;
    default: sweep<8>(); break;
    }
    for (auto r : m_climbed_ranks) {
        m_climbed[r] = 0;
    }
    m_climbed_ranks.clear();
}

} // namespace proxima
