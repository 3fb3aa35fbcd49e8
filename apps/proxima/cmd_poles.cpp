// proxima poles STUDY.toml [-o FILE.gpkg|FILE.csv] [--force]: the INSEE pôles de services of a
// study area and its buffer, per level, with the number of items of each gamme.

#include <iostream>

#include <fmt/format.h>

#include "cli_common.hpp"
#include "proxima/core/atomic_file.hpp"
#include "proxima/core/error.hpp"
#include "proxima/run/poles_layer.hpp"
#include "proxima/study/service_poles.hpp"

namespace proxima::cli {

void add_poles_command(CLI::App& app, Context& context, int& exit_code) {
    auto* cmd = app.add_subcommand("poles", "Pôles de services (INSEE gammes) of a study area and its buffer: levels and "
                                            "items per commune");
    struct Arguments {
        std::string study;
        std::string output;
        bool force = false;
    };
    auto a = std::make_shared<Arguments>();
    cmd->add_option("study", a->study, "Study file (TOML), e.g. data/studies/andorra.toml")->required();
    cmd->add_option("-o,--output", a->output, "Also write the poles layer: a .gpkg (with polygons) or a .csv file; - for CSV on standard output");
    cmd->add_flag("--force", a->force, "Replace the output file if it exists");
    cmd->callback([&context, &exit_code, a] {
        exit_code = guarded(context, [&] {
            const StudyFile study = load_study(a->study);
            const PoleClassification poles = classify_study_poles(study, {}, context.log());
            const bool to_stdout = is_stdout_name(a->output);
            // With -o -, standard output carries the CSV: the summary goes to standard error.
            (to_stdout ? std::cerr : std::cout) << format_poles(poles);
            if (!a->output.empty()) {
                const std::filesystem::path out(a->output);
                if (!to_stdout && std::filesystem::exists(out) && !a->force) {
                    throw OutputError(fmt::format("'{}' already exists: use --force to replace it", out.string()));
                }
                const OutputLayer layer = poles_layer(poles);
                if (to_stdout || out.extension() == ".csv") {
                    write_layer_csv(out, layer);
                } else if (out.extension() == ".gpkg") {
                    write_geopackage(out, {layer}, study.output_crs);
                } else {
                    throw ConfigError(fmt::format("-o {}: give a .gpkg or a .csv file name (or - for CSV on standard "
                                                  "output)",
                                                  out.string()));
                }
                context.log().info(fmt::format("wrote {}", to_stdout ? "the poles to standard output" : out.string()));
            }
        });
    });
}

} // namespace proxima::cli
