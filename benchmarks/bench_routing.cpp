// Routing and graph-build benchmarks on the sample extracts in data/osm/, with Boost.Graph's
// Dijkstra on the very same arrays as the baseline (the turn-aware graph's transitions), and
// Boost on the physical arcs without turns as the baseline of what the turn model costs. At the end the program prints the ratios
// measured in this run (machines are noisy; only ratios within one run mean something).
//
//   build/<sample>/read_only         libosmium decode + node locations, trivial handler (floor)
//   build/<sample>/full              proxima::build_road_graph with the default car profile
//   one_to_all/<sample>/<dir>/...    one source, whole graph: proxima vs boost
//   multi_source/<sample>/<dir>/...  10 sources with start offsets 0..300 ds: proxima vs boost
//   run_many/<sample>/threads:<t>    proxima::run_many over 16 source sets (OpenMP)
//
// Graphs (and the Boost copies) are built once per process and checked against each other before
// anything is timed; a mismatch aborts the program.
//
// Fairness: Boost gets a compressed_sparse_row_graph with 32-bit indices holding exactly our CSR
// arrays (same vertex numbering, same arc order), 32-bit distances, and distance, predecessor and
// colour maps allocated once outside the timed loop; both sides use a 4-ary heap. Each side pays
// its own per-query costs (Boost: O(n) initialisation and its internal heap allocation; Proxima:
// lengths and source tags it always tracks). Single-threaded searches are compared on thread CPU
// time, build and run_many (threaded) on wall time.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/graph/two_bit_color_map.hpp>
#include <omp.h>
#include <osmium/handler.hpp>
#include <osmium/handler/node_locations_for_ways.hpp>
#include <osmium/index/map/flex_mem.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/visitor.hpp>
#include <unistd.h>

#include "proxima/graph/road_graph.hpp"
#include "proxima/osm/default_profile.hpp"
#include "proxima/osm/graph_builder.hpp"
#include "proxima/routing/multi_source_dijkstra.hpp"
#include "proxima/core/malloc_tuning.hpp"

