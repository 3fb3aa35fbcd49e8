// The isochrones of one service's travel-time surface, as `proxima run` makes them for every
// service (analysis/isochrones.hpp: the standard bands and a 20 min threshold, 5 limits, in the
// raster's CRS), on a surface the size of the 1 M-node mosaic's (2 122 x 3 816 pixels of 100 m).
//
// The surface is synthetic but shaped like a real one: the time to the nearest of 50 sites grows
// with the distance at a speed that changes from place to place (smooth) and from pixel to pixel
// (the network's grain, ±3 %), so that each band's edge is ragged, with specks, holes and
// pockets, and a fifth of the box is outside the zones (no value). With that grain its 5
// isochrones hold about as many vertices as a real service's (5.2 MB of WKB; s001 of the 1 M
// mosaic's run: 5.5 MB); ±17 % made 29 MB, and GEOS then took most of the time. Fixed seed: the
// same surface every run.
//
// PROXIMA_BENCH_RASTER=path/to/rasters/<service>.tif takes a surface written by `proxima run`
// instead (its CRS and pixels as written; e.g. a service of the 1 M mosaic's run).
//
// Baseline measured in the same run: `scan`, one pass over the surface that classifies every
// pixel against a limit (what any method must at least read). The report prints isochrones as a
// number of such passes, a figure that does not depend on the machine's speed of the day.
//
// The surface's GeoTIFF, as `proxima run` writes one per service (DEFLATE level 1, 256 px tiles),
// with its times in tenths of a second as the run's are: `geotiff_float_predictor` with the
// floating-point predictor (PREDICTOR=3: before), `geotiff` by write_travel_time_geotiff()
// (horizontal differencing, PREDICTOR=2: now); the time and the bytes of each, as ratios. The
// "now" side also sets the CRS and metadata and writes to a temporary file renamed at the end,
// which the "before" side skips: its ratio leans towards the old way, if anything.

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include <benchmark/benchmark.h>
#include <gdal.h>

#include "proxima/analysis/isochrones.hpp"
#include "proxima/analysis/travel_time_raster.hpp"
#include "recording_reporter.hpp"
#include "proxima/core/malloc_tuning.hpp"

using namespace proxima;

namespace {

constexpr int width = 2122;
constexpr int height = 3816;
constexpr double threshold_min = 20.0;

TravelTimeRaster make_surface() {
    TravelTimeRaster r;
    r.service = "bench";
    r.grid = {"EPSG:2154", 600000.0, 6800000.0, 100.0, width, height};
    r.minutes.assign(r.grid.pixel_count(), NAN);
    std::mt19937_64 rng(20261128);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::vector<std::pair<double, double>> sites;
    for (int k = 0; k < 50; ++k) {
        sites.emplace_back(unit(rng) * width, unit(rng) * height);
    }
    for (int row = 0; row < height; ++row) {
        for (int col = 0; col < width; ++col) {
            // Outside the zones: beyond an ellipse that fills most of the box.
            const double ex = (col - width / 2.0) / (width * 0.55);
            const double ey = (row - height / 2.0) / (height * 0.55);
            if (ex * ex + ey * ey > 1.0) {
                continue;
            }
            double nearest = INFINITY;
            for (const auto& [sx, sy] : sites) {
                nearest = std::min(nearest, std::hypot(col - sx, row - sy));
            }
            const double speed_kmh = 45.0 + 20.0 * std::sin(col / 97.0) * std::cos(row / 131.0);
            const double grain = 1.0 + 0.06 * (unit(rng) - 0.5);
            r.minutes[static_cast<std::size_t>(row) * width + static_cast<std::size_t>(col)] =
                static_cast<float>(nearest * 0.1 / speed_kmh * 60.0 * grain);
        }
    }
    return r;
}

TravelTimeRaster read_surface(const char* path) {
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    if (ds == nullptr) {
        throw std::runtime_error(std::string("bench_isochrones: cannot open ") + path);
    }
    TravelTimeRaster r;
    r.service = "bench";
    double gt[6] = {};
    if (GDALGetGeoTransform(ds, gt) != CE_None || GDALGetRasterCount(ds) < 1) {
        GDALClose(ds);
        throw std::runtime_error(std::string("bench_isochrones: ") + path + " is not a georeferenced raster");
    }
    const char* wkt = GDALGetProjectionRef(ds);
    r.grid = {wkt != nullptr ? wkt : "", gt[0], gt[3], gt[1], GDALGetRasterXSize(ds), GDALGetRasterYSize(ds)};
    r.minutes.resize(r.grid.pixel_count());
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    const CPLErr e = GDALRasterIO(band, GF_Read, 0, 0, r.grid.width, r.grid.height, r.minutes.data(), r.grid.width,
                                  r.grid.height, GDT_Float32, 0, 0);
    GDALClose(ds);
    if (e != CE_None) {
        throw std::runtime_error(std::string("bench_isochrones: cannot read ") + path);
    }
    return r;
}

const TravelTimeRaster& surface() {
    static const TravelTimeRaster r = std::getenv("PROXIMA_BENCH_RASTER") != nullptr
                                          ? read_surface(std::getenv("PROXIMA_BENCH_RASTER"))
                                          : make_surface();
    return r;
}

void scan(benchmark::State& state) {
    const auto& r = surface();
    for (auto _ : state) {
        std::size_t within = 0;
        for (const float m : r.minutes) {
            within += static_cast<double>(m) <= threshold_min ? 1 : 0;
        }
        benchmark::DoNotOptimize(within);
    }
}

void isochrones(benchmark::State& state) {
    const auto& r = surface();
    IsochroneOptions options;
    options.raster_crs = true;
    const std::vector<double> limits = isochrone_limits(threshold_min);
    std::size_t bytes = 0;
    for (auto _ : state) {
        const auto made = isochrones_from_raster(r, limits, options);
        bytes = 0;
        for (const auto& iso : made) {
            bytes += iso.wkb_raster_crs.size();
        }
        benchmark::DoNotOptimize(bytes);
    }
    state.counters["limits"] = static_cast<double>(limits.size());
    state.counters["wkb_MB"] = static_cast<double>(bytes) / 1e6;
}

/// The surface with its times in whole tenths of a second, as a run's rasters hold them.
const TravelTimeRaster& surface_in_ds() {
    static const TravelTimeRaster r = [] {
        TravelTimeRaster q = surface();
        for (float& m : q.minutes) {
            if (!std::isnan(m)) {
                m = static_cast<float>(minutes_from_ds(static_cast<Deciseconds>(std::lround(static_cast<double>(m) * 600.0))));
            }
        }
        return q;
    }();
    return r;
}

std::filesystem::path geotiff_path(const char* name) {
    return std::filesystem::temp_directory_path() / ("proxima-bench-" + std::to_string(::getpid()) + "-" + name + ".tif");
}

void geotiff_float_predictor(benchmark::State& state) {
    const TravelTimeRaster& r = surface_in_ds();
    const std::filesystem::path path = geotiff_path("float-predictor");
    GDALAllRegister();
    const char* options[] = {"COMPRESS=DEFLATE", "ZLEVEL=1", "PREDICTOR=3", "TILED=YES", "BLOCKXSIZE=256",
                             "BLOCKYSIZE=256", nullptr};
    for (auto _ : state) {
        GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path.c_str(), r.grid.width, r.grid.height, 1,
                                     GDT_Float32, const_cast<char**>(options));
        const bool written = ds != nullptr && GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, 0, r.grid.width,
                                                           r.grid.height, const_cast<float*>(r.minutes.data()),
                                                           r.grid.width, r.grid.height, GDT_Float32, 0, 0) == CE_None;
        if (ds != nullptr) {
            GDALClose(ds);
        }
        if (!written) {
            std::filesystem::remove(path);
            state.SkipWithError("GDAL could not write the GeoTIFF");
            return;
        }
    }
    state.counters["bytes"] = static_cast<double>(std::filesystem::file_size(path));
    std::filesystem::remove(path);
}

