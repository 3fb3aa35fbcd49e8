// What a run's deficit areas paid per service before they shared one outline of the zones
// (analysis/deficit_territory.hpp, zones_outline): the merge of the study zones, on the real
// commune layers bundled in data/insee (IGN ADMIN EXPRESS, COG 2018):
//  - outline/lozere (158 communes), outline/alpes-maritimes (163), outline/lot (320), and
//    outline/three (the 641 together, one layer);
// each the reading of the zones, their projection to Lambert-93 and GEOS's union, single-threaded
// CPU time. Before, every service of a run merged the zones again; now a run merges them once.
// At the end: the time per merge and per commune measured in this run, and what a run of 200
// services (a national catalogue) spent merging before and after, at each size.

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "proxima/analysis/deficit_territory.hpp"
#include "proxima/territory/zones.hpp"
#include "recording_reporter.hpp"
#include "proxima/core/malloc_tuning.hpp"

using namespace proxima;

namespace {

const std::vector<std::pair<std::string, std::string>> layers = {
    {"lozere", "communes-48-lozere.geojson"},
    {"alpes-maritimes", "communes-06-alpes-maritimes.geojson"},
    {"lot", "communes-46-lot.geojson"},
};

std::map<std::string, ZoneLayer>& cases() {
    static std::map<std::string, ZoneLayer> all;
    return all;
}

void outline(benchmark::State& state, const std::string& name) {
    const ZoneLayer& zones = cases().at(name);
    double area = 0;
    for (auto _ : state) {
        const ZonesOutline o = zones_outline(zones, "EPSG:2154");
        area = o.area_km2;
        benchmark::DoNotOptimize(o.wkb.data());
    }
    state.counters["zones"] = static_cast<double>(zones.zones.size());
    state.counters["km2"] = area;
}

} // namespace

int main(int argc, char** argv) {
    proxima::keep_freed_memory_for_reuse();  // the allocator as the CLI sets it
    ZoneLayer three;
    for (const auto& [name, file] : layers) {
        ZoneLayer layer = read_zones(std::string(PROXIMA_BENCH_DATA_DIR) + "/insee/" + file);
        three.zones.insert(three.zones.end(), layer.zones.begin(), layer.zones.end());
        three.crs = layer.crs;
        three.source = "three départements";
        cases()[name] = std::move(layer);
    }
    cases()["three"] = std::move(three);
    std::vector<std::string> names;
    for (const auto& [name, file] : layers) {
        names.push_back(name);
    }
    names.emplace_back("three");
    for (const auto& name : names) {
        benchmark::RegisterBenchmark(("outline/" + name).c_str(), outline, name)->Unit(benchmark::kMillisecond);
    }
    bench::RecordingReporter reporter(benchmark::ConsoleReporter::OO_None);
    if (!bench::run_recorded(argc, argv, reporter)) {
        return 1;
    }
    constexpr int services = 200;
    std::printf("\nMeasured in this run (one merge of the zones; a run of %d services merged %d times before, "
                "once now)\n",
                services, services);
    for (const auto& name : names) {
        const std::string bench = "outline/" + name;
        const double s = reporter.seconds(bench);
        const double zones = reporter.counter(bench, "zones");
        if (s > 0 && zones > 0) {
            std::printf("  %-16s %4.0f zones  %8.1f ms per merge  %6.1f us per zone  %d services: %7.1f s before, "
                        "%6.2f s now\n",
                        name.c_str(), zones, s * 1e3, s * 1e6 / zones, services, s * services, s);
        }
    }
    return 0;
}
