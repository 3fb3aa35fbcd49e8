// proxima route --graph G --from LON,LAT --to LON,LAT  → JSON on stdout

#include <cmath>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "proxima/core/error.hpp"
#include "proxima/graph/graph_file.hpp"
#include "proxima/routing/point_routing.hpp"

namespace proxima::cli {

namespace {

// Divides by the inverse step so that e.g. 32.41 comes out as the double nearest 32.41.
double round_to(double v, double step) {
    const double inverse = std::round(1.0 / step);
    return std::round(v * inverse) / inverse;
}

nlohmann::json snap_json(const std::string& given, LonLat input, const Snap& s, const RoadGraph& graph) {
    return {{"input", given},
            {"lon", input.lon},
            {"lat", input.lat},
            {"snapped_lon", round_to(s.point.lon, 1e-7)},
            {"snapped_lat", round_to(s.point.lat, 1e-7)},
            {"snap_metres", round_to(s.distance_m, 0.1)},
            {"osm_way_id", graph.segment_way_id(s.edge, s.segment)}};
}

} // namespace

void add_route_command(CLI::App& app, Context& context, int& exit_code) {
    auto* cmd = app.add_subcommand("route", "Fastest car trip between two points (JSON on standard output)");
    struct Options {
        std::string graph;
        std::string from;
        std::string to;
        SnapSettings snap;
    };
    auto opt = std::make_shared<Options>();
    cmd->add_option("--graph", opt->graph, "Graph file made by 'proxima build-graph'")->required();
    cmd->add_option("--from", opt->from, "Start as LON,LAT (WGS84 degrees)")->required();
    cmd->add_option("--to", opt->to, "Destination as LON,LAT (WGS84 degrees)")->required();
    opt->snap.add_to(*cmd);
    cmd->callback([&context, &exit_code, opt] {
        exit_code = guarded(context, [&] {
            opt->snap.check();
            const LonLat from = parse_lonlat(opt->from, "--from");
            const LonLat to = parse_lonlat(opt->to, "--to");
            const RoadGraph graph = load_graph(opt->graph);
            const EdgeSnapper snapper(graph);
            auto snap = [&](LonLat p, const char* name) {
                auto s = snapper.snap(p, opt->snap.max_snap_m);
                if (!s) {
                    throw InputError(fmt::format("{} {:.7f},{:.7f} is more than {} m from any road of graph '{}' "
                                                 "(built from {}): is it inside the extract's area, and given as "
                                                 "LON,LAT?",
                                                 name, p.lon, p.lat, opt->snap.max_snap_m, opt->graph,
                                                 graph.provenance().source_file));
                }
                return *s;
            };
            const Snap a = snap(from, "--from");
            const Snap b = snap(to, "--to");
            const AccessOptions access{opt->snap.access_kmh};
            const Trip trip = route(graph, a, b, access);
            nlohmann::json out;
            out["from"] = snap_json(opt->from, from, a, graph);
            out["to"] = snap_json(opt->to, to, b, graph);
            out["reachable"] = trip.reachable();
            if (trip.reachable()) {
                out["seconds"] = round_to(seconds_from_ds(trip.ds), 0.1);
                out["minutes"] = round_to(seconds_from_ds(trip.ds) / 60.0, 0.01);
                out["metres"] = round_to(trip.metres, 0.1);
            } else {
                out["seconds"] = nullptr;
                out["minutes"] = nullptr;
                out["metres"] = nullptr;
            }
            out["access_seconds"] =
                round_to(seconds_from_ds(access_ds(a, access)) + seconds_from_ds(access_ds(b, access)), 0.1);
            out["access_speed_kmh"] = opt->snap.access_kmh;
            out["graph"] = {{"file", opt->graph},
                            {"source", graph.provenance().source_file},
                            {"profile", graph.provenance().profile_name}};
            std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
        });
    });
}

} // namespace proxima::cli
