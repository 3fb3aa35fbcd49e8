// The deficit territory of the Andorra study, checked independently of the code under test: the
// parts are read back with GEOS, pixel centres are carried to WGS84 with PROJ, and the
// population beyond is counted from the access table.

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include <catch2/catch.hpp>
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <proj.h>

#include "../../src/analysis/deficit_pixels.hpp"  // internal: the selection against its rule
#include "proxima/analysis/access_times.hpp"
#include "proxima/analysis/aggregation.hpp"
#include "proxima/analysis/deficit_territory.hpp"
#include "proxima/analysis/travel_time_raster.hpp"
#include "proxima/core/error.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/services.hpp"

using namespace proxima;

namespace {

struct Andorra {
    StudyInputs in;
    AccessTable access;
    RasterPixels pixels;
};

const Andorra& andorra_surfaces() {
    static const Andorra a = [] {
        StudyFile study = load_study(test::data_file("studies/andorra.toml"));
        study.network.graph.clear();  // no cache written from tests
        Andorra r;
        r.in = load_study_inputs(study);
        r.access = compute_access(r.in);
        r.pixels = raster_pixels(r.in, RasterOptions{100.0, r.in.study.output_crs, 0});
        return r;
    }();
    return a;
}

using test::service_index;

/// The origins beyond the threshold, counted here from the access table (not with run/), and
/// the index of each among all origins.
struct Beyond {
    std::vector<PopulatedPoint> points;
    std::vector<std::uint32_t> origin;
};
Beyond beyond_with_index(const Andorra& a, std::size_t s, double threshold_min) {
    Beyond out;
    for (std::size_t o = 0; o < a.in.origins.size(); ++o) {
        const auto minutes = minutes_of(a.access.time_ds(s, o));
        if (a.in.origins[o].population > 0 && (!minutes || *minutes > threshold_min)) {
            out.points.push_back({a.in.origins[o].position, a.in.origins[o].population});
            out.origin.push_back(static_cast<std::uint32_t>(o));
        }
    }
    return out;
}

std::vector<PopulatedPoint> beyond(const Andorra& a, std::size_t s, double threshold_min) {
    return beyond_with_index(a, s, threshold_min).points;
}

/// Point-in-territory tests on the WGS84 output, with pixel centres carried from the raster CRS.
class TerritoryCheck {
public:
    TerritoryCheck(const std::vector<unsigned char>& wkb, const std::string& crs)
        : m_ctx(GEOS_init_r()), m_proj(proj_context_create()) {
        GEOSWKBReader* reader = GEOSWKBReader_create_r(m_ctx);
        m_territory = GEOSWKBReader_read_r(m_ctx, reader, wkb.data(), wkb.size());
        GEOSWKBReader_destroy_r(m_ctx, reader);
        REQUIRE(m_territory != nullptr);
        m_prepared = GEOSPrepare_r(m_ctx, m_territory);
        proj_log_level(m_proj, PJ_LOG_NONE);
        PJ* raw = proj_create_crs_to_crs(m_proj, crs.c_str(), "EPSG:4326", nullptr);
        m_to_wgs84 = proj_normalize_for_visualization(m_proj, raw);
        proj_destroy(raw);
        REQUIRE(m_to_wgs84 != nullptr);
    }
    ~TerritoryCheck() {
        GEOSPreparedGeom_destroy_r(m_ctx, m_prepared);
        GEOSGeom_destroy_r(m_ctx, m_territory);
        proj_destroy(m_to_wgs84);
        proj_context_destroy(m_proj);
        GEOS_finish_r(m_ctx);
    }
    TerritoryCheck(const TerritoryCheck&) = delete;
    TerritoryCheck& operator=(const TerritoryCheck&) = delete;

