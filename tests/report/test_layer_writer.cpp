#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
// The test target gets no GDAL include path (GDAL is private to proxima_core); Debian's headers
// sit in /usr/include/gdal and find each other by relative includes.
#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "proxima/core/error.hpp"
#include "proxima/report/layer_writer.hpp"
#include "proxima/run/job_support.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/outputs.hpp"

using namespace proxima;
namespace fs = std::filesystem;

namespace {

using test::read_text;

using Type = OutputField::Type;
using Geometry = OutputLayer::Geometry;
constexpr FieldValue null_value = std::monostate{};

std::vector<unsigned char> wkb_of(const char* wkt) {
    OGRGeometryH g = nullptr;
    char* text = const_cast<char*>(wkt);  // GDAL 3.6 takes char** but does not write
    REQUIRE(OGR_G_CreateFromWkt(&text, nullptr, &g) == OGRERR_NONE);
    std::vector<unsigned char> wkb(static_cast<std::size_t>(OGR_G_WkbSize(g)));
    OGR_G_ExportToWkb(g, wkbNDR, wkb.data());
    OGR_G_DestroyGeometry(g);
    return wkb;
}

std::vector<std::string> files_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) {
        names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

// Paris (Notre-Dame area) and Marseille as WGS84 lon/lat.
std::vector<OutputLayer> sample_layers() {
    OutputLayer points;
    points.name = "points";
    points.geometry = Geometry::point;
    points.fields = {{"id", Type::text}, {"minutes", Type::real}, {"count", Type::integer}};
    points.rows = {{std::string("paris"), 12.5, std::int64_t{9007199254740993}},  // 2^53 + 1: not a double
                   {std::string("marseille"), null_value, null_value}};
    points.wkb = {wkb_of("POINT (2.3522 48.8566)"), wkb_of("POINT (5.3698 43.2965)")};

    OutputLayer zones;
    zones.name = "zones";
    zones.geometry = Geometry::polygon;
    zones.fields = {{"code", Type::text}, {"share", Type::real}};
    zones.rows = {{std::string("75056"), 0.25}, {std::string("13055"), null_value}};
    zones.wkb = {wkb_of("POLYGON ((2.3 48.8, 2.4 48.8, 2.4 48.9, 2.3 48.9, 2.3 48.8))"),
                 wkb_of("MULTIPOLYGON (((5.3 43.2, 5.4 43.2, 5.4 43.3, 5.3 43.3, 5.3 43.2)),"
                        " ((5.5 43.2, 5.6 43.2, 5.6 43.3, 5.5 43.3, 5.5 43.2)))")};

    OutputLayer summary;
    summary.name = "summary";
    summary.fields = {{"scope", Type::text}, {"population", Type::real}, {"communes", Type::integer}};
    summary.rows = {{std::string("study"), 2.5e6, std::int64_t{2}}};
    return {points, zones, summary};
}

struct DatasetCloser {
    void operator()(void* ds) const { GDALClose(ds); }
};
struct FeatureDestroyer {
    void operator()(void* f) const { OGR_F_Destroy(static_cast<OGRFeatureH>(f)); }
};
using Dataset = std::unique_ptr<void, DatasetCloser>;
using Feature = std::unique_ptr<void, FeatureDestroyer>;

Dataset open_vector(const fs::path& p) {
    GDALAllRegister();
    Dataset ds(GDALOpenEx(p.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    REQUIRE(ds);
    return ds;
}

/// Features of a layer in FID order (the order written).
std::vector<Feature> features_of(OGRLayerH layer) {
    std::vector<Feature> out;
    OGR_L_ResetReading(layer);
    while (OGRFeatureH f = OGR_L_GetNextFeature(layer)) {
        out.emplace_back(f);
    }
    return out;
}

OGRFeatureH h(const Feature& f) { return static_cast<OGRFeatureH>(f.get()); }

OGRFieldType field_type(OGRLayerH layer, int i) {
    return OGR_Fld_GetType(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(layer), i));
}

bool on_path(const char* program) {
    return std::system((std::string("command -v ") + program + " > /dev/null 2>&1").c_str()) == 0;
}

} // namespace

TEST_CASE("a GeoPackage holds point, polygon and table layers in the requested CRS, NULLs kept", "[report]") {
    test::TempDir dir("gpkg");
    const fs::path file = dir.path() / "access.gpkg";
    write_geopackage(file, sample_layers(), "EPSG:2154");
    CHECK(files_in(dir.path()) == std::vector<std::string>{"access.gpkg"});  // no temporary, no -journal

    {
        Dataset ds = open_vector(file);
        REQUIRE(GDALDatasetGetLayerCount(ds.get()) == 3);
        OGRLayerH points = GDALDatasetGetLayerByName(ds.get(), "points");
        OGRLayerH zones = GDALDatasetGetLayerByName(ds.get(), "zones");
        OGRLayerH summary = GDALDatasetGetLayerByName(ds.get(), "summary");
        REQUIRE(points != nullptr);
        REQUIRE(zones != nullptr);
        REQUIRE(summary != nullptr);
        CHECK(std::string(OGR_L_GetName(GDALDatasetGetLayer(ds.get(), 0))) == "points");
        CHECK(std::string(OGR_L_GetName(GDALDatasetGetLayer(ds.get(), 2))) == "summary");

        CHECK(OGR_L_GetFeatureCount(points, TRUE) == 2);
        CHECK(OGR_L_GetFeatureCount(zones, TRUE) == 2);
        CHECK(OGR_L_GetFeatureCount(summary, TRUE) == 1);
        CHECK(OGR_L_GetGeomType(points) == wkbPoint);
        CHECK(OGR_L_GetGeomType(zones) == wkbMultiPolygon);
        CHECK(OGR_L_GetGeomType(summary) == wkbNone);

        CHECK(field_type(points, 0) == OFTString);
        CHECK(field_type(points, 1) == OFTReal);
        CHECK(field_type(points, 2) == OFTInteger64);
        CHECK(field_type(summary, 2) == OFTInteger64);
        CHECK(std::string(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(points), 1))) == "minutes");

        for (OGRLayerH layer : {points, zones}) {
            OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
            REQUIRE(srs != nullptr);
            REQUIRE(OSRGetAuthorityName(srs, nullptr) != nullptr);
            CHECK(std::string(OSRGetAuthorityName(srs, nullptr)) == "EPSG");
            CHECK(std::string(OSRGetAuthorityCode(srs, nullptr)) == "2154");
        }
        CHECK(OGR_L_GetSpatialRef(summary) == nullptr);

        const auto p = features_of(points);
        REQUIRE(p.size() == 2);
        CHECK(std::string(OGR_F_GetFieldAsString(h(p[0]), 0)) == "paris");
        CHECK(OGR_F_GetFieldAsDouble(h(p[0]), 1) == 12.5);
        CHECK(OGR_F_GetFieldAsInteger64(h(p[0]), 2) == 9007199254740993);
        CHECK(OGR_F_IsFieldNull(h(p[1]), 1));  // NULL, not 0
        CHECK(OGR_F_IsFieldNull(h(p[1]), 2));
        CHECK_FALSE(OGR_F_IsFieldNull(h(p[1]), 0));
        // gdaltransform -s_srs EPSG:4326 -t_srs EPSG:2154 <<< "2.3522 48.8566"
        //   -> 652469.022709136 6862035.25942008 (x = easting: traditional GIS order)
        OGRGeometryH paris = OGR_F_GetGeometryRef(h(p[0]));
        REQUIRE(paris != nullptr);
        CHECK(OGR_G_GetX(paris, 0) == Approx(652469.022709136).margin(0.01));
        CHECK(OGR_G_GetY(paris, 0) == Approx(6862035.25942008).margin(0.01));

        const auto z = features_of(zones);
        REQUIRE(z.size() == 2);
        CHECK(OGR_F_GetFieldAsDouble(h(z[0]), 1) == 0.25);
        CHECK(OGR_F_IsFieldNull(h(z[1]), 1));
        for (const auto& f : z) {
            OGRGeometryH g = OGR_F_GetGeometryRef(h(f));
            REQUIRE(g != nullptr);
            CHECK(wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiPolygon);  // the polygon was promoted
            CHECK(OGR_G_IsValid(g));
            OGREnvelope env;
            OGR_G_GetEnvelope(g, &env);
            CHECK(env.MinX > 100000);  // metres, not degrees
        }
        CHECK(OGR_G_GetGeometryCount(OGR_F_GetGeometryRef(h(z[0]))) == 1);
        CHECK(OGR_G_GetGeometryCount(OGR_F_GetGeometryRef(h(z[1]))) == 2);
        for (const auto& f : p) {
            CHECK(OGR_G_IsValid(OGR_F_GetGeometryRef(h(f))));
        }

        const auto s = features_of(summary);
        REQUIRE(s.size() == 1);
        CHECK(OGR_F_GetFieldAsDouble(h(s[0]), 1) == 2.5e6);
        CHECK(OGR_F_GetFieldAsInteger64(h(s[0]), 2) == 2);
        CHECK(OGR_F_GetGeometryRef(h(s[0])) == nullptr);
    }

    if (!on_path("ogrinfo")) {
        WARN("ogrinfo is not on PATH: the check with GDAL's own tool is skipped");
        return;
    }
    const std::string command = "ogrinfo -so '" + file.string() + "' > /dev/null 2>&1";
    CHECK(std::system(command.c_str()) == 0);
}

