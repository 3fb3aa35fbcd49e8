// proxima build-graph EXTRACT.osm.pbf -o GRAPH.pxg [--profile car.toml]

#include <algorithm>
#include <iostream>
#include <unistd.h>

#include <fmt/format.h>

#include "cli_common.hpp"
#include "proxima/core/atomic_file.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/memory_use.hpp"
#include "proxima/graph/graph_file.hpp"
#include "proxima/osm/default_profile.hpp"
#include "proxima/osm/graph_builder.hpp"
#include "proxima/routing/contraction_hierarchy.hpp"

namespace proxima::cli {

void add_build_graph_command(CLI::App& app, Context& context, int& exit_code) {
    auto* cmd = app.add_subcommand("build-graph", "Build the road graph of an OSM extract and save it as a graph file");
    struct Options {
        std::string extract;
        std::string output;
        std::string profile;
        bool no_hierarchy = false;
    };
    auto opt = std::make_shared<Options>();
    cmd->add_option("extract", opt->extract, "OpenStreetMap extract (.osm.pbf; .osm and .opl also read)")->required();
    cmd->add_option("-o,--output", opt->output, "Graph file to write (e.g. meuse.pxg; - for standard output); an existing graph file is replaced, "
                    "any other file is not")->required();
    cmd->add_option("--profile", opt->profile, "Routing profile (TOML); default: the built-in data/profiles/car.toml");
    cmd->add_flag("--no-hierarchy", opt->no_hierarchy,
                  "Do not compute the contraction hierarchy (smaller file, quicker build; runs then search with "
                  "Dijkstra only)");
    cmd->callback([&context, &exit_code, opt] {
        exit_code = guarded(context, [&] {
            const Profile profile = opt->profile.empty() ? default_car_profile() : load_profile(opt->profile);
            check_graph_destination(opt->output, "-o");  // before the build, not after it
            const bool to_stdout = is_stdout_name(opt->output);
            if (to_stdout && ::isatty(STDOUT_FILENO) != 0) {
                throw ConfigError("-o - writes the binary graph to standard output, which is a terminal here: "
                                  "redirect it (> graph.pxg) or give a file name");
            }
            GraphBuildOptions options;
            options.progress = context.progress("reading OSM");
            auto result = build_road_graph(opt->extract, profile, context.log(), options);
            context.finish_progress();
            HierarchyBuildReport hierarchy;
            if (!opt->no_hierarchy) {
                HierarchyBuildOptions hierarchy_options;
                hierarchy_options.progress = context.progress("contraction hierarchy");
                hierarchy = add_state_hierarchy(result.graph, hierarchy_options);
                context.finish_progress();
            }
            save_graph(result.graph, opt->output);
            if (!context.quiet) {
                // With -o -, standard output carries the graph: the summary goes to standard error.
                std::ostream& summary = to_stdout ? std::cerr : std::cout;
                summary << format_build_report(result.report);
                summary << (opt->no_hierarchy ? std::string("  contraction hierarchy: none (--no-hierarchy)\n")
                                              : format_hierarchy_report(hierarchy));
                summary << fmt::format("  written: {} ({:.1f} MiB in memory)\n",
                                       to_stdout ? "standard output" : opt->output,
                                       static_cast<double>(result.graph.memory_bytes()) / (1 << 20));
                // What a machine needs for a région or France: the build's peak over the graph's nodes.
                const auto nodes = static_cast<double>(std::max<std::size_t>(1, result.graph.node_count()));
                // Where it was reached: the peak only grows, so the phase where it jumps needed it.
                std::string phases = fmt::format("after reading {:.0f} MiB, after building {:.0f} MiB",
                                                 result.report.peak_mib_after_read, result.report.peak_mib_after_build);
                if (!opt->no_hierarchy) {
                    phases += fmt::format(", after the hierarchy {:.0f} MiB", hierarchy.peak_mib_after);
                }
                summary << fmt::format("  peak memory: {:.1f} MiB ({:.0f} bytes per node; graph {:.0f} bytes per node; {})\n",
                                       peak_resident_mib(), static_cast<double>(peak_resident_bytes()) / nodes,
                                       static_cast<double>(result.graph.memory_bytes()) / nodes, phases);
            }
        });
    });
}

} // namespace proxima::cli
