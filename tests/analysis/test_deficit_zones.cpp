#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <proj.h>

#include "proxima/analysis/deficit_zones.hpp"
#include "proxima/core/error.hpp"
#include "proxima/territory/zones.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

namespace {

using Centres = std::vector<std::pair<double, double>>;

/// Reads output WKB back with GEOS, independently of the code under test, and measures areas in
/// EPSG:3035 (Lambert azimuthal equal-area: planar areas there are true areas).
class WkbCheck {
public:
    WkbCheck() : m_ctx(GEOS_init_r()), m_proj(proj_context_create()) {
        proj_log_level(m_proj, PJ_LOG_NONE);
        PJ* raw = proj_create_crs_to_crs(m_proj, "EPSG:4326", "EPSG:3035", nullptr);
        m_to_laea = proj_normalize_for_visualization(m_proj, raw);  // lon, lat in
        proj_destroy(raw);
    }
    ~WkbCheck() {
        for (auto* g : m_geoms) {
            GEOSGeom_destroy_r(m_ctx, g);
        }
        proj_destroy(m_to_laea);
        proj_context_destroy(m_proj);
        finishGEOS_r(m_ctx);
    }
    WkbCheck(const WkbCheck&) = delete;
    WkbCheck& operator=(const WkbCheck&) = delete;

    /// The geometry, owned by this checker; fails the test if the bytes are not WKB.
    const GEOSGeometry* read(const std::vector<unsigned char>& wkb) {
        GEOSWKBReader* reader = GEOSWKBReader_create_r(m_ctx);
        GEOSGeometry* g = GEOSWKBReader_read_r(m_ctx, reader, wkb.data(), wkb.size());
        GEOSWKBReader_destroy_r(m_ctx, reader);
        REQUIRE(g != nullptr);
        return keep(g);
    }
    const GEOSGeometry* point(double x, double y) {
        GEOSCoordSequence* seq = GEOSCoordSeq_create_r(m_ctx, 1, 2);
        GEOSCoordSeq_setXY_r(m_ctx, seq, 0, x, y);
        return keep(GEOSGeom_createPoint_r(m_ctx, seq));
    }
    /// A copy in EPSG:3035 metres of a WGS84 lon/lat geometry.
    const GEOSGeometry* laea(const GEOSGeometry* lonlat) {
        GEOSGeometry* g = GEOSGeom_transformXY_r(
            m_ctx, lonlat,
            [](double* x, double* y, void* pj) {
                const PJ_COORD c = proj_trans(static_cast<PJ*>(pj), PJ_FWD, proj_coord(*x, *y, 0, HUGE_VAL));
                *x = c.xy.x;
                *y = c.xy.y;
                return std::isfinite(*x) && std::isfinite(*y) ? 1 : 0;
            },
            m_to_laea);
        REQUIRE(g != nullptr);
        return keep(g);
    }

    [[nodiscard]] bool valid(const GEOSGeometry* g) const { return GEOSisValid_r(m_ctx, g) == 1; }
    [[nodiscard]] int type(const GEOSGeometry* g) const { return GEOSGeomTypeId_r(m_ctx, g); }
    [[nodiscard]] int parts(const GEOSGeometry* g) const { return GEOSGetNumGeometries_r(m_ctx, g); }
    [[nodiscard]] int holes(const GEOSGeometry* polygon) const { return GEOSGetNumInteriorRings_r(m_ctx, polygon); }
    [[nodiscard]] int coordinates(const GEOSGeometry* g) const { return GEOSGetNumCoordinates_r(m_ctx, g); }
    [[nodiscard]] bool touches(const GEOSGeometry* a, const GEOSGeometry* b) const { return GEOSTouches_r(m_ctx, a, b) == 1; }
    [[nodiscard]] bool contains(const GEOSGeometry* a, const GEOSGeometry* b) const { return GEOSContains_r(m_ctx, a, b) == 1; }
    [[nodiscard]] bool covers(const GEOSGeometry* a, const GEOSGeometry* b) const { return GEOSCovers_r(m_ctx, a, b) == 1; }
    /// Planar area in the geometry's own units.
    [[nodiscard]] double area(const GEOSGeometry* g) const {
        double a = 0;
        GEOSArea_r(m_ctx, g, &a);
        return a;
    }
    /// True area of a WGS84 geometry, km².
    double area_km2(const GEOSGeometry* lonlat) { return area(laea(lonlat)) / 1e6; }
    struct Box {
        double xmin, ymin, xmax, ymax;
    };
    [[nodiscard]] Box envelope(const GEOSGeometry* g) const {
        Box b{};
        GEOSGeom_getXMin_r(m_ctx, g, &b.xmin);
        GEOSGeom_getYMin_r(m_ctx, g, &b.ymin);
        GEOSGeom_getXMax_r(m_ctx, g, &b.xmax);
        GEOSGeom_getYMax_r(m_ctx, g, &b.ymax);
        return b;
    }

private:
    const GEOSGeometry* keep(GEOSGeometry* g) {
        m_geoms.push_back(g);
        return g;
    }

