#pragma once
// Several site searches at once, by either method: SiteSearch's job (times between sets of
// sites and any snapped point, routing/site_search.hpp) for up to lanes() site sets per run.
//
//  - SearchMethod::dijkstra: one MultiSourceDijkstra per site set, one lane (the caller loops);
//  - SearchMethod::phast: one PHAST sweep for up to Phast::max_lanes site sets
//    (routing/phast.hpp); needs the graph's contraction hierarchy.
// Both give the same time and the same site for every point (ties: lowest site index).
// Memory: the state labels of lanes() searches, never more.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "proxima/routing/phast.hpp"
#include "proxima/routing/point_routing.hpp"
#include "proxima/routing/search_method.hpp"
#include "proxima/routing/site_search.hpp"

namespace proxima {

class SiteSearchBatch {
public:
    /// Borrows `graph`. `direction` is the searches': reverse for trips to the sites. `lanes`
    /// (1..Phast::max_lanes) is the number of site sets per run with PHAST; Dijkstra runs one.
    /// Throws Error for PHAST on a graph without a hierarchy.
    SiteSearchBatch(const RoadGraph& graph, Direction direction, const AccessOptions& access, SearchMethod method,
                    unsigned lanes = Phast::max_lanes);

    [[nodiscard]] unsigned lanes() const noexcept { return m_lanes; }
    [[nodiscard]] SearchMethod method() const noexcept { return m_method; }
    [[nodiscard]] Direction direction() const noexcept { return m_direction; }

    /// One search per entry of `site_sets` (at most lanes(); site indices are tags), entry i
    /// within bounds[i] (missing: no bound).
    void run(std::span<const std::span<const Snap>> site_sets, std::span<const Deciseconds> bounds = {});

    /// The seeds a point contributes to these searches' trips (compute once per point, reuse).
    [[nodiscard]] std::vector<SourceSet::Source> point_seeds(const Snap& point) const {
        return seeds(*m_graph, point, opposite(m_direction), m_access);
    }
    /// point_seeds() into `out` (cleared first), for loops over many points.
    void point_seeds_into(std::vector<SourceSet::Source>& out, const Snap& point) const {
        seeds_into(out, *m_graph, point, opposite(m_direction), m_access);
    }
    /// Asks the memory for what resolve_lanes() will read of these seeds (PHAST's label rows;
    /// nothing with Dijkstra). Called for a run of points before resolving them: a speed-up only.
    void prefetch(std::span<const SourceSet::Source> point_seeds) const {
        if (m_phast) {
            for (const auto& seed : point_seeds) {
                m_phast->prefetch_row(seed.state);
            }
        }
    }
    /// What prefetch() itself reads first (each seed's rank), to be asked for before it.
    void prefetch_ranks(std::span<const SourceSet::Source> point_seeds) const {
        if (m_phast) {
            for (const auto& seed : point_seeds) {
                m_phast->prefetch_rank(seed.state);
            }
        }
    }
    /// Time of `point` from the site set of lane `lane` in the last run, all legs included.
    [[nodiscard]] SiteReach resolve(unsigned lane, const Snap& point,
                                    std::span<const SourceSet::Source> point_seeds) const;
    /// resolve() of lanes 0 .. out.size() - 1 at once, the same answers: with PHAST each seed's
    /// labels are read once for every lane (one cache line), and the trips along the point's
    /// edge are looked at only where a site of the last run lies on that edge.
    void resolve_lanes(const Snap& point, std::span<const SourceSet::Source> point_seeds,
                       std::span<SiteReach> out) const;

private:
    const RoadGraph* m_graph;
    Direction m_direction;
    AccessOptions m_access;
    SearchMethod m_method;
    unsigned m_lanes;
    std::optional<MultiSourceDijkstra> m_dijkstra;
    std::optional<Phast> m_phast;
    std::vector<SiteEdgeTrips> m_trips;  ///< per lane
    /// Bit e set: a site of the last run (any lane) is snapped to edge e.
    std::vector<std::uint64_t> m_site_edge_bits;
    std::vector<std::uint32_t> m_site_edge_words;  ///< words of m_site_edge_bits set, to clear
};

} // namespace proxima