    bool contains_lonlat(double lon, double lat) const {
        GEOSGeometry* p = GEOSGeom_createPointFromXY_r(m_ctx, lon, lat);
        const bool inside = GEOSPreparedContains_r(m_ctx, m_prepared, p) == 1;
        GEOSGeom_destroy_r(m_ctx, p);
        return inside;
    }
    bool contains_projected(double x, double y) const {
        const PJ_COORD c = proj_trans(m_to_wgs84, PJ_FWD, proj_coord(x, y, 0, 0));
        return contains_lonlat(c.xy.x, c.xy.y);
    }

private:
    GEOSContextHandle_t m_ctx;
    PJ_CONTEXT* m_proj;
    GEOSGeometry* m_territory = nullptr;
    const GEOSPreparedGeometry* m_prepared = nullptr;
    PJ* m_to_wgs84 = nullptr;
};

/// The hospital's surface, its origins beyond 30 min and its deficit (the tests' common case).
struct HospitalDeficit {
    const Andorra& a = andorra_surfaces();
    std::size_t s = service_index(a.in, "urgences");
    double threshold = 30.0;
    TravelTimeRaster raster = travel_time_raster(a.in, a.pixels, s, 0);
    std::vector<PopulatedPoint> over = beyond(a, s, threshold);
    [[nodiscard]] DeficitTerritory territory(const IsochroneOptions& options = {}) const {
        return deficit_territory(raster, a.pixels, a.in.zones, threshold, over, options);
    }
};

} // namespace

TEST_CASE("the deficit of the Andorra hospital is the territory beyond 30 min, El Pas de la Casa in its first part",
          "[analysis][deficit]") {
    const HospitalDeficit h;
    const Andorra& a = h.a;
    const double threshold = h.threshold;
    const TravelTimeRaster& raster = h.raster;
    const auto& over = h.over;
    const DeficitTerritory t = h.territory();

    REQUIRE_FALSE(t.parts.empty());
    CHECK(t.threshold_min == threshold);
    CHECK(t.resolution_m == 100.0);

    // Every inhabitant beyond is in exactly one part, or counted outside.
    double total_over = 0;
    for (const auto& o : over) {
        total_over += o.population;
    }
    double in_parts = 0;
    std::size_t origins_in_parts = 0;
    for (const auto& p : t.parts) {
        in_parts += p.population_over;
        origins_in_parts += p.origins_over;
    }
    CHECK(in_parts + t.population_outside == Approx(total_over).margin(1e-9));
    CHECK(origins_in_parts + t.origins_outside == over.size());
    CHECK(total_over >= 3063);  // El Pas de la Casa, over the Envalira pass, at least

    // El Pas de la Casa (3 063 inhabitants) lies in the first part, the most populous.
    const TerritoryCheck first(t.parts[0].wkb_wgs84, raster.grid.crs);
    CHECK(first.contains_lonlat(1.7334940, 42.5447098));
    CHECK(t.parts[0].population_over >= 3063);
    CHECK(t.parts[0].area_km2 > 1.0);
    // The label goes where the people are: the most populous origin beyond in the part.
    CHECK(t.parts[0].label_point.lon == Approx(1.7334940));
    CHECK(t.parts[0].label_point.lat == Approx(42.5447098));
    // Andorra la Vella, next to the hospital, is not in the deficit.
    const TerritoryCheck all(t.wkb_wgs84, raster.grid.crs);
    CHECK_FALSE(all.contains_lonlat(1.5218, 42.5063));

    // Parts sorted by inhabitants beyond, then area; areas add up; less than the parishes.
    for (std::size_t k = 1; k < t.parts.size(); ++k) {
        CHECK(t.parts[k - 1].population_over >= t.parts[k].population_over);
    }
    double area = 0;
    for (const auto& p : t.parts) {
        area += p.area_km2;
    }
    CHECK(area == Approx(t.area_km2).epsilon(1e-9));
    CHECK(t.area_km2 < t.zones_area_km2);
    CHECK(t.zones_area_km2 == Approx(468).epsilon(0.05));  // the seven parishes

    // Against the surface itself: a pixel beyond whose eight neighbours are beyond too (or
    // outside the zones) lies in the territory; a pixel within whose eight neighbours are within
    // does not. (Pixels along the edge of the two can go either way at the half-pixel scale.)
    const RasterGrid& g = raster.grid;
    std::vector<int> cls(g.pixel_count(), 0);  // 0 outside, 1 within, 2 beyond
    for (const auto i : a.pixels.pixel) {
        cls[i] = raster.minutes[i] <= threshold ? 1 : 2;  // NaN: unreachable, beyond
    }
    for (const auto i : a.pixels.unsnapped) {
        cls[i] = 2;
    }
    std::size_t checked_beyond = 0;
    std::size_t checked_within = 0;
    for (int r = 1; r + 1 < g.height; ++r) {
        for (int c = 1; c + 1 < g.width; ++c) {
            const int own = cls[static_cast<std::size_t>(r) * g.width + c];
            if (own == 0 || (r * 7 + c * 3) % 11 != 0) {  // a sample: one pixel in eleven
                continue;
            }
            bool uniform = true;
            for (int dr = -1; dr <= 1 && uniform; ++dr) {
                for (int dc = -1; dc <= 1 && uniform; ++dc) {
                    const int n = cls[static_cast<std::size_t>(r + dr) * g.width + c + dc];
                    uniform = own == 2 ? n != 1 : n == 1;
                }
            }
            if (!uniform) {
                continue;
            }
            const bool inside = all.contains_projected(g.centre_x(c), g.centre_y(r));
            INFO("pixel " << c << "," << r << " class " << own);
            if (own == 2) {
                CHECK(inside);
                ++checked_beyond;
            } else {
                CHECK_FALSE(inside);
                ++checked_within;
            }
        }
    }
    CHECK(checked_beyond > 500);
    CHECK(checked_within > 500);

    // Same inputs, same bytes.
    const DeficitTerritory again = deficit_territory(raster, a.pixels, a.in.zones, threshold, over);
    CHECK(again.wkb_wgs84 == t.wkb_wgs84);
}

