#pragma once
// Time between a set of sites (the facilities of a service) and any snapped point: one
// multi-source search from all the sites at once, then, for each point, the best of its own seeds
// and of the trips that stay on one edge. The one place where "the time of an origin from a
// search" is decided, for access tables, rasters, scenarios and siting alike.
//
// Residents driving to the sites: the search runs backwards from the sites (Direction::reverse)
// and a point contributes the seeds of leaving it. A service that drives out (SMUR): forward from
// the sites, and the seeds of arriving at the point.

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "proxima/routing/multi_source_dijkstra.hpp"
#include "proxima/routing/point_routing.hpp"

namespace proxima {

/// The other direction: the side of a trip a point plays when the sites are searched `d`.
[[nodiscard]] constexpr Direction opposite(Direction d) noexcept {
    return d == Direction::forward ? Direction::reverse : Direction::forward;
}

/// Time of a point and the site that gives it (ties: the lowest site index).
struct SiteReach {
    Deciseconds ds = unreachable_ds;
    std::uint32_t site = invalid_index;
    [[nodiscard]] bool reachable() const { return ds != unreachable_ds; }
};

/// The trips that stay on one edge, between a point and the sites on its edge (they use no
/// state of the search graph, so every search method adds them the same way).
class SiteEdgeTrips {
public:
    /// Borrows `graph`. `direction` is the search's: reverse for trips to the sites.
    SiteEdgeTrips(const RoadGraph& graph, Direction direction, const AccessOptions& access)
        : m_graph(&graph), m_direction(direction), m_access(access) {}

    /// The sites of the next searches (tags are their indices).
    void assign(std::span<const Snap> sites);
    /// The trip along the one edge a point and a site share, if it can be driven (all legs).
    [[nodiscard]] std::optional<Deciseconds> same_edge_time(const Snap& point, const Snap& site) const;
    /// `best` improved by the trips along the point's edge to a site on it (ties: lowest site).
    [[nodiscard]] SiteReach improve(const Snap& point, SiteReach best) const;

private:
    const RoadGraph* m_graph;
    Direction m_direction;
    AccessOptions m_access;
    std::vector<Snap> m_sites;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> m_site_edges;  ///< (edge, site), sorted
};

/// The best of a point's seeds after a search: `label(state)` gives the state's time
/// (unreachable_ds if not reached) and the site that gives it. Ties: the lowest site.
template <typename Label>
[[nodiscard]] SiteReach best_seed(std::span<const SourceSet::Source> point_seeds, Label&& label) {
    SiteReach best;
    for (const auto& seed : point_seeds) {
        const auto [t, f] = label(seed.state);
        if (t == unreachable_ds) {
            continue;
        }
        const Deciseconds total = t + seed.offset_ds;
        if (total < best.ds || (total == best.ds && f < best.site)) {
            best = {total, f};
        }
    }
    return best;
}

class SiteSearch {
public:
    /// Borrows `graph`. `direction` is the search's: reverse for trips to the sites.
    SiteSearch(const RoadGraph& graph, Direction direction, const AccessOptions& access);

    /// One search from all `sites` (snapped; tags are their indices), within `bound_ds`.
    /// `prune` and `on_settle` as MultiSourceDijkstra::run. Returns the states settled.
    template <typename Prune = NoPrune, typename OnSettle = NoSettleCallback>
    std::uint32_t run(std::span<const Snap> sites, Deciseconds bound_ds = max_travel_ds, Prune&& prune = {},
                      OnSettle&& on_settle = {}) {
        start(sites);
        return m_search.run(bound_ds, prune, on_settle);
    }

    /// The seeds a point contributes to this search's trips (computed once per point, reusable).
    [[nodiscard]] std::vector<SourceSet::Source> point_seeds(const Snap& point) const {
        return seeds(m_graph, point, opposite(m_direction), m_access);
    }
    /// point_seeds() into `out` (cleared first), for loops over many points.
    void point_seeds_into(std::vector<SourceSet::Source>& out, const Snap& point) const {
        seeds_into(out, m_graph, point, opposite(m_direction), m_access);
    }

    /// Time of `point` (with its seeds) from the last run, all legs included.
    [[nodiscard]] SiteReach resolve(const Snap& point, std::span<const SourceSet::Source> point_seeds) const;

    /// The trip along the one edge a point and a site share, if it can be driven (all legs).
    [[nodiscard]] std::optional<Deciseconds> same_edge_time(const Snap& point, const Snap& site) const {
        return m_trips.same_edge_time(point, site);
    }

    [[nodiscard]] const MultiSourceDijkstra& search() const { return m_search; }
    [[nodiscard]] Direction direction() const { return m_direction; }

private:
    void start(std::span<const Snap> sites);

    const RoadGraph& m_graph;
    Direction m_direction;
    AccessOptions m_access;
    MultiSourceDijkstra m_search;
    SiteEdgeTrips m_trips;
};

} // namespace proxima