TEST_CASE("a GeoPackage replaces an older file, and a failed write leaves the older file as it was", "[report]") {
    test::TempDir dir("gpkg-replace");
    const fs::path file = dir.path() / "access.gpkg";
    write_geopackage(file, sample_layers(), "EPSG:2154");
    const std::string before = read_text(file);
    REQUIRE(!before.empty());

    SECTION("a row with the wrong number of values is refused, naming the layer and the row") {
        auto layers = sample_layers();
        layers[1].rows[1].pop_back();
        try {
            write_geopackage(file, layers, "EPSG:2154");
            FAIL("no error");
        } catch (const Error& e) {
            const std::string message = e.what();
            CHECK(message.find("'zones'") != std::string::npos);
            CHECK(message.find("row 2") != std::string::npos);
        }
    }
    SECTION("a bad geometry met while writing the second layer removes the half-written temporary") {
        auto layers = sample_layers();
        layers[1].wkb[1] = {1, 3, 0, 0};  // truncated WKB: found only when the row is written
        CHECK_THROWS_AS(write_geopackage(file, layers, "EPSG:2154"), Error);
        layers[1].wkb[1] = wkb_of("POLYGON ((200 0, 201 0, 201 1, 200 0))");  // not lon/lat
        CHECK_THROWS_AS(write_geopackage(file, layers, "EPSG:2154"), Error);
        layers[1].wkb[1] = wkb_of("LINESTRING (5 43, 6 44)");
        CHECK_THROWS_AS(write_geopackage(file, layers, "EPSG:2154"), Error);
    }
    SECTION("an unknown CRS is refused") {
        CHECK_THROWS_AS(write_geopackage(file, sample_layers(), "EPSG:999999"), ConfigError);
        CHECK_THROWS_WITH(write_geopackage(file, sample_layers(), "Lambert-94"), Catch::Contains("Lambert-94"));
        CHECK_THROWS_AS(write_geopackage(file, sample_layers(), ""), ConfigError);
        CHECK_THROWS_AS(write_geopackage(file, sample_layers(), file.string()), ConfigError);  // files are not read
    }
    CHECK(read_text(file) == before);
    CHECK(files_in(dir.path()) == std::vector<std::string>{"access.gpkg"});

    SECTION("a successful write replaces the file") {
        auto layers = sample_layers();
        layers.resize(1);
        write_geopackage(file, layers, "EPSG:3035");
        Dataset ds = open_vector(file);
        CHECK(GDALDatasetGetLayerCount(ds.get()) == 1);
        CHECK(std::string(OSRGetAuthorityCode(OGR_L_GetSpatialRef(GDALDatasetGetLayer(ds.get(), 0)), nullptr)) ==
              "3035");
    }
}

