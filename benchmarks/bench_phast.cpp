// PHAST (routing/phast.hpp, over the contraction hierarchy of routing/contraction_hierarchy.hpp)
// against our Dijkstra (routing/multi_source_dijkstra.hpp) for a full catalogue: every service's
// one-to-all search from all its facilities, times to the facilities (reverse), as compute_access
// does for a run.
//
//   catalogue/<graph>/dijkstra       one MultiSourceDijkstra per service
//   catalogue/<graph>/phast:1        one PHAST sweep per service (1 lane)
//   catalogue/<graph>/phast:4        4 services per sweep (what `run` takes where 8 lanes per
//                                    thread would hold too much memory)
//   catalogue/<graph>/phast:8        8 services per sweep
//   hierarchy/<graph>                the contraction itself (counters: shortcuts, bytes per state)
//
// Graphs: a synthetic grid of about 1 M states (PROXIMA_BENCH_GRID=<side> nodes per side changes
// it, 0 leaves it out; every 8th row and column is a fast road, other weights random, every turn
// free), the samples of data/osm with the car profile, and the graph files listed in
// PROXIMA_BENCH_GRAPHS (comma-separated `proxima build-graph` outputs, e.g. the 1 M-node mosaic
// of benchmarks/run-scaling.sh; their stored hierarchy is used, its build time is build-graph's). Catalogue: PROXIMA_BENCH_SERVICES services (default
// 100) of PROXIMA_BENCH_SITES facilities (default 50), drawn with a fixed seed.
// Before timing, PHAST's times and sites are checked equal to Dijkstra's for the first 8 services
// (a difference aborts). At the end: the ratios measured in this run. Single-threaded, CPU time.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "proxima/graph/graph_file.hpp"
#include "proxima/graph/road_graph.hpp"
#include "proxima/osm/default_profile.hpp"
#include "proxima/osm/graph_builder.hpp"
#include "proxima/routing/contraction_hierarchy.hpp"
#include "proxima/routing/phast.hpp"
#include "recording_reporter.hpp"
#include "proxima/core/malloc_tuning.hpp"

using namespace proxima;

namespace {

std::size_t env_or(const char* name, std::size_t fallback) {
    const char* v = std::getenv(name);
    return v != nullptr ? static_cast<std::size_t>(std::strtoull(v, nullptr, 10)) : fallback;
}

struct Service {
    std::vector<std::uint32_t> states;  ///< one per facility; tag = index
};

struct Case {
    RoadGraph graph;
    HierarchyBuildReport hierarchy;
    std::vector<Service> services;
};

std::map<std::string, std::unique_ptr<Case>>& cases() {
    static std::map<std::string, std::unique_ptr<Case>> all;
    return all;
}

/// A road-like grid of side × side nodes: arcs both ways between neighbours, a quarter of the
/// blocks missing (as in a real street network, where most junctions have three roads), 2 to 6 s
/// per block, 1 s on every 8th row and column (the fast roads that give the network a
/// hierarchy, never missing); every turn allowed at no cost but U-turns.
RoadGraph grid_graph(std::uint32_t side) {
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<Deciseconds> slow(20, 60);
    std::bernoulli_distribution missing(0.25);
    std::vector<LonLat> coords;
    for (std::uint32_t y = 0; y < side; ++y) {
        for (std::uint32_t x = 0; x < side; ++x) {
            coords.push_back({x * 1e-3, y * 1e-3});
        }
    }
    std::vector<ArcSpec> arcs;
    auto link = [&](std::uint32_t a, std::uint32_t b, bool fast) {
        if (!fast && missing(rng)) {
            return;
        }
        const Deciseconds w = fast ? 10 : slow(rng);
        arcs.push_back({a, b, w, 100.0F});
        arcs.push_back({b, a, w, 100.0F});
    };
    for (std::uint32_t y = 0; y < side; ++y) {
        for (std::uint32_t x = 0; x < side; ++x) {
            const std::uint32_t v = y * side + x;
            if (x + 1 < side) {
                link(v, v + 1, y % 8 == 0);
            }
            if (y + 1 < side) {
                link(v, v + side, x % 8 == 0);
            }
        }
    }
    RoadGraph::Arrays a = graph_from_arcs(std::move(coords), arcs).arrays();
    std::vector<std::uint32_t> tail(a.head.size());
    for (std::uint32_t v = 0; v + 1 < a.first_out.size(); ++v) {
        for (auto e = a.first_out[v]; e < a.first_out[v + 1]; ++e) {
            tail[e] = v;
        }
    }
    std::vector<TurnSpec> turns;
    for (const auto& t : all_turns_free(a)) {
        if (a.head[t.to] != tail[t.from]) {  // no U-turn
            turns.push_back(t);
        }
    }
    build_search_graph(a, {}, std::move(turns));
    return RoadGraph(std::move(a));
}

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "bench_phast: %s\n", what.c_str());
    std::abort();
}

