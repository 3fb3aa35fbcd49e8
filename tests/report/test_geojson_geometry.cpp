// report.html's GeoJSON geometries, built directly (report/geojson_geometry.hpp), against GDAL's
// own writer with the same precision: the same numbers, the same structure.

#include <cmath>
#include <random>
#include <string>

#include <catch2/catch.hpp>
#include <cpl_conv.h>
#include <gdal.h>
#include <nlohmann/json.hpp>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "report/geojson_geometry.hpp"  // internal: checked on its own
#include "proxima_test/decode_delta.hpp"
#include "proxima_test/fixtures.hpp"

using OrderedJson = nlohmann::ordered_json;

namespace {

/// GDAL's GeoJSON of `g` with `decimals` decimals, parsed.
OrderedJson gdal_geojson(OGRGeometryH g, int decimals) {
    const std::string precision = "COORDINATE_PRECISION=" + std::to_string(decimals);
    const char* const options[] = {precision.c_str(), nullptr};
    char* text = OGR_G_ExportToJsonEx(g, const_cast<char**>(options));
    REQUIRE(text != nullptr);
    OrderedJson j = OrderedJson::parse(text);
    CPLFree(text);
    return j;
}

OGRGeometryH from_wkt(const std::string& wkt) {
    OGRGeometryH g = nullptr;
    std::string copy = wkt;
    char* p = copy.data();
    REQUIRE(OGR_G_CreateFromWkt(&p, nullptr, &g) == OGRERR_NONE);
    return g;
}

} // namespace