TEST_CASE("a GeoPackage is not written into a missing folder, onto a folder or from malformed layers", "[report]") {
    test::TempDir dir("gpkg-refused");
    CHECK_THROWS_AS(write_geopackage(dir.path() / "missing" / "a.gpkg", sample_layers(), "EPSG:2154"), OutputError);
    CHECK_THROWS_AS(write_geopackage(dir.path(), sample_layers(), "EPSG:2154"), OutputError);

    const fs::path file = dir.path() / "a.gpkg";
    auto refused = [&](auto change) {
        auto layers = sample_layers();
        change(layers);
        CHECK_THROWS_AS(write_geopackage(file, layers, "EPSG:2154"), Error);
    };
    refused([](auto& l) { l[2].name = "Points"; });                      // same name ignoring case
    refused([](auto& l) { l[2].name.clear(); });                         // no name
    refused([](auto& l) { l[0].fields[1].name = "ID"; });                // duplicate field
    refused([](auto& l) { l[0].fields[1].name = "fid"; });               // GDAL's feature id column
    refused([](auto& l) { l[1].fields[1].name = "geom"; });              // GDAL's geometry column
    refused([](auto& l) { l[0].wkb.pop_back(); });                       // one geometry missing
    refused([](auto& l) { l[2].wkb.push_back(wkb_of("POINT (0 0)")); });  // geometry for a table
    refused([](auto& l) { l[0].rows[0][2] = 3.0; });                     // real in an integer field
    refused([](auto& l) { l[0].rows[0][1] = std::numeric_limits<double>::quiet_NaN(); });  // NULL is monostate
    CHECK(fs::is_empty(dir.path()));
}

