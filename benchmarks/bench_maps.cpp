// The two costs of a région's map that changed in issue 14's maps work, each against the way it
// was done before, on the same image in the same run:
//  - hatch/clip:  the deficit's hatching stroked through a clip of its path (before);
//  - hatch/layer: detail::hatch_path(), the hatching made once as a layer and the path filled
//    with it (now);
//  - png/cairo:   cairo's PNG writer (level 6, every filter tried per row: before);
//  - png/paeth:   detail::encode_png() with the Paeth filter on every row (before, from 27 to
//    29 November 2026);
//  - png/proxima: detail::encode_png() (level 3, no filter: now), with the bytes of each;
//  - outline/fine:   the deficit's outline, cased in white, under cairo's default antialiasing
//    (15 x 256 samples per pixel: before);
//  - outline/coarse: the same under CAIRO_ANTIALIAS_FAST (4 x 4), as draw_borders() and
//    draw_places() now draw (map_renderer.cpp, CoarseAntialias);
//  - places/own:    a map's layout (map_layout(): its places grouped into squares, 5 000 at
//    most) where the map groups its own 2.3 M places (the 20 M case's origins; before);
//  - places/shared: the same with the squares made once for the run (MapScene::place_squares,
//    as every map of a run now has them): only the places' times are averaged per square.
// The path is a région's deficit in small: 1 200 staircase blobs (steps of 1.3 px, as 100 m
// pixels on a 2 000 px map of 150 km), 2 000 x 2 000 px at 200 dpi. Single-threaded, CPU time.
// At the end: the ratios measured in this run.

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include <benchmark/benchmark.h>
#include <cairo.h>

#include "recording_reporter.hpp"
#include "proxima/report/map_renderer.hpp"
#include "report/cairo_canvas.hpp"
#include "report/map_hatching.hpp"
#include "report/png_encoder.hpp"
#include "proxima/core/malloc_tuning.hpp"

using namespace proxima;

namespace {

constexpr int side = 2000;
constexpr double px_per_pt = 200.0 / 72.0;
constexpr Rgb ink{0x1a, 0x1a, 0x1a};

/// Staircase blobs: each a diamond whose sides are steps of `step` pixels.
void deficit_path(cairo_t* cr) {
    std::mt19937 rng(20261127);
    std::uniform_real_distribution<double> where(60.0, side - 60.0);
    std::uniform_int_distribution<int> size(4, 30);
    const double step = 1.3;
    cairo_new_path(cr);
    for (int b = 0; b < 1200; ++b) {
        const double cx = where(rng);
        const double cy = where(rng);
        const int n = size(rng);  // steps per side
        double x = cx;
        double y = cy - n * step;
        cairo_move_to(cr, x, y);
        const int dx[4] = {1, -1, -1, 1};
        const int dy[4] = {1, 1, -1, -1};
        for (int s = 0; s < 4; ++s) {
            for (int k = 0; k < n; ++k) {
                x += dx[s] * step;
                cairo_line_to(cr, x, y);
                y += dy[s] * step;
                cairo_line_to(cr, x, y);
            }
        }
        cairo_close_path(cr);
    }
}

detail::Canvas background() {
    detail::Canvas canvas = detail::make_canvas(side, side);
    cairo_t* cr = canvas.cr.get();
    const double colours[3][3] = {{0.99, 0.91, 0.15}, {0.48, 0.82, 0.32}, {0.13, 0.56, 0.55}};
    for (int band = 0; band < 3; ++band) {  // three time classes in bands
        cairo_set_source_rgb(cr, colours[band][0], colours[band][1], colours[band][2]);
        cairo_rectangle(cr, 0, band * side / 3.0, side, side / 3.0 + 1);
        cairo_fill(cr);
    }
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    return canvas;
}

const detail::PixelBox area{0.0, 0.0, side, side};

void hatch_clip(benchmark::State& state) {
    detail::Canvas canvas = background();
    cairo_t* cr = canvas.cr.get();
    for (auto _ : state) {
        cairo_save(cr);
        deficit_path(cr);
        cairo_clip(cr);
        detail::hatch_clip(cr, area, px_per_pt, ink);
        cairo_restore(cr);
        cairo_surface_flush(canvas.surface.get());
    }
}

void hatch_layer(benchmark::State& state) {
    detail::Canvas canvas = background();
    cairo_t* cr = canvas.cr.get();
    for (auto _ : state) {
        deficit_path(cr);
        detail::hatch_path(cr, area, px_per_pt, ink);
        cairo_surface_flush(canvas.surface.get());
    }
}

/// A map-like image to encode: the bands, hatched.
const detail::Canvas& hatched_map() {
    static const detail::Canvas canvas = [] {
        detail::Canvas c = background();
        deficit_path(c.cr.get());
        detail::hatch_path(c.cr.get(), area, px_per_pt, ink);
        cairo_surface_flush(c.surface.get());
        return c;
    }();
    return canvas;
}

/// The image: PROXIMA_BENCH_MAP (a map written by `proxima run`, read back), else the synthetic one.
cairo_surface_t* image_to_encode() {
    static cairo_surface_t* const read = [] {
        const char* path = std::getenv("PROXIMA_BENCH_MAP");
        if (path == nullptr || *path == '\0') {
            return static_cast<cairo_surface_t*>(nullptr);
        }
        cairo_surface_t* s = cairo_image_surface_create_from_png(path);
        if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
            std::fprintf(stderr, "bench_maps: cannot read PROXIMA_BENCH_MAP '%s'\n", path);
            std::exit(1);
        }
        return s;
    }();
    return read != nullptr ? read : hatched_map().surface.get();
}

