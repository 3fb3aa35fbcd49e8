#pragma once
// The deficit area of one service as the outputs draw it (one rule for run, deficit and
// scenario maps): the grid cells beyond the threshold, dissolved (grid studies), or the zones
// whose population-weighted mean is beyond it.

#include <span>
#include <vector>

#include "proxima/analysis/aggregation.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima {

/// WKB WGS84 (multi)polygon, empty when nothing is beyond. `ds` per origin, `zones` the
/// aggregate() results of the same service.
[[nodiscard]] std::vector<unsigned char> deficit_area(const StudyInputs& in, std::span<const Deciseconds> ds,
                                                      const std::vector<ZoneServiceResult>& zones, double threshold_min);

/// How deficit_area() drew the area, for the layers' `method` field.
[[nodiscard]] const char* deficit_method(const StudyInputs& in);

} // namespace proxima