TEST_CASE("deficit pixels: beyond, or outside next to a pixel beyond, on random grids of every shape",
          "[analysis][deficit]") {
    using proxima::detail::beyond;
    using proxima::detail::outside;
    std::mt19937 rng(29112026);
    std::size_t grids = 0;
    std::size_t wrong = 0;
    for (const int w : {1, 2, 3, 7, 8, 9, 31, 32, 33, 70}) {
        for (const int h : {1, 2, 3, 5, 40}) {
            for (const int beyond_in_100 : {2, 30, 90}) {
                std::uniform_int_distribution<int> pct(0, 99);
                std::vector<unsigned char> cls(static_cast<std::size_t>(w) * static_cast<std::size_t>(h));
                for (auto& c : cls) {
                    const int p = pct(rng);
                    c = p < beyond_in_100 ? beyond : (p % 2 == 0 ? outside : proxima::detail::within);
                }
                // The rule, pixel by pixel with its 9 neighbours.
                const auto at = [&](int c, int r) { return cls[static_cast<std::size_t>(r) * w + c]; };
                std::size_t count = 0;
                const std::vector<unsigned char> got = proxima::detail::deficit_selection(cls, w, h, count);
                REQUIRE(got.size() == cls.size());
                std::size_t expected_count = 0;
                for (int r = 0; r < h; ++r) {
                    for (int c = 0; c < w; ++c) {
                        bool near = false;
                        for (int dr = -1; dr <= 1; ++dr) {
                            for (int dc = -1; dc <= 1; ++dc) {
                                const int cc = c + dc;
                                const int rr = r + dr;
                                near = near || (cc >= 0 && rr >= 0 && cc < w && rr < h && at(cc, rr) == beyond);
                            }
                        }
                        const bool expected = at(c, r) == beyond || (at(c, r) == outside && near);
                        expected_count += expected ? 1 : 0;
                        wrong += (got[static_cast<std::size_t>(r) * w + c] == 1) != expected ? 1 : 0;
                    }
                }
                wrong += count != expected_count ? 1 : 0;
                ++grids;
            }
        }
    }
    CHECK(grids == 150);
    CHECK(wrong == 0);
    std::size_t count = 0;
    CHECK_THROWS_AS(proxima::detail::deficit_selection(std::vector<unsigned char>(5, 0), 2, 2, count), proxima::Error);
}

TEST_CASE("a threshold nobody is beyond gives no deficit, a bad threshold is refused", "[analysis][deficit]") {
    const Andorra& a = andorra_surfaces();
    const std::size_t s = service_index(a.in, "urgences");
    const TravelTimeRaster raster = travel_time_raster(a.in, a.pixels, s, 0);
    // Every pixel with a value is within a day's drive; only the unreachable ones remain.
    const DeficitTerritory none = deficit_territory(raster, a.pixels, a.in.zones, 24 * 60.0, beyond(a, s, 24 * 60.0));
    double unreachable_km2 = 0;
    std::size_t without_value = a.pixels.unsnapped.size();
    for (const auto i : a.pixels.pixel) {
        without_value += std::isnan(raster.minutes[i]) ? 1 : 0;
    }
    unreachable_km2 = static_cast<double>(without_value) * 0.01;
    for (const auto& p : none.parts) {
        CHECK(p.origins_over == 0);
    }
    CHECK(none.population_outside == 0);
    CHECK(none.area_km2 <= unreachable_km2 + 5.0);  // the halo of the border adds at most a rim

    for (const double bad : {0.0, -5.0, std::nan("")}) {
        CHECK_THROWS_AS(deficit_territory(raster, a.pixels, a.in.zones, bad, {}), ConfigError);
    }
}

