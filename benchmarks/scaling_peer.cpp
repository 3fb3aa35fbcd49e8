// The Proxima side of the NetworkX comparison in benchmarks/run-scaling.sh: times the search of
// one service of a study (nearest-facility time of every origin, one thread) and writes the same
// question for a peer: the graph's arcs (tail head deciseconds), the facilities' nodes and the
// origins' nodes (the tail of the arc each was snapped to).
//
//   scaling_peer <study.toml> <service id> <out_dir>
// prints "proxima_search_s <seconds>" and "proxima_reached <origins with a time>".

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "proxima/analysis/access_times.hpp"
#include "proxima/graph/road_graph.hpp"
#include "proxima/run/run_study.hpp"
#include "proxima/study/study_inputs.hpp"
#include "proxima/core/malloc_tuning.hpp"

namespace {

std::uint32_t tail_node_of_edge(const proxima::RoadGraph& graph, proxima::EdgeId edge,
                                const std::vector<std::uint32_t>& arc_tail) {
    const auto& g = graph.arrays();
    for (std::uint32_t dir = 0; dir < 2; ++dir) {
        const std::uint32_t arc = g.edge_arc[static_cast<std::size_t>(to_index(edge)) * 2 + dir];
        if (arc != proxima::invalid_index) {
            return arc_tail[arc];
        }
    }
    return proxima::invalid_index;
}

} // namespace

int main(int argc, char** argv) {
    proxima::keep_freed_memory_for_reuse();  // the allocator as the CLI sets it
    if (argc != 4) {
        std::fprintf(stderr, "usage: scaling_peer <study.toml> <service id> <out_dir>\n");
        return 2;
    }
    using namespace proxima;
    const StudyFile study = select_services(load_study(argv[1]), {argv[2]}, std::nullopt);
    const StudyInputs in = load_study_inputs(study);
    const auto start = std::chrono::steady_clock::now();
    const AccessTable access = compute_access(in, 1);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::size_t reached = 0;
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        reached += access.time_ds(0, o) != unreachable_ds ? 1 : 0;
    }
    std::printf("proxima_search_s %.3f\nproxima_reached %zu\n", seconds, reached);

    const std::filesystem::path dir = argv[3];
    std::filesystem::create_directories(dir);
    const RoadGraph& graph = in.graph();
    const auto& g = graph.arrays();
    std::vector<std::uint32_t> arc_tail(g.head.size());
    {
        std::ofstream arcs(dir / "arcs.tsv");
        for (std::uint32_t n = 0; n + 1 < g.first_out.size(); ++n) {
            for (auto a = g.first_out[n]; a < g.first_out[n + 1]; ++a) {
                arc_tail[a] = n;
                arcs << n << '\t' << g.head[a] << '\t' << g.travel_ds[a] << '\n';
            }
        }
    }
    std::ofstream sources(dir / "sources.txt");
    for (const auto& snap : in.services[0].snaps) {
        sources << tail_node_of_edge(graph, snap.edge, arc_tail) << '\n';
    }
    std::ofstream targets(dir / "targets.txt");
    for (const auto& origin : in.origins) {
        targets << tail_node_of_edge(graph, origin.snap.edge, arc_tail) << '\n';
    }
    return 0;
}