namespace {

using proxima::Deciseconds;
using proxima::Direction;
using proxima::StateId;

struct Sample {
    const char* name;
    const char* file;  ///< relative to PROXIMA_BENCH_DATA_DIR
};
constexpr Sample samples[] = {
    {"andorra", "osm/andorra-2021.osm.pbf"},
    {"monaco", "osm/monaco-riviera-2016.osm.pbf"},
    {"nantes", "osm/nantes-centre-2014.osm.pbf"},
    {"stbarth", "osm/saint-barthelemy-2014.osm.pbf"},
};

constexpr std::size_t source_count = 64;       // one-to-all sources, cycled through iterations
constexpr std::size_t set_count = 16;          // multi-source sets (cycled; all used by run_many)
constexpr std::size_t sources_per_set = 10;
constexpr Deciseconds max_offset_ds = 300;

[[noreturn]] void fail(const std::string& message) {
    std::fprintf(stderr, "bench_routing: %s\n", message.c_str());
    std::fflush(stderr);
    std::abort();
}

std::filesystem::path sample_path(const Sample& s) {
    return std::filesystem::path(PROXIMA_BENCH_DATA_DIR) / s.file;
}

// ---------------------------------------------------------------------------------------------
// Boost.Graph baseline: a CSR graph with the same vertex numbering and arc order as ours.

struct ArcWeight {
    Deciseconds ds;
};
// 32-bit vertex and edge indices, like RoadGraph's arrays.
using BoostGraph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, ArcWeight,
                                                      boost::no_property, std::uint32_t, std::uint32_t>;
using BoostVertex = boost::graph_traits<BoostGraph>::vertex_descriptor;
using BoostIndexMap = boost::property_map<BoostGraph, boost::vertex_index_t>::const_type;

/// Builds the Boost CSR graph from one of RoadGraph's CSRs (forward: first_out/head/travel_ds;
/// reverse: first_in/tail_in/in_travel_ds) and checks that it holds exactly the same arcs.
std::unique_ptr<BoostGraph> make_boost_graph(std::span<const std::uint32_t> first,
                                             std::span<const std::uint32_t> target,
                                             std::span<const Deciseconds> weight) {
    const auto n = static_cast<std::uint32_t>(first.size() - 1);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> arcs;
    std::vector<ArcWeight> weights;
    arcs.reserve(target.size());
    weights.reserve(target.size());
    for (std::uint32_t u = 0; u < n; ++u) {
        for (auto a = first[u]; a < first[u + 1]; ++a) {
            arcs.emplace_back(u, target[a]);
            weights.push_back({weight[a]});
        }
    }
    auto g = std::make_unique<BoostGraph>(boost::edges_are_sorted, arcs.begin(), arcs.end(), weights.begin(), n,
                                          static_cast<std::uint32_t>(arcs.size()));
    if (boost::num_vertices(*g) != n || boost::num_edges(*g) != target.size()) {
        fail("Boost graph has a different size than the RoadGraph");
    }
    for (std::uint32_t u = 0; u < n; ++u) {
        auto a = first[u];
        for (auto [e, end] = boost::out_edges(u, *g); e != end; ++e, ++a) {
            if (a >= first[u + 1] || boost::target(*e, *g) != target[a] || (*g)[*e].ds != weight[a]) {
                fail("Boost graph arcs differ from the RoadGraph CSR at node " + std::to_string(u));
            }
        }
        if (a != first[u + 1]) {
            fail("Boost graph misses arcs of node " + std::to_string(u));
        }
    }
    return g;
}

/// Preallocated distance/predecessor/colour maps for repeated Boost searches on one graph.
/// Boost's Dijkstra still allocates its heap and the heap's position map on every call (it has no
/// way to pass them in); that is Boost's own cost and is kept in the measurement.
class BoostSearch {
    static constexpr Deciseconds inf = proxima::unreachable_ds;

    // Defined first: their deduced types are needed below.
    auto dist_map() { return boost::make_iterator_property_map(m_dist.begin(), m_index); }
    auto pred_map() { return boost::make_iterator_property_map(m_pred.begin(), m_index); }
    auto weight_map() const { return boost::get(&ArcWeight::ds, m_g); }

public:
    explicit BoostSearch(const BoostGraph& g)
        : m_g(g),
          m_index(boost::get(boost::vertex_index, g)),
          m_dist(boost::num_vertices(g), proxima::unreachable_ds),
          m_pred(boost::num_vertices(g)),
          m_color(boost::num_vertices(g), m_index) {}

    /// Plain boost::dijkstra_shortest_paths from one source (it initialises all maps itself).
    void one_to_all(std::uint32_t source) {
        boost::dijkstra_shortest_paths(m_g, BoostVertex{source}, pred_map(), dist_map(), weight_map(), m_index,
                                       std::less<Deciseconds>(), boost::closed_plus<Deciseconds>(inf),
                                       inf, Deciseconds{0}, boost::default_dijkstra_visitor(), m_color);
    }

    /// Multi-source search with start offsets. Chosen over a super-source graph because it runs on
    /// the same graph as everything else (no per-source-set graph copy, no extra vertex/arcs):
    /// initialise every vertex exactly as dijkstra_shortest_paths does, set each source's distance
    /// to its offset, then call Boost's multi-source dijkstra_shortest_paths_no_init, which queues
    /// all sources keyed by their distances. The initialisation is timed, as it is part of a Boost
    /// query. Sources must be distinct.
    void multi_source(const std::vector<proxima::SourceSet::Source>& sources) {
        const auto n = static_cast<std::uint32_t>(m_dist.size());
        for (std::uint32_t v = 0; v < n; ++v) {
            m_dist[v] = inf;
            m_pred[v] = v;
            boost::put(m_color, v, boost::color_traits<boost::two_bit_color_type>::white());
        }
        m_sources.clear();
        for (const auto& s : sources) {
            m_dist[proxima::to_index(s.state)] = s.offset_ds;
            m_sources.push_back(proxima::to_index(s.state));
        }
        boost::dijkstra_shortest_paths_no_init(m_g, m_sources.begin(), m_sources.end(), pred_map(), dist_map(),
                                               weight_map(), m_index, std::less<Deciseconds>(),
                                               boost::closed_plus<Deciseconds>(inf), Deciseconds{0},
                                               boost::default_dijkstra_visitor(), m_color);
    }