void png_cairo(benchmark::State& state) {
    cairo_surface_t* surface = image_to_encode();
    std::size_t bytes = 0;
    for (auto _ : state) {
        std::string png;
        const auto append = [](void* closure, const unsigned char* data, unsigned int length) -> cairo_status_t {
            static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
            return CAIRO_STATUS_SUCCESS;
        };
        if (cairo_surface_write_to_png_stream(surface, append, &png) != CAIRO_STATUS_SUCCESS) {
            state.SkipWithError("cairo could not write the PNG");
            return;
        }
        bytes = png.size();
    }
    state.counters["bytes"] = static_cast<double>(bytes);
}

void png_paeth(benchmark::State& state) {
    cairo_surface_t* surface = image_to_encode();
    std::size_t bytes = 0;
    for (auto _ : state) {
        bytes = detail::encode_png(surface, "benchmark", detail::PngRowFilter::paeth).size();
    }
    state.counters["bytes"] = static_cast<double>(bytes);
}

void png_proxima(benchmark::State& state) {
    cairo_surface_t* surface = image_to_encode();
    std::size_t bytes = 0;
    for (auto _ : state) {
        bytes = detail::encode_png(surface, "benchmark").size();
    }
    state.counters["bytes"] = static_cast<double>(bytes);
}

/// The two strokes of draw_borders() for the deficit: a white casing, then the line.
void stroke_outline(cairo_t* cr) {
    deficit_path(cr);
    cairo_set_source_rgba(cr, 1.0, 1.0, 1.0, 0.8);
    cairo_set_line_width(cr, 2.4 * px_per_pt);
    cairo_stroke_preserve(cr);
    cairo_set_source_rgb(cr, ink.r / 255.0, ink.g / 255.0, ink.b / 255.0);
    cairo_set_line_width(cr, 1.1 * px_per_pt);
    cairo_stroke(cr);
}

void outline(benchmark::State& state, cairo_antialias_t antialias) {
    detail::Canvas canvas = background();
    cairo_t* cr = canvas.cr.get();
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_antialias(cr, antialias);
    for (auto _ : state) {
        stroke_outline(cr);
        cairo_surface_flush(canvas.surface.get());
    }
}

void outline_fine(benchmark::State& state) { outline(state, CAIRO_ANTIALIAS_DEFAULT); }
void outline_coarse(benchmark::State& state) { outline(state, CAIRO_ANTIALIAS_FAST); }

