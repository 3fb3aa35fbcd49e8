#pragma once
// The scenario job (`proxima scenario`): a service's sites open, close or move; times before and
// after for every origin and area, written as scenario.gpkg, CSV tables, before/after maps and
// scenario.json in a result folder (run/output_folder.hpp).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "proxima/analysis/scenario.hpp"
#include "proxima/core/log.hpp"
#include "proxima/report/layer_writer.hpp"
#include "proxima/study/study_file.hpp"

namespace proxima {

struct ScenarioJob {
    std::string service;                     ///< service id of the study
    ScenarioSpec spec;                       ///< what opens, closes, moves
    std::optional<double> threshold_min;     ///< overrides the service's threshold
    std::filesystem::path output_dir;        ///< empty: "<study output>-scenario-<name>"
    bool force = false;                      ///< replace a previous result folder
    CsvDialect csv_dialect = CsvDialect::gis; ///< of the CSV tables
    bool apl = false;                        ///< also the APL before and after (layers apl_<name>, scenario.json)
    std::optional<double> apl_threshold;     ///< overrides the service's APL threshold
    std::optional<double> new_supply;        ///< APL supply of each new site (default 1 without a supply column)
    int threads = 0;                         ///< APL searches in parallel (0: all cores)
};

struct ScenarioJobResult {
    std::filesystem::path dir;
    std::vector<std::string> files;  ///< relative to dir
    std::string summary;             ///< a few lines in plain words, for the console
};

/// Runs the scenario and writes its folder (all or nothing). Throws ConfigError for a bad
/// scenario or service, InputError for bad inputs, OutputError if the folder cannot be written.
[[nodiscard]] ScenarioJobResult run_scenario_job(const StudyFile& study, const ScenarioJob& job, const Log& log);

} // namespace proxima
