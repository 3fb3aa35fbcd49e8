#pragma once
// APL, accessibilité potentielle localisée (DREES/IRDES): supply and demand, not only distance.
// An enhanced two-step floating catchment area (E2SFCA, Luo & Qi 2009) with a distance decay w:
//
//   step 1, for each site j:    R_j = S_j / Σ_i w(t_ij) · D_i    (origins i within reach of j)
//   step 2, for each origin i:  A_i = Σ_j w(t_ij) · R_j          (sites j within reach of i)
//
// S_j is the supply of site j (a column of its facility file, else 1 per site), D_i the demand of
// origin i (its population), t_ij the travel time between them exactly as compute_access()
// counts it (both off-network legs; to the site, or from it for a from_service service), and w
// the decay of study/apl_spec.hpp, 0 beyond its reach (the last band).
//
// What the numbers mean:
//  - A_i is in supply units per inhabitant; outputs multiply it by per_inhabitants;
//  - A_i = 0 when no site of positive supply lies within reach of i: the APL is then 0 by its
//    definition (nothing is accessible within the bands), not unknown;
//  - R_j is undefined (nullopt, NULL in outputs) when no populated origin lies within reach of j:
//    that supply serves nobody of the study and counts in no A_i;
//  - conservation: swapping the two sums, Σ_i D_i · A_i = Σ_j S_j over the sites j with
//    Σ_i w(t_ij) · D_i > 0. compute_apl() checks it on every call (relative 1e-9) and throws
//    when it fails.
//
// How: one search per distinct snapped site position (sites at the same place share it), from
// the site, bounded at the reach (the kernel's bound: no state beyond it is settled, so no site
// influences anything beyond the last band); the time of each origin it reaches is decided by
// SiteSearch::resolve, as for access times. Searches run in parallel (OpenMP); sums run in a
// fixed order (origins by index within a site, sites by index within an origin): results are
// identical whatever the thread count.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "proxima/routing/multi_source_dijkstra.hpp"
#include "proxima/routing/origin_index.hpp"
#include "proxima/routing/point_routing.hpp"
#include "proxima/study/apl_spec.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima {

/// The decay w(t) of an AplSpec, on search times.
class AplDecay {
public:
    /// Checks `spec` (check_apl_spec: ConfigError).
    explicit AplDecay(const AplSpec& spec);
    /// w(t) in [0, 1]; 0 beyond the reach and for unreachable_ds. Bands compare whole
    /// deciseconds with their bound (10 min = 6000 ds is within the first DREES band).
    [[nodiscard]] double weight(Deciseconds ds) const;
    /// The bound of the searches: the largest time that can weigh (last band's bound, or max_min).
    [[nodiscard]] Deciseconds reach_ds() const { return m_reach_ds; }
    [[nodiscard]] const AplSpec& spec() const { return m_spec; }

private:
    AplSpec m_spec;
    std::vector<Deciseconds> m_upper_ds;  ///< bands: inclusive bounds in whole deciseconds
    Deciseconds m_reach_ds = 0;
};

/// The origins within reach of one site: (origin index, travel time), sorted by origin, every
/// time <= the reach.
struct Catchment {
    std::vector<std::pair<std::uint32_t, Deciseconds>> origins;
};

struct CatchmentStats {
    std::size_t searches = 0;        ///< bounded searches run (one per distinct site position)
    std::size_t settled_states = 0;  ///< by all of them
};

/// Bounded searches from single sites to the origins of a study. The origin index (seeds of every
/// origin, by search state and by edge) is built once; catchments() may be called from one thread
/// at a time and runs its searches in parallel itself.
class CatchmentSearch {
public:
    /// Borrows `in` (must outlive this object). `direction`: to_service for residents driving to
    /// the sites (the search runs backwards from them), from_service for a service driving out.
    CatchmentSearch(const StudyInputs& in, TravelDirection direction);

    /// The catchment of every site in `sites` (snapped onto in.graph), within `reach_ds`.
    /// `threads` 0 = all cores. Deterministic whatever the thread count.
    [[nodiscard]] std::vector<Catchment> catchments(std::span<const Snap> sites, Deciseconds reach_ds, int threads = 0,
                                                    CatchmentStats* stats = nullptr) const;

private:
    const StudyInputs& m_in;
    Direction m_direction;                    ///< of the searches (from the sites)
    AccessOptions m_access;
    std::vector<std::vector<SourceSet::Source>> m_seeds;  ///< per origin, the side it plays in a trip
    OriginIndex m_origins;                                ///< origins by the states of their seeds, by edge
};