/// A 150 km square zone with `PROXIMA_BENCH_PLACES` places (default 2 300 000) spread over it,
/// with times and populations; the squares of the run, made once.
MapScene places_scene() {
    const char* env = std::getenv("PROXIMA_BENCH_PLACES");
    const std::size_t n = env != nullptr ? std::strtoull(env, nullptr, 10) : 2'300'000;
    const double x0 = 700000, y0 = 6400000, extent = 150000;
    MapScene scene;
    scene.crs = "EPSG:2154";
    scene.title = "bench";
    MapZone zone;
    // A WKB polygon (little endian, this machine's order): the zone's square.
    const double ring[5][2] = {{x0, y0}, {x0 + extent, y0}, {x0 + extent, y0 + extent}, {x0, y0 + extent}, {x0, y0}};
    const std::uint32_t header[3] = {3, 1, 5};  // polygon, one ring of five points
    zone.wkb.assign(1 + sizeof header + sizeof ring, 1);
    std::memcpy(zone.wkb.data() + 1, header, sizeof header);
    std::memcpy(zone.wkb.data() + 1 + sizeof header, ring, sizeof ring);
    zone.minutes = 20.0;
    scene.zones.push_back(zone);
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> along(0.0, extent);
    std::uniform_real_distribution<double> minutes(1.0, 80.0);
    std::uniform_real_distribution<double> people(1.0, 400.0);
    scene.places.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        scene.places.push_back({x0 + along(rng), y0 + along(rng), minutes(rng), people(rng)});
    }
    return scene;
}

void places(benchmark::State& state, bool shared) {
    MapScene scene = places_scene();
    MapOptions options;
    if (shared) {
        scene.place_squares = make_place_squares(scene.places, options.max_places);
    }
    for (auto _ : state) {
        const MapLayout layout = map_layout(scene, options);
        benchmark::DoNotOptimize(layout.px_per_m);
    }
    state.counters["places"] = static_cast<double>(scene.places.size());
}

void places_own(benchmark::State& state) { places(state, false); }
void places_shared(benchmark::State& state) { places(state, true); }

} // namespace

BENCHMARK(hatch_clip)->Unit(benchmark::kMillisecond);
BENCHMARK(hatch_layer)->Unit(benchmark::kMillisecond);
BENCHMARK(png_cairo)->Unit(benchmark::kMillisecond);
BENCHMARK(png_paeth)->Unit(benchmark::kMillisecond);
BENCHMARK(png_proxima)->Unit(benchmark::kMillisecond);
BENCHMARK(outline_fine)->Unit(benchmark::kMillisecond);
BENCHMARK(outline_coarse)->Unit(benchmark::kMillisecond);
BENCHMARK(places_own)->Unit(benchmark::kMillisecond);
BENCHMARK(places_shared)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
    proxima::keep_freed_memory_for_reuse();  // the allocator as the CLI sets it
    bench::RecordingReporter reporter;
    if (!bench::run_recorded(argc, argv, reporter)) {
        return 1;
    }
    std::printf("\nRatios measured in this run (before / now):\n");
    std::printf("  hatching of the deficit: %.2fx\n", reporter.seconds("hatch_clip") / reporter.seconds("hatch_layer"));
    std::printf("  PNG encoding, cairo's writer / now: %.2fx, for %.3fx the bytes\n",
                reporter.seconds("png_cairo") / reporter.seconds("png_proxima"),
                reporter.counter("png_proxima", "bytes") / reporter.counter("png_cairo", "bytes"));
    std::printf("  PNG encoding, level 3 with Paeth / now (no filter): %.2fx, for %.3fx the bytes\n",
                reporter.seconds("png_paeth") / reporter.seconds("png_proxima"),
                reporter.counter("png_proxima", "bytes") / reporter.counter("png_paeth", "bytes"));
    std::printf("  deficit outline, fine / coarse antialiasing: %.2fx\n",
                reporter.seconds("outline_fine") / reporter.seconds("outline_coarse"));
    std::printf("  a map's layout with %.0f places, grouped by the map / squares shared by the run: %.2fx\n",
                reporter.counter("places_shared", "places"),
                reporter.seconds("places_own") / reporter.seconds("places_shared"));
    return 0;
}
