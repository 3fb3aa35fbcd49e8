#include "proxima/routing/site_search_batch.hpp"

#include <algorithm>

#include "proxima/core/error.hpp"
#include "proxima/core/huge_pages.hpp"

namespace proxima {

SiteSearchBatch::SiteSearchBatch(const RoadGraph& graph, Direction direction, const AccessOptions& access,
                                 SearchMethod method, unsigned lanes)
    : m_graph(&graph), m_direction(direction), m_access(access), m_method(method),
      m_lanes(method == SearchMethod::phast ? lanes : 1) {
    if (m_lanes == 0 || m_lanes > Phast::max_lanes) {
        throw Error("site searches: lanes must be between 1 and 8");
    }
    if (method == SearchMethod::phast) {
        m_phast.emplace(graph, direction, m_lanes);  // throws without a hierarchy
    } else {
        m_dijkstra.emplace(graph, direction, false);
    }
    m_trips.assign(m_lanes, SiteEdgeTrips(graph, direction, access));
    // Read at random, once per point: 9 MB on a graph of 75 M edges, on huge pages.
    assign_on_huge_pages(m_site_edge_bits, (std::size_t{graph.edge_count()} + 63) / 64, std::uint64_t{0});
}

void SiteSearchBatch::run(std::span<const std::span<const Snap>> site_sets, std::span<const Deciseconds> bounds) {
    if (site_sets.size() > m_lanes) {
        throw Error("site searches: more site sets than lanes");
    }
    auto bound = [&](std::size_t i) { return i < bounds.size() ? bounds[i] : max_travel_ds; };
    if (m_dijkstra) {
        m_dijkstra->reset();
    } else {
        m_phast->reset();
    }
    std::vector<Deciseconds> lane_bounds(m_lanes, 0);  // lanes without sites stay empty
    for (const auto w : m_site_edge_words) {
        m_site_edge_bits[w] = 0;
    }
    m_site_edge_words.clear();
    for (unsigned l = 0; l < site_sets.size(); ++l) {
        const auto sites = site_sets[l];
        m_trips[l].assign(sites);
        for (const auto& site : sites) {
            const auto e = to_index(site.edge);
            m_site_edge_bits[e / 64] |= std::uint64_t{1} << (e % 64);
            m_site_edge_words.push_back(e / 64);
        }
        lane_bounds[l] = bound(l);
        for (std::uint32_t f = 0; f < sites.size(); ++f) {
            for (const auto& seed : seeds(*m_graph, sites[f], m_direction, m_access, f)) {
                if (m_dijkstra) {
                    m_dijkstra->add_source(seed.state, seed.offset_ds, seed.tag);
                } else {
                    m_phast->add_source(l, seed.state, seed.offset_ds, seed.tag);
                }
            }
        }
    }
    for (unsigned l = static_cast<unsigned>(site_sets.size()); l < m_lanes; ++l) {
        m_trips[l].assign({});
    }
    if (m_dijkstra) {
        m_dijkstra->run(bound(0));
    } else {
        m_phast->run(lane_bounds);
    }
}

SiteReach SiteSearchBatch::resolve(unsigned lane, const Snap& point, std::span<const SourceSet::Source> point_seeds) const {
    SiteReach best;
    if (m_dijkstra) {
        best = best_seed(point_seeds, [&](StateId s) { return std::pair(m_dijkstra->time_ds(s), m_dijkstra->source_of(s)); });
    } else {
        best = best_seed(point_seeds, [&](StateId s) {
            return std::pair(m_phast->time_ds(lane, s), m_phast->source_of(lane, s));
        });
    }
    return m_trips[lane].improve(point, best);
}

void SiteSearchBatch::resolve_lanes(const Snap& point, std::span<const SourceSet::Source> point_seeds,
                                    std::span<SiteReach> out) const {
    if (out.size() > m_lanes) {
        throw Error("site searches: more lanes asked for than searched");
    }
    if (m_dijkstra) {
        for (unsigned l = 0; l < out.size(); ++l) {
            out[l] = resolve(l, point, point_seeds);
        }
        return;
    }
    std::fill(out.begin(), out.end(), SiteReach{});
    const auto n = static_cast<unsigned>(out.size());
    const unsigned stride = m_phast->lanes();
    const auto bound = m_phast->bounds();
    // As best_seed, lane by lane, with the seeds in the same order: the same ties.
    for (const auto& seed : point_seeds) {
        const std::uint32_t* row = m_phast->label_row(seed.state);
        for (unsigned l = 0; l < n; ++l) {
            if (row[l] > bound[l]) {
                continue;  // unreachable in this lane
            }
            const Deciseconds total = row[l] + seed.offset_ds;
            const std::uint32_t site = row[stride + l];
            if (total < out[l].ds || (total == out[l].ds && site < out[l].site)) {
                out[l] = {total, site};
            }
        }
    }
    const auto e = to_index(point.edge);
    if ((m_site_edge_bits[e / 64] >> (e % 64) & 1U) != 0) {
        for (unsigned l = 0; l < n; ++l) {
            out[l] = m_trips[l].improve(point, out[l]);
        }
    }
}

} // namespace proxima
