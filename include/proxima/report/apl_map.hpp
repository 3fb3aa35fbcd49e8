#pragma once
// The PNG map of a service's APL (analysis/apl.hpp), in the style of the access maps: the same
// borders, labels, sites, frame and source line as scene_for_service(), the zones coloured by their
// population-weighted APL (grid cells by their own) in classes around the threshold, the zones
// (or cells) under the threshold hatched, and notes saying how many inhabitants are under it,
// how many have no site within reach, and where the supply comes from (1 per site is said to be
// an assumption).

#include <filesystem>
#include <string>
#include <vector>

#include "proxima/analysis/access_times.hpp"
#include "proxima/analysis/aggregation.hpp"
#include "proxima/analysis/apl.hpp"
#include "proxima/report/map_renderer.hpp"
#include "proxima/report/run_maps.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima {

/// Six classes of APL values (scaled, in the unit of the spec): 0 (no site within reach), then
/// (0, T/2), [T/2, T), [T, 1.5 T), [1.5 T, 2 T), 2 T and more, for the threshold T; from dark
/// (little access) to light, the viridis colours of the time maps.
[[nodiscard]] std::vector<MapValueClass> apl_map_classes(const AplSpec& spec);

/// The map scene of the APL of service `s` (index into in.services): `access` and `results` as
/// for scene_for_service() (they place the frame and the sites), `apl` and `areas` from
/// compute_apl() and aggregate_apl() with `spec`, `context` map_context(in). Throws as
/// scene_for_service(), and Error if the results do not match the inputs.
[[nodiscard]] MapScene apl_scene(const StudyInputs& in, const AccessTable& access, const StudyResults& results,
                                 std::size_t s, const AplResult& apl, const AplAreas& areas, const AplSpec& spec,
                                 const MapContext& context);

} // namespace proxima
