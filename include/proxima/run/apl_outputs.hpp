#pragma once
// The APL of a service as results to write (shared by `proxima apl` and `proxima run` for the
// services with indicator = "apl"): computed and aggregated once, then as layers (zones, origins,
// sites, areas), the map, the JSON provenance (decay, supply, demand, conservation) and a few
// console lines. Units are in the column names (apl_per_10000_inh, ratio_per_10000_inh,
// supply_<unit>, nearest_min); NULL where a value does not exist, never 0 in its place.

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "proxima/analysis/access_times.hpp"
#include "proxima/analysis/aggregation.hpp"
#include "proxima/analysis/apl.hpp"
#include "proxima/analysis/scenario.hpp"
#include "proxima/report/layer_writer.hpp"
#include "proxima/report/run_maps.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima {

struct AplOutcome {
    std::size_t service = 0;  ///< index into StudyInputs::services
    AplSpec spec;             ///< as used (the service's, with any override)
    AplResult result;
    AplAreas areas;
};

/// compute_apl() and aggregate_apl() for service `service` with `spec`. Throws as compute_apl().
[[nodiscard]] AplOutcome compute_apl_outcome(const StudyInputs& in, std::size_t service, const AplSpec& spec,
                                             int threads = 0);

/// The zones (polygons): code, nom, population, epci_siren, apl_<scale>, pop_under, share_under,
/// pop_no_site, under (0/1; NULL without origin).
[[nodiscard]] OutputLayer apl_zones_layer(const std::string& name, const StudyInputs& in, const AplOutcome& apl);
/// The origins (points): id, zone, population, apl_<scale>, sites_within, nearest_min (NULL: no
/// site within reach), under (0/1).
[[nodiscard]] OutputLayer apl_origins_layer(const std::string& name, const StudyInputs& in, const AplOutcome& apl);
/// The sites (points): id, name, source, supply_<unit>, supply_assumed (1: 1 per site by
/// assumption), weighted_demand_inh, pop_within, origins_within, ratio_<scale> (NULL: no
/// population within reach).
[[nodiscard]] OutputLayer apl_sites_layer(const std::string& name, const StudyInputs& in, const AplOutcome& apl);
/// Every area (study, départements, EPCI, zones): scope, code, nom, population, apl_<scale>,
/// threshold_<scale>, pop_under, share_under, pop_no_site.
[[nodiscard]] OutputLayer apl_areas_table(const std::string& name, const AplOutcome& apl);

/// Provenance and results for a JSON manifest: service, indicator and its source, decay, supply
/// (column or the assumption of 1 per site), demand, scale and threshold, study figures,
/// conservation, searches.
[[nodiscard]] nlohmann::ordered_json apl_json(const StudyInputs& in, const AplOutcome& apl);

/// Two or three lines for the console: APL of the study, population under the threshold, the
/// supply assumption, the conservation residual.
[[nodiscard]] std::string apl_console_summary(const StudyInputs& in, const AplOutcome& apl);

/// For `proxima run`: the APL of every service with indicator = "apl", in service order.
[[nodiscard]] std::vector<AplOutcome> compute_run_apl(const StudyInputs& in, int threads = 0);
/// Its layers in access.gpkg: apl_<id> (zones), apl_origins_<id>, apl_sites_<id>, apl_areas_<id>.
[[nodiscard]] std::vector<OutputLayer> apl_run_layers(const StudyInputs& in, const AplOutcome& apl);

/// The APL before and after a scenario (`proxima scenario --apl`): the existing sites, then the
/// sites after (kept ones and moved ones keep their supply; new ones supply `new_supply`).
struct AplComparison {
    AplSpec spec;
    double new_supply = 1.0;
    AplResult before;
    AplResult after;
    AplAreas areas_before;
    AplAreas areas_after;
};
/// Throws ConfigError when new sites need a supply (the service reads a supply column) and
/// `new_supply` is not given or not a number from 0 to 1e9; as compute_apl() otherwise.
[[nodiscard]] AplComparison compare_apl(const StudyInputs& in, const ScenarioResult& scenario, const AplSpec& spec,
                                        std::optional<double> new_supply, int threads = 0);
/// Zones (polygons) with code, nom, population, apl_before_<scale>, apl_after_<scale>,
/// delta_<scale>, pop_under_before, pop_under_after.
[[nodiscard]] OutputLayer apl_zone_comparison_layer(const std::string& name, const StudyInputs& in,
                                                    const AplComparison& c);
/// Every area (study, départements, EPCI, zones), the same columns without geometry.
[[nodiscard]] OutputLayer apl_area_comparison_table(const std::string& name, const AplComparison& c);
/// Parameters, study figures before/after and both conservation checks, for scenario.json.
[[nodiscard]] nlohmann::ordered_json apl_comparison_json(const StudyInputs& in, const AplComparison& c);
/// One or two lines for the console.
[[nodiscard]] std::string apl_comparison_summary(const AplComparison& c);

/// Renders the APL map of `apl` at `dir / relative` (creating its folder). `access` and `results`
/// as for scene_for_service(), `context` map_context(in).
void write_apl_map(const std::filesystem::path& dir, const std::string& relative, const StudyInputs& in,
                   const AccessTable& access, const StudyResults& results, const AplOutcome& apl,
                   const MapContext& context);

} // namespace proxima
