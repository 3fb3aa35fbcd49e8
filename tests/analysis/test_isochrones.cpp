#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <gdal.h>
#include <gdal_alg.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "../../src/analysis/pixel_polygons.hpp"  // internal: the speck removal is tested on its own
#include "proxima/analysis/access_times.hpp"
#include "proxima/analysis/isochrones.hpp"
#include "proxima/core/error.hpp"
#include "proxima/report/layer_writer.hpp"
#include "proxima/run/isochrone_layer.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/ogr_handles.hpp"

using namespace proxima;

namespace {

using test::Geometry;
using test::Srs;
using test::srs_of;
using test::Transform;

/// Reads an output back with OGR (GEOS-backed predicates), independently of the code under test.
Geometry read_wkb(const std::vector<unsigned char>& wkb) {
    OGRGeometryH g = nullptr;
    REQUIRE(OGR_G_CreateFromWkb(wkb.data(), nullptr, &g, static_cast<int>(wkb.size())) == OGRERR_NONE);
    return Geometry(g);
}

/// WGS84 lon/lat -> `crs`, with OGR.
struct ToProjected {
    explicit ToProjected(const std::string& crs) : wgs84(srs_of("EPSG:4326")), target(srs_of(crs)) {
        transform.reset(OCTNewCoordinateTransformation(wgs84.get(), target.get()));
        REQUIRE(transform);
    }
    Geometry operator()(const std::vector<unsigned char>& wkb) const {
        Geometry g = read_wkb(wkb);
        REQUIRE(OGR_G_Transform(g.get(), transform.get()) == OGRERR_NONE);
        return g;
    }
    std::pair<double, double> point(LonLat p) const {
        double x = p.lon;
        double y = p.lat;
        REQUIRE(OCTTransform(transform.get(), 1, &x, &y, nullptr) == TRUE);
        return {x, y};
    }
    Srs wgs84;
    Srs target;
    Transform transform;
};

Geometry lonlat_point(LonLat p) {
    Geometry g(OGR_G_CreateGeometry(wkbPoint));
    OGR_G_SetPoint_2D(g.get(), 0, p.lon, p.lat);
    return g;
}

int holes(OGRGeometryH g) {
    int n = 0;
    if (wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPolygon) {
        return OGR_G_GetGeometryCount(g) - 1;
    }
    for (int k = 0; k < OGR_G_GetGeometryCount(g); ++k) {
        n += holes(OGR_G_GetGeometryRef(g, k));
    }
    return n;
}

int parts(OGRGeometryH g) {
    return wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPolygon ? 1 : OGR_G_GetGeometryCount(g);
}

/// A raster drawn with characters: '.' no value, 'a' 5 min, 'b' 15 min, 'c' 25 min; 100 m
/// pixels in Lambert-93 near Limoges.
TravelTimeRaster drawn_raster(const std::vector<std::string>& rows) {
    TravelTimeRaster r;
    r.service = "drawn";
    r.grid = RasterGrid{"EPSG:2154", 560000.0, 6530000.0, 100.0, static_cast<int>(rows.front().size()),
                        static_cast<int>(rows.size())};
    for (const auto& row : rows) {
        for (const char c : row) {
            r.minutes.push_back(c == 'a' ? 5.0F : c == 'b' ? 15.0F : c == 'c' ? 25.0F : std::numeric_limits<float>::quiet_NaN());
        }
    }
    return r;
}

const StudyInputs& andorra() {
    static const StudyInputs in = [] {
        StudyFile study = load_study(test::data_file("studies/andorra.toml"));
        study.network.graph.clear();  // no cache written from tests
        return load_study_inputs(study);
    }();
    return in;
}

} // namespace