    GEOSContextHandle_t m_ctx;
    PJ_CONTEXT* m_proj;
    PJ* m_to_laea = nullptr;
    std::vector<GEOSGeometry*> m_geoms;
};

/// Little-endian WKB of a 2D polygon (3) or multipolygon (6).
bool plain_polygon_wkb(const std::vector<unsigned char>& wkb) {
    return wkb.size() > 5 && wkb[0] == 1 && (wkb[1] == 3 || wkb[1] == 6) && wkb[2] == 0 && wkb[3] == 0 && wkb[4] == 0;
}

const Zone& zone(const ZoneLayer& layer, const std::string& code) {
    for (const auto& z : layer.zones) {
        if (z.code == code) {
            return z;
        }
    }
    FAIL("no zone " << code);
    return layer.zones.front();
}

/// The 1 km cell of the INSEE grid at Montauban (Tarn-et-Garonne), EPSG:3035 centre.
constexpr double fx = 3630500;
constexpr double fy = 2383500;

} // namespace

TEST_CASE("two 1 km cells sharing an edge dissolve into one 2 km² polygon", "[analysis]") {
    WkbCheck check;
    const auto wkb = dissolve_cells({{fx, fy}, {fx + 1000, fy}}, 1000, "EPSG:3035");
    CHECK(plain_polygon_wkb(wkb));
    const GEOSGeometry* g = check.read(wkb);
    CHECK(check.valid(g));
    CHECK(check.type(g) == GEOS_POLYGON);
    CHECK(check.holes(g) == 0);
    CHECK(check.area_km2(g) == Approx(2.0).epsilon(0.001));
    // The 2 km edges are cut at the shared corner: 6 vertices and the closing one.
    CHECK(check.coordinates(g) == 7);
}

TEST_CASE("two cells apart stay two parts of one multipolygon", "[analysis]") {
    WkbCheck check;
    SECTION("a cell between them") {
        const GEOSGeometry* g = check.read(dissolve_cells({{fx, fy}, {fx + 2000, fy}}, 1000, "EPSG:3035"));
        CHECK(check.valid(g));
        CHECK(check.type(g) == GEOS_MULTIPOLYGON);
        CHECK(check.parts(g) == 2);
        CHECK(check.area_km2(g) == Approx(2.0).epsilon(0.001));
    }
    SECTION("touching at a corner only") {
        const GEOSGeometry* g = check.read(dissolve_cells({{fx, fy}, {fx + 1000, fy + 1000}}, 1000, "EPSG:3035"));
        CHECK(check.valid(g));
        CHECK(check.type(g) == GEOS_MULTIPOLYGON);
        CHECK(check.parts(g) == 2);
    }
}

TEST_CASE("a 3 x 3 block of cells without its centre is one polygon with one hole", "[analysis]") {
    WkbCheck check;
    Centres ring;
    for (int i = -1; i <= 1; ++i) {
        for (int j = -1; j <= 1; ++j) {
            if (i != 0 || j != 0) {
                ring.emplace_back(fx + i * 200.0, fy + j * 200.0);  // 200 m cells (fx, fy are on that grid too)
            }
        }
    }
    const GEOSGeometry* g = check.read(dissolve_cells(ring, 200, "EPSG:3035"));
    CHECK(check.valid(g));
    REQUIRE(check.type(g) == GEOS_POLYGON);
    CHECK(check.holes(g) == 1);
    CHECK(check.area_km2(g) == Approx(8 * 0.04).epsilon(0.001));
    // The centre is in the hole; each cell's own square lies inside the zone, vertex on vertex.
    const GEOSGeometry* centre = check.read(cell_polygon(fx, fy, 200, "EPSG:3035"));
    CHECK_FALSE(check.contains(g, check.point(1.3584, 44.2026)));  // the Montauban centre, see below
    CHECK(check.area_km2(centre) == Approx(0.04).epsilon(0.001));
    for (const auto& [x, y] : ring) {
        CHECK(check.covers(g, check.read(cell_polygon(x, y, 200, "EPSG:3035"))));
    }
}

