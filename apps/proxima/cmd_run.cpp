// proxima run STUDY.toml [-o DIR] [--threads N] [--force]
// proxima deficit STUDY.toml --service ID --threshold MIN [-o DIR] [--force]

#include <iostream>

#include <fmt/format.h>

#include "cli_common.hpp"
#include "proxima/core/error.hpp"
#include "proxima/run/run_study.hpp"

namespace proxima::cli {

namespace {

struct RunArguments {
    std::string study;
    std::string output;
    int threads = 0;
    bool force = false;
    bool no_maps = false;
    bool no_pdf = false;
    bool no_rasters = false;
    bool maps_per_epci = false;
    double raster_resolution_m = 100.0;
    std::string csv_dialect = "gis";
    std::size_t report_max_origins = HtmlReportOptions::default_max_origins;
    std::string search;
    std::string service;
    double threshold = 0.0;
};

void add_common(CLI::App& cmd, RunArguments& a) {
    cmd.add_option("study", a.study, "Study file (TOML), e.g. data/studies/riviera.toml")->required();
    cmd.add_option("-o,--output", a.output, "Output folder (default: the study's [study] output)");
    add_threads_option(cmd, a.threads);
    cmd.add_flag("--force", a.force, "Replace the output folder if it exists");
    cmd.add_flag("--no-maps", a.no_maps, "Do not draw the PNG maps (maps/)");
    cmd.add_flag("--no-pdf", a.no_pdf, "Do not write report.pdf");
    cmd.add_flag("--maps-per-epci", a.maps_per_epci, "Also draw one map per EPCI and service (maps/epci/)");
    cmd.add_option("--raster-resolution", a.raster_resolution_m,
                   "Cell size of the travel-time surface, metres: the deficit areas, rasters and isochrones are "
                   "drawn from it (default 100; a territory of more than 100 million cells needs a coarser one; "
                   "0: the same as --no-rasters)");
    cmd.add_flag("--no-rasters", a.no_rasters,
                 "Do not write the travel-time rasters (rasters/) and isochrones; the deficit areas are still drawn");
    add_csv_dialect_option(cmd, a.csv_dialect);
    cmd.add_option("--report-max-origins", a.report_max_origins,
                   fmt::format("report.html shows up to this many origins one by one, beyond it groups them into "
                               "squares (default {}); 0: a lighter page without origins",
                               HtmlReportOptions::default_max_origins));
    cmd.add_option("--search", a.search,
                   "Search method: auto (PHAST when the graph has a contraction hierarchy, else Dijkstra), "
                   "dijkstra or phast; default: the study's [network] search, else auto")
        ->check(CLI::IsMember({"auto", "dijkstra", "phast"}));
}

void apply_common(const RunArguments& a, RunOptions& options, const Context& context) {
    if (!(a.raster_resolution_m >= 0) || a.raster_resolution_m > 10000) {
        throw ConfigError("--raster-resolution must be between 0 (no rasters) and 10000 metres");
    }
    options.force = a.force;
    options.threads = checked_threads(a.threads, context);
    options.maps = !a.no_maps;
    options.pdf = !a.no_pdf;
    options.maps_per_epci = a.maps_per_epci;
    // 0 kept its meaning from before --no-rasters: no rasters, deficit areas from a 100 m surface.
    options.rasters = a.raster_resolution_m > 0 && !a.no_rasters;
    options.surface_resolution_m = a.raster_resolution_m > 0 ? a.raster_resolution_m : default_surface_resolution_m;
    options.csv_dialect = parse_csv_dialect(a.csv_dialect);
    options.report_max_origins = a.report_max_origins;
    if (!a.search.empty()) {
        options.search = parse_search_choice(a.search);
    }
}

} // namespace

void add_run_command(CLI::App& app, Context& context, int& exit_code) {
    auto* cmd = app.add_subcommand("run", "Access times to every service of a study, deficit zones and population "
                                          "affected: access.gpkg, CSV tables, run.json");
    auto a = std::make_shared<RunArguments>();
    add_common(*cmd, *a);
    cmd->callback([&context, &exit_code, a] {
        exit_code = guarded(context, [&] {
            RunOptions options;
            apply_common(*a, options, context);
            const StudyFile study = load_study(a->study);
            options.output_dir = a->output;
            const RunSummary summary = run_study(study, options, context.log());
            std::cout << format_run_summary(summary);
        });
    });
}

void add_deficit_command(CLI::App& app, Context& context, int& exit_code) {
    auto* cmd = app.add_subcommand("deficit", "The territory beyond a threshold for one service (e.g. urgences at 30 "
                                              "min): that service's layers only");
    auto a = std::make_shared<RunArguments>();
    add_common(*cmd, *a);
    cmd->add_option("--service", a->service, "Service id of the study (e.g. urgences)")->required();
    CLI::Option* threshold = cmd->add_option("--threshold", a->threshold, "Threshold in minutes (default: the service's)");
    cmd->callback([&context, &exit_code, a, threshold] {
        exit_code = guarded(context, [&] {
            RunOptions options;
            apply_common(*a, options, context);
            const StudyFile study = load_study(a->study);
            options.only_services = {a->service};
            if (threshold->count() > 0) {
                options.threshold_min = a->threshold;
            }
            options.output_dir = a->output.empty()
                                     ? study.output_dir.parent_path() /
                                           fmt::format("{}-deficit-{}", study.output_dir.filename().string(), a->service)
                                     : std::filesystem::path(a->output);
            const RunSummary summary = run_study(study, options, context.log());
            std::cout << format_run_summary(summary);
        });
    });
}

} // namespace proxima::cli