TEST_CASE("an empty WKB is a NULL geometry", "[report]") {
    test::TempDir dir("gpkg-null-geometry");
    auto layers = sample_layers();
    layers[0].wkb[1].clear();
    const fs::path file = dir.path() / "a.gpkg";
    write_geopackage(file, layers, "EPSG:2154");
    Dataset ds = open_vector(file);
    const auto p = features_of(GDALDatasetGetLayerByName(ds.get(), "points"));
    REQUIRE(p.size() == 2);
    CHECK(OGR_F_GetGeometryRef(h(p[0])) != nullptr);
    CHECK(OGR_F_GetGeometryRef(h(p[1])) == nullptr);
}

TEST_CASE("a layer as CSV: header, quoting, NULL as empty field, shortest round-trip reals", "[report]") {
    test::TempDir dir("csv");
    OutputLayer layer;
    layer.name = "table";
    layer.geometry = Geometry::point;  // the geometry is not written to CSV
    layer.fields = {{"name", Type::text}, {"n", Type::integer}, {"x", Type::real}, {"note, quoted", Type::text}};
    layer.rows = {
        {std::string("plain"), std::int64_t{1}, 0.1, std::string("a,b")},
        {std::string("say \"hi\""), std::int64_t{-9007199254740993}, 1e-7, std::string("line\nbreak")},
        {null_value, null_value, 30.0, std::string()},
        {std::string("Saint-Étienne"), std::int64_t{0}, 2.0 / 3.0, null_value},
    };
    layer.wkb.resize(layer.rows.size());
    const fs::path file = dir.path() / "table.csv";
    write_layer_csv(file, layer);
    CHECK(read_text(file) ==
          "name,n,x,\"note, quoted\"\n"
          "plain,1,0.1,\"a,b\"\n"
          "\"say \"\"hi\"\"\",-9007199254740993,1e-07,\"line\nbreak\"\n"
          ",,30,\"\"\n"                      // NULL, NULL, 30.0, empty text (quoted: not NULL)
          "Saint-Étienne,0,0.6666666666666666,\n");
    CHECK(std::stod("0.6666666666666666") == 2.0 / 3.0);
    CHECK(files_in(dir.path()) == std::vector<std::string>{"table.csv"});

    // Malformed: refused before anything is written; the previous file stays.
    auto bad = layer;
    bad.rows[3].pop_back();
    CHECK_THROWS_WITH(write_layer_csv(file, bad), Catch::Contains("row 4"));
    bad = layer;
    bad.rows[0][1] = std::string("1");
    CHECK_THROWS_AS(write_layer_csv(file, bad), Error);
    CHECK(files_in(dir.path()) == std::vector<std::string>{"table.csv"});
    CHECK(read_text(file).rfind("name,n,x,", 0) == 0);

    CHECK_THROWS_AS(write_layer_csv(dir.path() / "missing" / "t.csv", layer), OutputError);
    CHECK_THROWS_AS(write_layer_csv(dir.path(), layer), OutputError);
}

