#pragma once
// What-if scenarios for one service: open new sites, close existing ones, move them, and see the
// access times before and after — recomputing only what changes.
//
// How (exact, never approximated):
//  - the existing situation is one multi-source search from the service's facilities
//    (SiteAccess), which keeps the time of every search state to the nearest facility;
//  - new sites need one more search, from all of them at once, that never expands a state the
//    existing facilities already reach at least as fast: a state reached no faster cannot lead
//    to a faster path anywhere (a path through it is at least its baseline time plus the rest).
//    So only the area the new sites win is searched (the kernel's prune hook), and
//    min(before, new) is the exact result;
//  - closing sites changes every origin whose nearest closed: one full search from the
//    remaining facilities (exactness first), then the new sites as above. Moving a site is
//    closing it and opening one at the new place.
// Ties keep the existing facility, as compute_access() would with the new sites listed after the
// existing ones. Times are deciseconds inside, minutes at the outputs; unreachable is
// unreachable_ds / nullopt, never 0.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "proxima/analysis/access_times.hpp"
#include "proxima/analysis/aggregation.hpp"
#include "proxima/routing/multi_source_dijkstra.hpp"
#include "proxima/routing/origin_index.hpp"
#include "proxima/routing/snap.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima {

/// An origin that some new sites serve strictly faster than the current ones.
struct OriginImprovement {
    std::uint32_t origin = 0;  ///< index into StudyInputs::origins
    Deciseconds ds = 0;        ///< new time (deciseconds), < the current time
    std::uint32_t site = 0;    ///< which new site (index into the sites given), lowest on ties
};

/// Scratch memory of one pruned search (the search kernel and its settled states): one per
/// thread, reused.
class PrunedSearch {
public:
    PrunedSearch() = default;

private:
    friend class SiteAccess;
    std::unique_ptr<MultiSourceDijkstra> m_search;
    std::vector<std::uint32_t> m_settled;
    std::vector<OriginImprovement> m_candidates;
};

/// Access from every origin to the nearest of a set of sites (or from it, for services that
/// drive out), kept with the time of every graph node so that more sites can be tried cheaply.
class SiteAccess {
public:
    /// One multi-source search from `sites` (snapped onto in.graph) in the direction of travel of
    /// `direction`; per-origin times equal compute_access() for a service with those facilities
    /// (both off-network legs, trips along a shared edge). `sites` may be empty (all unreachable).
    /// Borrows `in`, which must outlive this object.
    SiteAccess(const StudyInputs& in, TravelDirection direction, std::span<const Snap> sites);

    [[nodiscard]] std::size_t origin_count() const { return m_origin_ds.size(); }
    /// Deciseconds, unreachable_ds if no site can be reached.
    [[nodiscard]] Deciseconds origin_ds(std::size_t origin) const { return m_origin_ds[origin]; }
    /// Index into the sites given, invalid_index if unreachable (ties: lowest index).
    [[nodiscard]] std::uint32_t nearest(std::size_t origin) const { return m_nearest[origin]; }
    [[nodiscard]] std::span<const Deciseconds> origin_times() const { return m_origin_ds; }

    /// Every origin that `new_sites` serve strictly faster than the sites of this object, with
    /// the new time and the new site; sorted by origin. Exact (see the header comment); searches
    /// only the nodes the new sites reach strictly faster. Thread-safe with one PrunedSearch per
    /// thread. `settled`, if given, receives the number of nodes the search settled.
    [[nodiscard]] std::vector<OriginImprovement> improvements(std::span<const Snap> new_sites, PrunedSearch& scratch,
                                                              std::size_t* settled = nullptr) const;

    /// States settled by the full search of the constructor (for reports and benchmarks).
    [[nodiscard]] std::size_t settled_nodes() const { return m_settled; }

private:
    const StudyInputs& m_in;
    bool m_outbound = false;
    std::vector<Deciseconds> m_state_ds;    ///< per search state: time to (or from) the nearest site
    std::vector<Deciseconds> m_origin_ds;   ///< per origin
    std::vector<std::uint32_t> m_nearest;   ///< per origin
    OriginIndex m_origins;  ///< origins by the states of their own seeds, and by snapped edge
    std::size_t m_settled = 0;
};

/// Snaps a point the way the study snaps facilities (nearest edge within network.max_snap_m).
/// Throws InputError naming `what` and the position if no road is that close.
[[nodiscard]] Snap snap_site(const EdgeSnapper& snapper, const StudyInputs& in, LonLat position, const std::string& what);

