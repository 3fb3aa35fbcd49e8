// Scenarios and siting on the Andorra study (data/studies/andorra.toml), in memory (inputs loaded
// once, not timed):
//  - full_recompute/<service>: what a run of that service computes when a site is added —
//    compute_access() on the service with the new facility, then aggregate();
//  - incremental/<service>: the same result from the existing situation kept in memory
//    (SiteAccess): one search limited to where the new site is faster, min, aggregate();
//  - aggregate/<service>: aggregate() alone, part of both of the above;
//  - run_scenario/<service>: the library call of `proxima scenario` (baseline search, pruned
//    search, before/after comparison), i.e. what one invocation computes after loading;
//  - siting_k5/<service>/threads:<t>: search_candidates() over the 7 parishes + greedy K = 5
//    (the edge snapper built once outside, as for run_scenario; snapper_build times it).
// At the end: the ratios measured in this run (only ratios mean anything across machines) and
// the number of searches of the siting. Before timing, the incremental result is checked equal
// to the full recomputation (any difference aborts).

#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>
#include <omp.h>

#include "proxima/analysis/aggregation.hpp"
#include "proxima/analysis/scenario.hpp"
#include "proxima/analysis/siting.hpp"
#include "proxima/study/study_file.hpp"
#include "recording_reporter.hpp"
#include "proxima/core/malloc_tuning.hpp"

using namespace proxima;

namespace {

struct Case {
    std::string service;
    LonLat site;            // the site added
    StudyInputs restricted; // the study with that service only
    StudyInputs with_site;  // ... and the site added to its facilities
    std::unique_ptr<SiteAccess> base;
    Snap snap;
};

std::map<std::string, std::unique_ptr<Case>>& cases() {
    static std::map<std::string, std::unique_ptr<Case>> all;
    return all;
}

std::unique_ptr<EdgeSnapper>& snapper_of(const std::string& service) {
    static std::map<std::string, std::unique_ptr<EdgeSnapper>> all;
    return all[service];
}

void prepare(const std::string& service, LonLat site) {
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
    c->service = service;
    c->site = site;
    c->restricted = load_study_inputs(study);
    c->with_site = c->restricted;
    const EdgeSnapper snapper(c->restricted.graph());
    c->snap = snap_site(snapper, c->restricted, site, "benchmark site");
    Facility f;
    f.id = "new";
    f.position = site;
    c->with_site.services[0].facilities.push_back(f);
    c->with_site.services[0].snaps.push_back(c->snap);
    c->base = std::make_unique<SiteAccess>(c->restricted, c->restricted.services[0].spec.direction,
                                           c->restricted.services[0].snaps);
    // The check: incremental == full recomputation, every origin.
    const AccessTable full = compute_access(c->with_site, 1);
    PrunedSearch scratch;
    std::vector<Deciseconds> after(c->base->origin_times().begin(), c->base->origin_times().end());
    for (const auto& b : c->base->improvements(std::span<const Snap>(&c->snap, 1), scratch)) {
        after[b.origin] = b.ds;
    }
    for (std::size_t o = 0; o < after.size(); ++o) {
        if (after[o] != full.time_ds(0, o)) {
            std::fprintf(stderr, "bench_scenario: %s origin %zu: incremental %u != full %u\n", service.c_str(), o,
                         after[o], full.time_ds(0, o));
            std::exit(3);
        }
    }
    snapper_of(service) = std::make_unique<EdgeSnapper>(c->restricted.graph());
    cases()[service] = std::move(c);
}

void full_recompute(benchmark::State& state, const std::string& service) {
    const Case& c = *cases().at(service);
    for (auto _ : state) {
        const AccessTable table = compute_access(c.with_site, 1);
        const StudyResults results = aggregate(c.with_site, table);
        benchmark::DoNotOptimize(results.summary.data());
    }
}

void incremental(benchmark::State& state, const std::string& service) {
    const Case& c = *cases().at(service);
    PrunedSearch scratch;
    std::size_t settled = 0;
    for (auto _ : state) {
        AccessTable table(1, c.restricted.origins.size());
        for (std::size_t o = 0; o < c.restricted.origins.size(); ++o) {
            table.set(0, o, c.base->origin_ds(o), c.base->nearest(o));
        }
        for (const auto& b : c.base->improvements(std::span<const Snap>(&c.snap, 1), scratch, &settled)) {
            table.set(0, b.origin, b.ds, static_cast<std::uint32_t>(c.restricted.services[0].facilities.size()));
        }
        const StudyResults results = aggregate(c.restricted, table);
        benchmark::DoNotOptimize(results.summary.data());
    }
    state.counters["settled_pruned"] = static_cast<double>(settled);
    state.counters["settled_full"] = static_cast<double>(c.base->settled_nodes());
}

void aggregate_only(benchmark::State& state, const std::string& service) {
    const Case& c = *cases().at(service);
    AccessTable table(1, c.restricted.origins.size());
    for (std::size_t o = 0; o < c.restricted.origins.size(); ++o) {
        table.set(0, o, c.base->origin_ds(o), c.base->nearest(o));
    }
    for (auto _ : state) {
        const StudyResults results = aggregate(c.restricted, table);
        benchmark::DoNotOptimize(results.summary.data());
    }
}

void whole_scenario(benchmark::State& state, const std::string& service) {
    const Case& c = *cases().at(service);
    ScenarioSpec spec;
    spec.name = "bench";
    spec.add = {{"new", c.site}};
    for (auto _ : state) {
        const ScenarioResult r = run_scenario(c.restricted, 0, spec, snapper_of(service).get());
        const ScenarioComparison cmp = compare_scenario(c.restricted, r);
        benchmark::DoNotOptimize(cmp.areas.data());
    }
}

void snapper_build(benchmark::State& state, const std::string& service) {
    const Case& c = *cases().at(service);
    for (auto _ : state) {
        const EdgeSnapper snapper(c.restricted.graph());
        benchmark::DoNotOptimize(&snapper);
    }
}

void siting_k5(benchmark::State& state, const std::string& service) {
    const Case& c = *cases().at(service);
    const auto candidates = commune_candidates(c.restricted);
    const int threads = static_cast<int>(state.range(0));
    SitingSearch search;
    SitingResult result;
    for (auto _ : state) {
        search = search_candidates(c.restricted, 0, candidates, c.restricted.services[0].spec.threshold_min, 180.0, true,
                                   threads, snapper_of(service).get());
        result = greedy_siting(search.problem, 5, SitingObjective::coverage);
        benchmark::DoNotOptimize(result.steps.data());
    }
    state.counters["candidates"] = static_cast<double>(candidates.size());
    state.counters["searches"] = static_cast<double>(search.full_searches + search.candidate_searches);
    state.counters["gain_evals"] = static_cast<double>(result.gain_evaluations);
    state.counters["settled"] = static_cast<double>(search.settled_nodes);
}

} // namespace