TEST_CASE("a deficit kept in the raster's CRS is the same territory as the one converted to WGS84",
          "[analysis][deficit]") {
    // The run keeps the parts in the raster's CRS when it writes in that CRS: same parts, same
    // people, and the same pixels inside, as the WGS84 parts (checked point by point with PROJ).
    const HospitalDeficit h;
    const TravelTimeRaster& raster = h.raster;
    const DeficitTerritory lonlat = h.territory();
    IsochroneOptions options;
    options.raster_crs = true;
    const DeficitTerritory projected = h.territory(options);

    CHECK(projected.raster_crs == raster.grid.crs);
    CHECK(projected.wkb_wgs84.empty());
    REQUIRE_FALSE(projected.wkb_raster_crs.empty());
    REQUIRE(projected.parts.size() == lonlat.parts.size());
    for (std::size_t k = 0; k < projected.parts.size(); ++k) {
        INFO("part " << k);
        CHECK(projected.parts[k].wkb_wgs84.empty());
        CHECK_FALSE(projected.parts[k].wkb_raster_crs.empty());
        CHECK(projected.parts[k].population_over == lonlat.parts[k].population_over);
        CHECK(projected.parts[k].origins_over == lonlat.parts[k].origins_over);
        CHECK(projected.parts[k].area_km2 == lonlat.parts[k].area_km2);
    }
    CHECK(projected.population_outside == lonlat.population_outside);
    CHECK(projected.area_km2 == lonlat.area_km2);

    GEOSContextHandle_t ctx = GEOS_init_r();
    GEOSWKBReader* reader = GEOSWKBReader_create_r(ctx);
    GEOSGeometry* whole = GEOSWKBReader_read_r(ctx, reader, projected.wkb_raster_crs.data(), projected.wkb_raster_crs.size());
    GEOSWKBReader_destroy_r(ctx, reader);
    REQUIRE(whole != nullptr);
    CHECK(GEOSisValid_r(ctx, whole) == 1);
    double area = 0;
    GEOSArea_r(ctx, whole, &area);
    CHECK(area / 1e6 == Approx(projected.area_km2).epsilon(1e-9));
    const GEOSPreparedGeometry* prepared = GEOSPrepare_r(ctx, whole);
    const TerritoryCheck converted(lonlat.wkb_wgs84, raster.grid.crs);
    const RasterGrid& g = raster.grid;
    std::size_t inside = 0;
    std::size_t outside = 0;
    for (int r = 0; r < g.height; r += 3) {
        for (int c = 0; c < g.width; c += 3) {
            GEOSGeometry* p = GEOSGeom_createPointFromXY_r(ctx, g.centre_x(c), g.centre_y(r));
            const bool in_projected = GEOSPreparedContains_r(ctx, prepared, p) == 1;
            GEOSGeom_destroy_r(ctx, p);
            INFO("pixel " << c << "," << r);
            CHECK(in_projected == converted.contains_projected(g.centre_x(c), g.centre_y(r)));
            ++(in_projected ? inside : outside);
        }
    }
    CHECK(inside > 1000);
    CHECK(outside > 1000);
    GEOSPreparedGeom_destroy_r(ctx, prepared);
    GEOSGeom_destroy_r(ctx, whole);
    GEOS_finish_r(ctx);
}