    [[nodiscard]] const std::vector<Deciseconds>& dist() const { return m_dist; }

private:
    const BoostGraph& m_g;
    BoostIndexMap m_index;
    std::vector<Deciseconds> m_dist;
    std::vector<BoostVertex> m_pred;
    boost::two_bit_color_map<BoostIndexMap> m_color;
    std::vector<BoostVertex> m_sources;
};

// ---------------------------------------------------------------------------------------------
// Per-sample data, built once per process.

struct Fixture {
    proxima::RoadGraph graph;
    std::unique_ptr<BoostGraph> boost_forward;
    std::unique_ptr<BoostGraph> boost_reverse;
    std::unique_ptr<BoostGraph> boost_nodes;     ///< the physical arcs, no turns: the search before turns
    std::vector<std::uint32_t> sources;          ///< one-to-all sources
    std::vector<proxima::SourceSet> sets;        ///< multi-source sets, distinct nodes per set

    [[nodiscard]] const BoostGraph& boost_graph(Direction d) const {
        return d == Direction::forward ? *boost_forward : *boost_reverse;
    }
};

void check_same(const Fixture& f, Direction d, const std::vector<proxima::SourceSet::Source>& sources,
                const std::string& what) {
    proxima::MultiSourceDijkstra ours(f.graph, d);
    ours.reset();
    for (const auto& s : sources) {
        ours.add_source(s.state, s.offset_ds);
    }
    ours.run();
    BoostSearch theirs(f.boost_graph(d));
    if (sources.size() == 1 && sources[0].offset_ds == 0) {
        theirs.one_to_all(proxima::to_index(sources[0].state));  // the exact call that is timed
    } else {
        theirs.multi_source(sources);
    }
    std::uint32_t reached = 0;
    for (std::uint32_t v = 0; v < f.graph.state_count(); ++v) {
        const Deciseconds a = ours.time_ds(StateId{v});
        const Deciseconds b = theirs.dist()[v];  // inf passed to Boost is unreachable_ds as well
        if (a != b) {
            fail(what + ": state " + std::to_string(v) + ": proxima " + std::to_string(a) + " ds, boost " +
                 std::to_string(b) + " ds");
        }
        reached += a != proxima::unreachable_ds ? 1 : 0;
    }
    if (reached < sources.size()) {
        fail(what + ": sources not reached");
    }
}

const Fixture& fixture(const Sample& sample) {
    static std::map<std::string, std::unique_ptr<Fixture>> cache;
    auto& slot = cache[sample.file];
    if (slot) {
        return *slot;
    }
    auto f = std::make_unique<Fixture>();
    f->graph = proxima::build_road_graph(sample_path(sample), proxima::default_car_profile()).graph;
    const proxima::RoadGraph& g = f->graph;
    f->boost_forward = make_boost_graph(g.first_transition(), g.transition_head(), g.transition_ds());
    f->boost_reverse = make_boost_graph(g.first_in_transition(), g.in_transition_tail(), g.in_transition_ds());
    f->boost_nodes = make_boost_graph(g.first_out(), g.head(), g.travel_ds());

    std::mt19937 rng(42);
    std::uniform_int_distribution<std::uint32_t> node_dist(0, g.state_count() - 1);
    for (std::size_t i = 0; i < source_count; ++i) {
        f->sources.push_back(node_dist(rng));
    }
    std::uniform_int_distribution<Deciseconds> offset_dist(0, max_offset_ds);
    for (std::size_t i = 0; i < set_count; ++i) {
        proxima::SourceSet set;
        std::vector<std::uint32_t> used;
        while (set.sources.size() < sources_per_set && set.sources.size() < g.state_count()) {
            const auto v = node_dist(rng);
            if (std::find(used.begin(), used.end(), v) != used.end()) {
                continue;
            }
            used.push_back(v);
            set.sources.push_back({StateId{v}, offset_dist(rng), static_cast<std::uint32_t>(set.sources.size())});
        }
        f->sets.push_back(std::move(set));
    }

    // Correctness before timing: ours must equal Boost exactly.
    const std::string name = sample.name;
    for (const Direction d : {Direction::forward, Direction::reverse}) {
        const std::string dn = d == Direction::forward ? "forward" : "reverse";
        for (std::size_t i = 0; i < 4; ++i) {
            check_same(*f, d, {{StateId{f->sources[i]}, 0}}, name + " one-to-all " + dn + " source " + std::to_string(i));
        }
        for (std::size_t i = 0; i < f->sets.size(); ++i) {
            check_same(*f, d, f->sets[i].sources, name + " multi-source " + dn + " set " + std::to_string(i));
        }
    }
    // run_many must agree with the single searches.
    const auto many = proxima::run_many(g, Direction::reverse, f->sets, 2);
    for (std::size_t i = 0; i < f->sets.size(); ++i) {
        proxima::MultiSourceDijkstra one(g, Direction::reverse);
        one.reset();
        for (const auto& s : f->sets[i].sources) {
            one.add_source(s.state, s.offset_ds, s.tag, s.offset_m);
        }
        one.run();
        for (std::uint32_t v = 0; v < g.state_count(); ++v) {
            if (many[i][v] != one.time_ds(StateId{v})) {
                fail(name + " run_many set " + std::to_string(i) + " differs at state " + std::to_string(v));
            }
        }
    }
    std::fprintf(stderr, "[%s] graph: %u nodes, %u arcs, %u states, %u turns; proxima == boost on %zu checks\n",
                 sample.name, g.node_count(), g.arc_count(), g.state_count(), g.transition_count(),
                 2 * (4 + f->sets.size()));
    slot = std::move(f);
    return *slot;
}

void graph_counters(benchmark::State& state, const proxima::RoadGraph& g) {
    state.counters["nodes"] = g.node_count();
    state.counters["arcs"] = g.arc_count();
    state.counters["states"] = g.state_count();
    state.counters["turns"] = g.transition_count();
}

// ---------------------------------------------------------------------------------------------
// Graph build.

/// Does nothing with the data: what is measured is decoding plus node-location lookup.
struct TrivialHandler : osmium::handler::Handler {
    std::uint64_t nodes = 0;
    std::uint64_t ways = 0;
    std::uint64_t refs = 0;
    void node(const osmium::Node&) { ++nodes; }
    void way(const osmium::Way& way) {
        ++ways;
        refs += way.nodes().size();
    }
};

void bm_build_read_only(benchmark::State& state, const Sample& sample) {
    const std::string path = sample_path(sample).string();
    using Index = osmium::index::map::FlexMem<osmium::unsigned_object_id_type, osmium::Location>;
    std::uint64_t ways = 0;
    for (auto _ : state) {
        Index index;
        osmium::handler::NodeLocationsForWays<Index> locations(index);
        locations.ignore_errors();  // as the builder does: extracts cut ways at their boundary
        TrivialHandler handler;
        osmium::io::Reader reader(path, osmium::osm_entity_bits::node | osmium::osm_entity_bits::way);
        while (osmium::memory::Buffer buffer = reader.read()) {
            osmium::apply(buffer, locations, handler);
        }
        reader.close();
        benchmark::DoNotOptimize(handler.refs);
        ways = handler.ways;
    }
    state.counters["ways"] = static_cast<double>(ways);
}

void bm_build_full(benchmark::State& state, const Sample& sample) {
    const auto path = sample_path(sample);
    const proxima::Profile profile = proxima::default_car_profile();
    double read_s = 0.0;
    double build_s = 0.0;
    std::uint32_t nodes = 0;
    for (auto _ : state) {
        auto result = proxima::build_road_graph(path, profile);
        read_s += result.report.read_seconds;
        build_s += result.report.build_seconds;
        nodes = result.graph.node_count();
        benchmark::DoNotOptimize(nodes);
    }
    // The builder's own phase timings (seconds per build).
    state.counters["read_s"] = benchmark::Counter(read_s, benchmark::Counter::kAvgIterations);
    state.counters["build_s"] = benchmark::Counter(build_s, benchmark::Counter::kAvgIterations);
    state.counters["nodes"] = nodes;
}

// ---------------------------------------------------------------------------------------------
// Searches.

void bm_one_to_all_proxima(benchmark::State& state, const Sample& sample, Direction d) {
    const Fixture& f = fixture(sample);
    proxima::MultiSourceDijkstra search(f.graph, d);
    std::size_t i = 0;
    for (auto _ : state) {
        search.reset();
        search.add_source(StateId{f.sources[i++ % f.sources.size()]}, 0);
        benchmark::DoNotOptimize(search.run());
        benchmark::ClobberMemory();
    }
    graph_counters(state, f.graph);
}

void bm_one_to_all_boost(benchmark::State& state, const Sample& sample, Direction d) {
    const Fixture& f = fixture(sample);
    BoostSearch search(f.boost_graph(d));
    std::size_t i = 0;
    for (auto _ : state) {
        search.one_to_all(f.sources[i++ % f.sources.size()]);
        benchmark::DoNotOptimize(search.dist().data());
        benchmark::ClobberMemory();
    }
    graph_counters(state, f.graph);
}

/// The node-based search of before the turn model (Boost on the physical arcs, no turns): the
/// baseline for what the turn-aware graph costs.
void bm_one_to_all_boost_nodes(benchmark::State& state, const Sample& sample) {
    const Fixture& f = fixture(sample);
    BoostSearch search(*f.boost_nodes);
    std::size_t i = 0;
    for (auto _ : state) {
        const auto arc = f.graph.state_arc(StateId{f.sources[i++ % f.sources.size()]});
        search.one_to_all(proxima::to_index(f.graph.tail(arc)));
        benchmark::DoNotOptimize(search.dist().data());
        benchmark::ClobberMemory();
    }
    graph_counters(state, f.graph);
}

void bm_multi_source_proxima(benchmark::State& state, const Sample& sample, Direction d) {
    const Fixture& f = fixture(sample);
    proxima::MultiSourceDijkstra search(f.graph, d);
    std::size_t i = 0;
    for (auto _ : state) {
        const auto& set = f.sets[i++ % f.sets.size()];
        search.reset();
        for (const auto& s : set.sources) {
            search.add_source(s.state, s.offset_ds, s.tag);
        }
        benchmark::DoNotOptimize(search.run());
        benchmark::ClobberMemory();
    }
    graph_counters(state, f.graph);
}

void bm_multi_source_boost(benchmark::State& state, const Sample& sample, Direction d) {
    const Fixture& f = fixture(sample);
    BoostSearch search(f.boost_graph(d));
    std::size_t i = 0;
    for (auto _ : state) {
        search.multi_source(f.sets[i++ % f.sets.size()].sources);
        benchmark::DoNotOptimize(search.dist().data());
        benchmark::ClobberMemory();
    }
    graph_counters(state, f.graph);
}

void bm_run_many(benchmark::State& state, const Sample& sample, int threads) {
    const Fixture& f = fixture(sample);
    for (auto _ : state) {
        auto result = proxima::run_many(f.graph, Direction::reverse, f.sets, threads);
        benchmark::DoNotOptimize(result.data());
        benchmark::ClobberMemory();
    }
    state.counters["threads"] = threads;
    state.counters["sets"] = static_cast<double>(f.sets.size());
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(f.sets.size()));
}

