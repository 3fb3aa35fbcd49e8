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
/// The same rows, one table per scope in the order of the areas: "<name>_study",
/// "<name>_departements", "<name>_epci", "<name>_communes" (or "_zones"), for the CSV files a
/// planner opens by scale.
[[nodiscard]] std::vector<OutputLayer> area_comparison_tables_by_scope(const std::string& name,
                                                                     const ScenarioComparison& comparison);
/// The origins with their before/after times (points): id, zone, population, before_min,
/// after_min, delta_min, nearest_before, nearest_after.
[[nodiscard]] OutputLayer origin_comparison_layer(const std::string& name, const StudyInputs& in,
                                                  const ScenarioResult& result);

} // namespace proxima