TEST_CASE("GeoJSON geometries built directly are GDAL's, coordinate for coordinate", "[report][html]") {
    // Real commune outlines (IGN ADMIN EXPRESS, Lot and Alpes-Maritimes, whose islands make
    // multipolygons), converted from Lambert-93 to WGS84 as report.html converts its layers.
    GDALAllRegister();
    OGRSpatialReferenceH lambert = OSRNewSpatialReference(nullptr);
    OGRSpatialReferenceH wgs84 = OSRNewSpatialReference(nullptr);
    REQUIRE(OSRImportFromEPSG(lambert, 2154) == OGRERR_NONE);
    REQUIRE(OSRImportFromEPSG(wgs84, 4326) == OGRERR_NONE);
    OSRSetAxisMappingStrategy(lambert, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(wgs84, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH to_lambert = OCTNewCoordinateTransformation(wgs84, lambert);
    OGRCoordinateTransformationH to_wgs84 = OCTNewCoordinateTransformation(lambert, wgs84);
    REQUIRE(to_wgs84 != nullptr);
    std::size_t compared = 0;
    std::size_t multi = 0;
    for (const char* file : {"insee/communes-46-lot.geojson", "insee/communes-06-alpes-maritimes.geojson"}) {
        GDALDatasetH ds = GDALOpenEx(proxima::test::data_file(file).c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
        REQUIRE(ds != nullptr);
        OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
        for (OGRFeatureH f = OGR_L_GetNextFeature(layer); f != nullptr; f = OGR_L_GetNextFeature(layer)) {
            OGRGeometryH g = OGR_G_Clone(OGR_F_GetGeometryRef(f));
            // There and back: the coordinates of a layer read from access.gpkg in Lambert-93.
            REQUIRE(OGR_G_Transform(g, to_lambert) == OGRERR_NONE);
            REQUIRE(OGR_G_Transform(g, to_wgs84) == OGRERR_NONE);
            multi += wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiPolygon ? 1 : 0;
            const auto direct = proxima::detail::geojson_geometry(g, 6);
            REQUIRE(direct.has_value());
            CHECK(direct->dump() == gdal_geojson(g, 6).dump());
            ++compared;
            OGR_G_DestroyGeometry(g);
            OGR_F_Destroy(f);
        }
        GDALClose(ds);
    }
    CHECK(compared == 320 + 163);
    CHECK(multi > 0);
    OCTDestroyCoordinateTransformation(to_lambert);
    OCTDestroyCoordinateTransformation(to_wgs84);
    OSRDestroySpatialReference(lambert);
    OSRDestroySpatialReference(wgs84);

    // Points, lines and collections; coordinates that round at the sixth decimal, negative ones,
    // and halves at the seventh.
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> lon(-180.0, 180.0);
    for (int k = 0; k < 2000; ++k) {
        const double x = k % 3 == 0 ? std::round(lon(rng) * 1e7) / 1e7 + 5e-7 : lon(rng);
        const double y = lon(rng) / 2;
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%.17g %.17g", x, y);
        for (const std::string& wkt : {"POINT (" + std::string(buffer) + ")",
                                      "LINESTRING (" + std::string(buffer) + ", 1.5 -2.25)",
                                      "MULTIPOINT ((" + std::string(buffer) + "), (3 4))",
                                      "GEOMETRYCOLLECTION (POINT (" + std::string(buffer) + "), LINESTRING (0 0, 1 1))"}) {
            OGRGeometryH g = from_wkt(wkt);
            const auto direct = proxima::detail::geojson_geometry(g, 6);
            REQUIRE(direct.has_value());
            INFO(wkt);
            CHECK(direct->dump() == gdal_geojson(g, 6).dump());
            OGR_G_DestroyGeometry(g);
        }
    }

    // What it does not write itself is left to GDAL.
    OGRGeometryH z = from_wkt("POINT Z (1 2 3)");
    CHECK_FALSE(proxima::detail::geojson_geometry(z, 6).has_value());
    OGR_G_DestroyGeometry(z);
    OGRGeometryH curve = from_wkt("CIRCULARSTRING (0 0, 1 1, 2 0)");
    CHECK_FALSE(proxima::detail::geojson_geometry(curve, 6).has_value());
    OGR_G_DestroyGeometry(curve);
}

TEST_CASE("Delta-encoded polygons of report.html: integers in 1e-5 degree, each vertex from the one before",
          "[report][html]") {
    SECTION("a polygon with a hole, by hand") {
        const auto g = OrderedJson::parse(R"({"type":"Polygon","coordinates":[
            [[7.123456,43.5],[7.2,43.5],[7.2,43.6],[7.123456,43.5]],
            [[7.15,43.52],[7.16,43.52],[7.16,43.53],[7.15,43.52]]]})");
        const auto e = proxima::detail::delta_encoded_polygons(g);
        CHECK(e["type"] == "Polygon");
        CHECK(!e.contains("coordinates"));
        // 7.123456 is 712345.6 units: rounded to 712346; the hole starts from the outer ring's end.
        CHECK(e["delta_e5"][0] == OrderedJson::parse("[712346,4350000,7654,0,0,10000,-7654,-10000]"));
        CHECK(e["delta_e5"][1] == OrderedJson::parse("[2654,2000,1000,0,0,1000,-1000,-1000]"));
    }

    SECTION("random multipolygons decode to their coordinates within half a unit") {
        std::mt19937 rng(7);
        std::uniform_real_distribution<double> lon(-5.5, 9.8), lat(41.2, 51.2), step(-0.02, 0.02);
        for (int n = 0; n < 50; ++n) {
            OrderedJson coordinates = OrderedJson::array();
            const int parts = 1 + n % 4;
            for (int p = 0; p < parts; ++p) {
                OrderedJson polygon = OrderedJson::array();
                for (int r = 0; r <= p % 3; ++r) {
                    OrderedJson ring = OrderedJson::array();
                    double x = std::round(lon(rng) * 1e6) / 1e6, y = std::round(lat(rng) * 1e6) / 1e6;
                    const OrderedJson first = {x, y};
                    ring.push_back(first);
                    for (int v = 0; v < 3 + (n * 7 + r) % 40; ++v) {
                        x = std::round((x + step(rng)) * 1e6) / 1e6;
                        y = std::round((y + step(rng)) * 1e6) / 1e6;
                        ring.push_back({x, y});
                    }
                    ring.push_back(first);
                    polygon.push_back(ring);
                }
                coordinates.push_back(polygon);
            }
            const OrderedJson g = {{"type", "MultiPolygon"}, {"coordinates", coordinates}};
            const auto back = proxima::test::decode_delta(proxima::detail::delta_encoded_polygons(g));
            REQUIRE(back["coordinates"].size() == coordinates.size());
            for (std::size_t p = 0; p < coordinates.size(); ++p) {
                REQUIRE(back["coordinates"][p].size() == coordinates[p].size());
                for (std::size_t r = 0; r < coordinates[p].size(); ++r) {
                    REQUIRE(back["coordinates"][p][r].size() == coordinates[p][r].size());
                    for (std::size_t v = 0; v < coordinates[p][r].size(); ++v) {
                        for (int k = 0; k < 2; ++k) {
                            CHECK(std::abs(back["coordinates"][p][r][v][k].get<double>() -
                                           coordinates[p][r][v][k].get<double>()) <= 0.5e-5 + 1e-9);
                        }
                    }
                }
            }
        }
    }

    SECTION("anything but polygons is returned as it is") {
        for (const char* text : {R"(null)", R"({"type":"Point","coordinates":[7.1,43.5]})",
                                 R"({"type":"LineString","coordinates":[[7.1,43.5],[7.2,43.6]]})"}) {
            const auto g = OrderedJson::parse(text);
            CHECK(proxima::detail::delta_encoded_polygons(g) == g);
        }
    }
}