// ---------------------------------------------------------------------------------------------
// Reporting.

enum class Clock { real, cpu };

/// Console output as usual, plus the time per iteration (seconds) of every benchmark, keyed by its
/// registered name: the median of its repetitions (or the "median" aggregate if only aggregates
/// are reported).
class RecordingReporter : public benchmark::ConsoleReporter {
public:
    using ConsoleReporter::ConsoleReporter;

    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& run : runs) {
            if (run.error_occurred) {
                continue;
            }
            const double unit = benchmark::GetTimeUnitMultiplier(run.time_unit);
            const auto& name = run.run_name.function_name;
            if (run.run_type == Run::RT_Iteration) {
                m_runs[name].real.push_back(run.GetAdjustedRealTime() / unit);
                m_runs[name].cpu.push_back(run.GetAdjustedCPUTime() / unit);
            } else if (run.aggregate_name == "median") {
                m_medians[name] = {{run.GetAdjustedRealTime() / unit}, {run.GetAdjustedCPUTime() / unit}};
            }
        }
        ConsoleReporter::ReportRuns(runs);
    }

    /// Seconds per iteration, or a negative value if the benchmark did not run.
    [[nodiscard]] double seconds(const std::string& name, Clock clock) const {
        const Times* t = nullptr;
        if (const auto it = m_runs.find(name); it != m_runs.end()) {
            t = &it->second;
        } else if (const auto med = m_medians.find(name); med != m_medians.end()) {
            t = &med->second;
        }
        if (t == nullptr) {
            return -1.0;
        }
        auto v = clock == Clock::real ? t->real : t->cpu;
        if (v.empty()) {
            return -1.0;
        }
        std::sort(v.begin(), v.end());
        return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    }

