#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "proxima/analysis/access_times.hpp"
#include "proxima/analysis/travel_time_raster.hpp"
#include "proxima/core/error.hpp"
#include "proxima/routing/point_routing.hpp"
#include "proxima_test/andorra_inputs.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/ogr_handles.hpp"
#include "proxima_test/services.hpp"

using namespace proxima;

namespace {

// ---------------------------------------------------------------------------------------------
// Independent geometry through OGR (not the PROJ/GEOS code under test).
// ---------------------------------------------------------------------------------------------

using test::Geometry;
using test::Srs;
using test::srs_of;
using test::Transform;

/// Lambert-93 (or any CRS) <-> WGS84 lon/lat with OGR.
struct Converter {
    explicit Converter(const std::string& crs) : projected(srs_of(crs)), wgs84(srs_of("EPSG:4326")) {
        to_lonlat.reset(OCTNewCoordinateTransformation(projected.get(), wgs84.get()));
        to_projected.reset(OCTNewCoordinateTransformation(wgs84.get(), projected.get()));
        REQUIRE(to_lonlat);
        REQUIRE(to_projected);
    }
    LonLat lonlat(double x, double y) const {
        REQUIRE(OCTTransform(to_lonlat.get(), 1, &x, &y, nullptr) == TRUE);
        return {x, y};
    }
    Geometry projected_geometry(const std::vector<unsigned char>& wkb) const {
        OGRGeometryH g = nullptr;
        REQUIRE(OGR_G_CreateFromWkb(wkb.data(), nullptr, &g, static_cast<int>(wkb.size())) == OGRERR_NONE);
        Geometry out(g);
        REQUIRE(OGR_G_Transform(out.get(), to_projected.get()) == OGRERR_NONE);
        return out;
    }
    Srs projected;
    Srs wgs84;
    Transform to_lonlat;
    Transform to_projected;
};

Geometry point(double x, double y) {
    Geometry p(OGR_G_CreateGeometry(wkbPoint));
    OGR_G_SetPoint_2D(p.get(), 0, x, y);
    return p;
}

std::vector<unsigned char> wkb_of_wkt(const std::string& wkt) {
    OGRGeometryH g = nullptr;
    std::string text = wkt;
    char* cursor = text.data();
    REQUIRE(OGR_G_CreateFromWkt(&cursor, nullptr, &g) == OGRERR_NONE);
    Geometry owned(g);
    std::vector<unsigned char> wkb(static_cast<std::size_t>(OGR_G_WkbSize(g)));
    REQUIRE(OGR_G_ExportToWkb(g, wkbNDR, wkb.data()) == OGRERR_NONE);
    return wkb;
}

std::vector<unsigned char> file_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool same_floats(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// ---------------------------------------------------------------------------------------------
// A synthetic study: a one-way triangle A -> B -> C -> A near Clermont-Ferrand, one zone (a
// lon/lat rectangle around it), one facility exactly at A. Node times are known by hand.
// ---------------------------------------------------------------------------------------------

constexpr Deciseconds w_ab = 600;
constexpr Deciseconds w_bc = 900;
constexpr Deciseconds w_ca = 1200;
constexpr double max_snap_m = 400.0;
constexpr double zone_w = 1.990, zone_e = 2.030, zone_s = 45.990, zone_n = 46.020;

StudyInputs triangle_study(TravelDirection direction) {
    StudyInputs in;
    in.study.output_crs = "EPSG:2154";
    in.study.network.access_kmh = 15.0;
    in.study.network.max_snap_m = max_snap_m;
    in.road_graph = std::make_shared<const RoadGraph>(
        graph_from_arcs({{2.000, 46.000}, {2.020, 46.000}, {2.010, 46.010}},
                        {{0, 1, w_ab, 1550.0F}, {1, 2, w_bc, 1380.0F}, {2, 0, w_ca, 1380.0F}}));
    in.zones.zones.push_back(make_zone("Z", "zone", wkb_of_wkt(fmt::format("POLYGON(({0} {2},{1} {2},{1} {3},{0} {3},{0} {2}))",
                                                                          zone_w, zone_e, zone_s, zone_n)),
                                       "test zone"));
    ServiceInputs service;
    service.spec.id = "triangle";
    service.spec.label = "Triangle";
    service.spec.threshold_min = 5;
    service.spec.direction = direction;
    Facility f;
    f.id = "A";
    f.position = {2.000, 46.000};
    service.facilities.push_back(f);
    const EdgeSnapper snapper(in.graph());
    const auto snap = snapper.snap(f.position, 1.0);
    REQUIRE(snap);
    service.snaps.push_back(*snap);
    in.services.push_back(std::move(service));
    return in;
}

Deciseconds leg_ds(const Snap& s) { return static_cast<Deciseconds>(std::llround(s.distance_m / (15.0 / 3.6) * 10.0)); }
Deciseconds part_ds(Deciseconds w, double along) {
    return static_cast<Deciseconds>(std::clamp<long long>(std::llround(along), 0, w));
}

/// The time of a snapped point by hand: node times on the one-way loop, the point's edge, its leg.
Deciseconds expected_triangle_ds(const RoadGraph& graph, const Snap& p, TravelDirection direction) {
    const ArcId arc{graph.edge_arc(p.edge, false)};
    REQUIRE(graph.edge_arc(p.edge, true) == invalid_index);  // every edge is one-way
    const auto tail = to_index(graph.tail(arc));
    const auto head = to_index(graph.head(arc));
    const Deciseconds w = graph.travel_ds()[to_index(arc)];
    const Deciseconds part = part_ds(w, p.along_fwd_ds);
    const bool at_start = p.segment == 0 && p.fraction == 0.0;
    const bool at_end = p.fraction == 1.0;
    if (direction == TravelDirection::to_service) {
        // Residents drive on round the loop to A: times to A from each node.
        const std::array<Deciseconds, 3> to_a = {0, w_bc + w_ca, w_ca};
        Deciseconds t = leg_ds(p) + (w - part) + to_a[head];
        if (at_start) {
            t = std::min(t, leg_ds(p) + to_a[tail]);
        }
        return t;
    }
    // From A round the loop to the point.
    const std::array<Deciseconds, 3> from_a = {0, w_ab, w_ab + w_bc};
    Deciseconds t = from_a[tail] + part + leg_ds(p);
    if (at_end) {
        t = std::min(t, from_a[head] + leg_ds(p));
    }
    return t;
}

const RasterPixels& andorra_pixels() {
    static const RasterPixels pixels = raster_pixels(test::andorra_with_smur(), RasterOptions{});
    return pixels;
}

using test::service_index;

/// (col, row) of the pixel containing a point of the raster CRS, or nullopt outside the grid.
std::optional<std::pair<int, int>> pixel_at(const RasterGrid& grid, double x, double y) {
    const auto col = static_cast<int>(std::floor((x - grid.min_x) / grid.resolution_m));
    const auto row = static_cast<int>(std::floor((grid.max_y - y) / grid.resolution_m));
    if (col < 0 || row < 0 || col >= grid.width || row >= grid.height) {
        return std::nullopt;
    }
    return std::make_pair(col, row);
}

/// Bound on how much a trip time can change when its start moves from snap `a` to snap `b` on
/// the same edge: the change of the off-network leg plus the change of the time along the edge
/// (the larger of the two directions), plus rounding.
double same_edge_bound_ds(const Snap& a, const Snap& b) {
    return std::abs(leg_ds(a) - static_cast<double>(leg_ds(b))) +
           std::max(std::abs(a.along_fwd_ds - b.along_fwd_ds), std::abs(a.along_bwd_ds - b.along_bwd_ds)) + 2.0;
}

} // namespace

TEST_CASE("raster_grid is raster_pixels' grid without its pixels, and too fine a grid names a resolution that fits",
          "[analysis][raster]") {
    const StudyInputs in = triangle_study(TravelDirection::to_service);
    for (const double res : {20.0, 50.0, 100.0}) {
        const RasterGrid grid = raster_grid(in.zones, "EPSG:2154", res);
        const RasterGrid full = raster_pixels(in, RasterOptions{res, "", 1}).grid;
        CHECK(grid.crs == full.crs);
        CHECK(grid.min_x == full.min_x);
        CHECK(grid.max_y == full.max_y);
        CHECK(grid.width == full.width);
        CHECK(grid.height == full.height);
    }
    CHECK_THROWS_AS(raster_grid(in.zones, "EPSG:2154", 0.0), ConfigError);

    // A box of 9° × 7° of France (about 734 × 789 km in Lambert-93): 161 M pixels of 60 m, too
    // many; the message names the first multiple of 50 m that fits.
    ZoneLayer box_9x7;
    box_9x7.zones.push_back(Zone{"BOX", "9 x 7 degrees", std::nullopt, "",
                                wkb_of_wkt("POLYGON ((-2 43, 7 43, 7 50, -2 50, -2 43))"), {2.5, 46.5}});
    CHECK(raster_grid(box_9x7, "EPSG:2154", 100.0).pixel_count() < 100'000'000);
    std::string message;
    try {
        (void)raster_grid(box_9x7, "EPSG:2154", 60.0);
    } catch (const ConfigError& e) {
        message = e.what();
    }
    INFO(message);
    CHECK_THAT(message, Catch::Contains("pixels of 60 m") && Catch::Contains("more than 100 million") &&
                            Catch::Contains("choose a coarser resolution (100 m gives"));
    const RasterGrid fits = raster_grid(box_9x7, "EPSG:2154", 100.0);
    CHECK_THAT(message, Catch::Contains(fmt::format("100 m gives {} × {}", fits.width, fits.height)));
    CHECK_THROWS_WITH(raster_grid(box_9x7, "EPSG:2154", 50.0), Catch::Contains("more than 100 million"));
}

TEST_CASE("synthetic one-way loop: every pixel's time is the hand-computed trip, in both directions",
          "[analysis][raster]") {
    for (const auto direction : {TravelDirection::to_service, TravelDirection::from_service}) {
        const StudyInputs in = triangle_study(direction);
        const RasterPixels pixels = raster_pixels(in, RasterOptions{50.0, "", 2});
        const TravelTimeRaster raster = travel_time_raster(in, pixels, 0, 2);
        const RasterGrid& grid = raster.grid;
        REQUIRE(grid.crs == "EPSG:2154");
        REQUIRE(raster.service == "triangle");
        REQUIRE(raster.minutes.size() == grid.pixel_count());

        // The grid is aligned on the resolution and covers the zone.
        CHECK(std::fmod(grid.min_x, 50.0) == 0.0);
        CHECK(std::fmod(grid.max_y, 50.0) == 0.0);
        const Converter conv("EPSG:2154");
        const Geometry zone = conv.projected_geometry(in.zones.zones[0].wkb);
        OGREnvelope env;
        OGR_G_GetEnvelope(zone.get(), &env);
        CHECK(grid.min_x <= env.MinX);
        CHECK(grid.min_x > env.MinX - 50);
        CHECK(grid.max_y >= env.MaxY);
        CHECK(grid.max_y < env.MaxY + 50);
        CHECK(grid.line_x(grid.width) >= env.MaxX);
        CHECK(grid.line_x(grid.width) < env.MaxX + 50);
        CHECK(grid.line_y(grid.height) <= env.MinY);
        CHECK(grid.line_y(grid.height) > env.MinY - 50);

        const EdgeSnapper snapper(in.graph());
        std::size_t valued = 0;
        std::size_t checked_nodata = 0;
        for (int row = 0; row < grid.height; ++row) {
            for (int col = 0; col < grid.width; ++col) {
                const std::size_t index = static_cast<std::size_t>(row) * grid.width + col;
                const LonLat c = conv.lonlat(grid.centre_x(col), grid.centre_y(row));
                const float value = raster.at(col, row);
                const bool well_inside = c.lon > zone_w + 1e-5 && c.lon < zone_e - 1e-5 && c.lat > zone_s + 1e-5 &&
                                         c.lat < zone_n - 1e-5;
                const bool outside = c.lon < zone_w - 1e-5 || c.lon > zone_e + 1e-5 || c.lat < zone_s - 1e-5 ||
                                     c.lat > zone_n + 1e-5;
                const auto own = snapper.snap(c, 1e9);
                REQUIRE(own);
                INFO("pixel " << col << "," << row << " at " << c.lon << "," << c.lat << " snapped at " << own->distance_m);
                if (outside || own->distance_m > max_snap_m + 0.01) {
                    CHECK(std::isnan(value));
                    ++checked_nodata;
                    continue;
                }
                if (!well_inside || own->distance_m > max_snap_m - 0.01) {
                    continue;  // on the zone's edge or at the snap limit: either way is right
                }
                // Inside and near a road on a strongly connected loop: a value, the hand-computed one.
                const auto at = std::lower_bound(pixels.pixel.begin(), pixels.pixel.end(), index);
                REQUIRE(at != pixels.pixel.end());
                REQUIRE(*at == index);
                const Snap& p = pixels.snap[static_cast<std::size_t>(at - pixels.pixel.begin())];
                CHECK(p.distance_m == Approx(own->distance_m).margin(0.01));
                REQUIRE_FALSE(std::isnan(value));
                CHECK(value == Approx(expected_triangle_ds(in.graph(), p, direction) / 600.0).margin(1e-4));
                ++valued;
            }
        }
        CHECK(valued > 500);
        CHECK(checked_nodata > 500);  // the zone reaches farther than max_snap_m from the roads
        // The same whatever the thread count.
        CHECK(same_floats(travel_time_raster(in, pixels, 0, 1).minutes, raster.minutes));
        CHECK(same_floats(compute_travel_time_raster(in, 0, RasterOptions{50.0, "", 1}).minutes, raster.minutes));
    }
}

TEST_CASE("raster options and indices are checked", "[analysis][raster]") {
    const StudyInputs in = triangle_study(TravelDirection::to_service);
    CHECK_THROWS_AS(raster_pixels(in, RasterOptions{0.0, "", 0}), ConfigError);
    CHECK_THROWS_AS(raster_pixels(in, RasterOptions{-5.0, "", 0}), ConfigError);
    CHECK_THROWS_AS(raster_pixels(in, RasterOptions{100.0, "EPSG:4326", 0}), ConfigError);  // degrees, not metres
    CHECK_THROWS_AS(raster_pixels(in, RasterOptions{100.0, "EPSG:999999", 0}), ConfigError);
    CHECK_THROWS_AS(raster_pixels(in, RasterOptions{0.01, "", 0}), ConfigError);  // billions of pixels
    CHECK_THROWS_AS(compute_travel_time_raster(in, 1), Error);
    // Another projected CRS works too: UTM 31N.
    const TravelTimeRaster utm = compute_travel_time_raster(in, 0, RasterOptions{100.0, "EPSG:32631", 0});
    CHECK(utm.grid.crs == "EPSG:32631");
    CHECK(std::count_if(utm.minutes.begin(), utm.minutes.end(), [](float v) { return !std::isnan(v); }) > 100);
}

TEST_CASE("the GeoTIFF reopens with GDAL: size, georeferencing, CRS, nodata, metadata, values, same bytes twice",
          "[analysis][raster]") {
    const StudyInputs in = triangle_study(TravelDirection::to_service);
    const TravelTimeRaster raster = compute_travel_time_raster(in, 0, RasterOptions{50.0, "", 0});
    const test::TempDir dir("raster-tif");
    const auto path = dir.path() / "triangle.tif";
    write_travel_time_geotiff(raster, path);
    {
        GDALAllRegister();
        GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
        REQUIRE(ds != nullptr);
        CHECK(GDALGetRasterXSize(ds) == raster.grid.width);
        CHECK(GDALGetRasterYSize(ds) == raster.grid.height);
        CHECK(GDALGetRasterCount(ds) == 1);
        std::array<double, 6> gt{};
        REQUIRE(GDALGetGeoTransform(ds, gt.data()) == CE_None);
        CHECK(gt == std::array<double, 6>{raster.grid.min_x, 50.0, 0.0, raster.grid.max_y, 0.0, -50.0});
        OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
        REQUIRE(srs != nullptr);
        CHECK(std::string(OSRGetAuthorityCode(srs, nullptr)) == "2154");
        CHECK(std::string(GDALGetMetadataItem(ds, "SERVICE", nullptr)) == "triangle");
        CHECK(std::string(GDALGetMetadataItem(ds, "UNIT", nullptr)) == "minutes");
        CHECK(std::string(GDALGetMetadataItem(ds, "DIRECTION", nullptr)) == "to_service");
        CHECK(std::string(GDALGetMetadataItem(ds, "COMPRESSION", "IMAGE_STRUCTURE")) == "DEFLATE");
        GDALRasterBandH band = GDALGetRasterBand(ds, 1);
        CHECK(GDALGetRasterDataType(band) == GDT_Float32);
        int has_nodata = 0;
        const double nodata = GDALGetRasterNoDataValue(band, &has_nodata);
        CHECK(has_nodata == 1);
        CHECK(std::isnan(nodata));
        CHECK(std::string(GDALGetRasterUnitType(band)) == "min");
        std::vector<float> back(raster.minutes.size());
        REQUIRE(GDALRasterIO(band, GF_Read, 0, 0, raster.grid.width, raster.grid.height, back.data(), raster.grid.width,
                             raster.grid.height, GDT_Float32, 0, 0) == CE_None);
        CHECK(same_floats(back, raster.minutes));
        GDALClose(ds);
    }
    // Rewriting replaces the file with the same bytes and leaves nothing else in the folder.
    const auto first = file_bytes(path);
    write_travel_time_geotiff(raster, path);
    CHECK(file_bytes(path) == first);
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator{}) == 1);
    // A missing folder is an OutputError and leaves nothing behind.
    CHECK_THROWS_AS(write_travel_time_geotiff(raster, dir.path() / "missing" / "x.tif"), OutputError);
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator{}) == 1);
}

