// The maps of the bundled studies: one PNG per service (and per EPCI), with each parish drawn in
// the class of its own time. Set PROXIMA_TEST_KEEP_MAPS=<folder> to keep the PNGs for a look.

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include <cairo/cairo.h>  // the header folder is not on the test's include path; cairo.h finds its siblings
#include <catch2/catch.hpp>

#include "proxima/analysis/access_times.hpp"
#include "proxima/analysis/aggregation.hpp"
#include "proxima/analysis/travel_time_raster.hpp"
#include "proxima/core/error.hpp"
#include "proxima/report/run_maps.hpp"
#include "proxima/report/time_classes.hpp"
#include "proxima/run/deficit_area.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/png_pixels.hpp"

using namespace proxima;

namespace {

using test::Png;
using test::read_png;
using test::same;

/// The most frequent fill in the (2r+1)² window around (x, y): of the colours a zone can be filled
/// with (a time class, or white where nobody lives), not of the lines drawn over them (ink, the
/// deficit's white casing, borders) or their antialiased edges.
Rgb dominant_fill(const Png& png, double fx, double fy, int r = 6) {
    std::map<std::uint32_t, int> counts;
    const auto is_fill = [](const Rgb& c) {
        return same(c, Rgb{255, 255, 255}) || std::any_of(time_classes.begin(), time_classes.end(), [&](const auto& k) {
                   return same(c, k.colour);
               });
    };
    const int cx = static_cast<int>(fx);
    const int cy = static_cast<int>(fy);
    for (int y = cy - r; y <= cy + r; ++y) {
        for (int x = cx - r; x <= cx + r; ++x) {
            const Rgb c = png.at(x, y);
            if (is_fill(c)) {
                ++counts[(std::uint32_t{c.r} << 16) | (std::uint32_t{c.g} << 8) | c.b];
            }
        }
    }
    if (counts.empty()) {
        return {0, 0, 0};  // no fill seen: matches no expected colour
    }
    const auto best = std::max_element(counts.begin(), counts.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
    return {static_cast<std::uint8_t>(best->first >> 16), static_cast<std::uint8_t>(best->first >> 8),
            static_cast<std::uint8_t>(best->first)};
}

/// A study run in memory, as run_study does it: the deficit territory of every service drawn from
/// its travel-time surface at the default resolution.
struct Run {
    StudyInputs in;
    AccessTable access;
    StudyResults results;
    std::vector<DeficitTerritory> deficits;
    MapContext context;
};

Run run(const std::string& name) {
    StudyFile study = load_study(test::data_file("studies/" + name + ".toml"));
    study.network.graph.clear();  // no cache written from tests
    study.output_dir = std::filesystem::temp_directory_path() / "proxima-test-unused";
    Run r;
    r.in = load_study_inputs(study);
    r.access = compute_access(r.in);
    r.results = aggregate(r.in, r.access);
    const RasterPixels pixels = raster_pixels(r.in, RasterOptions{default_surface_resolution_m, r.in.study.output_crs, 0});
    const ZonesOutline outline = zones_outline(r.in.zones, pixels.grid.crs);
    for (std::size_t s = 0; s < r.in.services.size(); ++s) {
        const TravelTimeRaster raster = travel_time_raster(r.in, pixels, s, 0);
        r.deficits.push_back(
            service_deficit(r.in, pixels, outline, raster, r.access.times_ds(s), r.in.services[s].spec.threshold_min));
    }
    r.context = map_context(r.in);
    return r;
}

const Run& andorra() {
    static const Run r = run("andorra");
    return r;
}

const Run& riviera() {
    static const Run r = run("riviera");
    return r;
}

void keep(const std::filesystem::path& dir, const std::vector<std::string>& files, const std::string& prefix) {
    const char* target = std::getenv("PROXIMA_TEST_KEEP_MAPS");
    if (target == nullptr || *target == '\0') {
        return;
    }
    std::filesystem::create_directories(target);
    for (const auto& f : files) {
        auto name = f;
        std::replace(name.begin(), name.end(), '/', '_');
        std::filesystem::copy_file(dir / f, std::filesystem::path(target) / (prefix + name),
                                   std::filesystem::copy_options::overwrite_existing);
    }
}

} // namespace

TEST_CASE("the Andorra maps: one PNG per service, each parish in the class of its time", "[report][maps]") {
    const Run& r = andorra();
    test::TempDir dir("run-maps-andorra");

    const auto written = write_run_maps(dir.path(), r.in, r.access, r.results, r.deficits);
    REQUIRE(written.size() == r.in.services.size());
    for (std::size_t s = 0; s < r.in.services.size(); ++s) {
        CHECK(written[s] == "maps/" + r.in.services[s].spec.id + ".png");
        const MapScene scene = scene_for_service(r.in, r.access, r.results, s, r.deficits[s], r.context);
        const MapLayout layout = map_layout(scene);
        const Png png = read_png(dir.path() / written[s]);
        CHECK(png.width == 2000);
        CHECK(png.height == layout.height_px);
    }
    keep(dir.path(), written, "andorra_");

    // Colours read back without labels (a name may sit on the point looked at).
    test::TempDir plain("run-maps-andorra-plain");
    RunMapOptions options;
    options.map.labels = false;
    const auto unlabelled = write_run_maps(plain.path(), r.in, r.access, r.results, r.deficits, options);
    std::size_t checked = 0;
    std::set<std::size_t> classes_seen;
    for (std::size_t s = 0; s < r.in.services.size(); ++s) {
        const MapScene scene = scene_for_service(r.in, r.access, r.results, s, r.deficits[s], r.context);
        REQUIRE(scene.crs == "EPSG:2154");
        REQUIRE(scene.labels.size() >= r.in.zones.zones.size());  // the zones' names first, then the largest places'
        const MapLayout layout = map_layout(scene, options.map);
        const Png png = read_png(plain.path() / unlabelled[s]);
        for (std::size_t z = 0; z < r.in.zones.zones.size(); ++z) {
            const auto& result = r.results.zones[s][z];
            const auto [px, py] = layout.to_pixel(scene.labels[z].x, scene.labels[z].y);  // the point on surface
            // Skip the points a facility symbol covers.
            const bool symbol_near = std::any_of(scene.facilities.begin(), scene.facilities.end(), [&, px = px, py = py](const MapPoint& f) {
                const auto [fx, fy] = layout.to_pixel(f.x, f.y);
                return std::abs(fx - px) < 30 && std::abs(fy - py) < 30;
            });
            // ... or a population box of the deficit (drawn even without names).
            const bool box_near = std::any_of(scene.deficit_labels.begin(), scene.deficit_labels.end(), [&, px = px, py = py](const MapLabel& l) {
                const auto [lx, ly] = layout.to_pixel(l.x, l.y);
                return std::abs(lx - px) < 90 && std::abs(ly - py) < 30;
            });
            // ... or a populated place's dot (coloured by its own time, not the zone's mean).
            const bool dot_near = std::any_of(scene.places.begin(), scene.places.end(), [&, px = px, py = py](const MapValuePoint& p) {
                const auto [dx, dy] = layout.to_pixel(p.x, p.y);
                return std::abs(dx - px) < 25 && std::abs(dy - py) < 25;
            });
            if (symbol_near || box_near || dot_near) {
                continue;
            }
            const Rgb expected = result.origins == 0 ? Rgb{255, 255, 255} : time_classes[time_class_of(result.mean_min)].colour;
            const Rgb got = dominant_fill(png, px, py);
            INFO("got " << int(got.r) << "," << int(got.g) << "," << int(got.b) << " at " << px << "," << py);
            INFO(r.in.services[s].spec.id << " " << r.in.zones.zones[z].name << " mean "
                                          << result.mean_min.value_or(-1) << " min");
            CHECK(same(dominant_fill(png, px, py), expected));
            classes_seen.insert(time_class_of(result.mean_min));
            ++checked;
        }
    }
    CHECK(checked >= 25);            // 5 services x 7 parishes, a few under a symbol
    CHECK(classes_seen.size() >= 2); // the check tells classes apart (0-10 and 10-20 min here)

    // Same inputs, same bytes.
    test::TempDir again("run-maps-andorra-again");
    const auto second = write_run_maps(again.path(), r.in, r.access, r.results, r.deficits);
    REQUIRE(second == written);
    for (const auto& f : written) {
        CHECK(test::read_text(dir.path() / f) == test::read_text(again.path() / f));
    }
}

TEST_CASE("the Riviera maps: per EPCI on request, framed on the EPCI", "[report][maps]") {
    const Run& r = riviera();
    test::TempDir dir("run-maps-riviera");
    RunMapOptions options;
    options.per_epci = true;
    const auto written = write_run_maps(dir.path(), r.in, r.access, r.results, r.deficits, options);

    std::set<std::string> epcis;
    for (const auto& c : r.in.communes->communes()) {
        for (const auto& z : r.in.zones.zones) {
            if (z.code == c.code && !c.epci_siren.empty()) {
                epcis.insert(c.epci_siren);
            }
        }
    }
    REQUIRE(epcis.size() == 2);  // Cap-d'Ail: Métropole Nice Côte d'Azur; Beausoleil, La Turbie: CA de la Riviera Française
    CHECK(written.size() == r.in.services.size() * (1 + epcis.size()));
    for (const auto& siren : epcis) {
        CHECK(std::find(written.begin(), written.end(), "maps/epci/" + siren + "_urgences.png") != written.end());
    }
    for (const auto& f : written) {
        CHECK(read_png(dir.path() / f).width == 2000);
    }
    keep(dir.path(), written, "riviera_");

    // Source line: the data and their years, never the date of the run.
    const MapScene scene = scene_for_service(r.in, r.access, r.results, 0, r.deficits[0], r.context);
    CHECK(scene.source_line.find("© OpenStreetMap contributors") != std::string::npos);
    CHECK(scene.source_line.find("INSEE, COG 2026") != std::string::npos);
    CHECK(scene.source_line.find("monaco-riviera-2016.osm.pbf") != std::string::npos);
    CHECK(scene.epci_borders.size() == 2);
    CHECK(scene.zones.size() == 3);
}

TEST_CASE("run maps refuse a geographic output CRS", "[report][maps]") {
    Run r = riviera();  // a copy
    r.in.study.output_crs = "EPSG:4326";
    test::TempDir dir("run-maps-crs");
    CHECK_THROWS_AS(scene_for_service(r.in, r.access, r.results, 0, r.deficits[0], r.context), ConfigError);
    CHECK_THROWS_AS(write_run_maps(dir.path(), r.in, r.access, r.results, r.deficits), ConfigError);
}

TEST_CASE("a deficit's origins beyond: the populated ones over the threshold or unreachable, placed or not",
          "[report][maps][deficit]") {
    const Run& r = andorra();
    const RasterPixels pixels = raster_pixels(r.in, RasterOptions{default_surface_resolution_m, r.in.study.output_crs, 0});
    const ZonesOutline outline = zones_outline(r.in.zones, pixels.grid.crs);
    const OriginsInCrs placed = placed_origins(r.in, pixels.grid.crs);
    for (std::size_t s = 0; s < r.in.services.size(); ++s) {
        const auto ds = r.access.times_ds(s);
        for (const double threshold : {5.0, r.in.services[s].spec.threshold_min}) {
            const OriginsBeyond over = origins_beyond(r.in, ds, threshold);
            // The rule, written out: an inhabitant counts when the time is more than the threshold
            // (in deciseconds, 10 to the second) or there is no time at all.
            std::vector<std::uint32_t> expected;
            for (std::size_t o = 0; o < r.in.origins.size(); ++o) {
                const bool none = ds[o] == unreachable_ds;
                if (r.in.origins[o].population > 0 && (none || ds[o] > threshold * 600.0)) {
                    expected.push_back(static_cast<std::uint32_t>(o));
                }
            }
            CHECK(over.origin == expected);
            REQUIRE(over.points.size() == over.origin.size());
            for (std::size_t i = 0; i < over.points.size(); ++i) {
                CHECK(over.points[i].population == r.in.origins[over.origin[i]].population);
                CHECK(over.points[i].position.lon == r.in.origins[over.origin[i]].position.lon);
            }
        }
        const TravelTimeRaster raster = travel_time_raster(r.in, pixels, s, 0);
        const double threshold = r.in.services[s].spec.threshold_min;
        const DeficitTerritory alone = service_deficit(r.in, pixels, outline, raster, ds, threshold);
        const DeficitTerritory shared = service_deficit(r.in, pixels, outline, raster, ds, threshold, &placed);
        CHECK(alone.wkb_raster_crs == shared.wkb_raster_crs);
        CHECK(alone.population_outside == shared.population_outside);
        REQUIRE(alone.parts.size() == shared.parts.size());
        for (std::size_t p = 0; p < alone.parts.size(); ++p) {
            CHECK(alone.parts[p].population_over == shared.parts[p].population_over);
            CHECK(alone.parts[p].origins_over == shared.parts[p].origins_over);
        }
    }
    const auto ds = r.access.times_ds(0);
    CHECK_THROWS_WITH(origins_beyond(r.in, ds.first(ds.size() - 1), 30.0),
                      Catch::Contains("times for") && Catch::Contains("origins"));
}