private:
    struct Times {
        std::vector<double> real;
        std::vector<double> cpu;
    };
    std::map<std::string, Times> m_runs;
    std::map<std::string, Times> m_medians;
};

std::string dir_name(Direction d) { return d == Direction::forward ? "forward" : "reverse"; }

std::string format_seconds(double s) {
    char buf[32];
    if (s >= 1.0) {
        std::snprintf(buf, sizeof buf, "%.2f s", s);
    } else if (s >= 1e-3) {
        std::snprintf(buf, sizeof buf, "%.2f ms", s * 1e3);
    } else {
        std::snprintf(buf, sizeof buf, "%.1f us", s * 1e6);
    }
    return buf;
}

void print_ratio_table(const RecordingReporter& r, int max_threads) {
    std::printf("\nRatios measured in this run (median over repetitions). Searches: thread CPU time (single-threaded,\n"
                "robust to preemption on a shared machine); build and run_many: wall time (they use threads).\n");
    std::printf("%-8s %-40s %8s  %-21s %s\n", "sample", "measure", "ratio", "(numerator/denominator)", "note");
    auto row = [&](const char* sample, const std::string& what, const std::string& num, const std::string& den,
                   Clock clock, const char* target, double target_min) {
        const double a = r.seconds(num, clock);
        const double b = r.seconds(den, clock);
        if (a <= 0 || b <= 0) {
            std::printf("%-8s %-40s %8s\n", sample, what.c_str(), "(not run)");
            return;
        }
        const double ratio = a / b;
        std::string note = target;
        if (target_min > 0) {
            note += ratio >= target_min ? "  ok" : "  BELOW TARGET";
        }
        const std::string times = format_seconds(a) + " / " + format_seconds(b);
        std::printf("%-8s %-40s %7.2fx  %-21s %s\n", sample, what.c_str(), ratio, times.c_str(), note.c_str());
    };
    for (const Sample& s : samples) {
        const std::string n = s.name;
        for (const char* kind : {"one_to_all", "multi_source"}) {
            for (const Direction d : {Direction::forward, Direction::reverse}) {
                const std::string p = std::string(kind) + "/" + n + "/" + dir_name(d);
                const std::string label = std::string(kind == std::string("one_to_all") ? "one-to-all " : "multi-source ") +
                                          dir_name(d) + "  boost/proxima";
                row(s.name, label, p + "/boost", p + "/proxima", Clock::cpu, "target >= 2x", 2.0);
            }
        }
        row(s.name, "turns: boost states/boost nodes (forward)", "one_to_all/" + n + "/forward/boost",
            "one_to_all/" + n + "/nodes/boost", Clock::cpu, "search graph cost of the turn model", 0.0);
        row(s.name, "turns: proxima states/boost nodes (fwd)", "one_to_all/" + n + "/forward/proxima",
            "one_to_all/" + n + "/nodes/boost", Clock::cpu, "", 0.0);
        row(s.name, "graph build  full/read_only", "build/" + n + "/full", "build/" + n + "/read_only", Clock::real,
            "", 0.0);
        if (max_threads > 1) {
            row(s.name, "run_many  1 thread/" + std::to_string(max_threads) + " threads (speedup)",
                "run_many/" + n + "/threads:1", "run_many/" + n + "/threads:" + std::to_string(max_threads),
                Clock::real, "", 0.0);
        }
    }
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    proxima::keep_freed_memory_for_reuse();  // the allocator as the CLI sets it
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    for (const Sample& s : samples) {
        if (!std::filesystem::exists(sample_path(s))) {
            fail("sample extract not found: " + sample_path(s).string());
        }
    }
    const int max_threads = omp_get_max_threads();
    const double min_time = 0.5;

    for (const Sample& s : samples) {
        const std::string n = s.name;
        // Reading uses libosmium's decoder threads: real time is what counts.
        benchmark::RegisterBenchmark(("build/" + n + "/read_only").c_str(), bm_build_read_only, s)
            ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);
        benchmark::RegisterBenchmark(("build/" + n + "/full").c_str(), bm_build_full, s)
            ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);
        for (const Direction d : {Direction::forward, Direction::reverse}) {
            const std::string p = "one_to_all/" + n + "/" + dir_name(d);
            benchmark::RegisterBenchmark((p + "/proxima").c_str(), bm_one_to_all_proxima, s, d)
                ->Unit(benchmark::kMicrosecond)->MinTime(min_time);
            benchmark::RegisterBenchmark((p + "/boost").c_str(), bm_one_to_all_boost, s, d)
                ->Unit(benchmark::kMicrosecond)->MinTime(min_time);
        }
        benchmark::RegisterBenchmark(("one_to_all/" + n + "/nodes/boost").c_str(), bm_one_to_all_boost_nodes, s)
            ->Unit(benchmark::kMicrosecond)->MinTime(min_time);
        for (const Direction d : {Direction::forward, Direction::reverse}) {
            const std::string p = "multi_source/" + n + "/" + dir_name(d);
            benchmark::RegisterBenchmark((p + "/proxima").c_str(), bm_multi_source_proxima, s, d)
                ->Unit(benchmark::kMicrosecond)->MinTime(min_time);
            benchmark::RegisterBenchmark((p + "/boost").c_str(), bm_multi_source_boost, s, d)
                ->Unit(benchmark::kMicrosecond)->MinTime(min_time);
        }
        std::vector<int> thread_counts{1};
        if (max_threads > 1) {
            thread_counts.push_back(max_threads);
        }
        for (const int t : thread_counts) {
            benchmark::RegisterBenchmark(("run_many/" + n + "/threads:" + std::to_string(t)).c_str(), bm_run_many, s, t)
                ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(min_time);
        }
    }

    RecordingReporter reporter(isatty(STDOUT_FILENO) != 0 ? benchmark::ConsoleReporter::OO_Color
                                                          : benchmark::ConsoleReporter::OO_None);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    print_ratio_table(reporter, max_threads);
    benchmark::Shutdown();
    return 0;
}