TEST_CASE("isochrone limits: the threshold and the standard bands, sorted, each once", "[analysis][isochrones]") {
    CHECK(isochrone_limits(30) == std::vector<double>{10, 20, 30, 45, 60});
    CHECK(isochrone_limits(25) == std::vector<double>{10, 20, 25, 30, 45, 60});
    CHECK(isochrone_limits(90) == std::vector<double>{10, 20, 30, 45, 60, 90});
}

TEST_CASE("drawn raster: pixels merge on the grid, specks are dropped, 1-pixel holes filled, larger holes kept",
          "[analysis][isochrones]") {
    const TravelTimeRaster raster = drawn_raster({
        "............",
        ".aaaaa...aa.",  // block with a 1-pixel hole below; a 2-pixel pair on the right
        ".aa.aa......",
        ".aaaaa......",
        ".aaaaa......",
        "......a.....",  // touches the block at a corner only: a 1-pixel part, dropped
        "............",
        ".bbbbbbbbbb.",
        ".b..bbbbbab.",  // a 2-pixel hole (kept); a lone 5-min pixel (dropped at 10 min)
        ".bbbbbbbbbb.",
    });
    const auto isochrones = isochrones_from_raster(raster, {20, 10, 1, 10});
    REQUIRE(isochrones.size() == 3);  // sorted, duplicate removed
    CHECK(isochrones[0].limit_min == 1);
    CHECK(isochrones[0].wkb_wgs84.empty());
    CHECK(isochrones[0].area_km2 == 0);
    CHECK(isochrones[0].pixels == 0);

    const ToProjected l93("EPSG:2154");
    const double pixel_km2 = 0.01;
    SECTION("10 min: the block (hole filled) and the pair") {
        const Isochrone& iso = isochrones[1];
        CHECK(iso.limit_min == 10);
        CHECK(iso.pixels == 23);
        CHECK(iso.area_km2 == Approx(22 * pixel_km2).epsilon(1e-12));
        const Geometry g = read_wkb(iso.wkb_wgs84);
        CHECK(OGR_G_IsValid(g.get()));
        CHECK(wkbFlatten(OGR_G_GetGeometryType(g.get())) == wkbMultiPolygon);
        CHECK(parts(g.get()) == 2);
        CHECK(holes(g.get()) == 0);
        // Back in Lambert-93 the corners are on the grid and the area is the pixels'.
        const Geometry back = l93(iso.wkb_wgs84);
        CHECK(OGR_G_Area(back.get()) == Approx(22 * 10000.0).epsilon(1e-6));
        OGREnvelope env;
        OGR_G_GetEnvelope(back.get(), &env);
        CHECK(env.MinX == Approx(560100.0).margin(1e-3));
        CHECK(env.MaxX == Approx(561100.0).margin(1e-3));
        CHECK(env.MaxY == Approx(6529900.0).margin(1e-3));
        CHECK(env.MinY == Approx(6529500.0).margin(1e-3));
    }
    SECTION("20 min: the 15-min band joins, with its 2-pixel hole and the lone pixel inside it") {
        const Isochrone& iso = isochrones[2];
        CHECK(iso.pixels == 50);
        CHECK(iso.area_km2 == Approx(50 * pixel_km2).epsilon(1e-12));
        const Geometry g = read_wkb(iso.wkb_wgs84);
        CHECK(OGR_G_IsValid(g.get()));
        CHECK(parts(g.get()) == 3);
        CHECK(holes(g.get()) == 1);
        CHECK(OGR_G_Area(l93(iso.wkb_wgs84).get()) == Approx(50 * 10000.0).epsilon(1e-6));
    }
    SECTION("options: keep every speck") {
        const auto all = isochrones_from_raster(raster, {10}, IsochroneOptions{0, 0});
        CHECK(all[0].area_km2 == Approx(23 * pixel_km2).epsilon(1e-12));
        const Geometry g = read_wkb(all[0].wkb_wgs84);
        CHECK(OGR_G_IsValid(g.get()));
        CHECK(holes(g.get()) == 1);
    }
    SECTION("same raster, same bytes") {
        CHECK(isochrones_from_raster(raster, {10, 20})[1].wkb_wgs84 == isochrones[2].wkb_wgs84);
    }
    SECTION("in the raster's CRS: exact pixel edges, the same area as through WGS84") {
        IsochroneOptions options;
        options.raster_crs = true;
        const auto projected = isochrones_from_raster(raster, {1, 10, 20}, options);
        REQUIRE(projected.size() == 3);
        for (std::size_t k = 0; k < 3; ++k) {
            INFO("limit " << projected[k].limit_min);
            CHECK(projected[k].wkb_wgs84.empty());
            CHECK(projected[k].pixels == isochrones[k].pixels);
            CHECK(projected[k].area_km2 == isochrones[k].area_km2);
            if (isochrones[k].wkb_wgs84.empty()) {
                CHECK(projected[k].wkb_raster_crs.empty());
                continue;
            }
            const Geometry g = read_wkb(projected[k].wkb_raster_crs);
            CHECK(OGR_G_IsValid(g.get()));
            CHECK(OGR_G_Area(g.get()) == Approx(projected[k].area_km2 * 1e6).epsilon(1e-12));
            OGREnvelope env;
            OGR_G_GetEnvelope(g.get(), &env);
            CHECK(std::fmod(env.MinX, 100.0) == 0.0);  // on the grid lines, to the metre
            CHECK(std::fmod(env.MaxY, 100.0) == 0.0);
            const Geometry through_wgs84 = l93(isochrones[k].wkb_wgs84);
            const Geometry apart(OGR_G_SymDifference(g.get(), through_wgs84.get()));
            CHECK(OGR_G_Area(apart.get()) < 1.0);  // m², of a few hectares
        }
        CHECK(isochrones_from_raster(raster, {1, 10, 20}, options)[2].wkb_raster_crs == projected[2].wkb_raster_crs);
    }
}

