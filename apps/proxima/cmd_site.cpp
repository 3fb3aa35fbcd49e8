// proxima site STUDY.toml --service ID --k K --candidates communes|cells|FILE
//              [--objective coverage|mean-time|apl] [--threshold MIN] [--cap MIN] [--compare-exhaustive]
//              [--apl-threshold APL] [--supply S]
//              [-o DIR] [--force] [--threads N]
// The job itself is run/siting_job.hpp.

#include <iostream>

#include "cli_common.hpp"
#include "proxima/run/siting_job.hpp"

namespace proxima::cli {

namespace {

struct SiteArguments {
    std::string study;
    std::string objective = "coverage";
    double threshold = 0.0;
    double apl_threshold = 0.0;
    double supply = 1.0;
    std::string output;
    std::string csv_dialect = "gis";
    SitingJob job;
};

} // namespace

void add_site_command(CLI::App& app, Context& context, int& exit_code) {
    auto* cmd = app.add_subcommand("site", "Choose K new sites of a service (greedy, lazy evaluation): most people "
                                           "brought within the threshold, or lowest mean time");
    auto a = std::make_shared<SiteArguments>();
    cmd->add_option("study", a->study, "Study file (TOML), e.g. data/studies/andorra.toml")->required();
    cmd->add_option("--service", a->job.service, "Service id of the study (e.g. urgences)")->required();
    cmd->add_option("--k", a->job.k, "Number of new sites to choose")->required();
    cmd->add_option("--candidates", a->job.candidates,
                    "Where sites may go: 'communes' (each zone's reference point), 'cells' (grid cell centres) or a "
                    "CSV file of points id,lon,lat")
        ->required();
    cmd->add_option("--objective", a->objective,
                    "coverage (population within the threshold), mean-time (population-weighted mean time, times "
                    "capped at --cap, unreachable counting as --cap) or apl (population whose APL reaches the APL "
                    "threshold; no approximation guarantee); default coverage");
    CLI::Option* apl_threshold = cmd->add_option(
        "--apl-threshold", a->apl_threshold,
        "apl: the APL threshold (default: [services.<id>.apl] threshold, else 2.5)");
    CLI::Option* supply = cmd->add_option(
        "--supply", a->supply, "apl: supply of each new site, in the unit of the service's supply (default 1 per site)");
    CLI::Option* threshold = cmd->add_option("--threshold", a->threshold, "Threshold in minutes (default: the service's)");
    cmd->add_option("--cap", a->job.cap_min, "mean-time: cap of every time, and value of an unreachable origin "
                                             "(minutes, default 180)");
    cmd->add_flag("--compare-exhaustive", a->job.compare_exhaustive,
                  "Also find the optimum over every K-subset of candidates (small cases) and report the gap");
    cmd->add_option("-o,--output", a->output, "Output folder (default: <study output>-site-<service>)");
    cmd->add_flag("--force", a->job.force, "Replace the output folder if it exists");
    add_threads_option(*cmd, a->job.threads);
    add_csv_dialect_option(*cmd, a->csv_dialect);
    cmd->callback([&context, &exit_code, a, threshold, apl_threshold, supply] {
        exit_code = guarded(context, [&] {
            SitingJob job = a->job;
            job.objective = parse_siting_objective(a->objective);
            if (apl_threshold->count() > 0) {
                job.apl_threshold = a->apl_threshold;
            }
            if (supply->count() > 0) {
                job.new_supply = a->supply;
            }
            job.threads = checked_threads(job.threads, context);
            if (threshold->count() > 0) {
                job.threshold_min = a->threshold;
            }
            job.output_dir = a->output;
            job.csv_dialect = parse_csv_dialect(a->csv_dialect);
            const StudyFile study = load_study(a->study);
            std::cout << run_siting_job(study, job, context.log()).summary;
        });
    });
}

} // namespace proxima::cli