void geotiff(benchmark::State& state) {
    const TravelTimeRaster& r = surface_in_ds();  // its CRS: EPSG:2154, or the WKT of the file read
    const std::filesystem::path path = geotiff_path("run");
    for (auto _ : state) {
        write_travel_time_geotiff(r, path);
    }
    state.counters["bytes"] = static_cast<double>(std::filesystem::file_size(path));
    std::filesystem::remove(path);
}

BENCHMARK(scan)->Unit(benchmark::kMillisecond);
BENCHMARK(geotiff_float_predictor)->Unit(benchmark::kMillisecond);
BENCHMARK(geotiff)->Unit(benchmark::kMillisecond);
BENCHMARK(isochrones)->Unit(benchmark::kMillisecond);

} // namespace

int main(int argc, char** argv) {
    proxima::keep_freed_memory_for_reuse();  // the allocator as the CLI sets it
    try {
        (void)surface();  // made (or read) before the clock starts
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s (PROXIMA_BENCH_RASTER names a GeoTIFF written by proxima run)\n", e.what());
        return 1;
    }
    bench::RecordingReporter reporter(benchmark::ConsoleReporter::OO_None);
    if (!bench::run_recorded(argc, argv, reporter)) {
        return 1;
    }
    const double pass = reporter.seconds("scan");
    const double iso = reporter.seconds("isochrones");
    if (pass > 0 && iso > 0) {
        std::printf("\nMeasured in this run: the isochrones of one service (%.0f limits, %d x %d pixels) take %.1f ms, "
                    "%.1f passes of a plain scan of the surface (%.2f ms)\n",
                    reporter.counter("isochrones", "limits"), surface().grid.width, surface().grid.height, iso * 1e3,
                    iso / pass, pass * 1e3);
    }
    const double before = reporter.seconds("geotiff_float_predictor");
    const double now = reporter.seconds("geotiff");
    if (before > 0 && now > 0) {
        std::printf("Its GeoTIFF, floating-point predictor (before) / horizontal differencing (now): %.2fx the time, "
                    "%.2fx the bytes\n",
                    before / now,
                    reporter.counter("geotiff_float_predictor", "bytes") / reporter.counter("geotiff", "bytes"));
    }
    return 0;
}
