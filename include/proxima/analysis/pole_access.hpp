#pragma once
// Access to the levels of pôles de services: for every origin, the time to the nearest pôle of
// each gamme the study classified, and the highest level reached within that level's threshold
// ("these areas are over 20 min from any pôle intermédiaire"). The destinations are the poles'
// service centres (study/service_poles.hpp), inside the study area or in its buffer; thresholds
// are those of the pole services (the study's, else the catalogue's: 10, 20, 30 min).

#include <cstddef>
#include <string>
#include <vector>

#include "proxima/analysis/access_times.hpp"
#include "proxima/study/study_inputs.hpp"
#include "proxima/territory/gammes.hpp"

namespace proxima {

struct PoleAccess {
    std::vector<Gamme> gammes;          ///< classified gammes with at least one pole, proximité first
    std::vector<double> threshold_min;  ///< per entry of `gammes`
    std::vector<std::size_t> poles;     ///< destinations searched, per entry of `gammes`
    std::size_t unsnapped = 0;          ///< pole destinations farther than network.max_snap_m from a road
    AccessTable times;                  ///< one column per entry of `gammes`
    /// Per origin: index into `gammes` of the highest level within its threshold; -1 if none.
    std::vector<int> level;
};

/// Nothing to compute (empty `gammes`) when the study has no pôle classification. Throws as
/// compute_access().
[[nodiscard]] PoleAccess compute_pole_access(const StudyInputs& in, int threads = 0);

} // namespace proxima
