#pragma once
// The APL job (`proxima apl`): the accessibilité potentielle localisée (E2SFCA, analysis/apl.hpp)
// of one service of a study, written as apl.gpkg (zones, origins, sites, areas), the same tables
// as CSV, maps/apl_<service>.png and apl.json (provenance: decay, supply column or the assumption
// of 1 per site, demand, conservation) in a result folder (run/output_folder.hpp).

#include <filesystem>
#include <optional>
#include <string>

#include "proxima/core/log.hpp"
#include "proxima/run/scenario_job.hpp"
#include "proxima/study/study_file.hpp"

namespace proxima {

struct AplJob {
    std::string service;                      ///< service id of the study
    std::optional<double> threshold;          ///< overrides the APL threshold ([services.<id>.apl] threshold)
    std::optional<std::string> supply_field;  ///< overrides the supply column (apl.supply_field)
    std::filesystem::path output_dir;         ///< empty: "<study output>-apl-<service>"
    bool force = false;                       ///< replace a previous result folder
    bool maps = true;                         ///< maps/apl_<service>.png
    int threads = 0;                          ///< 0: all cores
};

/// Computes the APL and writes the folder (all or nothing). Throws ConfigError for an unknown
/// service or bad parameters (before any file is read or created), InputError for bad inputs (a
/// supply column missing or holding a bad value names the file, line and fix), OutputError if the
/// folder cannot be written, Error if the conservation check fails.
[[nodiscard]] ScenarioJobResult run_apl_job(const StudyFile& study, const AplJob& job, const Log& log);

} // namespace proxima
