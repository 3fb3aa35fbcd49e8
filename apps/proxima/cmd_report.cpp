// proxima report RUN_DIR: writes report.html again from a run folder (access.gpkg + run.json),
// e.g. after copying it elsewhere or upgrading Proxima, and refreshes the QGIS styles.

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
    cmd->callback([&context, &exit_code, dir] {
        exit_code = guarded(context, [&] {
            const std::filesystem::path run_dir(*dir);
            add_qgis_styles(run_dir / "access.gpkg");
            const auto html = write_html_report(run_dir);
            context.log().info(fmt::format("wrote {} and the styles of {}", html.string(),
                                           (run_dir / "access.gpkg").string()));
        });
    });
}

} // namespace proxima::cli
