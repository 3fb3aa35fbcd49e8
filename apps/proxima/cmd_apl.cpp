// proxima apl STUDY.toml --service ID [--threshold APL] [--supply-field COLUMN] [-o DIR] [--force]
//                        [--no-maps] [--threads N]
// The job itself is run/apl_job.hpp.

#include <iostream>

#include "cli_common.hpp"
#include "proxima/run/apl_job.hpp"

namespace proxima::cli {

namespace {

struct AplArguments {
    std::string study;
    std::string output;
    double threshold = 0.0;
    std::string supply_field;
    bool no_maps = false;
    AplJob job;
};

} // namespace

void add_apl_command(CLI::App& app, Context& context, int& exit_code) {
    auto* cmd = app.add_subcommand("apl", "Accessibilité potentielle localisée (APL, E2SFCA of DREES/IRDES) of a "
                                          "service: supply and demand within reach, by origin, commune, EPCI; "
                                          "apl.gpkg, CSV, map, apl.json");
    auto a = std::make_shared<AplArguments>();
    cmd->add_option("study", a->study, "Study file (TOML), e.g. data/studies/andorra.toml")->required();
    cmd->add_option("--service", a->job.service, "Service id of the study (e.g. medecin)")->required();
    CLI::Option* threshold = cmd->add_option(
        "--threshold", a->threshold,
        "APL threshold, in the unit of the APL (default: [services.<id>.apl] threshold, else 2.5); the population "
        "under it is counted");
    CLI::Option* supply = cmd->add_option(
        "--supply-field", a->supply_field,
        "Column of the service's facility files holding each site's supply (default: [services.<id>.apl] "
        "supply_field, else 1 per site)");
    cmd->add_option("-o,--output", a->output, "Output folder (default: <study output>-apl-<service>)");
    cmd->add_flag("--force", a->job.force, "Replace the output folder if it exists");
    cmd->add_flag("--no-maps", a->no_maps, "Do not draw the PNG map (maps/)");
    add_threads_option(*cmd, a->job.threads);
    cmd->callback([&context, &exit_code, a, threshold, supply] {
        exit_code = guarded(context, [&] {
            AplJob job = a->job;
            if (threshold->count() > 0) {
                job.threshold = a->threshold;
            }
            if (supply->count() > 0) {
                job.supply_field = a->supply_field;
            }
            job.maps = !a->no_maps;
            job.threads = checked_threads(job.threads, context);
            job.output_dir = a->output;
            const StudyFile study = load_study(a->study);
            std::cout << run_apl_job(study, job, context.log()).summary;
        });
    });
}

} // namespace proxima::cli