TEST_CASE("origins placed once for the run give every service the deficit it gets placing its own",
          "[analysis][deficit]") {
    // A run places its origins in the surface's CRS and sorts them by x once (origins_in_crs); each
    // service then picks those beyond its threshold. Same parts, same populations and labels, same
    // bytes as each service placing its own origins beyond.
    const Andorra& a = andorra_surfaces();
    const ZonesOutline outline = zones_outline(a.in.zones, a.pixels.grid.crs);
    std::vector<LonLat> positions;
    for (const auto& o : a.in.origins) {
        positions.push_back(o.position);
    }
    positions.push_back({1.5, 95.0});  // no such latitude: PROJ cannot place it, counted outside
    const OriginsInCrs placed = origins_in_crs(positions, a.pixels.grid.crs);
    REQUIRE(placed.xy.size() == positions.size());
    CHECK(std::isnan(placed.xy.back()[0]));
    CHECK(placed.by_x.size() == positions.size() - 1);
    CHECK(std::is_sorted(placed.by_x.begin(), placed.by_x.end(), [&](std::uint32_t x, std::uint32_t y) {
        return std::pair(placed.xy[x][0], x) < std::pair(placed.xy[y][0], y);
    }));
    std::size_t compared = 0;
    for (std::size_t s = 0; s < a.in.services.size(); ++s) {
        const TravelTimeRaster raster = travel_time_raster(a.in, a.pixels, s, 0);
        for (const double threshold : {5.0, 15.0, 30.0}) {
            auto [over, origin] = beyond_with_index(a, s, threshold);
            over.push_back({positions.back(), 7.0});
            origin.push_back(static_cast<std::uint32_t>(positions.size() - 1));
            for (const bool raster_crs : {false, true}) {
                IsochroneOptions options;
                options.raster_crs = raster_crs;
                const DeficitTerritory own = deficit_territory(raster, a.pixels, outline, threshold, over, options);
                const DeficitTerritory run =
                    deficit_territory(raster, a.pixels, outline, threshold, OriginsOver{over, origin, &placed}, options);
                CHECK(run.wkb_wgs84 == own.wkb_wgs84);
                CHECK(run.wkb_raster_crs == own.wkb_raster_crs);
                CHECK(run.population_outside == own.population_outside);
                CHECK(run.origins_outside == own.origins_outside);
                CHECK(run.origins_outside >= 1);  // the one PROJ cannot place
                REQUIRE(run.parts.size() == own.parts.size());
                for (std::size_t i = 0; i < own.parts.size(); ++i) {
                    CHECK(run.parts[i].wkb_wgs84 == own.parts[i].wkb_wgs84);
                    CHECK(run.parts[i].wkb_raster_crs == own.parts[i].wkb_raster_crs);
                    CHECK(run.parts[i].population_over == own.parts[i].population_over);
                    CHECK(run.parts[i].origins_over == own.parts[i].origins_over);
                    CHECK(run.parts[i].label_point.lon == own.parts[i].label_point.lon);
                    CHECK(run.parts[i].label_point.lat == own.parts[i].label_point.lat);
                    compared += own.parts[i].origins_over > 0 ? 1 : 0;
                }
            }
        }
    }
    CHECK(compared >= 10);  // parts with people in them, not only empty ones

    // Placed in another CRS, or origins beyond out of order: refused, not silently misplaced.
    const std::size_t s = service_index(a.in, "urgences");
    const TravelTimeRaster raster = travel_time_raster(a.in, a.pixels, s, 0);
    const std::vector<PopulatedPoint> two = {{positions[0], 1.0}, {positions[1], 1.0}};
    const std::vector<std::uint32_t> backwards = {1, 0};
    CHECK_THROWS_WITH(deficit_territory(raster, a.pixels, outline, 5.0, OriginsOver{two, backwards, &placed}),
                      Catch::Contains("not after the one before it"));
    const std::vector<std::uint32_t> beyond_end = {0, static_cast<std::uint32_t>(positions.size())};
    CHECK_THROWS_AS(deficit_territory(raster, a.pixels, outline, 5.0, OriginsOver{two, beyond_end, &placed}), Error);
    const std::vector<std::uint32_t> one = {0};
    CHECK_THROWS_AS(deficit_territory(raster, a.pixels, outline, 5.0, OriginsOver{two, one, &placed}), Error);
    const OriginsInCrs elsewhere = origins_in_crs(positions, "EPSG:3035");
    const std::vector<std::uint32_t> first_two = {0, 1};
    CHECK_THROWS_WITH(deficit_territory(raster, a.pixels, outline, 5.0, OriginsOver{two, first_two, &elsewhere}),
                      Catch::Contains("EPSG:3035"));
}

