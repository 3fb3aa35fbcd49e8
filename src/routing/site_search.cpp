#include "proxima/routing/site_search.hpp"

#include <algorithm>

namespace proxima {

void SiteEdgeTrips::assign(std::span<const Snap> sites) {
    m_sites.assign(sites.begin(), sites.end());
    m_site_edges.clear();
    for (std::uint32_t f = 0; f < sites.size(); ++f) {
        m_site_edges.emplace_back(to_index(sites[f].edge), f);
    }
    std::sort(m_site_edges.begin(), m_site_edges.end());
}

std::optional<Deciseconds> SiteEdgeTrips::same_edge_time(const Snap& point, const Snap& site) const {
    // Residents drive from the point to the site; an outbound service from the site to the point.
    const auto direct = m_direction == Direction::forward ? same_edge_leg(*m_graph, site, point)
                                                          : same_edge_leg(*m_graph, point, site);
    if (!direct) {
        return std::nullopt;
    }
    return access_ds(point, m_access) + direct->ds + access_ds(site, m_access);
}

SiteReach SiteEdgeTrips::improve(const Snap& point, SiteReach best) const {
    const std::uint32_t edge = to_index(point.edge);
    auto it = std::lower_bound(m_site_edges.begin(), m_site_edges.end(), std::make_pair(edge, 0U));
    for (; it != m_site_edges.end() && it->first == edge; ++it) {
        const auto total = same_edge_time(point, m_sites[it->second]);
        if (total && (*total < best.ds || (*total == best.ds && it->second < best.site))) {
            best = {*total, it->second};
        }
    }
    return best;
}

SiteSearch::SiteSearch(const RoadGraph& graph, Direction direction, const AccessOptions& access)
    : m_graph(graph), m_direction(direction), m_access(access), m_search(graph, direction, false),
      m_trips(graph, direction, access) {}

void SiteSearch::start(std::span<const Snap> sites) {
    m_trips.assign(sites);
    m_search.reset();
    for (std::uint32_t f = 0; f < sites.size(); ++f) {
        for (const auto& seed : seeds(m_graph, sites[f], m_direction, m_access, f)) {
            m_search.add_source(seed.state, seed.offset_ds, seed.tag);
        }
    }
}

SiteReach SiteSearch::resolve(const Snap& point, std::span<const SourceSet::Source> point_seeds) const {
    const SiteReach best = best_seed(point_seeds, [&](StateId s) {
        return std::pair(m_search.time_ds(s), m_search.source_of(s));
    });
    return m_trips.improve(point, best);
}

} // namespace proxima