// ---------------------------------------------------------------------------------------------
// Scenarios

struct NewSite {
    std::string name;          ///< label given by the user (also its id in the outputs)
    LonLat position;           ///< WGS84
};
struct MovedSite {
    std::string facility_id;   ///< Facility::id, e.g. "osm:node/123" ("node/123" is accepted)
    LonLat position;           ///< where it goes
};

struct ScenarioSpec {
    std::string name = "scenario";  ///< [A-Za-z0-9_-]+, used in the layer name scenario_<name>
    std::vector<NewSite> add;
    std::vector<std::string> remove;  ///< Facility::id values
    std::vector<MovedSite> move;
};

/// A site that the scenario opens or closes (a move is both).
struct ScenarioSiteChange {
    enum class Kind { added, removed, moved_from, moved_to };
    Kind kind = Kind::added;
    std::string id;
    std::string name;
    LonLat position;
    double snap_m = 0.0;       ///< off-network leg, metres
};
[[nodiscard]] const char* to_string(ScenarioSiteChange::Kind kind);

struct ScenarioResult {
    std::size_t service = 0;                       ///< index into StudyInputs::services
    /// The kept facilities in their order, then the moved ones at their new place (in --move
    /// order), then the added ones (id "scenario:<name>").
    std::vector<Facility> facilities_after;
    std::vector<Snap> snaps_after;
    std::vector<Deciseconds> before_ds;            ///< per origin
    std::vector<std::uint32_t> before_nearest;     ///< into the service's facilities
    std::vector<Deciseconds> after_ds;             ///< per origin
    std::vector<std::uint32_t> after_nearest;      ///< into facilities_after
    std::vector<ScenarioSiteChange> changes;       ///< in the order given: removed, moved, added
    std::size_t full_searches = 0;                 ///< multi-source searches over the whole graph
    std::size_t pruned_searches = 0;               ///< searches limited to where new sites win
    std::size_t settled_nodes = 0;                 ///< search states settled by all searches
    std::size_t improved_origins = 0;              ///< origins faster after (by new sites)
};

/// Checks what can be checked without the inputs: the name, at least one change, distinct names
/// of new sites. Throws ConfigError.
void check_scenario_spec(const ScenarioSpec& spec);

/// Applies `spec` to service `service` of `in`. Throws ConfigError for an empty scenario, a bad
/// name, or the same facility removed/moved twice; InputError naming the facility id (and how to
/// find valid ids) for an unknown one, and naming the site for a new position farther than
/// network.max_snap_m from any road. `snapper` (over in.graph): the inputs' shared one if not given.
[[nodiscard]] ScenarioResult run_scenario(const StudyInputs& in, std::size_t service, const ScenarioSpec& spec,
                                          const EdgeSnapper* snapper = nullptr);

/// Before/after figures of one area (the study, a département, an EPCI, a commune/zone).
struct ScopeComparison {
    std::string scope;         ///< "study", "departement", "epci", "commune" (or "zone")
    std::string code;
    std::string name;
    double population = 0.0;
    double over_before = 0.0;  ///< population beyond the threshold (unreachable included)
    double over_after = 0.0;
    std::optional<double> mean_before_min;  ///< population-weighted mean over reachable origins
    std::optional<double> mean_after_min;
    double unreachable_before = 0.0;        ///< population that reaches no site
    double unreachable_after = 0.0;
};

struct ScenarioComparison {
    double threshold_min = 0.0;
    std::vector<ScopeComparison> areas;            ///< in aggregate()'s order: study, départements, EPCI, zones
    std::vector<ZoneServiceResult> zones_before;   ///< per zone (aggregate())
    std::vector<ZoneServiceResult> zones_after;
};

/// Aggregates both situations with aggregate() (threshold: the service's) and adds the
/// population-weighted mean time of every area.
[[nodiscard]] ScenarioComparison compare_scenario(const StudyInputs& in, const ScenarioResult& result);

/// The same for any two per-origin time vectors of service `service`.
[[nodiscard]] ScenarioComparison compare_access(const StudyInputs& in, std::size_t service,
                                                std::span<const Deciseconds> before, std::span<const Deciseconds> after);

/// A few lines in plain words: inhabitants beyond the threshold before and after, mean time,
/// the areas that gain most.
[[nodiscard]] std::string format_scenario_summary(const StudyInputs& in, const ScenarioResult& result,
                                                  const ScenarioComparison& comparison);

} // namespace proxima
