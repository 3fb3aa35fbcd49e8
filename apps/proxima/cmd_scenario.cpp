// proxima scenario STUDY.toml --service ID [--add NAME,LON,LAT]... [--remove FACILITY_ID]...
//                  [--move FACILITY_ID,LON,LAT]... [--name NAME] [--threshold MIN] [-o DIR] [--force]
//                  [--apl [--apl-threshold APL] [--supply S]]
// The job itself is run/scenario_job.hpp.

#include <iostream>

#include <fmt/format.h>

#include "cli_common.hpp"
#include "proxima/core/error.hpp"
#include "proxima/run/scenario_job.hpp"

namespace proxima::cli {

namespace {

struct ScenarioArguments {
    std::string study;
    std::string service;
    std::vector<std::string> add;
    std::vector<std::string> remove;
    std::vector<std::string> move;
    std::string name = "scenario";
    double threshold = 0.0;
    std::string output;
    std::string csv_dialect = "gis";
    bool force = false;
    int threads = 0;
    bool apl = false;
    double apl_threshold = 0.0;
    double supply = 1.0;
};

/// "NAME,LON,LAT" (the name may hold commas: the last two fields are the coordinates).
std::pair<std::string, LonLat> parse_named_point(const std::string& text, const std::string& option) {
    const auto last = text.rfind(',');
    const auto second = last == std::string::npos || last == 0 ? std::string::npos : text.rfind(',', last - 1);
    if (second == std::string::npos || second == 0) {
        throw ConfigError(fmt::format("{} '{}': expected NAME,LON,LAT (e.g. {} \"Maison de santé,1.5218,42.5063\")",
                                      option, text, option));
    }
    return {text.substr(0, second), parse_lonlat(text.substr(second + 1), option + " " + text.substr(0, second))};
}

} // namespace

void add_scenario_command(CLI::App& app, Context& context, int& exit_code) {
    auto* cmd = app.add_subcommand("scenario", "What if sites of a service open, close or move: times before and "
                                               "after by commune, EPCI, département; scenario.gpkg, CSV, maps");
    auto a = std::make_shared<ScenarioArguments>();
    cmd->add_option("study", a->study, "Study file (TOML), e.g. data/studies/andorra.toml")->required();
    cmd->add_option("--service", a->service, "Service id of the study (e.g. urgences)")->required();
    cmd->add_option("--add", a->add, "Open a site: NAME,LON,LAT (WGS84 degrees); repeatable");
    cmd->add_option("--remove", a->remove,
                    "Close a site: its facility id (the 'id' column of services.csv of `proxima run`, e.g. "
                    "osm:node/123); repeatable");
    cmd->add_option("--move", a->move, "Move a site: FACILITY_ID,LON,LAT; repeatable");
    cmd->add_option("--name", a->name, "Scenario name: layer scenario_<name>, default folder (default: scenario)");
    CLI::Option* threshold = cmd->add_option("--threshold", a->threshold, "Threshold in minutes (default: the service's)");
    cmd->add_option("-o,--output", a->output, "Output folder (default: <study output>-scenario-<name>)");
    cmd->add_flag("--force", a->force, "Replace the output folder if it exists");
    cmd->add_flag("--apl", a->apl, "Also the APL (E2SFCA) before and after, by commune, EPCI, département");
    CLI::Option* apl_threshold = cmd->add_option(
        "--apl-threshold", a->apl_threshold, "With --apl: the APL threshold (default: [services.<id>.apl] threshold)");
    CLI::Option* supply = cmd->add_option(
        "--supply", a->supply, "With --apl: supply of each new site, in the unit of the service's supply (default 1)");
    add_threads_option(*cmd, a->threads);
    add_csv_dialect_option(*cmd, a->csv_dialect);
    cmd->callback([&context, &exit_code, a, threshold, apl_threshold, supply] {
        exit_code = guarded(context, [&] {
            const StudyFile study = load_study(a->study);
            ScenarioJob job;
            job.service = a->service;
            job.spec.name = a->name;
            for (const auto& text : a->add) {
                auto [name, p] = parse_named_point(text, "--add");
                job.spec.add.push_back({name, p});
            }
            job.spec.remove = a->remove;
            for (const auto& text : a->move) {
                auto [id, p] = parse_named_point(text, "--move");
                job.spec.move.push_back({id, p});
            }
            if (threshold->count() > 0) {
                job.threshold_min = a->threshold;
            }
            a->threads = checked_threads(a->threads, context);
            job.threads = a->threads;
            job.apl = a->apl;
            if (apl_threshold->count() > 0) {
                job.apl_threshold = a->apl_threshold;
            }
            if (supply->count() > 0) {
                job.new_supply = a->supply;
            }
            job.output_dir = a->output;
            job.force = a->force;
            job.csv_dialect = parse_csv_dialect(a->csv_dialect);
            std::cout << run_scenario_job(study, job, context.log()).summary;
        });
    });
}

} // namespace proxima::cli