/// PHAST (8 lanes) equals Dijkstra, times and sites, for the first services.
void check(const Case& c, const std::string& name) {
    Phast phast(c.graph, Direction::reverse, 8);
    phast.reset();
    const std::size_t lanes = std::min<std::size_t>(8, c.services.size());
    for (unsigned l = 0; l < lanes; ++l) {
        for (std::uint32_t f = 0; f < c.services[l].states.size(); ++f) {
            phast.add_source(l, StateId{c.services[l].states[f]}, 0, f);
        }
    }
    phast.run();
    MultiSourceDijkstra dijkstra(c.graph, Direction::reverse, false);
    for (unsigned l = 0; l < lanes; ++l) {
        dijkstra.reset();
        for (std::uint32_t f = 0; f < c.services[l].states.size(); ++f) {
            dijkstra.add_source(StateId{c.services[l].states[f]}, 0, f);
        }
        dijkstra.run();
        for (std::uint32_t s = 0; s < c.graph.state_count(); ++s) {
            const auto t = dijkstra.time_ds(StateId{s});
            if (phast.time_ds(l, StateId{s}) != t ||
                (t != unreachable_ds && phast.source_of(l, StateId{s}) != dijkstra.source_of(StateId{s}))) {
                fail(name + ": PHAST and Dijkstra differ at state " + std::to_string(s));
            }
        }
    }
}

void prepare(const std::string& name, RoadGraph graph) {
    auto c = std::make_unique<Case>();
    c->graph = std::move(graph);
    if (c->graph.hierarchy() == nullptr) {
        c->hierarchy = add_state_hierarchy(c->graph);
    } else {  // stored in the graph file: only its size is known here
        c->hierarchy.states = c->graph.state_count();
        c->hierarchy.transitions = c->graph.transition_count();
        c->hierarchy.bytes = c->graph.hierarchy()->memory_bytes();
    }
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<std::uint32_t> state(0, c->graph.state_count() - 1);
    const std::size_t services = env_or("PROXIMA_BENCH_SERVICES", 100);
    const std::size_t sites = env_or("PROXIMA_BENCH_SITES", 50);
    c->services.resize(services);
    for (auto& s : c->services) {
        for (std::size_t f = 0; f < sites; ++f) {
            s.states.push_back(state(rng));
        }
    }
    check(*c, name);
    std::printf("%s: %u states, %llu transitions; hierarchy %.2f s, %llu shortcuts, %.1f bytes per state\n", name.c_str(),
                c->graph.state_count(), static_cast<unsigned long long>(c->hierarchy.transitions), c->hierarchy.seconds,
                static_cast<unsigned long long>(c->hierarchy.shortcuts), c->hierarchy.bytes_per_state());
    cases()[name] = std::move(c);
}

void catalogue_dijkstra(benchmark::State& state, const std::string& name) {
    const Case& c = *cases().at(name);
    MultiSourceDijkstra search(c.graph, Direction::reverse, false);
    for (auto _ : state) {
        for (const auto& s : c.services) {
            search.reset();
            for (std::uint32_t f = 0; f < s.states.size(); ++f) {
                search.add_source(StateId{s.states[f]}, 0, f);
            }
            search.run();
            benchmark::DoNotOptimize(search.time_ds(StateId{0}));
        }
    }
}

void catalogue_phast(benchmark::State& state, const std::string& name, unsigned lanes) {
    const Case& c = *cases().at(name);
    Phast phast(c.graph, Direction::reverse, lanes);
    for (auto _ : state) {
        for (std::size_t first = 0; first < c.services.size(); first += lanes) {
            phast.reset();
            for (unsigned l = 0; l < lanes && first + l < c.services.size(); ++l) {
                const auto& s = c.services[first + l];
                for (std::uint32_t f = 0; f < s.states.size(); ++f) {
                    phast.add_source(l, StateId{s.states[f]}, 0, f);
                }
            }
            phast.run();
            benchmark::DoNotOptimize(phast.time_ds(0, StateId{0}));
        }
    }
}

void hierarchy(benchmark::State& state, const std::string& name) {
    const Case& c = *cases().at(name);
    HierarchyBuildReport report;
    for (auto _ : state) {
        benchmark::DoNotOptimize(build_state_hierarchy(c.graph, &report));
    }
    state.counters["shortcuts"] = static_cast<double>(report.shortcuts);
    state.counters["bytes_per_state"] = report.bytes_per_state();
}

} // namespace

