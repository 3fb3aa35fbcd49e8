#pragma once
// The maps of a scenario or a siting: the service's map (report/run_maps.hpp) before and after,
// each with the deficit territory of its own situation, and the map of the minutes each place
// gains.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "proxima/analysis/scenario.hpp"
#include "proxima/graph/ids.hpp"
#include "proxima/report/map_renderer.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima {

/// How the sites a situation adds are drawn: one highlight symbol, or numbered in the order they
/// were added (1, 2, 3..., the order of a siting's choice) and named after the zone (commune)
/// that holds them.
enum class ComparisonMapStyle { highlighted_sites, numbered_sites };

/// Minutes an origin saves (before − after). +∞ when it reaches a site only after, −∞ when only
/// before, nullopt when in neither situation.
[[nodiscard]] std::optional<double> minutes_saved(Deciseconds before, Deciseconds after);

/// The classes of the gain map: slower, unchanged (under 3 seconds either way), then minutes
/// saved 0–2, 2–5, 5–10, 10–20, 20 and more (or a first access).
[[nodiscard]] std::vector<MapValueClass> gain_map_classes();

/// Inhabitants who cross the threshold: beyond it (or reaching no site) before and within after,
/// and the other way round.
struct ThresholdCrossings {
    double now_within = 0.0;
    double now_beyond = 0.0;
};
[[nodiscard]] ThresholdCrossings threshold_crossings(const StudyInputs& in, const ScenarioResult& result,
                                                     double threshold_min);

/// Writes maps/before.png and maps/gain.png (unless `after_only`) and maps/after.png under `dir`:
///  - before, after: the service's map with the deficit territory of each situation; on the
///    after map the sites the scenario opens are highlighted (`highlight_caption`, `style`) and
///    the headline says how many inhabitants pass under the threshold;
///  - gain: each zone in the class of its inhabitants' mean minutes saved (population-weighted,
///    over those who reach a site in both situations; a zone whose people only reach one after
///    is in the top class), each populated place in the class of its own gain.
/// Returns the files written, relative to `dir`.
std::vector<std::string> write_comparison_maps(const std::filesystem::path& dir, const StudyInputs& in,
                                               const ScenarioResult& result, const std::string& highlight_caption,
                                               bool after_only,
                                               ComparisonMapStyle style = ComparisonMapStyle::highlighted_sites);

} // namespace proxima
