// What `proxima init` pays to cut a study's extract (osm/extract_cut.hpp), on the bundled
// Monaco/Riviera extract (data/osm, 2016):
//  - read/twice: the baseline, libosmium reading every object of the file twice and nothing else
//    (the cut reads the file in two passes, so it cannot cost less);
//  - cut/beausoleil: the extract cut to one commune (06012, IGN ADMIN EXPRESS in data/insee), a
//    small part of the file, as `init --codes` does;
//  - cut/everything: cut to a box around the whole extract, every object written.
// At the end: each cut as a ratio of the baseline measured in this run (wall time). A cut that pays for its
// id sets rather than for the file (as when they were allocated in 4 MiB chunks: 4 s and 1.1 GB
// for this file) shows as a ratio far above that of cut/everything.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <gdal.h>
#include <ogr_api.h>
#include <osmium/io/any_input.hpp>
#include <osmium/osm/object.hpp>

#include "proxima/osm/extract_cut.hpp"
#include "proxima/territory/zones.hpp"
#include "recording_reporter.hpp"
#include "proxima/core/malloc_tuning.hpp"

using namespace proxima;
namespace fs = std::filesystem;

namespace {

const fs::path extract = fs::path(PROXIMA_BENCH_DATA_DIR) / "osm" / "monaco-riviera-2016.osm.pbf";

void read_twice(benchmark::State& state) {
    std::uint64_t objects = 0;
    for (auto _ : state) {
        objects = 0;
        for (int pass = 0; pass < 2; ++pass) {
            osmium::io::Reader reader(extract.string());
            while (osmium::memory::Buffer buffer = reader.read()) {
                for (const auto& object : buffer.select<osmium::OSMObject>()) {
                    benchmark::DoNotOptimize(object.id());
                    ++objects;
                }
            }
            reader.close();
        }
    }
    state.counters["objects"] = static_cast<double>(objects / 2);
}

void cut(benchmark::State& state, const std::vector<unsigned char>& polygon) {
    const fs::path out = fs::temp_directory_path() / "proxima-bench-cut.osm.pbf";
    ExtractCutReport report;
    for (auto _ : state) {
        report = cut_extract(extract, out, polygon);
    }
    fs::remove(out);
    state.counters["nodes_written"] = static_cast<double>(report.nodes_written);
    state.counters["ways_written"] = static_cast<double>(report.ways_written);
}

std::vector<unsigned char> wkb_of_wkt(const std::string& wkt) {
    OGRGeometryH g = nullptr;
    char* text = const_cast<char*>(wkt.c_str());
    if (OGR_G_CreateFromWkt(&text, nullptr, &g) != OGRERR_NONE) {
        std::fprintf(stderr, "bench_extract_cut: bad WKT %s\n", wkt.c_str());
        std::exit(2);
    }
    std::vector<unsigned char> wkb(static_cast<std::size_t>(OGR_G_WkbSize(g)));
    OGR_G_ExportToWkb(g, wkbNDR, wkb.data());
    OGR_G_DestroyGeometry(g);
    return wkb;
}

} // namespace

int main(int argc, char** argv) {
    proxima::keep_freed_memory_for_reuse();  // the allocator as the CLI sets it
    const ZoneLayer communes =
        read_zones(fs::path(PROXIMA_BENCH_DATA_DIR) / "insee" / "communes-06-alpes-maritimes.geojson");
    std::vector<unsigned char> beausoleil;
    for (const auto& z : communes.zones) {
        if (z.code == "06012") {
            beausoleil = z.wkb;
        }
    }
    if (beausoleil.empty()) {
        std::fprintf(stderr, "bench_extract_cut: commune 06012 not found in data/insee\n");
        return 2;
    }
    const ExtractCoverage coverage = read_extract_coverage(extract);
    const LonLatBox& b = coverage.box;
    const double m = 0.01;  // a margin around the box, degrees
    char box[256];
    std::snprintf(box, sizeof box, "POLYGON((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f))", b.west - m,
                  b.south - m, b.east + m, b.south - m, b.east + m, b.north + m, b.west - m, b.north + m, b.west - m,
                  b.south - m);
    const std::vector<unsigned char> everything = wkb_of_wkt(box);

    // Wall time: libosmium decodes and encodes on its own threads.
    benchmark::RegisterBenchmark("read/twice", read_twice)->Unit(benchmark::kMillisecond)->UseRealTime();
    benchmark::RegisterBenchmark("cut/beausoleil", cut, beausoleil)->Unit(benchmark::kMillisecond)->UseRealTime();
    benchmark::RegisterBenchmark("cut/everything", cut, everything)->Unit(benchmark::kMillisecond)->UseRealTime();
    bench::RecordingReporter reporter(benchmark::ConsoleReporter::OO_None);
    if (!bench::run_recorded(argc, argv, reporter)) {
        return 1;
    }
    const double base = reporter.seconds("read/twice/real_time");
    std::printf("\nMeasured in this run (wall time; baseline: the file read twice, %.0f ms)\n", base * 1e3);
    for (const char* name : {"cut/beausoleil", "cut/everything"}) {
        const double s = reporter.seconds(std::string(name) + "/real_time");
        if (s > 0 && base > 0) {
            std::printf("  %-16s %8.0f ms  %5.2f x the baseline\n", name, s * 1e3, s / base);
        }
    }
    return 0;
}
