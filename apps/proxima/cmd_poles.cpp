// proxima poles STUDY.toml [-o FILE.gpkg|FILE.csv] [--force]: the INSEE pôles de services of a
// study area and its buffer, per level, with the number of items of each gamme.

#include <iostream>

#include <fmt/format.h>

#include "cli_common.hpp"
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
    cmd->add_option("-o,--output", a->output, "Also write the poles layer: a .gpkg (with polygons) or a .csv file");
    cmd->add_flag("--force", a->force, "Replace the output file if it exists");
    cmd->callback([&context, &exit_code, a] {
        exit_code = guarded(context, [&] {
            const StudyFile study = load_study(a->study);
            const PoleClassification poles = classify_study_poles(study, {}, context.log());
            std::cout << format_poles(poles);
            if (!a->output.empty()) {
                const std::filesystem::path out(a->output);
                if (std::filesystem::exists(out) && !a->force) {
                    throw OutputError(fmt::format("'{}' already exists: use --force to replace it", out.string()));
                }
                const OutputLayer layer = poles_layer(poles);
                if (out.extension() == ".gpkg") {
                    write_geopackage(out, {layer}, study.output_crs);
                } else if (out.extension() == ".csv") {
                    write_layer_csv(out, layer);
                } else {
                    throw ConfigError(fmt::format("-o {}: give a .gpkg or a .csv file name", out.string()));
                }
                context.log().info(fmt::format("wrote {}", out.string()));
            }
        });
    });
}

} // namespace proxima::cli