TEST_CASE("long edges of merged cells follow the projection, cut at every cell corner", "[analysis]") {
    WkbCheck check;
    Centres strip;
    for (int i = 0; i < 10; ++i) {
        strip.emplace_back(fx + i * 1000.0, fy);
    }
    const GEOSGeometry* g = check.read(dissolve_cells(strip, 1000, "EPSG:3035"));
    CHECK(check.valid(g));
    CHECK(check.type(g) == GEOS_POLYGON);
    CHECK(check.coordinates(g) == 2 * 11 + 1);  // 11 corners on each long side, then the closing one
    CHECK(check.area_km2(g) == Approx(10.0).epsilon(0.0001));
}

TEST_CASE("nothing to dissolve gives no geometry", "[analysis]") {
    CHECK(dissolve_cells({}, 1000, "EPSG:3035").empty());
    CHECK(dissolve_polygons({}).empty());
}

TEST_CASE("two adjacent communes dissolve into one valid polygon of their summed area", "[analysis]") {
    WkbCheck check;
    const ZoneLayer layer = read_zones(test::data_file("insee/communes-06-alpes-maritimes.geojson"));
    const Zone& beausoleil = zone(layer, "06012");
    const Zone& la_turbie = zone(layer, "06150");
    const GEOSGeometry* a = check.read(beausoleil.wkb);
    const GEOSGeometry* b = check.read(la_turbie.wkb);
    REQUIRE(check.touches(a, b));  // a shared border, no overlap
    const int parts_in = check.parts(a) + check.parts(b);

    const auto wkb = dissolve_polygons({beausoleil.wkb, la_turbie.wkb});
    CHECK(plain_polygon_wkb(wkb));
    const GEOSGeometry* g = check.read(wkb);
    CHECK(check.valid(g));
    CHECK(check.parts(g) < parts_in);
    CHECK(check.type(g) == GEOS_POLYGON);
    // 2.771 + 7.375 km² (test_zones.cpp); both measured here the same way as the union.
    const double sum = check.area_km2(a) + check.area_km2(b);
    CHECK(sum == Approx(2.771 + 7.375).epsilon(0.005));
    CHECK(check.area_km2(g) == Approx(sum).epsilon(0.005));
}

TEST_CASE("polygons that overlap, are invalid or are collections dissolve into a valid area", "[analysis]") {
    WkbCheck check;
    GEOSContextHandle_t ctx = GEOS_init_r();
    GEOSWKTReader* reader = GEOSWKTReader_create_r(ctx);
    GEOSWKBWriter* writer = GEOSWKBWriter_create_r(ctx);
    auto wkb = [&](const char* wkt) {
        GEOSGeometry* g = GEOSWKTReader_read_r(ctx, reader, wkt);
        std::size_t size = 0;
        unsigned char* bytes = GEOSWKBWriter_write_r(ctx, writer, g, &size);
        std::vector<unsigned char> out(bytes, bytes + size);
        GEOSFree_r(ctx, bytes);
        GEOSGeom_destroy_r(ctx, g);
        return out;
    };
    const auto square = wkb("POLYGON((1 43, 1.1 43, 1.1 43.1, 1 43.1, 1 43))");
    const auto overlapping = wkb("POLYGON((1.05 43, 1.15 43, 1.15 43.1, 1.05 43.1, 1.05 43))");
    const auto bowtie = wkb("POLYGON((2 43, 2.1 43.1, 2.1 43, 2 43.1, 2 43))");  // self-intersecting
    const auto collection = wkb("GEOMETRYCOLLECTION(POLYGON((3 43, 3.1 43, 3.1 43.1, 3 43)), POINT(5 5))");
    const auto point = wkb("POINT(1 43)");
    GEOSWKBWriter_destroy_r(ctx, writer);
    GEOSWKTReader_destroy_r(ctx, reader);
    finishGEOS_r(ctx);

    const GEOSGeometry* g = check.read(dissolve_polygons({square, overlapping, bowtie, collection}));
    CHECK(check.valid(g));
    REQUIRE(check.type(g) == GEOS_MULTIPOLYGON);
    CHECK(check.parts(g) == 4);  // the merged squares, the bowtie's two triangles, the triangle
    CHECK(check.area(g) == Approx(0.015 + 0.005 + 0.005).epsilon(1e-9));  // degrees², the point dropped

    REQUIRE_THROWS_AS(dissolve_polygons({square, point}), Error);
    REQUIRE_THROWS_WITH(dissolve_polygons({square, point}), Contains("polygon 2 of 2") && Contains("point"));
    REQUIRE_THROWS_WITH(dissolve_polygons({square, {1, 3, 0}}), Contains("polygon 2 of 2") && Contains("WKB"));
}

