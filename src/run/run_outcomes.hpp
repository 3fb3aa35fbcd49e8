#pragma once
// What `proxima run` found, for the console and run.json (private to run/).

#include <nlohmann/json.hpp>

#include "proxima/analysis/aggregation.hpp"
#include "proxima/report/run_manifest.hpp"
#include "proxima/run/run_study.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima {

/// Per service: population beyond the threshold in the study, and the EPCI (French studies) or
/// zone with the highest share beyond.
[[nodiscard]] std::vector<ServiceOutcome> service_outcomes(const StudyInputs& in, const StudyResults& results);

/// The pôles de services for the console (one line per gamme, the names of the communes) and for
/// run.json; both empty when the study classifies none.
struct PolesSummary {
    std::string text;
    nlohmann::ordered_json json;
};
[[nodiscard]] PolesSummary poles_summary(const StudyInputs& in);

/// How the origins were placed (counts per placement; the communes placed at a point on surface
/// where it matters most: largest area × population) and, per age group of the study, its
/// population beyond each service's threshold: console lines and run.json's population keys.
struct PopulationNotes {
    std::string text;
    nlohmann::ordered_json placement;
    nlohmann::ordered_json age_groups;
};
[[nodiscard]] PopulationNotes population_notes(const StudyInputs& in, const StudyResults& results);

/// run.json: where every number came from (inputs with their SHA-256, graph, parameters,
/// services, population, pôles, warnings, timings, outputs).
[[nodiscard]] RunManifest make_run_manifest(const StudyInputs& in, const RunOptions& options, const RunSummary& summary,
                                            const nlohmann::ordered_json& poles);

} // namespace proxima