TEST_CASE("float_at_most: a float compared with it is the float, widened, compared with the limit",
          "[analysis][isochrones]") {
    constexpr float finf = std::numeric_limits<float>::infinity();
    constexpr double dinf = std::numeric_limits<double>::infinity();
    const float fnan = std::numeric_limits<float>::quiet_NaN();
    std::mt19937_64 rng(20261129);
    std::uniform_real_distribution<double> minutes(0.0, 120.0);
    std::vector<double> limits = {0.0, -0.0, 1e-300, -1e-300, 15.0, 20.0, 30.0, 0.1, 1.0 / 3.0, 45.000000001,
                                  static_cast<double>(FLT_MAX), 1e39, -1e39, dinf, -dinf,
                                  std::numeric_limits<double>::quiet_NaN(),
                                  static_cast<double>(std::nextafter(30.0F, 31.0F)) - 1e-12};
    std::vector<float> values = {0.0F, -0.0F, 15.0F, 30.0F, std::nextafter(30.0F, 0.0F), std::nextafter(30.0F, 31.0F),
                                 FLT_MAX, -FLT_MAX, finf, -finf, fnan, std::numeric_limits<float>::denorm_min()};
    for (int k = 0; k < 2000; ++k) {
        const double l = minutes(rng);
        limits.push_back(l);
        values.push_back(static_cast<float>(l));
        values.push_back(std::nextafter(static_cast<float>(l), finf));
        values.push_back(std::nextafter(static_cast<float>(l), -finf));
    }
    std::size_t differ = 0;
    for (const double l : limits) {
        const float f = proxima::detail::float_at_most(l);
        for (const float x : values) {
            differ += (x <= f) != (static_cast<double>(x) <= l) ? 1 : 0;
        }
    }
    CHECK(differ == 0);
    CHECK(proxima::detail::float_at_most(30.0) == 30.0F);
    CHECK(static_cast<double>(proxima::detail::float_at_most(0.1)) < 0.1);  // 0.1F is above 0.1
}

