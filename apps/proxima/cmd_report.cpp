// proxima report RUN_DIR: writes report.html again from a run folder (access.gpkg + run.json),
// e.g. after copying it elsewhere or upgrading Proxima, and refreshes the QGIS styles. report.pdf is
// not written here (--pdf says so and how): it is drawn by `proxima run`.

#include <iostream>

#include <fmt/format.h>

#include "cli_common.hpp"
#include "proxima/report/html_report.hpp"
#include "proxima/report/qgis_styles.hpp"

namespace proxima::cli {

void add_report_command(CLI::App& app, Context& context, int& exit_code) {
    auto* cmd = app.add_subcommand("report", "Write report.html and the QGIS styles of access.gpkg again, from a run "
                                             "folder");
    auto dir = std::make_shared<std::string>();
    cmd->add_option("run_dir", *dir, "Output folder of `proxima run` (holding access.gpkg and run.json)")->required();
    auto max_origins = std::make_shared<std::size_t>(HtmlReportOptions::default_max_origins);
    cmd->add_option("--report-max-origins", *max_origins,
                    fmt::format("Origins shown one by one up to this many, beyond grouped into squares (default {}); "
                                "0: a lighter page without origins",
                                HtmlReportOptions::default_max_origins));
    auto threads = std::make_shared<int>(0);
    add_threads_option(*cmd, *threads, "reading the layers of access.gpkg");
    auto pdf = std::make_shared<bool>(false);
    cmd->add_flag("--pdf", *pdf, "Not here: report.pdf is written by `proxima run` (this says how)");
    cmd->callback([&context, &exit_code, dir, pdf, max_origins, threads] {
        if (*pdf) {
            // report.pdf draws its maps from the road graph and every origin's travel time, which
            // a run folder does not keep (access.gpkg holds the zones' means): only a run can
            // draw them again. A usage error, before anything is read or written.
            std::cerr << fmt::format("proxima: report.pdf is written by `proxima run` (its maps need the road graph "
                                     "and the travel times, which a run folder does not hold); write it again with "
                                     "`proxima run STUDY.toml -o {} --force`\n",
                                     *dir);
            exit_code = exit_usage;
            return;
        }
        exit_code = guarded(context, [&] {
            const std::filesystem::path run_dir(*dir);
            add_qgis_styles(run_dir / "access.gpkg");
            HtmlReportOptions options;
            options.max_origins = *max_origins;
            options.threads = checked_threads(*threads, context);
            HtmlReportOrigins origins;
            const auto html = write_html_report(run_dir, options, &origins);
            context.log().info(fmt::format("wrote {} and the styles of {}", html.string(),
                                           (run_dir / "access.gpkg").string()));
            if (const std::string note = describe_report_origins(origins, options.max_origins); !note.empty()) {
                context.log().info(note);
            }
        });
    });
}

} // namespace proxima::cli
