#pragma once
// The layers of `proxima run` (access.gpkg and its CSV tables), built from the inputs and the
// results: one function per layer, the fields documented in the README.

#include <span>
#include <vector>

#include "proxima/analysis/access_times.hpp"
#include "proxima/analysis/aggregation.hpp"
#include "proxima/report/layer_writer.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima {

/// The zones (polygons) with, per service, <id>_min, <id>_max_min, <id>_pop_over, <id>_over.
[[nodiscard]] OutputLayer zones_layer(const StudyInputs& in, const StudyResults& results);
/// The origins, as points ("origins") or grid cells ("cells"), with per service <id>_min and
/// <id>_nearest.
[[nodiscard]] OutputLayer origins_layer(const StudyInputs& in, const AccessTable& access);
/// Every facility of every service, where it stands, with its snapping distance.
[[nodiscard]] OutputLayer services_layer(const StudyInputs& in);
/// One feature "deficit_<id>": the population beyond the threshold is exact; the polygon
/// (run/deficit_area.hpp) may be empty (NULL geometry) while some inhabitants are beyond.
[[nodiscard]] OutputLayer deficit_layer(const StudyInputs& in, const StudyResults& results, std::size_t service,
                                        std::vector<unsigned char> area);
/// Every area (study, département, EPCI, zone) × service: population beyond, share, bands.
[[nodiscard]] OutputLayer summary_table(const StudyResults& results);

/// The layers that also get a CSV table (not the deficit and isochrone polygons).
[[nodiscard]] bool run_layer_has_csv(const OutputLayer& layer);

} // namespace proxima
