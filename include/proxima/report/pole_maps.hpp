#pragma once
// The maps of the pôles de services: the level of every commune (maps/poles.png) and the access
// to the levels (maps/poles_access.png), in the frame, roads and borders of the service maps.

#include <filesystem>
#include <string>
#include <vector>

#include "proxima/analysis/access_times.hpp"
#include "proxima/analysis/aggregation.hpp"
#include "proxima/analysis/pole_access.hpp"
#include "proxima/report/map_renderer.hpp"
#include "proxima/report/run_maps.hpp"

namespace proxima {

/// Each study zone in the class of its highest pole level (not a pole, proximité, intermédiaire,
/// supérieur; "non classée" when the classification could not count it), the legend giving the
/// number of communes of each level and the notes the number of poles of each gamme (a pôle
/// supérieur also counts in the gammes below it when it qualifies) and the method; the service
/// centres of the poles (inside the study or in its buffer) as pole symbols. `in.poles` must be set
/// (Error otherwise); `s` is any service of the study (its map gives the frame).
[[nodiscard]] MapScene poles_scene(const StudyInputs& in, const AccessTable& access, const StudyResults& results,
                                   const MapContext& context);

/// Each populated place, and each zone by the level most of its inhabitants reach, in the class
/// of the highest pole level within that level's threshold ("pôle supérieur à 30 min ou moins"...,
/// "aucun pôle à portée"); the notes give the inhabitants of each class. Error if `poles` has no
/// gamme or does not match the inputs.
[[nodiscard]] MapScene pole_access_scene(const StudyInputs& in, const AccessTable& access,
                                         const StudyResults& results, const PoleAccess& poles,
                                         const MapContext& context);

/// Writes maps/poles.png and, when `poles` has a gamme, maps/poles_access.png under `dir`.
/// Returns the files written, relative to `dir`.
std::vector<std::string> write_pole_maps(const std::filesystem::path& dir, const StudyInputs& in,
                                         const AccessTable& access, const StudyResults& results,
                                         const PoleAccess& poles, const MapContext& context);

} // namespace proxima