namespace {

/// The same layer, its rows made one at a time by make_row instead of held.
OutputLayer streamed(const OutputLayer& held) {
    OutputLayer out = held;
    out.rows.clear();
    out.wkb.clear();
    out.streamed_rows = held.rows.size();
    out.make_row = [held](std::size_t i, std::vector<FieldValue>& values, std::vector<unsigned char>* wkb) {
        values = held.rows[i];
        if (wkb != nullptr) {
            *wkb = held.geometry == Geometry::none ? std::vector<unsigned char>{} : held.wkb[i];
        }
    };
    return out;
}

} // namespace

TEST_CASE("layers made row by row as they are written give the same files as held rows", "[report]") {
    test::TempDir tmp("streamed-layers");
    const auto held = sample_layers();
    std::vector<OutputLayer> made;
    for (const auto& l : held) {
        made.push_back(streamed(l));
    }
    write_geopackage(tmp.path() / "held.gpkg", held, "EPSG:2154");
    write_geopackage(tmp.path() / "made.gpkg", made, "EPSG:2154");
    CHECK(read_text(tmp.path() / "held.gpkg") == read_text(tmp.path() / "made.gpkg"));
    for (std::size_t i = 0; i < held.size(); ++i) {
        write_layer_csv(tmp.path() / "held.csv", held[i], CsvDialect::fr);
        write_layer_csv(tmp.path() / "made.csv", made[i], CsvDialect::fr);
        CHECK(read_text(tmp.path() / "held.csv") == read_text(tmp.path() / "made.csv"));
    }

    SECTION("more rows than one transaction holds") {
        OutputLayer many;
        many.name = "many";
        many.geometry = Geometry::point;
        many.fields = {{"n", Type::integer}};
        many.streamed_rows = 70000;
        const auto point = wkb_of("POINT (2.3522 48.8566)");
        many.make_row = [&point](std::size_t i, std::vector<FieldValue>& values, std::vector<unsigned char>* wkb) {
            values = {static_cast<std::int64_t>(i)};
            *wkb = point;
        };
        write_geopackage(tmp.path() / "many.gpkg", {many}, "EPSG:2154");
        const Dataset ds = open_vector(tmp.path() / "many.gpkg");
        OGRLayerH layer = GDALDatasetGetLayerByName(ds.get(), "many");
        REQUIRE(layer != nullptr);
        CHECK(OGR_L_GetFeatureCount(layer, TRUE) == 70000);
        const Feature last(OGR_L_GetFeature(layer, 70000));
        REQUIRE(last);
        CHECK(OGR_F_GetFieldAsInteger64(h(last), 0) == 69999);
    }

    SECTION("a made row of the wrong type is refused naming it, and no file is left") {
        OutputLayer bad = made[0];
        bad.make_row = [](std::size_t i, std::vector<FieldValue>& values, std::vector<unsigned char>* wkb) {
            values = {std::string("x"), i == 1 ? FieldValue(std::string("late")) : FieldValue(1.0), std::int64_t{1}};
            *wkb = wkb_of("POINT (2.3522 48.8566)");
        };
        REQUIRE_THROWS_WITH(write_geopackage(tmp.path() / "bad.gpkg", {bad}, "EPSG:2154"),
                            Catch::Contains("row 2 of 2") && Catch::Contains("minutes"));
        CHECK(!fs::exists(tmp.path() / "bad.gpkg"));
    }
}