TEST_CASE("Andorra: times at the origins' snaps are compute_access's times, for every service",
          "[analysis][raster]") {
    const StudyInputs& in = test::andorra_with_smur();
    const AccessTable access = compute_access(in);
    std::vector<Snap> snaps;
    for (const auto& o : in.origins) {
        snaps.push_back(o.snap);
    }
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        const auto times = service_times_at(in, s, snaps);
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            INFO(in.services[s].spec.id << " origin " << in.origins[o].id);
            REQUIRE(times[o] == access.time_ds(s, o));
        }
    }
}

TEST_CASE("Andorra: the pixel of an origin has the origin's time, within what half a pixel can change",
          "[analysis][raster]") {
    const StudyInputs& in = test::andorra_with_smur();
    const RasterPixels& pixels = andorra_pixels();
    const AccessTable access = compute_access(in);
    const Converter conv(pixels.grid.crs);
    const EdgeSnapper snapper(in.graph());
    const double half_diagonal_m = pixels.grid.resolution_m * std::sqrt(0.5);
    for (const std::string id : {"urgences", "smur", "pharmacie"}) {
        const std::size_t s = service_index(in, id);
        const TravelTimeRaster raster = travel_time_raster(in, pixels, s);
        std::size_t compared = 0;
        double worst_min = 0.0;
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            const Origin& origin = in.origins[o];
            double x = origin.position.lon;
            double y = origin.position.lat;
            REQUIRE(OCTTransform(conv.to_projected.get(), 1, &x, &y, nullptr) == TRUE);
            const auto cell = pixel_at(raster.grid, x, y);
            REQUIRE(cell);
            const auto [col, row] = *cell;
            const LonLat centre = conv.lonlat(raster.grid.centre_x(col), raster.grid.centre_y(row));
            const auto c = snapper.snap(centre, in.study.network.max_snap_m);
            // Where the centre lands on the origin's edge, the trips differ only by the legs and
            // the part of the edge between the two snaps.
            if (!c || c->edge != origin.snap.edge) {
                continue;
            }
            const float value = raster.at(col, row);
            INFO(id << " origin " << origin.id << " access " << access.time_ds(s, o) / 600.0 << " pixel " << value);
            if (access.time_ds(s, o) == unreachable_ds) {
                CHECK(std::isnan(value));
                continue;
            }
            REQUIRE_FALSE(std::isnan(value));
            const double bound = same_edge_bound_ds(*c, origin.snap);
            CHECK(std::abs(value * 600.0 - access.time_ds(s, o)) <= bound + 1e-2);
            // The legs differ by at most the half-diagonal at access speed.
            CHECK(std::abs(leg_ds(*c) - static_cast<double>(leg_ds(origin.snap))) <=
                  half_diagonal_m / (in.study.network.access_kmh / 3.6) * 10.0 + 1.0);
            ++compared;
            worst_min = std::max(worst_min, std::abs(value - access.time_ds(s, o) / 600.0));
        }
        INFO(id << ": " << compared << " of " << in.origins.size() << " origins compared, worst difference "
                << worst_min << " min");
        CHECK(compared * 4 >= in.origins.size());
        CHECK(worst_min < 1.0);
    }
}