TEST_CASE("isochrone inputs are checked", "[analysis][isochrones]") {
    const TravelTimeRaster raster = drawn_raster({"aa", "aa"});
    CHECK_THROWS_AS(isochrones_from_raster(raster, {0}), ConfigError);
    CHECK_THROWS_AS(isochrones_from_raster(raster, {-10}), ConfigError);
    CHECK_THROWS_AS(isochrones_from_raster(raster, {std::nan("")}), ConfigError);
    CHECK_THROWS_AS(isochrones_from_raster(raster, {10}, IsochroneOptions{-1, 0}), ConfigError);
    TravelTimeRaster broken = raster;
    broken.minutes.pop_back();
    CHECK_THROWS_AS(isochrones_from_raster(broken, {10}), Error);
    TravelTimeRaster degrees = raster;
    degrees.grid.crs = "EPSG:4326";
    CHECK_THROWS_AS(isochrones_from_raster(degrees, {10}), ConfigError);
    std::vector<double> too_many;
    for (int k = 1; k <= 256; ++k) {
        too_many.push_back(k);
    }
    CHECK_THROWS_AS(isochrones_from_raster(raster, too_many), ConfigError);
    too_many.pop_back();
    CHECK(isochrones_from_raster(raster, too_many).size() == 255);
}

TEST_CASE("isochrones of many limits at once are those of each limit alone", "[analysis][isochrones]") {
    // Each limit's mask comes from one band byte per pixel (how many limits it is beyond): the
    // same pixels and polygons as a limit made on its own, including limits closer than a
    // float's step (one float for both) and times equal to a limit.
    TravelTimeRaster r = drawn_raster(std::vector<std::string>(60, std::string(70, 'a')));
    std::mt19937 rng(1129);
    std::uniform_real_distribution<double> minutes(0.0, 50.0);
    std::uniform_int_distribution<int> kind(0, 19);
    const std::vector<double> limits = {3.0, 10.0, 10.0 + 1e-9, 12.5, 20.0, 29.999999, 30.0, 45.0};
    for (float& m : r.minutes) {
        const int k = kind(rng);
        m = k == 0 ? std::numeric_limits<float>::quiet_NaN()
                   : k == 1 ? static_cast<float>(limits[static_cast<std::size_t>(kind(rng)) % limits.size()])
                            : static_cast<float>(minutes(rng));
    }
    IsochroneOptions options;
    options.raster_crs = true;
    const std::vector<Isochrone> all = isochrones_from_raster(r, limits, options);
    REQUIRE(all.size() == limits.size());
    for (std::size_t k = 0; k < limits.size(); ++k) {
        const std::vector<Isochrone> one = isochrones_from_raster(r, {limits[k]}, options);
        REQUIRE(one.size() == 1);
        CHECK(all[k].limit_min == limits[k]);
        CHECK(all[k].pixels == one[0].pixels);
        CHECK(all[k].wkb_raster_crs == one[0].wkb_raster_crs);
        std::size_t within = 0;
        for (const float m : r.minutes) {
            within += static_cast<double>(m) <= limits[k] ? 1 : 0;
        }
        CHECK(all[k].pixels == within);
    }
}