TEST_CASE("geometries already in the GeoPackage's CRS are written as given, another CRS is refused", "[report]") {
    test::TempDir dir("gpkg-wkb-crs");
    OutputLayer layer;
    layer.name = "isochrones_x";
    layer.geometry = OutputLayer::Geometry::polygon;
    layer.fields = {{"limit_min", OutputField::Type::real}};
    layer.rows = {{10.0}};
    // A 100 m pixel square in Lambert-93: kept to the metre, not sent through WGS84.
    layer.wkb = {wkb_of("POLYGON ((700000 6600000,700100 6600000,700100 6600100,700000 6600100,700000 6600000))")};
    layer.wkb_crs = "EPSG:2154";
    const fs::path file = dir.path() / "a.gpkg";
    write_geopackage(file, {layer}, "EPSG:2154");
    {
        Dataset ds = open_vector(file);
        const auto f = features_of(GDALDatasetGetLayerByName(ds.get(), "isochrones_x"));
        REQUIRE(f.size() == 1);
        OGREnvelope e;
        OGR_G_GetEnvelope(OGR_F_GetGeometryRef(h(f[0])), &e);
        CHECK(e.MinX == 700000.0);
        CHECK(e.MaxX == 700100.0);
        CHECK(e.MinY == 6600000.0);
        CHECK(e.MaxY == 6600100.0);
    }
    const std::string before = read_text(file);
    try {
        write_geopackage(file, {layer}, "EPSG:3035");
        FAIL("geometries in another CRS were accepted");
    } catch (const Error& e) {
        CHECK_THAT(e.what(), Catch::Contains("isochrones_x") && Catch::Contains("EPSG:2154") && Catch::Contains("EPSG:3035"));
    }
    CHECK(read_text(file) == before);
}

