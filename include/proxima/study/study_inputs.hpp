#pragma once
// Everything a study reads, assembled and checked: the road graph, zones matched to the commune
// table, population, origins (where people start) and facilities per service (where they go),
// all snapped onto the graph. Data defects are counted and listed here, never dropped silently;
// `proxima inspect` prints them and later stages carry them into run.json.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxima/core/log.hpp"
#include "proxima/graph/road_graph.hpp"
#include "proxima/routing/snap.hpp"
#include "proxima/study/service_poles.hpp"
#include "proxima/study/study_file.hpp"
#include "proxima/territory/commune_table.hpp"
#include "proxima/territory/facilities.hpp"
#include "proxima/territory/population_grid.hpp"
#include "proxima/territory/zones.hpp"

namespace proxima {

/// How an origin was placed (reported per origin in the outputs, counted in run.json).
enum class OriginPlacement {
    cell,              ///< a populated grid cell (population from the grid)
    point,             ///< a populated point of the points file
    chef_lieu,         ///< the commune's chef-lieu (IGN ADMIN EXPRESS CHFLIEU_COMMUNE)
    reference_point,   ///< the zone's point in the [origins] file
    spread_on_cells,   ///< one of the commune's populated grid cells, carrying a share of its population
    point_on_surface,  ///< last resort: a point inside the zone's polygon
};
[[nodiscard]] const char* to_string(OriginPlacement placement);

struct Origin {
    std::string id;           ///< commune code, cell id or point name
    std::size_t zone = 0;     ///< index into StudyInputs::zones.zones
    LonLat position;
    double population = 0.0;
    Snap snap;
    double grid_x = 0.0;      ///< cell centre in the grid's CRS (grid cells only), for cell polygons
    double grid_y = 0.0;
    OriginPlacement placement = OriginPlacement::cell;
    /// Inhabitants of each of the study's age groups (StudyFile::Population::groups), same order.
    std::vector<double> groups{};
};

/// Population the study could not place on an origin, with why (shown to the user, in run.json).
struct UnplacedPopulation {
    std::string what;         ///< e.g. "Incles (no coordinates)", "3 cells outside the study zones"
    double population = 0.0;
};

struct ServiceInputs {
    ServiceSpec spec;
    std::vector<Facility> facilities;
    std::vector<Snap> snaps;             ///< per facility
    std::size_t from_osm = 0;
    std::size_t from_bpe = 0;
    std::size_t from_files = 0;
    std::size_t long_snaps = 0;          ///< snapped farther than network.warn_snap_m
    std::vector<UnplacedRow> unplaced;   ///< rows of its sources without usable coordinates
    /// OSM places matching the service's osm_unconfirmed selectors (hospitals without an
    /// emergency=* tag for urgences), sorted by OSM id: not counted unless spec.include_unconfirmed,
    /// then also in `facilities` (counted in from_osm).
    std::vector<Facility> unconfirmed{};
};

struct StudyInputs {
    StudyFile study;
    /// Shared, never copied: a view of the inputs (one service, the maps of a scenario) is a plain
    /// copy of this struct.
    std::shared_ptr<const RoadGraph> road_graph;
    [[nodiscard]] const RoadGraph& graph() const { return *road_graph; }
    std::string graph_origin;            ///< "built from ...", "loaded from cache ...", "rebuilt (stale cache)"
    /// The snapping index of road_graph, built once when the inputs are snapped and shared by
    /// every later stage (rasters, pôles, scenarios, siting); see shared_snapper().
    std::shared_ptr<const EdgeSnapper> edge_snapper;

    ZoneLayer zones;                     ///< after the zones.codes/departements filter
    std::optional<CommuneTable> communes;
    ZoneJoin join;                       ///< zones vs communes (empty if no table)

    std::optional<PopulationGrid> grid;
    double population_total = 0.0;       ///< all population read (before placing)
    std::vector<Origin> origins;
    std::vector<UnplacedPopulation> unplaced_population;
    std::size_t origins_long_snaps = 0;
    double origins_long_snaps_population = 0.0;

    std::vector<ServiceInputs> services;
    /// Pôles de services, when a service needs them or the study has a [poles] section.
    std::optional<PoleClassification> poles;
    std::vector<std::string> warnings;   ///< every warning, in order, for the log and run.json
    std::vector<std::pair<std::string, double>> timings;  ///< sub-phases of the load, seconds
    std::vector<double> timings_peak_mib;  ///< peak resident memory at the end of each, MiB
};

/// Reads and checks every input of a study. Throws InputError/ConfigError/CacheError naming the
/// file and the fix for anything that prevents a correct result: unreadable files, a filter code
/// absent from the zones, a service with no facility, a facility farther than max_snap_m from
/// any road.
[[nodiscard]] StudyInputs load_study_inputs(const StudyFile& study, const Log& log = Log{});

struct StudyLoadOptions {
    /// A service with no facility is kept (everyone unreachable) instead of refused, with a
    /// warning: siting chooses the first sites of a service the territory does not have yet.
    bool allow_services_without_sites = false;
    /// Called once the zones are read, before the graph is loaded: a check that can refuse the
    /// study on its zones alone (a raster too large for them) does so before the longest step.
    std::function<void(const StudyInputs&)> after_zones;
};
[[nodiscard]] StudyInputs load_study_inputs(const StudyFile& study, const StudyLoadOptions& options,
                                            const Log& log = Log{});

/// The inputs' snapping index: edge_snapper when load_study_inputs built it, else (inputs
/// assembled by hand, as in tests) a new one over in.graph().
[[nodiscard]] std::shared_ptr<const EdgeSnapper> shared_snapper(const StudyInputs& in);

/// Placed population summed by EPCI and by département (through the commune table), so that
/// origins → communes → EPCI → département can be reconciled. Zones without a table match go to
/// `no_commune`. Groups sorted by code.
struct PopulationGroup {
    std::string code;
    std::string name;
    double population = 0.0;
};
struct PopulationReconciliation {
    std::vector<PopulationGroup> by_epci;
    std::vector<PopulationGroup> by_departement;
    double no_commune = 0.0;   ///< population of zones not in the commune table
    double total = 0.0;        ///< placed population (sum over origins)
};
[[nodiscard]] PopulationReconciliation reconcile_population(const StudyInputs& inputs);

/// What `proxima inspect` prints: a readable account of the inputs and of every defect found.
[[nodiscard]] std::string format_inspection(const StudyInputs& inputs);

} // namespace proxima