TEST_CASE("Andorra: emergency isochrones grow with the limit, are valid, and hold the origins within 30 min",
          "[analysis][isochrones]") {
    const StudyInputs& in = andorra();
    REQUIRE(in.services[0].spec.id == "urgences");
    const TravelTimeRaster raster = compute_travel_time_raster(in, 0, RasterOptions{});
    const auto limits = isochrone_limits(in.services[0].spec.threshold_min);
    const auto isochrones = isochrones_from_raster(raster, limits);
    REQUIRE(isochrones.size() == limits.size());

    const ToProjected l93(raster.grid.crs);
    for (std::size_t k = 0; k < isochrones.size(); ++k) {
        const Isochrone& iso = isochrones[k];
        INFO(iso.limit_min << " min: " << iso.area_km2 << " km², " << iso.pixels << " pixels");
        CHECK(iso.limit_min == limits[k]);
        // The pixel count is the raster's.
        const auto within = std::count_if(raster.minutes.begin(), raster.minutes.end(),
                                          [&](float v) { return static_cast<double>(v) <= iso.limit_min; });
        CHECK(iso.pixels == static_cast<std::size_t>(within));
        // Specks change the area by a few pixels at most.
        CHECK(std::abs(iso.area_km2 / 0.01 - static_cast<double>(iso.pixels)) <= 0.02 * static_cast<double>(iso.pixels) + 2);
        REQUIRE_FALSE(iso.wkb_wgs84.empty());
        const Geometry g = read_wkb(iso.wkb_wgs84);
        CHECK(OGR_G_IsValid(g.get()));
        const Geometry projected = l93(iso.wkb_wgs84);
        CHECK(OGR_G_Area(projected.get()) / 1e6 == Approx(iso.area_km2).epsilon(1e-4));
        if (k > 0) {
            // Strictly larger while pixels are added; Andorra is small: every pixel with a
            // value is within 45 min, and then 60 min adds nothing.
            if (iso.pixels > isochrones[k - 1].pixels) {
                CHECK(iso.area_km2 > isochrones[k - 1].area_km2);
            } else {
                CHECK(iso.wkb_wgs84 == isochrones[k - 1].wkb_wgs84);
            }
            // The smaller isochrone lies inside this one (up to floating point along shared edges).
            const Geometry smaller = l93(isochrones[k - 1].wkb_wgs84);
            const Geometry outside(OGR_G_Difference(smaller.get(), projected.get()));
            REQUIRE(outside);
            CHECK(OGR_G_Area(outside.get()) < 1.0);  // m²
        }
    }

    // Origins whose 3×3 pixel neighbourhood lies on one side of 30 min are on that side of the
    // 30 min isochrone, and their own time (compute_access) agrees.
    const auto thirty = std::find(limits.begin(), limits.end(), 30.0);
    REQUIRE(thirty != limits.end());
    const Geometry iso30 = read_wkb(isochrones[static_cast<std::size_t>(thirty - limits.begin())].wkb_wgs84);
    const AccessTable access = compute_access(in);
    std::size_t inside = 0;
    std::size_t outside = 0;
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        const auto [x, y] = l93.point(in.origins[o].position);
        const int col = static_cast<int>(std::floor((x - raster.grid.min_x) / raster.grid.resolution_m));
        const int row = static_cast<int>(std::floor((raster.grid.max_y - y) / raster.grid.resolution_m));
        bool all_within = true;
        bool all_beyond = true;
        for (int dr = -1; dr <= 1; ++dr) {
            for (int dc = -1; dc <= 1; ++dc) {
                const int c = col + dc;
                const int r = row + dr;
                const bool in_grid = c >= 0 && r >= 0 && c < raster.grid.width && r < raster.grid.height;
                const float v = in_grid ? raster.at(c, r) : std::numeric_limits<float>::quiet_NaN();
                all_within = all_within && v <= 30.0F;
                all_beyond = all_beyond && !(v <= 30.0F);
            }
        }
        const Deciseconds t = access.time_ds(0, o);
        const bool contained = OGR_G_Contains(iso30.get(), lonlat_point(in.origins[o].position).get());
        INFO("origin " << in.origins[o].id << " at " << (t == unreachable_ds ? -1.0 : t / 600.0) << " min");
        if (all_within && t <= 18000) {
            CHECK(contained);
            ++inside;
        } else if (all_beyond && t > 18000) {
            CHECK_FALSE(contained);
            ++outside;
        }
    }
    CHECK(inside * 2 >= in.origins.size());  // most of Andorra is within 30 min of the hospital
    CHECK(outside >= 1);                     // Pas de la Casa, over the Envalira pass, is not
}

