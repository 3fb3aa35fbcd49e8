// proxima build-graph EXTRACT.osm.pbf -o GRAPH.pxg [--profile car.toml]

#include <iostream>

#include <fmt/format.h>

#include "cli_common.hpp"
#include "proxima/graph/graph_file.hpp"
#include "proxima/osm/default_profile.hpp"
#include "proxima/osm/graph_builder.hpp"

namespace proxima::cli {

void add_build_graph_command(CLI::App& app, Context& context, int& exit_code) {
    auto* cmd = app.add_subcommand("build-graph", "Build the road graph of an OSM extract and save it as a graph file");
    struct Options {
        std::string extract;
        std::string output;
        std::string profile;
    };
    auto opt = std::make_shared<Options>();
    cmd->add_option("extract", opt->extract, "OpenStreetMap extract (.osm.pbf; .osm and .opl also read)")->required();
    cmd->add_option("-o,--output", opt->output, "Graph file to write (e.g. meuse.pxg); replaced if it exists")->required();
    cmd->add_option("--profile", opt->profile, "Routing profile (TOML); default: the built-in data/profiles/car.toml");
    cmd->callback([&context, &exit_code, opt] {
        exit_code = guarded(context, [&] {
            const Profile profile = opt->profile.empty() ? default_car_profile() : load_profile(opt->profile);
            GraphBuildOptions options;
            options.progress = context.progress("reading OSM");
            auto result = build_road_graph(opt->extract, profile, context.log(), options);
            context.finish_progress();
            save_graph(result.graph, opt->output);
            if (!context.quiet) {
                std::cout << format_build_report(result.report);
                std::cout << fmt::format("  written: {} ({:.1f} MiB in memory)\n", opt->output,
                                         static_cast<double>(result.graph.memory_bytes()) / (1 << 20));
            }
        });
    });
}

} // namespace proxima::cli