int main(int argc, char** argv) {
    proxima::keep_freed_memory_for_reuse();  // the allocator as the CLI sets it
    // urgences: one hospital, a new site at El Pas de la Casa (the worst served settlement);
    // pharmacie: 30 pharmacies, a new one in Ordino.
    const std::vector<std::pair<std::string, LonLat>> services = {{"urgences", {1.7336, 42.5428}},
                                                                  {"pharmacie", {1.5331, 42.5560}}};
    for (const auto& [service, site] : services) {
        prepare(service, site);
        benchmark::RegisterBenchmark(("full_recompute/" + service).c_str(), full_recompute, service)
            ->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark(("incremental/" + service).c_str(), incremental, service)
            ->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark(("aggregate/" + service).c_str(), aggregate_only, service)
            ->Unit(benchmark::kMicrosecond);
        benchmark::RegisterBenchmark(("run_scenario/" + service).c_str(), whole_scenario, service)
            ->Unit(benchmark::kMicrosecond);
        if (service == "urgences") {
            benchmark::RegisterBenchmark("snapper_build", snapper_build, service)->Unit(benchmark::kMicrosecond);
        }
        benchmark::RegisterBenchmark(("siting_k5/" + service).c_str(), siting_k5, service)
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

    std::printf("\nRatios measured in this run (target: incremental >= 5x faster than a full recompute)\n");
    for (const auto& [service, site] : services) {
        const double full = reporter.seconds("full_recompute/" + service);
        const double inc = reporter.seconds("incremental/" + service);
        const double whole = reporter.seconds("run_scenario/" + service);
        if (full > 0 && inc > 0) {
            std::printf("  %-10s full recompute / incremental  %7.1fx  (%.1f us / %.1f us)%s\n", service.c_str(),
                        full / inc, full * 1e6, inc * 1e6, full / inc >= 5 ? "  ok" : "  BELOW TARGET");
        }
        if (full > 0 && whole > 0) {
            std::printf("  %-10s full recompute / run_scenario %7.1fx  (%.1f us / %.1f us; run_scenario repeats the "
                        "baseline search)\n",
                        service.c_str(), full / whole, full * 1e6, whole * 1e6);
        }
        const std::string siting = "siting_k5/" + service + "/threads:1/real_time";
        if (reporter.seconds(siting) > 0) {
            std::printf("  %-10s siting K=5 over %g parishes: %.3f ms, %g searches (1 full + 1 per candidate), %g gain "
                        "evaluations\n",
                        service.c_str(), reporter.counter(siting, "candidates"), reporter.seconds(siting) * 1e3,
                        reporter.counter(siting, "searches"), reporter.counter(siting, "gain_evals"));
        }
    }
    if (reporter.seconds("snapper_build") > 0) {
        std::printf("  building the edge snapper (R-tree over the graph's segments), done once per command: %.2f ms\n",
                    reporter.seconds("snapper_build") * 1e3);
    }
    return 0;
}
