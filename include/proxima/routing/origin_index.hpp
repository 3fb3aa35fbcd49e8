#pragma once
// Which origins a search reaches, found from the states it settles: every origin is indexed by
// the search states its own seeds lie on (CSR, with each seed's offset) and by the edge it is
// snapped to (a trip that stays on one edge passes through no state). Used by the searches that
// only visit part of the graph (scenario sites, APL catchments) to find the origins they touch
// without scanning them all; the time itself is decided by the caller.

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "proxima/graph/ids.hpp"
#include "proxima/routing/multi_source_dijkstra.hpp"

namespace proxima {

class OriginIndex {
public:
    struct AtState {
        std::uint32_t origin = 0;
        Deciseconds offset_ds = 0;  ///< of the origin's seed on that state
    };

    OriginIndex() = default;
    /// `seeds[o]`: the seeds of origin o; `edges[o]`: the edge it is snapped to. `state_count`:
    /// the number of search states of the graph.
    OriginIndex(std::size_t state_count, std::span<const std::vector<SourceSet::Source>> seeds,
                std::span<const std::uint32_t> edges) {
        m_state_first.assign(state_count + 1, 0);
        for (std::size_t o = 0; o < seeds.size(); ++o) {
            for (const auto& seed : seeds[o]) {
                ++m_state_first[to_index(seed.state) + 1];
            }
            m_edge_origins.emplace_back(edges[o], static_cast<std::uint32_t>(o));
        }
        std::sort(m_edge_origins.begin(), m_edge_origins.end());
        for (std::size_t v = 0; v < state_count; ++v) {
            m_state_first[v + 1] += m_state_first[v];
        }
        m_state_origins.resize(m_state_first.back());
        std::vector<std::uint32_t> fill(m_state_first.begin(), m_state_first.end() - 1);
        for (std::size_t o = 0; o < seeds.size(); ++o) {
            for (const auto& seed : seeds[o]) {
                m_state_origins[fill[to_index(seed.state)]++] = {static_cast<std::uint32_t>(o), seed.offset_ds};
            }
        }
    }

    /// The origins seeded on state `v`, in origin order.
    [[nodiscard]] std::span<const AtState> at_state(std::uint32_t v) const {
        return {m_state_origins.data() + m_state_first[v], m_state_first[v + 1] - m_state_first[v]};
    }

    /// The origins snapped to `edge`, as (edge, origin) pairs in origin order.
    [[nodiscard]] std::span<const std::pair<std::uint32_t, std::uint32_t>> on_edge(std::uint32_t edge) const {
        const auto range = std::equal_range(
            m_edge_origins.begin(), m_edge_origins.end(), std::pair<std::uint32_t, std::uint32_t>{edge, 0},
            [](const auto& a, const auto& b) { return a.first < b.first; });
        return {m_edge_origins.data() + (range.first - m_edge_origins.begin()),
                static_cast<std::size_t>(range.second - range.first)};
    }

private:
    std::vector<std::uint32_t> m_state_first;                            ///< CSR offsets, per state
    std::vector<AtState> m_state_origins;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> m_edge_origins;  ///< (edge, origin), sorted
};

} // namespace proxima