TEST_CASE("a written GeoPackage passes GDAL's validator: rows inserted by SQLite with the extents and counts GDAL keeps", "[report]") {
    // GDAL makes the tables, SQLite inserts the rows (GeoPackage binary geometries made by
    // Proxima), GDAL indexes them: the file must be a GeoPackage by the standard's own checks,
    // whatever the names (quotes in tables and columns), with NULL geometries, an empty layer and
    // a table without fields.
    test::TempDir dir("gpkg-valid");
    std::vector<OutputLayer> layers = sample_layers();
    layers[1].name = "zones d'O'Hare \"x\"";
    layers[1].fields[1].name = "share \"of\" 'it'";
    layers[1].rows.push_back({std::string("none"), 1.0});
    layers[1].wkb.emplace_back();  // a NULL geometry
    OutputLayer empty;
    empty.name = "empty";
    empty.geometry = Geometry::point;
    empty.fields = {{"id", Type::text}};
    layers.push_back(empty);
    OutputLayer bare;
    bare.name = "bare";
    bare.rows = {{}, {}, {}};
    layers.push_back(bare);
    const fs::path file = dir.path() / "access.gpkg";
    write_geopackage(file, layers, "EPSG:2154");
    CHECK(files_in(dir.path()) == std::vector<std::string>{"access.gpkg"});

    {
        Dataset ds = open_vector(file);
        const auto count = [&](const char* name) {
            OGRLayerH l = GDALDatasetGetLayerByName(ds.get(), name);
            REQUIRE(l != nullptr);
            return OGR_L_GetFeatureCount(l, FALSE);  // as recorded (gpkg_ogr_contents), not counted
        };
        CHECK(count("points") == 2);
        CHECK(count("zones d'O'Hare \"x\"") == 3);
        CHECK(count("summary") == 1);
        CHECK(count("empty") == 0);
        CHECK(count("bare") == 3);
        // The recorded extent is the union of the geometries' envelopes.
        OGRLayerH zones = GDALDatasetGetLayerByName(ds.get(), "zones d'O'Hare \"x\"");
        OGREnvelope recorded;
        REQUIRE(OGR_L_GetExtent(zones, &recorded, FALSE) == OGRERR_NONE);
        OGREnvelope both;
        bool first = true;
        for (const auto& f : features_of(zones)) {
            OGRGeometryH g = OGR_F_GetGeometryRef(h(f));
            if (g == nullptr) {
                CHECK(std::string(OGR_F_GetFieldAsString(h(f), 0)) == "none");
                continue;
            }
            OGREnvelope e;
            OGR_G_GetEnvelope(g, &e);
            both = first ? e : both;
            both.Merge(e);
            first = false;
        }
        // GDAL reads gpkg_contents through sqlite3_get_table, as text of 15 significant digits.
        CHECK(recorded.MinX == Approx(both.MinX).epsilon(1e-14));
        CHECK(recorded.MaxX == Approx(both.MaxX).epsilon(1e-14));
        CHECK(recorded.MinY == Approx(both.MinY).epsilon(1e-14));
        CHECK(recorded.MaxY == Approx(both.MaxY).epsilon(1e-14));
        CHECK(recorded.MinX < 700000);  // both zones, not only the first
        CHECK(recorded.MaxX > 850000);
        CHECK(OGR_F_GetFieldAsDouble(h(features_of(zones)[0]), 1) == 0.25);  // the quoted column
        // GDAL's triggers that keep the feature count are back, as GDAL made them.
        OGRLayerH triggers = GDALDatasetExecuteSQL(
            ds.get(), "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'trigger_%_feature_count_%'",
            nullptr, nullptr);
        REQUIRE(triggers != nullptr);
        CHECK(features_of(triggers).size() == 2 * layers.size());
        GDALDatasetReleaseResultSet(ds.get(), triggers);
    }

    INFO("GDAL's GeoPackage validator comes with Debian's python3-gdal (scripts/install-deps.sh)");
    REQUIRE(fs::exists(test::geopackage_validator));
    const fs::path report = dir.path() / "validator.txt";
    {
        const bool valid = test::valid_geopackage(file, report);
        INFO(read_text(report));
        CHECK(valid);
    }
    // The validator does look: geometries recorded in another SRS than their column's are refused.
    const fs::path wrong = dir.path() / "wrong.gpkg";
    fs::copy_file(file, wrong);
    {
        Dataset ds(GDALOpenEx(wrong.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, nullptr, nullptr, nullptr));
        REQUIRE(ds);
        GDALDatasetExecuteSQL(ds.get(), "UPDATE gpkg_geometry_columns SET srs_id = 4326 WHERE table_name = 'points'",
                              nullptr, nullptr);
    }
    CHECK_FALSE(test::valid_geopackage(wrong, report));
    CHECK_THAT(read_text(report), Catch::Matchers::Contains("SRID"));

    // A GDAL told not to keep feature counts (no gpkg_ogr_contents): the rows go in all the same.
    CPLSetConfigOption("OGR_GPKG_ADD_GPKG_OGR_CONTENTS", "NO");
    const fs::path uncounted = dir.path() / "uncounted.gpkg";
    try {
        write_geopackage(uncounted, layers, "EPSG:2154");
    } catch (...) {
        CPLSetConfigOption("OGR_GPKG_ADD_GPKG_OGR_CONTENTS", nullptr);
        throw;
    }
    CPLSetConfigOption("OGR_GPKG_ADD_GPKG_OGR_CONTENTS", nullptr);
    {
        Dataset ds = open_vector(uncounted);
        OGRLayerH zones = GDALDatasetGetLayerByName(ds.get(), "zones d'O'Hare \"x\"");
        REQUIRE(zones != nullptr);
        CHECK(OGR_L_GetFeatureCount(zones, TRUE) == 3);
    }
    const bool valid_uncounted = test::valid_geopackage(uncounted, report);
    INFO(read_text(report));
    CHECK(valid_uncounted);
}

TEST_CASE("every spatial layer of a GeoPackage has its spatial index, whatever its name", "[report]") {
    test::TempDir dir("gpkg-index");
    std::vector<OutputLayer> layers = sample_layers();
    layers[1].name = "zones d'O'Hare";  // quotes in the SQL that makes the index
    const fs::path file = dir.path() / "access.gpkg";
    write_geopackage(file, layers, "EPSG:2154");
    Dataset ds = open_vector(file);
    for (const char* name : {"points", "zones d'O'Hare"}) {
        INFO(name);
        OGRLayerH layer = GDALDatasetGetLayerByName(ds.get(), name);
        REQUIRE(layer != nullptr);
        std::string quoted = name;
        for (std::size_t at = quoted.find('\''); at != std::string::npos; at = quoted.find('\'', at + 2)) {
            quoted.insert(at, 1, '\'');
        }
        const std::string sql = "SELECT HasSpatialIndex('" + quoted + "', 'geom')";
        OGRLayerH result = GDALDatasetExecuteSQL(ds.get(), sql.c_str(), nullptr, nullptr);
        REQUIRE(result != nullptr);
        const auto rows = features_of(result);
        REQUIRE(rows.size() == 1);
        CHECK(OGR_F_GetFieldAsInteger(h(rows[0]), 0) == 1);
        GDALDatasetReleaseResultSet(ds.get(), result);
        // The index answers a box query: Paris's box holds Paris alone (zone 75056 in zones).
        OGR_L_SetSpatialFilterRect(layer, 640000, 6850000, 670000, 6870000);
        const auto hits = features_of(layer);
        REQUIRE(hits.size() == 1);
        CHECK(std::string(OGR_F_GetFieldAsString(h(hits[0]), 0)) == (std::string(name) == "points" ? "paris" : "75056"));
    }
}

