#pragma once
// The siting job (`proxima site`): choose K new sites of a service among candidates (greedy with
// lazy evaluation), then write siting.gpkg, CSV tables, the cumulative curve, the map of the final
// situation and siting.json in a result folder (run/output_folder.hpp).

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "proxima/analysis/siting.hpp"
#include "proxima/core/log.hpp"
#include "proxima/run/scenario_job.hpp"
#include "proxima/study/study_file.hpp"

namespace proxima {

struct SitingJob {
    std::string service;                    ///< service id of the study
    std::size_t k = 0;                      ///< new sites to choose, 1..1000
    std::string candidates;                 ///< "communes", "cells" or a CSV file of points id,lon,lat
    SitingObjective objective = SitingObjective::coverage;
    std::optional<double> threshold_min;    ///< overrides the service's threshold
    double cap_min = 180.0;                 ///< mean-time: cap of every time and value of unreachable
    bool compare_exhaustive = false;        ///< also search every K-subset and report the gap
    std::optional<double> apl_threshold;    ///< apl: overrides the service's APL threshold
    std::optional<double> new_supply;       ///< apl: supply of each new site (default 1 without a supply column)
    std::filesystem::path output_dir;       ///< empty: "<study output>-site-<service>"
    bool force = false;                     ///< replace a previous result folder
    int threads = 0;                        ///< candidate searches in parallel (0: OpenMP's default)
    CsvDialect csv_dialect = CsvDialect::gis; ///< of the CSV tables
};

/// "coverage", "mean-time" or "apl"; ConfigError otherwise.
[[nodiscard]] SitingObjective parse_siting_objective(const std::string& text);

/// Chooses the sites and writes the folder (all or nothing). Throws ConfigError for bad
/// parameters or service, InputError for bad inputs, OutputError if the folder cannot be written.
[[nodiscard]] ScenarioJobResult run_siting_job(const StudyFile& study, const SitingJob& job, const Log& log);

} // namespace proxima