TEST_CASE("the zones merged once give every service the deficit it gets from the zones themselves",
          "[analysis][deficit]") {
    // A run merges the zones once (zones_outline) and clips every service's deficit to that
    // outline: same parts, same bytes as merging them for each service.
    const Andorra& a = andorra_surfaces();
    const ZonesOutline outline = zones_outline(a.in.zones, a.pixels.grid.crs);
    REQUIRE_FALSE(outline.wkb.empty());
    CHECK(outline.crs == a.pixels.grid.crs);
    // The seven parishes cover Andorra: 468 km² (official figure), a few per cent off once the
    // borders are drawn from OSM and measured on a conformal projection.
    CHECK(outline.area_km2 == Approx(468.0).epsilon(0.05));
    std::size_t compared = 0;
    for (std::size_t s = 0; s < a.in.services.size(); ++s) {
        const TravelTimeRaster raster = travel_time_raster(a.in, a.pixels, s, 0);
        for (const double threshold : {5.0, 15.0}) {
            const auto over = beyond(a, s, threshold);
            for (const bool raster_crs : {false, true}) {
                IsochroneOptions options;
                options.raster_crs = raster_crs;
                const DeficitTerritory merged_here = deficit_territory(raster, a.pixels, a.in.zones, threshold, over, options);
                const DeficitTerritory shared = deficit_territory(raster, a.pixels, outline, threshold, over, options);
                CHECK(shared.wkb_wgs84 == merged_here.wkb_wgs84);
                CHECK(shared.wkb_raster_crs == merged_here.wkb_raster_crs);
                CHECK(shared.parts.size() == merged_here.parts.size());
                CHECK(shared.zones_area_km2 == merged_here.zones_area_km2);
                CHECK(shared.population_outside == merged_here.population_outside);
                compared += merged_here.parts.empty() ? 0 : 1;
            }
        }
    }
    CHECK(compared >= 4);  // not only empty deficits

    // Clipped part by part (a part well inside the zones is kept as made; one that reaches their
    // edge goes through an overlay): every part lies within the zones, and the parishes' deficits
    // have parts of both kinds.
    GEOSContextHandle_t ctx = GEOS_init_r();
    GEOSWKBReader* reader = GEOSWKBReader_create_r(ctx);
    const auto read = [&](const std::vector<unsigned char>& wkb) {
        GEOSGeometry* g = GEOSWKBReader_read_r(ctx, reader, wkb.data(), wkb.size());
        REQUIRE(g != nullptr);
        return g;
    };
    GEOSGeometry* zones = read(outline.wkb);
    GEOSGeometry* tolerant = GEOSBuffer_r(ctx, zones, 0.01, 8);  // a centimetre: coordinates as written
    GEOSGeometry* edge = GEOSBoundary_r(ctx, zones);
    std::size_t at_edge = 0;
    std::size_t inside = 0;
    for (std::size_t s = 0; s < a.in.services.size(); ++s) {
        const TravelTimeRaster raster = travel_time_raster(a.in, a.pixels, s, 0);
        IsochroneOptions options;
        options.raster_crs = true;
        const DeficitTerritory t = deficit_territory(raster, a.pixels, outline, 5.0, beyond(a, s, 5.0), options);
        for (const auto& part : t.parts) {
            GEOSGeometry* g = read(part.wkb_raster_crs);
            CHECK(GEOSCovers_r(ctx, tolerant, g) == 1);
            ++(GEOSIntersects_r(ctx, edge, g) == 1 ? at_edge : inside);
            GEOSGeom_destroy_r(ctx, g);
        }
    }
    CHECK(at_edge > 0);
    CHECK(inside > 0);
    GEOSGeom_destroy_r(ctx, edge);
    GEOSGeom_destroy_r(ctx, tolerant);
    GEOSGeom_destroy_r(ctx, zones);
    GEOSWKBReader_destroy_r(ctx, reader);
    GEOS_finish_r(ctx);

    // An outline in another CRS than the raster's is refused, naming both.
    const ZonesOutline elsewhere = zones_outline(a.in.zones, "EPSG:3035");
    const TravelTimeRaster raster = travel_time_raster(a.in, a.pixels, 0, 0);
    try {
        (void)deficit_territory(raster, a.pixels, elsewhere, 30.0, std::span<const PopulatedPoint>{});
        FAIL("an outline in another CRS was accepted");
    } catch (const Error& e) {
        CHECK_THAT(e.what(), Catch::Contains("EPSG:3035") && Catch::Contains(a.pixels.grid.crs));
    }
}