TEST_CASE("isochrones as a GeoPackage layer: one multipolygon per limit, largest first, in the output CRS",
          "[analysis][isochrones]") {
    const TravelTimeRaster raster = drawn_raster({".aab", ".abb", "cccc"});
    const auto isochrones = isochrones_from_raster(raster, isochrone_limits(20));
    const OutputLayer layer = isochrone_layer(raster, 20, isochrones);
    CHECK(layer.name == "isochrones_drawn");
    REQUIRE(layer.rows.size() == 5);
    CHECK(std::get<double>(layer.rows.front()[1]) == 60);
    CHECK(std::get<double>(layer.rows.back()[1]) == 10);
    CHECK(std::get<std::int64_t>(layer.rows[3][2]) == 1);  // 20 min is the threshold
    CHECK(std::get<std::int64_t>(layer.rows[4][2]) == 0);

    const test::TempDir dir("isochrones-gpkg");
    const auto path = dir.path() / "access.gpkg";
    write_geopackage(path, {layer}, "EPSG:2154");
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
    REQUIRE(ds != nullptr);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "isochrones_drawn");
    REQUIRE(l != nullptr);
    CHECK(OGR_L_GetFeatureCount(l, TRUE) == 5);
    CHECK(wkbFlatten(OGR_L_GetGeomType(l)) == wkbMultiPolygon);
    CHECK(std::string(OSRGetAuthorityCode(OGR_L_GetSpatialRef(l), nullptr)) == "2154");
    OGR_L_ResetReading(l);
    double previous = std::numeric_limits<double>::max();
    while (OGRFeatureH f = OGR_L_GetNextFeature(l)) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        REQUIRE(g != nullptr);
        CHECK(OGR_G_IsValid(g));
        const double area = OGR_G_Area(g);
        CHECK(area <= previous);  // largest first
        CHECK(area / 1e6 == Approx(OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "area_km2"))).epsilon(1e-6));
        previous = area;
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
}

namespace {

/// remove_specks() by the book: label every 4-connected region, flip the small ones (parts first,
/// then holes that do not reach the edge).
std::vector<unsigned char> specks_by_labels(std::vector<unsigned char> mask, int w, int h, double min_part,
                                            double min_hole) {
    for (const auto& [value, limit] : {std::pair<unsigned char, double>{1, min_part}, {0, min_hole}}) {
        std::vector<int> label(mask.size(), -1);
        std::vector<std::vector<int>> regions;
        std::vector<bool> on_edge;
        for (int start = 0; start < w * h; ++start) {
            if (mask[start] != value || label[start] >= 0) {
                continue;
            }
            regions.emplace_back();
            on_edge.push_back(false);
            std::vector<int> queue{start};
            label[start] = static_cast<int>(regions.size()) - 1;
            while (!queue.empty()) {
                const int i = queue.back();
                queue.pop_back();
                regions.back().push_back(i);
                const int r = i / w, c = i % w;
                if (r == 0 || c == 0 || r == h - 1 || c == w - 1) {
                    on_edge.back() = true;
                }
                for (const auto& [dr, dc] : {std::pair{0, 1}, {0, -1}, {1, 0}, {-1, 0}}) {
                    const int rr = r + dr, cc = c + dc;
                    if (rr >= 0 && rr < h && cc >= 0 && cc < w && mask[rr * w + cc] == value && label[rr * w + cc] < 0) {
                        label[rr * w + cc] = label[start];
                        queue.push_back(rr * w + cc);
                    }
                }
            }
        }
        for (std::size_t k = 0; k < regions.size(); ++k) {
            if (static_cast<double>(regions[k].size()) < limit && !(value == 0 && on_edge[k])) {
                for (const int i : regions[k]) {
                    mask[i] = value == 0 ? 1 : 0;
                }
            }
        }
    }
    return mask;
}

} // namespace