TEST_CASE("a CSV table asks a made row for no geometry, a GeoPackage for one per row", "[report]") {
    // A grid's origins layer makes each cell's polygon with GEOS and PROJ: a CSV, which has no
    // geometry column, must not have them made for nothing.
    test::TempDir tmp("csv-no-geometry");
    std::atomic<std::size_t> asked{0};
    OutputLayer cells;
    cells.name = "cells";
    cells.geometry = Geometry::polygon;
    cells.fields = {{"n", Type::integer}};
    cells.streamed_rows = 50;
    const auto square = wkb_of("POLYGON ((2 48, 2.01 48, 2.01 48.01, 2 48.01, 2 48))");
    cells.make_row = [&](std::size_t i, std::vector<FieldValue>& values, std::vector<unsigned char>* wkb) {
        values = {static_cast<std::int64_t>(i)};
        if (wkb != nullptr) {
            ++asked;
            *wkb = square;
        }
    };
    write_layer_csv(tmp.path() / "cells.csv", cells, CsvDialect::gis);
    CHECK(asked == 0);
    CHECK(read_text(tmp.path() / "cells.csv").size() > 50 * 2);
    write_geopackage(tmp.path() / "cells.gpkg", {cells}, "EPSG:2154");
    CHECK(asked == 50);
}

TEST_CASE("the CSVs written beside the GeoPackage are the files written after it, and their failure is not lost",
          "[report]") {
    test::TempDir tmp("layers-side-by-side");
    std::vector<OutputLayer> layers;
    for (const auto& l : sample_layers()) {
        layers.push_back(streamed(l));  // made rows, read by both writers at once
        layers.push_back(l);
        layers.back().name += "_held";
    }
    const auto every = [](const OutputLayer&) { return true; };
    fs::create_directories(tmp.path() / "one");
    fs::create_directories(tmp.path() / "two");
    const auto one = write_layers(tmp.path() / "one", "out.gpkg", layers, "EPSG:2154", every, CsvDialect::fr, 1);
    const auto two = write_layers(tmp.path() / "two", "out.gpkg", layers, "EPSG:2154", every, CsvDialect::fr, 2);
    CHECK(one == two);
    REQUIRE(one.size() == 1 + layers.size());
    CHECK(one.front() == "out.gpkg");
    CHECK(files_in(tmp.path() / "one") == files_in(tmp.path() / "two"));
    for (const auto& f : one) {
        CHECK(read_text(tmp.path() / "one" / f) == read_text(tmp.path() / "two" / f));
    }

    // A row that only the CSV writer makes wrong (it asks for no geometry): its error reaches the
    // caller once the GeoPackage is done.
    OutputLayer bad = streamed(sample_layers()[0]);
    const auto good_row = bad.make_row;
    bad.make_row = [good_row](std::size_t i, std::vector<FieldValue>& values, std::vector<unsigned char>* wkb) {
        good_row(i, values, wkb);
        if (wkb == nullptr) {
            values.pop_back();
        }
    };
    fs::create_directories(tmp.path() / "bad");
    CHECK_THROWS_WITH(write_layers(tmp.path() / "bad", "out.gpkg", {bad}, "EPSG:2154", every, CsvDialect::gis, 2),
                      Catch::Contains(bad.name));
}