TEST_CASE("each origin beyond counts in the part its point lies in - on pixel lines and corners too",
          "[analysis][deficit]") {
    // A part's inhabitants come from its pixels where an origin lies strictly inside one, and from
    // geometric tests for the rest (points on the grid's lines, parts clipped at the zones' edge).
    // Checked against GEOS on the parts as written, with the Andorra origins and points placed on
    // the pixels' corners and edges and inside them: an origin inside exactly one part counts in
    // that one, an origin in none counts outside, an origin on the edge of two counts in one.
    const Andorra& a = andorra_surfaces();
    const ZonesOutline outline = zones_outline(a.in.zones, a.pixels.grid.crs);
    const RasterGrid& g = a.pixels.grid;
    std::vector<LonLat> positions;
    for (const auto& o : a.in.origins) {
        positions.push_back(o.position);
    }
    OriginsInCrs placed = origins_in_crs(positions, g.crs);
    const std::size_t real = positions.size();
    const auto w = static_cast<std::size_t>(g.width);
    for (std::size_t i = 0; i < a.pixels.pixel.size(); i += 7) {
        const auto c = static_cast<int>(a.pixels.pixel[i] % w);
        const auto r = static_cast<int>(a.pixels.pixel[i] / w);
        const double res = g.resolution_m;
        for (const std::array<double, 2> xy : {std::array{g.line_x(c), g.line_y(r)}, std::array{g.centre_x(c), g.line_y(r)},
                                               std::array{g.line_x(c), g.centre_y(r)},
                                               std::array{g.line_x(c) + 0.25 * res, g.line_y(r) - 0.7 * res}}) {
            placed.xy.push_back(xy);
            positions.push_back({100.0 + static_cast<double>(positions.size()) * 1e-6, 0.0});  // only for labels
        }
    }
    placed.by_x.clear();
    for (std::uint32_t k = 0; k < placed.xy.size(); ++k) {
        if (std::isfinite(placed.xy[k][0])) {
            placed.by_x.push_back(k);
        }
    }
    std::sort(placed.by_x.begin(), placed.by_x.end(), [&](std::uint32_t x, std::uint32_t y) {
        return std::pair(placed.xy[x][0], x) < std::pair(placed.xy[y][0], y);
    });

    // The same origins located in the pixels once for every service, as a run does.
    OriginsInCrs located = placed;
    locate_in_pixels(located, g, outline);
    REQUIRE(located.pixels.has_value());
    std::size_t on_lines = 0;
    std::size_t clear_of_edge = 0;
    for (std::size_t k = 0; k < located.xy.size(); ++k) {
        on_lines += located.pixels->pixel[k] == OriginPixels::no_pixel ? 1 : 0;
        clear_of_edge += located.pixels->inside[k];
    }
    CHECK(on_lines >= (positions.size() - real) / 2);  // three of the four points of each pixel
    CHECK(clear_of_edge > real / 2);

    GEOSContextHandle_t ctx = GEOS_init_r();
    GEOSWKBReader* reader = GEOSWKBReader_create_r(ctx);
    std::size_t exact_checked = 0;
    std::size_t on_lines_in_parts = 0;
    std::size_t on_two_parts = 0;
    for (std::size_t s = 0; s < a.in.services.size(); ++s) {
        const TravelTimeRaster raster = travel_time_raster(a.in, a.pixels, s, 0);
        for (const double threshold : {5.0, 15.0, 30.0}) {
            auto [over, origin] = beyond_with_index(a, s, threshold);
            for (std::size_t k = real; k < positions.size(); ++k) {
                over.push_back({positions[k], 1.0 + static_cast<double>(k % 4)});
                origin.push_back(static_cast<std::uint32_t>(k));
            }
            IsochroneOptions options;
            options.raster_crs = true;
            const DeficitTerritory t =
                deficit_territory(raster, a.pixels, outline, threshold, OriginsOver{over, origin, &placed}, options);
            const DeficitTerritory run =
                deficit_territory(raster, a.pixels, outline, threshold, OriginsOver{over, origin, &located}, options);
            REQUIRE(run.parts.size() == t.parts.size());
            for (std::size_t j = 0; j < t.parts.size(); ++j) {
                CHECK(run.parts[j].wkb_raster_crs == t.parts[j].wkb_raster_crs);
                CHECK(run.parts[j].population_over == t.parts[j].population_over);
                CHECK(run.parts[j].origins_over == t.parts[j].origins_over);
                CHECK(run.parts[j].label_point.lon == t.parts[j].label_point.lon);
                CHECK(run.parts[j].label_point.lat == t.parts[j].label_point.lat);
            }
            CHECK(run.population_outside == t.population_outside);
            options.raster_crs = false;
            const DeficitTerritory lonlat =
                deficit_territory(raster, a.pixels, outline, threshold, OriginsOver{over, origin, &located}, options);
            REQUIRE(lonlat.parts.size() == t.parts.size());
            for (std::size_t j = 0; j < t.parts.size(); ++j) {
                CHECK(lonlat.parts[j].population_over == t.parts[j].population_over);
                CHECK(lonlat.parts[j].origins_over == t.parts[j].origins_over);
            }
            CHECK(lonlat.population_outside == t.population_outside);

            std::vector<GEOSGeometry*> parts;
            std::vector<const GEOSPreparedGeometry*> prepared;
            for (const auto& p : t.parts) {
                parts.push_back(GEOSWKBReader_read_r(ctx, reader, p.wkb_raster_crs.data(), p.wkb_raster_crs.size()));
                REQUIRE(parts.back() != nullptr);
                prepared.push_back(GEOSPrepare_r(ctx, parts.back()));
            }
            std::vector<double> exact(parts.size(), 0.0), shared(parts.size(), 0.0);
            std::vector<std::size_t> exact_n(parts.size(), 0), shared_n(parts.size(), 0);
            std::vector<double> largest(parts.size(), -1.0);
            std::vector<LonLat> label(parts.size());
            std::vector<bool> touched_by_shared(parts.size(), false);
            double outside = 0;
            std::size_t outside_n = 0;
            for (std::size_t k = 0; k < over.size(); ++k) {
                const auto& xy = placed.xy[origin[k]];
                std::vector<std::size_t> in;
                GEOSGeometry* pt = GEOSGeom_createPointFromXY_r(ctx, xy[0], xy[1]);
                for (std::size_t j = 0; j < parts.size(); ++j) {
                    if (GEOSPreparedIntersects_r(ctx, prepared[j], pt) == 1) {
                        in.push_back(j);
                    }
                }
                GEOSGeom_destroy_r(ctx, pt);
                const bool on_line = std::fmod(xy[0] - g.min_x, g.resolution_m) == 0.0 ||
                                     std::fmod(g.max_y - xy[1], g.resolution_m) == 0.0;
                if (in.empty()) {
                    outside += over[k].population;
                    ++outside_n;
                } else if (in.size() == 1) {
                    exact[in[0]] += over[k].population;
                    ++exact_n[in[0]];
                    if (over[k].population > largest[in[0]]) {
                        largest[in[0]] = over[k].population;
                        label[in[0]] = over[k].position;
                    }
                    on_lines_in_parts += on_line ? 1 : 0;
                } else {
                    ++on_two_parts;
                    for (const std::size_t j : in) {
                        shared[j] += over[k].population;
                        ++shared_n[j];
                        touched_by_shared[j] = true;
                    }
                }
            }
            INFO("service " << a.in.services[s].spec.id << ", " << threshold << " min");
            CHECK(t.population_outside == Approx(outside).margin(1e-6));
            CHECK(t.origins_outside == outside_n);
            for (std::size_t j = 0; j < parts.size(); ++j) {
                INFO("part " << j);
                CHECK(t.parts[j].population_over >= exact[j] - 1e-6);
                CHECK(t.parts[j].population_over <= exact[j] + shared[j] + 1e-6);
                CHECK(t.parts[j].origins_over >= exact_n[j]);
                CHECK(t.parts[j].origins_over <= exact_n[j] + shared_n[j]);
                if (!touched_by_shared[j] && exact_n[j] > 0) {
                    CHECK(t.parts[j].label_point.lon == label[j].lon);
                    CHECK(t.parts[j].label_point.lat == label[j].lat);
                    ++exact_checked;
                }
                GEOSPreparedGeom_destroy_r(ctx, prepared[j]);
                GEOSGeom_destroy_r(ctx, parts[j]);
            }
        }
    }
    GEOSWKBReader_destroy_r(ctx, reader);
    GEOS_finish_r(ctx);
    CHECK(exact_checked >= 50);
    CHECK(on_lines_in_parts >= 100);  // the geometric tests were exercised
    CHECK(on_two_parts >= 1);
}
