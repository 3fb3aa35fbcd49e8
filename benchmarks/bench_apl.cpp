// The cost of the APL (E2SFCA, analysis/apl.hpp) against a plain access run, on the Andorra study
// (data/studies/andorra.toml), in memory (inputs loaded once, not timed):
//  - access/<service>: what `proxima run` computes for the service: compute_access() (one
//    multi-source search from all the sites) and aggregate();
//  - apl/<service>: compute_apl() (one search per distinct site position, bounded at the decay's
//    reach, then the two sums and the conservation check) and aggregate_apl();
//  - apl_unbounded/<service>: the same with a last band at 1440 min, i.e. searches that cover
//    the whole graph: what the bound saves;
//  - apl/<service>/threads:<t>: the same on wall time with 1 thread and with all of them.
// Services: medecin (the 4 OpenStreetMap doctors, DREES's decay), pharmacie (30 sites).
// Before timing, the APL is checked to be the same with 1 and with every thread, and conservation
// to hold (any difference aborts). At the end: the ratios measured in this run (only ratios mean
// anything across machines).

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>
#include <omp.h>

#include "proxima/analysis/aggregation.hpp"
#include "proxima/analysis/apl.hpp"
#include "proxima/study/study_file.hpp"
#include "recording_reporter.hpp"
#include "proxima/core/malloc_tuning.hpp"

using namespace proxima;

namespace {

struct Case {
    StudyInputs in;  // the study with that service only
    AplSpec spec;
    AplSpec unbounded;
};

std::map<std::string, std::unique_ptr<Case>>& cases() {
    static std::map<std::string, std::unique_ptr<Case>> all;
    return all;
}

void prepare(const std::string& service) {
    StudyFile study = load_study(std::string(PROXIMA_BENCH_DATA_DIR) + "/studies/andorra.toml");
    study.network.graph.clear();
    std::vector<ServiceSpec> kept;
    for (const auto& s : study.services) {
        if (s.id == service) {
            kept.push_back(s);
        }
    }
    study.services = kept;
    auto c = std::make_unique<Case>();
    c->in = load_study_inputs(study);
    c->spec = c->in.services[0].spec.apl;
    c->unbounded = c->spec;
    c->unbounded.band_upper_min = {10, 15, 1440};
    // The check: the same bits whatever the thread count, and conservation.
    const AplResult one = compute_apl(c->in, 0, c->spec, 1);
    const AplResult all = compute_apl(c->in, 0, c->spec, omp_get_max_threads());
    if (one.apl != all.apl || !one.conservation.holds()) {
        std::fprintf(stderr, "bench_apl: %s: APL differs with the thread count, or conservation fails\n",
                     service.c_str());
        std::exit(3);
    }
    cases()[service] = std::move(c);
}

void plain_access(benchmark::State& state, const std::string& service) {
    const Case& c = *cases().at(service);
    for (auto _ : state) {
        const AccessTable table = compute_access(c.in, 1);
        const StudyResults results = aggregate(c.in, table);
        benchmark::DoNotOptimize(results.summary.data());
    }
}

void apl(benchmark::State& state, const std::string& service, bool bounded) {
    const Case& c = *cases().at(service);
    const AplSpec& spec = bounded ? c.spec : c.unbounded;
    const int threads = static_cast<int>(state.range(0));
    AplResult r;
    for (auto _ : state) {
        r = compute_apl(c.in, 0, spec, threads);
        const AplAreas areas = aggregate_apl(c.in, r.apl, spec);
        benchmark::DoNotOptimize(areas.areas.data());
    }
    state.counters["searches"] = static_cast<double>(r.searches.searches);
    state.counters["settled"] = static_cast<double>(r.searches.settled_states);
    state.counters["pairs"] = static_cast<double>(r.pairs);
}

} // namespace

int main(int argc, char** argv) {
    proxima::keep_freed_memory_for_reuse();  // the allocator as the CLI sets it
    const std::vector<std::string> services = {"medecin", "pharmacie"};
    for (const auto& service : services) {
        prepare(service);
        benchmark::RegisterBenchmark(("access/" + service).c_str(), plain_access, service)->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark(("apl/" + service).c_str(), apl, service, true)
            ->Arg(1)
            ->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark(("apl_unbounded/" + service).c_str(), apl, service, false)
            ->Arg(1)
            ->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark(("apl/" + service).c_str(), apl, service, true)
            ->ArgName("threads")
            ->Arg(1)
            ->Arg(omp_get_max_threads())
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
    }
    bench::RecordingReporter reporter(benchmark::ConsoleReporter::OO_None);
    if (!bench::run_recorded(argc, argv, reporter)) {
        return 1;
    }

    std::printf("\nRatios measured in this run (APL / plain access run of the same service, 1 thread)\n");
    for (const auto& service : services) {
        const double plain = reporter.seconds("access/" + service);
        const double bounded = reporter.seconds("apl/" + service + "/1");
        const double unbounded = reporter.seconds("apl_unbounded/" + service + "/1");
        if (plain > 0 && bounded > 0) {
            std::printf("  %-10s APL / access  %6.2fx  (%.1f us / %.1f us; %g searches, %g states settled)\n",
                        service.c_str(), bounded / plain, bounded * 1e6, plain * 1e6,
                        reporter.counter("apl/" + service + "/1", "searches"),
                        reporter.counter("apl/" + service + "/1", "settled"));
        }
        if (bounded > 0 && unbounded > 0) {
            std::printf("  %-10s unbounded / bounded APL searches  %6.2fx  (%g / %g states settled)\n",
                        service.c_str(), unbounded / bounded, reporter.counter("apl_unbounded/" + service + "/1", "settled"),
                        reporter.counter("apl/" + service + "/1", "settled"));
        }
        const std::string one = "apl/" + service + "/threads:1/real_time";
        const std::string all = "apl/" + service + "/threads:" + std::to_string(omp_get_max_threads()) + "/real_time";
        if (reporter.seconds(one) > 0 && reporter.seconds(all) > 0) {
            std::printf("  %-10s APL 1 thread / %d threads (wall)  %6.2fx\n", service.c_str(), omp_get_max_threads(),
                        reporter.seconds(one) / reporter.seconds(all));
        }
    }
    return 0;
}