TEST_CASE("the square of a Filosofi cell is placed where gdaltransform puts its corners", "[analysis]") {
    WkbCheck check;
    const auto wkb = cell_polygon(fx, fy, 1000, "EPSG:3035");
    CHECK(plain_polygon_wkb(wkb));
    const GEOSGeometry* g = check.read(wkb);
    CHECK(check.valid(g));
    CHECK(check.type(g) == GEOS_POLYGON);
    CHECK(check.coordinates(g) == 5);
    // `printf '3630500 2383500\n' | gdaltransform -s_srs EPSG:3035 -t_srs EPSG:4326` (GDAL 3.6,
    // PROJ 9.1) gives the centre 1.3583857131019 44.2025654551701; the corners (x ± 500, y ± 500)
    // give SW 1.35285665638041 44.1975702811921, SE 1.36527631064035 44.1986094357339,
    // NE 1.36391568587385 44.2075603300327, NW 1.3514941200189 44.2065209866606. The square is
    // turned a little in lon/lat, so each side of its envelope passes through one corner.
    CHECK(check.contains(g, check.point(1.3584, 44.2026)));
    CHECK(check.contains(g, check.point(1.3583857131019, 44.2025654551701)));
    const auto box = check.envelope(g);
    CHECK(box.xmin == Approx(1.3514941200189).margin(1e-9));   // NW
    CHECK(box.xmax == Approx(1.36527631064035).margin(1e-9));  // SE
    CHECK(box.ymin == Approx(44.1975702811921).margin(1e-9));  // SW
    CHECK(box.ymax == Approx(44.2075603300327).margin(1e-9));  // NE
    CHECK(check.area_km2(g) == Approx(1.0).epsilon(1e-6));
    // The neighbouring cell does not hold that centre.
    CHECK_FALSE(check.contains(check.read(cell_polygon(fx + 1000, fy, 1000, "EPSG:3035")),
                               check.point(1.3584, 44.2026)));
}

TEST_CASE("an unknown or unprojected grid CRS is a configuration error naming it", "[analysis]") {
    REQUIRE_THROWS_AS(dissolve_cells({{fx, fy}}, 1000, "EPSG:999999"), ConfigError);
    REQUIRE_THROWS_WITH(dissolve_cells({{fx, fy}}, 1000, "EPSG:999999"), Contains("'EPSG:999999'"));
    REQUIRE_THROWS_WITH(dissolve_cells({}, 1000, "not a crs"), Contains("'not a crs'"));  // even with no cells
    REQUIRE_THROWS_AS(cell_polygon(fx, fy, 1000, "EPSG:999999"), ConfigError);
    REQUIRE_THROWS_WITH(cell_polygon(fx, fy, 1000, "EPSG:4326"), Contains("not a projected CRS"));
    REQUIRE_THROWS_WITH(cell_polygon(fx, fy, 1000, ""), Contains("no CRS"));
    REQUIRE_THROWS_WITH(cell_polygon(fx, fy, 0, "EPSG:3035"), Contains("cell size 0 m"));
    // A failure does not spoil the conversion kept for the next call.
    CHECK_FALSE(cell_polygon(fx, fy, 1000, "EPSG:3035").empty());
}

TEST_CASE("the output does not depend on the order of the input: same bytes", "[analysis]") {
    std::mt19937_64 random(test::random_seed());
    SECTION("cells") {
        Centres cells;
        std::uniform_int_distribution<int> pick(0, 14);
        for (int k = 0; k < 60; ++k) {
            cells.emplace_back(fx + 200.0 * pick(random), fy + 200.0 * pick(random));  // repeats are fine
        }
        const auto reference = dissolve_cells(cells, 200, "EPSG:3035");
        REQUIRE_FALSE(reference.empty());
        for (int round = 0; round < 5; ++round) {
            std::shuffle(cells.begin(), cells.end(), random);
            CHECK(dissolve_cells(cells, 200, "EPSG:3035") == reference);
        }
    }
    SECTION("communes") {
        const ZoneLayer layer = read_zones(test::data_file("insee/communes-06-alpes-maritimes.geojson"));
        std::vector<std::vector<unsigned char>> polygons;
        for (const char* code : {"06012", "06150", "06032", "06088", "06059", "06104", "06083", "06075", "06121"}) {
            polygons.push_back(zone(layer, code).wkb);
        }
        const auto reference = dissolve_polygons(polygons);
        WkbCheck check;
        CHECK(check.valid(check.read(reference)));
        for (int round = 0; round < 3; ++round) {
            std::shuffle(polygons.begin(), polygons.end(), random);
            CHECK(dissolve_polygons(polygons) == reference);
        }
    }
}