TEST_CASE("specks: lone pixels (the default) and larger specks agree with a labelling of every region",
          "[analysis][isochrones]") {
    std::mt19937_64 rng(test::random_seed());
    for (int round = 0; round < 60; ++round) {
        const int w = 1 + static_cast<int>(rng() % 40);
        const int h = 1 + static_cast<int>(rng() % 40);
        std::bernoulli_distribution on(0.2 + 0.6 * static_cast<double>(round % 7) / 6.0);
        std::vector<unsigned char> mask(static_cast<std::size_t>(w * h));
        for (auto& m : mask) {
            m = on(rng) ? 1 : 0;
        }
        for (const auto& [part, hole] : {std::pair{2.0, 2.0}, {2.0, 0.0}, {0.0, 2.0}, {1.5, 1.5}, {3.0, 2.0}, {5.0, 4.0}}) {
            INFO("round " << round << ", " << w << " x " << h << ", specks " << part << " / " << hole);
            std::vector<unsigned char> got = mask;
            detail::remove_specks(got, w, h, part, hole);
            CHECK(got == specks_by_labels(mask, w, h, part, hole));
        }
    }
}

namespace {

/// The number of 4-connected regions of `value` in a mask.
std::size_t count_regions(const std::vector<unsigned char>& mask, int w, int h, unsigned char value) {
    std::vector<bool> seen(mask.size(), false);
    std::size_t regions = 0;
    for (int start = 0; start < w * h; ++start) {
        if (mask[start] != value || seen[start]) {
            continue;
        }
        ++regions;
        std::vector<int> stack{start};
        seen[start] = true;
        while (!stack.empty()) {
            const int i = stack.back();
            stack.pop_back();
            const int r = i / w, c = i % w;
            for (const auto& [dr, dc] : {std::pair{0, 1}, {0, -1}, {1, 0}, {-1, 0}}) {
                const int rr = r + dr, cc = c + dc;
                if (rr >= 0 && rr < h && cc >= 0 && cc < w && mask[rr * w + cc] == value && !seen[rr * w + cc]) {
                    seen[rr * w + cc] = true;
                    stack.push_back(rr * w + cc);
                }
            }
        }
    }
    return regions;
}

/// The reference: GDALPolygonize's polygons of the selected pixels (4-connected), each made valid
/// by GEOS where its rings touch themselves, as one geometry.
detail::Geos::Ptr polygonized_by_gdal(const detail::Geos& geos, const RasterGrid& grid,
                                      const std::vector<unsigned char>& mask) {
    GDALAllRegister();
    GDALDatasetH raster = GDALCreate(GDALGetDriverByName("MEM"), "", grid.width, grid.height, 1, GDT_Byte, nullptr);
    double transform[6] = {grid.min_x, grid.resolution_m, 0.0, grid.max_y, 0.0, -grid.resolution_m};
    GDALSetGeoTransform(raster, transform);
    GDALRasterBandH band = GDALGetRasterBand(raster, 1);
    REQUIRE(GDALRasterIO(band, GF_Write, 0, 0, grid.width, grid.height, const_cast<unsigned char*>(mask.data()),
                         grid.width, grid.height, GDT_Byte, 0, 0) == CE_None);
    GDALDatasetH vector = GDALCreate(GDALGetDriverByName("Memory"), "", 0, 0, 0, GDT_Unknown, nullptr);
    OGRLayerH layer = GDALDatasetCreateLayer(vector, "pixels", nullptr, wkbPolygon, nullptr);
    OGRFieldDefnH field = OGR_Fld_Create("value", OFTInteger);
    REQUIRE(OGR_L_CreateField(layer, field, TRUE) == OGRERR_NONE);
    OGR_Fld_Destroy(field);
    REQUIRE(GDALPolygonize(band, band, layer, 0, nullptr, nullptr, nullptr) == CE_None);
    std::vector<detail::Geos::Ptr> parts;
    OGR_L_ResetReading(layer);
    while (OGRFeatureH feature = OGR_L_GetNextFeature(layer)) {
        OGRGeometryH g = OGR_F_GetGeometryRef(feature);
        std::vector<unsigned char> wkb(static_cast<std::size_t>(OGR_G_WkbSize(g)));
        OGR_G_ExportToWkb(g, wkbNDR, wkb.data());
        detail::Geos::Ptr polygon = geos.read_wkb(wkb);
        if (GEOSisValid_r(geos.ctx(), polygon.get()) != 1) {
            polygon = geos.own(GEOSMakeValid_r(geos.ctx(), polygon.get()));
        }
        parts.push_back(std::move(polygon));
        OGR_F_Destroy(feature);
    }
    GDALClose(vector);
    GDALClose(raster);
    const detail::Geos::Ptr all = detail::make_collection(geos, GEOS_GEOMETRYCOLLECTION, std::move(parts));
    return geos.own(GEOSUnaryUnion_r(geos.ctx(), all.get()));
}

} // namespace