/// Tolerance of the conservation check (relative).
inline constexpr double apl_conservation_tolerance = 1e-9;

struct AplSite {
    double supply = 0.0;
    double weighted_demand = 0.0;    ///< Σ_i w(t_ij) · D_i
    double population_within = 0.0; ///< Σ_i D_i over the origins with w(t_ij) > 0
    std::size_t origins_within = 0;  ///< origins with w(t_ij) > 0
    std::optional<double> ratio;     ///< R_j, supply per inhabitant; nullopt when weighted_demand is 0
};

struct AplConservation {
    double demand_times_apl = 0.0;  ///< Σ_i D_i · A_i
    double supply_reached = 0.0;    ///< Σ_j S_j over the sites with weighted demand > 0
    double supply_total = 0.0;      ///< Σ_j S_j over every site
    std::size_t sites_unreached = 0;  ///< sites with no weighted demand (ratio nullopt)
    double relative_residual = 0.0;   ///< |Σ D·A − Σ S reached| / Σ S reached (0 when both are 0)
    [[nodiscard]] bool holds(double tolerance = apl_conservation_tolerance) const {
        return relative_residual <= tolerance;
    }
};

struct AplResult {
    std::vector<double> apl;                  ///< per origin, supply per inhabitant (unscaled); 0: no site within reach
    std::vector<std::uint32_t> sites_within;  ///< per origin: sites with w > 0
    std::vector<Deciseconds> nearest_ds;      ///< per origin: the nearest site with w > 0, unreachable_ds if none
    std::vector<AplSite> sites;               ///< per site, in the order given
    AplConservation conservation;
    std::size_t pairs = 0;                    ///< (origin, site) pairs with w > 0
    CatchmentStats searches;
};

/// Steps 1 and 2 from the catchments of the sites (graph-free). `demand` per origin, `supply` and
/// `catchments` per site. Fills everything but `searches`. Throws Error for mismatched sizes or
/// an origin index out of range.
[[nodiscard]] AplResult two_step_fca(std::span<const Catchment> catchments, std::span<const double> demand,
                                     std::span<const double> supply, const AplDecay& decay);

/// The supply of every facility of `service`: its supply column when spec.apl.supply_field names
/// one (every facility must then have read it), else 1. Throws ConfigError naming the first
/// facility without a supply.
[[nodiscard]] std::vector<double> site_supply(const ServiceInputs& service);

/// The APL from `sites` (snapped onto in.graph) with `supply` each, in `direction`, with `spec`.
/// Throws ConfigError for a bad spec, Error for sizes that differ or when conservation fails (a
/// bug: the identity holds for any input).
[[nodiscard]] AplResult compute_apl(const StudyInputs& in, TravelDirection direction, std::span<const Snap> sites,
                                    std::span<const double> supply, const AplSpec& spec, int threads = 0);
/// The same for the facilities of service `service` of `in` (site_supply, its direction).
[[nodiscard]] AplResult compute_apl(const StudyInputs& in, std::size_t service, const AplSpec& spec,
                                    int threads = 0);

/// APL of one area: the study, a département, an EPCI, a commune (or zone).
struct AplArea {
    std::string scope;                  ///< "study", "departement", "epci", "commune" (or "zone")
    std::string code;
    std::string name;
    std::size_t origins = 0;
    double population = 0.0;
    /// Population-weighted mean of the origins' APL, scaled (× per_inhabitants); the plain mean
    /// when the area's origins have no population; nullopt when it has no origin.
    std::optional<double> apl;
    double population_under = 0.0;     ///< inhabitants whose APL is strictly under the threshold
    std::optional<double> share_under; ///< population_under / population; nullopt when population is 0
    double population_no_site = 0.0;   ///< inhabitants with no site within reach (APL 0), among population_under
};

struct AplAreas {
    std::vector<AplArea> zones;  ///< per zone of in.zones, in its order
    std::vector<AplArea> areas;  ///< study, départements, EPCI (by code), then the zones: as aggregate()
};

/// Aggregates per-origin APL (unscaled, as AplResult::apl) with spec's scale and threshold.
[[nodiscard]] AplAreas aggregate_apl(const StudyInputs& in, std::span<const double> apl, const AplSpec& spec);

} // namespace proxima