TEST_CASE("Andorra: the pixel of a facility is close to 0 min, pixels outside the parishes have no value",
          "[analysis][raster]") {
    const StudyInputs& in = test::andorra_with_smur();
    const RasterPixels& pixels = andorra_pixels();
    const Converter conv(pixels.grid.crs);
    const EdgeSnapper snapper(in.graph());
    const std::size_t s = service_index(in, "pharmacie");
    const TravelTimeRaster raster = travel_time_raster(in, pixels, s);
    const ServiceInputs& service = in.services[s];
    std::size_t near_zero = 0;
    for (std::size_t f = 0; f < service.facilities.size(); ++f) {
        double x = service.facilities[f].position.lon;
        double y = service.facilities[f].position.lat;
        REQUIRE(OCTTransform(conv.to_projected.get(), 1, &x, &y, nullptr) == TRUE);
        const auto cell = pixel_at(raster.grid, x, y);
        REQUIRE(cell);
        const float value = raster.at(cell->first, cell->second);
        REQUIRE_FALSE(std::isnan(value));
        const auto c = snapper.snap(conv.lonlat(raster.grid.centre_x(cell->first), raster.grid.centre_y(cell->second)),
                                    in.study.network.max_snap_m);
        REQUIRE(c);
        const Snap& fs = service.snaps[f];
        const bool two_way = in.graph().edge_arc(fs.edge, false) != invalid_index && in.graph().edge_arc(fs.edge, true) != invalid_index;
        if (c->edge == fs.edge && c->segment == fs.segment && two_way) {
            // Drive along the shared edge: both legs and the stretch between the snaps.
            const double bound = leg_ds(*c) + leg_ds(fs) +
                                 std::max(std::abs(c->along_fwd_ds - fs.along_fwd_ds), std::abs(c->along_bwd_ds - fs.along_bwd_ds)) + 2;
            INFO("facility " << service.facilities[f].id << " pixel " << value);
            CHECK(value * 600.0 <= bound);
            CHECK(value < 1.5);
            ++near_zero;
        }
    }
    CHECK(near_zero >= 3);

    // Nodata outside every zone (by more than a metre); inside, a value exactly where a road is
    // within max_snap_m (every road of the sample reaches the pharmacies).
    std::vector<Geometry> zones;
    std::vector<Geometry> boundaries;
    for (const auto& z : in.zones.zones) {
        zones.push_back(conv.projected_geometry(z.wkb));
        boundaries.emplace_back(OGR_G_Boundary(zones.back().get()));
    }
    std::size_t outside = 0;
    std::size_t near_road = 0;
    std::size_t far_from_roads = 0;
    for (int row = 0; row < raster.grid.height; row += 3) {
        for (int col = 0; col < raster.grid.width; col += 3) {
            const Geometry p = point(raster.grid.centre_x(col), raster.grid.centre_y(row));
            const float value = raster.at(col, row);
            double to_boundary = std::numeric_limits<double>::max();
            bool within = false;
            for (std::size_t z = 0; z < zones.size(); ++z) {
                within = within || OGR_G_Contains(zones[z].get(), p.get());
                to_boundary = std::min(to_boundary, OGR_G_Distance(boundaries[z].get(), p.get()));
            }
            INFO("pixel " << col << "," << row << ": " << value << " min");
            if (to_boundary < 1.0) {
                continue;  // on a boundary: either way is right
            }
            if (!within) {
                CHECK(std::isnan(value));
                ++outside;
                continue;
            }
            const auto own = snapper.snap(conv.lonlat(raster.grid.centre_x(col), raster.grid.centre_y(row)), 1e9);
            REQUIRE(own);
            if (own->distance_m < in.study.network.max_snap_m - 0.5) {
                CHECK_FALSE(std::isnan(value));
                ++near_road;
            } else if (own->distance_m > in.study.network.max_snap_m + 0.5) {
                CHECK(std::isnan(value));
                ++far_from_roads;
            }
        }
    }
    CHECK(outside > 100);
    CHECK(near_road > 1000);
    CHECK(far_from_roads > 100);  // high mountains: much of Andorra is more than 2 km from a road
    CHECK(pixels.in_zones >= pixels.pixel.size());
}
