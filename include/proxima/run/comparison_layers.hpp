#pragma once
// The before/after outputs of a scenario (layers, maps), shared by the scenario and siting jobs.

#include <filesystem>
#include <string>
#include <vector>

#include "proxima/analysis/scenario.hpp"
#include "proxima/report/layer_writer.hpp"
#include "proxima/run/output_folder.hpp"

namespace proxima {

/// The zones with their before/after figures (polygons): code, nom, population, before_min,
/// after_min, delta_min, pop_over_before, pop_over_after.
[[nodiscard]] OutputLayer zone_comparison_layer(const std::string& name, const StudyInputs& in,
                                                const ScenarioComparison& comparison);
/// Every area's before/after figures (table): scope, code, nom, population, pop_over_before,
/// pop_over_after, delta_pop_over, share_over_before, share_over_after, mean_min_before,
/// mean_min_after, delta_mean_min, pop_unreachable_before, pop_unreachable_after.
[[nodiscard]] OutputLayer area_comparison_table(const std::string& name, const ScenarioComparison& comparison);
/// The origins with their before/after times (points): id, zone, population, before_min,
/// after_min, delta_min, nearest_before, nearest_after.
[[nodiscard]] OutputLayer origin_comparison_layer(const std::string& name, const StudyInputs& in,
                                                  const ScenarioResult& result);

/// Writes maps/before.png (unless `after_only`) and maps/after.png under `dir`: the service's
/// map (report/run_maps.hpp) with the deficit zones of each situation; on the after map the
/// sites the scenario opens are highlighted (`highlight_caption`). Returns the files written.
std::vector<std::string> write_comparison_maps(const std::filesystem::path& dir, const StudyInputs& in,
                                               const ScenarioResult& result, const std::string& highlight_caption,
                                               bool after_only);

} // namespace proxima
