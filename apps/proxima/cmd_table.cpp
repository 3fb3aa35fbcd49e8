// proxima table --graph G --sources A.csv --targets B.csv -o matrix.csv

#include <iostream>

#include <fmt/format.h>

#include "cli_common.hpp"
#include "proxima/core/atomic_file.hpp"
#include "proxima/core/error.hpp"
#include "proxima/graph/graph_file.hpp"
#include "proxima/routing/points_csv.hpp"

namespace proxima::cli {

namespace {

std::vector<Snap> snap_points(const EdgeSnapper& snapper, const std::vector<NamedPoint>& points,
                              const std::string& file, double max_snap_m, const std::string& graph_file) {
    std::vector<LonLat> positions;
    for (const auto& p : points) {
        positions.push_back(p.position);
    }
    const auto snaps = snapper.snap_all(positions, max_snap_m);
    std::vector<Snap> out;
    std::string failures;
    std::size_t failed = 0;
    for (std::size_t i = 0; i < snaps.size(); ++i) {
        if (!snaps[i]) {
            if (++failed <= 5) {
                failures += fmt::format("\n  {}:{}: point '{}' at {:.7f},{:.7f}", file, points[i].line, points[i].id,
                                        points[i].position.lon, points[i].position.lat);
            }
            continue;
        }
        out.push_back(*snaps[i]);
    }
    if (failed > 0) {
        throw InputError(fmt::format("{} point(s) of '{}' are more than {} m from any road of graph '{}': outside "
                                     "the extract's area, or lon/lat swapped? Fix or remove them, or raise "
                                     "--max-snap-m:{}{}",
                                     failed, file, max_snap_m, graph_file, failures, failed > 5 ? "\n  ..." : ""));
    }
    return out;
}

} // namespace

void add_table_command(CLI::App& app, Context& context, int& exit_code) {
    auto* cmd = app.add_subcommand("table", "Car travel times and distances between two sets of points (CSV)");
    cmd->footer("One search per point of the smaller side: from each source, or, when there are fewer targets, "
                "backwards from each target (same times). 1 000 000 sources x 1 target is one search.");
    struct Options {
        std::string graph;
        std::string sources;
        std::string targets;
        std::string output;
        SnapSettings snap;
        int threads = 0;
    };
    auto opt = std::make_shared<Options>();
    cmd->add_option("--graph", opt->graph, "Graph file made by 'proxima build-graph'")->required();
    cmd->add_option("--sources", opt->sources, "CSV of points with columns id,lon,lat (WGS84)")->required();
    cmd->add_option("--targets", opt->targets, "CSV of points with columns id,lon,lat (WGS84)")->required();
    cmd->add_option("-o,--output", opt->output,
                    "CSV to write: source_id,target_id,seconds,metres (empty = unreachable); - for standard "
                    "output")
        ->required();
    opt->snap.add_to(*cmd);
    add_threads_option(*cmd, opt->threads);
    cmd->callback([&context, &exit_code, opt] {
        exit_code = guarded(context, [&] {
            opt->snap.check();
            opt->threads = checked_threads(opt->threads, context);
            const auto sources = read_points_csv(opt->sources, context.log());
            const auto targets = read_points_csv(opt->targets, context.log());
            const RoadGraph graph = load_graph(opt->graph);
            const EdgeSnapper snapper(graph);
            const auto source_snaps = snap_points(snapper, sources, opt->sources, opt->snap.max_snap_m, opt->graph);
            const auto target_snaps = snap_points(snapper, targets, opt->targets, opt->snap.max_snap_m, opt->graph);
            const auto trips = travel_table(graph, source_snaps, target_snaps, AccessOptions{opt->snap.access_kmh}, opt->threads);
            write_table_csv(opt->output, sources, targets, trips);
            std::size_t unreachable = 0;
            for (const auto& t : trips) {
                unreachable += t.reachable() ? 0 : 1;
            }
            context.say(fmt::format("{} x {} trips written to {} ({} unreachable, left empty)", sources.size(),
                                    targets.size(), is_stdout_name(opt->output) ? "standard output" : opt->output,
                                    unreachable));
        });
    });
}

} // namespace proxima::cli