TEST_CASE("pixel polygons: one valid polygon per 4-connected region, covering what GDALPolygonize's cover",
          "[analysis][isochrones]") {
    std::mt19937_64 rng(test::random_seed());
    const detail::Geos geos;
    for (int round = 0; round < 150; ++round) {
        const int w = 1 + static_cast<int>(rng() % 30);
        const int h = 1 + static_cast<int>(rng() % 30);
        RasterGrid grid;
        grid.crs = "EPSG:2154";
        grid.min_x = 640000.0;
        grid.max_y = 6860000.0;
        grid.resolution_m = 100.0;
        grid.width = w;
        grid.height = h;
        // Noise of every density (corner-to-corner meetings everywhere), and checkerboard-like
        // patterns, where every vertex inside is one.
        std::vector<unsigned char> mask(static_cast<std::size_t>(w * h));
        std::bernoulli_distribution on(0.1 + 0.8 * static_cast<double>(round % 9) / 8.0);
        for (int i = 0; i < w * h; ++i) {
            const int r = i / w, c = i % w;
            mask[i] = round % 10 == 9 ? ((r + c) % 2 == 0 || (r % 5 == 0)) : on(rng);
        }
        INFO("round " << round << ", " << w << " x " << h);
        // Any non-zero byte is selected; the tracing marks the mask, which comes back as 0/1.
        const std::vector<unsigned char> zero_one = mask;
        if (round % 2 == 1) {
            std::replace(mask.begin(), mask.end(), static_cast<unsigned char>(1), static_cast<unsigned char>(0xFF));
        }
        const std::vector<detail::Geos::Ptr> polygons = detail::mask_polygons(geos, grid, mask);
        CHECK(mask == zero_one);
        CHECK(polygons.size() == count_regions(mask, w, h, 1));
        for (const auto& p : polygons) {
            CHECK(GEOSisValid_r(geos.ctx(), p.get()) == 1);
        }
        const auto selected = std::count(mask.begin(), mask.end(), 1);
        if (polygons.empty()) {
            CHECK(selected == 0);
            continue;
        }
        std::vector<detail::Geos::Ptr> copies;
        for (const auto& p : polygons) {
            copies.push_back(geos.own(GEOSGeom_clone_r(geos.ctx(), p.get())));
        }
        const detail::Geos::Ptr all = detail::polygonal(geos, std::move(copies));
        CHECK(GEOSisValid_r(geos.ctx(), all.get()) == 1);
        CHECK(detail::area_of(geos, all.get()) == Approx(static_cast<double>(selected) * 1e4));
        const detail::Geos::Ptr reference = polygonized_by_gdal(geos, grid, mask);
        CHECK(GEOSEquals_r(geos.ctx(), all.get(), reference.get()) == 1);
    }
}