int main(int argc, char** argv) {
    proxima::keep_freed_memory_for_reuse();  // the allocator as the CLI sets it
    const std::string data = PROXIMA_BENCH_DATA_DIR;
    const auto side = static_cast<std::uint32_t>(env_or("PROXIMA_BENCH_GRID", 512));
    std::vector<std::string> names;
    std::vector<std::string> stored;  // graphs read with their hierarchy
    if (side > 0) {
        names.push_back("grid" + std::to_string(side));
        prepare(names.back(), grid_graph(side));
    }
    if (const char* files = std::getenv("PROXIMA_BENCH_GRAPHS")) {
        std::string list = files;
        for (std::size_t start = 0; start < list.size();) {
            const std::size_t end = std::min(list.find(',', start), list.size());
            const std::string path = list.substr(start, end - start);
            start = end + 1;
            if (path.empty()) {
                continue;
            }
            RoadGraph g = load_graph(path);
            if (g.hierarchy() == nullptr) {
                fail(path + " has no contraction hierarchy (build it without --no-hierarchy)");
            }
            names.push_back("file:" + std::filesystem::path(path).parent_path().parent_path().filename().string() +
                            "/" + std::filesystem::path(path).stem().string());
            stored.push_back(names.back());
            prepare(names.back(), std::move(g));
        }
    }
    for (const char* sample : {"andorra-2021", "nantes-centre-2014", "saint-barthelemy-2014"}) {
        names.emplace_back(sample);
        prepare(sample, build_road_graph(data + "/osm/" + sample + ".osm.pbf", default_car_profile()).graph);
    }
    auto is_big = [&](const std::string& name) {
        return name.rfind("grid", 0) == 0 || std::find(stored.begin(), stored.end(), name) != stored.end();
    };
    auto is_stored = [&](const std::string& name) { return std::find(stored.begin(), stored.end(), name) != stored.end(); };
    for (const auto& name : names) {
        const bool big = is_big(name);
        auto unit = [&](benchmark::internal::Benchmark* b) {
            b->Unit(benchmark::kMillisecond);
            if (big) {
                b->Iterations(1);
            }
        };
        unit(benchmark::RegisterBenchmark(("catalogue/" + name + "/dijkstra").c_str(), catalogue_dijkstra, name));
        unit(benchmark::RegisterBenchmark(("catalogue/" + name + "/phast:1").c_str(), catalogue_phast, name, 1U));
        unit(benchmark::RegisterBenchmark(("catalogue/" + name + "/phast:4").c_str(), catalogue_phast, name, 4U));
        unit(benchmark::RegisterBenchmark(("catalogue/" + name + "/phast:8").c_str(), catalogue_phast, name, 8U));
        if (!is_stored(name)) {
            unit(benchmark::RegisterBenchmark(("hierarchy/" + name).c_str(), hierarchy, name));
        }
    }
    bench::RecordingReporter reporter;
    if (!bench::run_recorded(argc, argv, reporter)) {
        return 1;
    }
    std::printf("\nRatios measured in this run (our Dijkstra time / PHAST time, whole catalogue):\n");
    std::printf("%-24s %10s %10s %10s %12s %16s\n", "graph", "phast:1", "phast:4", "phast:8", "CH build s",
                "CH bytes/state");
    for (const auto& name : names) {
        // Benchmarks of the grid run once per repetition: Google Benchmark adds "/iterations:1".
        const std::string suffix = is_big(name) ? "/iterations:1" : "";
        auto seconds = [&](const std::string& n) { return reporter.seconds(n + suffix); };
        const double d = seconds("catalogue/" + name + "/dijkstra");
        const double p1 = seconds("catalogue/" + name + "/phast:1");
        const double p4 = seconds("catalogue/" + name + "/phast:4");
        const double p8 = seconds("catalogue/" + name + "/phast:8");
        if (d < 0 && p1 < 0 && p4 < 0 && p8 < 0) {
            continue;  // filtered out (--benchmark_filter): no row rather than made-up ratios
        }
        // A side that did not run gives "-", not a ratio of two missing times.
        auto ratio = [&](double p) { return d < 0 || p < 0 ? std::string("-") : fmt::format("{:.2f}x", d / p); };
        if (is_stored(name)) {  // the hierarchy came with the file (build-graph printed its time)
            std::printf("%-24s %10s %10s %10s %12s %16.1f\n", name.c_str(), ratio(p1).c_str(), ratio(p4).c_str(),
                        ratio(p8).c_str(), "stored", cases().at(name)->hierarchy.bytes_per_state());
            continue;
        }
        const double h = seconds("hierarchy/" + name);
        const double bytes = reporter.counter("hierarchy/" + name + suffix, "bytes_per_state");
        std::printf("%-24s %10s %10s %10s %12s %16s\n", name.c_str(), ratio(p1).c_str(), ratio(p4).c_str(),
                    ratio(p8).c_str(), h < 0 ? "-" : fmt::format("{:.3f}", h).c_str(),
                    bytes < 0 ? "-" : fmt::format("{:.1f}", bytes).c_str());
    }
    return 0;
}
