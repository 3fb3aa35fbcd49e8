// proxima demo [-o DIR] [--data DIR]
// Runs the bundled samples end to end: builds the road graphs of the samples and prints their
// summaries, checks a 40 x 40 travel table in Andorra against the table OSRM gives on the same
// extract, then inspects and runs the bundled studies (data/studies/riviera.toml, andorra.toml) into DIR/riviera and DIR/andorra.

#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "cli_common.hpp"
#include "proxima/core/error.hpp"
#include "proxima/graph/graph_file.hpp"
#include "proxima/osm/default_profile.hpp"
#include "proxima/osm/graph_builder.hpp"
#include "proxima/routing/points_csv.hpp"
#include "proxima/run/run_study.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima::cli {

namespace {

std::filesystem::path default_data_dir() {
    if (std::filesystem::is_directory("data/osm")) {
        return "data";
    }
    return PROXIMA_SOURCE_DATA_DIR;
}

} // namespace

void add_demo_command(CLI::App& app, Context& context, int& exit_code) {
    auto* cmd = app.add_subcommand("demo", "Run the bundled samples (Andorra, Monaco/Riviera) and print the results");
    struct Options {
        std::string output = "proxima-demo";
        std::string data;
        int threads = 0;
    };
    auto opt = std::make_shared<Options>();
    cmd->add_option("-o,--output", opt->output, "Folder for the demo's outputs (created if missing)")->capture_default_str();
    cmd->add_option("--data", opt->data, "Folder of the bundled samples (default: ./data, else the source tree's)");
    add_threads_option(*cmd, opt->threads);
    cmd->callback([&context, &exit_code, opt] {
        exit_code = guarded(context, [&] {
            opt->threads = checked_threads(opt->threads, context);
            const std::filesystem::path data = opt->data.empty() ? default_data_dir() : std::filesystem::path(opt->data);
            const std::filesystem::path out = opt->output;
            std::error_code ec;
            std::filesystem::create_directories(out, ec);
            if (ec || !std::filesystem::is_directory(out)) {
                throw OutputError(fmt::format("cannot create output folder '{}': {}", out.string(), ec.message()));
            }
            const Profile profile = default_car_profile();
            for (const char* name : {"andorra-2021", "monaco-riviera-2016"}) {
                const auto extract = data / "osm" / (std::string(name) + ".osm.pbf");
                GraphBuildOptions options;
                options.progress = context.progress(fmt::format("reading {}", extract.filename().string()));
                auto result = build_road_graph(extract, profile, context.log(), options);
                context.finish_progress();
                const auto graph_file = out / (std::string(name) + ".pxg");
                save_graph(result.graph, graph_file);
                std::cout << format_build_report(result.report) << fmt::format("  written: {}\n\n", graph_file.string());
            }

            // Andorra: 40 x 40 table on the reference points, compared with OSRM's.
            const auto points_file = data / "reference" / "andorra-points.csv";
            const auto osrm_file = data / "reference" / "andorra-osrm-car-table.csv";
            const auto points = read_points_csv(points_file, context.log());
            const RoadGraph graph = load_graph(out / "andorra-2021.pxg");
            const EdgeSnapper snapper(graph);
            std::vector<LonLat> positions;
            for (const auto& p : points) {
                positions.push_back(p.position);
            }
            const auto snaps = snapper.snap_all(positions, 1000.0);
            std::vector<Snap> ok;
            for (std::size_t i = 0; i < snaps.size(); ++i) {
                if (!snaps[i]) {
                    throw InputError(fmt::format("{}:{}: point '{}' is not near any road of the Andorra graph",
                                                 points_file.string(), points[i].line, points[i].id));
                }
                ok.push_back(*snaps[i]);
            }
            const auto trips = travel_table(graph, ok, ok, AccessOptions{}, opt->threads);
            const auto table_file = out / "andorra-table.csv";
            write_table_csv(table_file, points, points, trips);
            const auto agreement = compare_tables(read_table_csv(table_file), read_table_csv(osrm_file));
            std::cout << fmt::format(
                "Andorra travel table: {} x {} points -> {}\n"
                "  compared with OSRM 5.27.1 (car.lua) on the same extract, {} trips:\n"
                "    median time ratio Proxima/OSRM {:.3f} (10th-90th percentiles {:.3f}-{:.3f}); rank "
                "correlation {:.4f}; {:.0f}% of trips within 25%\n",
                points.size(), points.size(), table_file.string(), agreement.pairs, agreement.median_ratio,
                agreement.p10_ratio, agreement.p90_ratio, agreement.spearman, 100.0 * agreement.share_within_25pct);

            // The bundled studies: what they read, matched and could not place, then the main job.
            for (const char* name : {"riviera", "andorra"}) {
                StudyFile study = load_study(data / "studies" / (std::string(name) + ".toml"));
                study.network.graph = out / (std::string(name) + "-study.pxg");  // keep the demo's files in DIR
                const StudyInputs inputs = load_study_inputs(study, Log{});
                std::cout << "\n" << format_inspection(inputs);
                RunOptions options;
                options.output_dir = out / name;
                options.force = true;  // the demo's own folder
                options.threads = opt->threads;
                std::cout << "\n" << format_run_summary(run_study(study, options, Log{}));
            }
        });
    });
}

} // namespace proxima::cli
