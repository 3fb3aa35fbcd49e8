#include <fstream>

#include <catch2/catch.hpp>

#include "proxima/core/error.hpp"
#include "proxima/territory/zones.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/zones.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

TEST_CASE("the communes of Alpes-Maritimes are read, located and matched to the COG 2026 table", "[territory]") {
    const ZoneLayer layer = read_zones(test::data_file("insee/communes-06-alpes-maritimes.geojson"));
    CHECK(layer.zones.size() == 163);
    CHECK(layer.crs == "EPSG:4326");
    const Zone& cap = test::zone_by_code(layer, "06032");
    CHECK(cap.name == "Cap-d'Ail");
    // Point on surface inside the commune, between Monaco and Èze.
    CHECK(cap.point_on_surface.lon > 7.38);
    CHECK(cap.point_on_surface.lon < 7.42);
    CHECK(cap.point_on_surface.lat > 43.71);
    CHECK(cap.point_on_surface.lat < 43.74);
    // Reference areas computed independently: ogr2ogr to Lambert-93 and SQLite ST_Area (planar,
    // whose scale error here is below 0.3 %): Cap-d'Ail 2.169 km², La Turbie 7.375 km²,
    // Beausoleil 2.771 km², all 163 communes 4,294.6 km² (INSEE gives 4,299 km² for the département).
    CHECK(cap.area_km2 == Approx(2.169).epsilon(0.005));
    CHECK(test::zone_by_code(layer, "06150").area_km2 == Approx(7.375).epsilon(0.005));
    CHECK(test::zone_by_code(layer, "06012").area_km2 == Approx(2.771).epsilon(0.005));
    double total = 0;
    for (const auto& z : layer.zones) {
        total += z.area_km2;
    }
    CHECK(total == Approx(4294.6).epsilon(0.005));

    const CommuneTable table = read_commune_table(test::data_file("insee/communes-2026.csv"));
    const ZoneJoin join = join_zones(layer, table);
    CHECK(join.matched == 163);
    CHECK(join.unmatched_zones.empty());
    CHECK(join.unmatched_communes.empty());
}

TEST_CASE("Lozère's 2018 polygons leave merged communes unmatched, and they are reported", "[territory]") {
    const ZoneLayer layer = read_zones(test::data_file("insee/communes-48-lozere.geojson"));
    const CommuneTable table = read_commune_table(test::data_file("insee/communes-2026.csv"));
    const ZoneJoin join = join_zones(layer, table);
    CHECK(layer.zones.size() == 158);
    // Codes that disappeared in communes nouvelles after 2018 (checked against the table).
    CHECK(join.unmatched_zones == std::vector<std::string>{"48057", "48078", "48133", "48184", "48189", "48197"});
    CHECK(join.matched == 152);
    CHECK(join.commune_of_zone.size() == 158);
}

TEST_CASE("bad zone files are refused with the file, the feature and the fix", "[territory]") {
    test::TempDir dir("zones");
    const auto path = dir.path() / "zones.geojson";
    auto geojson = [&](const std::string& features, const std::string& crs = "") {
        std::ofstream(path) << "{\"type\":\"FeatureCollection\"," << crs << "\"features\":[" << features << "]}";
    };
    const std::string square = R"({"type":"Polygon","coordinates":[[[1,42],[1.1,42],[1.1,42.1],[1,42.1],[1,42]]]})";
    SECTION("missing file") {
        REQUIRE_THROWS_WITH(read_zones(dir.path() / "none.gpkg"), Contains("does not exist"));
    }
    SECTION("not a vector file") {
        std::ofstream(path) << "not json at all";
        REQUIRE_THROWS_WITH(read_zones(path), Contains("cannot read zones"));
    }
    SECTION("no code field") {
        geojson(R"({"type":"Feature","properties":{"commune":"x"},"geometry":)" + square + "}");
        REQUIRE_THROWS_WITH(read_zones(path), Contains("no commune code field") && Contains("fields are: commune"));
    }
    SECTION("configured field that does not exist") {
        geojson(R"({"type":"Feature","properties":{"code":"01001"},"geometry":)" + square + "}");
        ZoneLayerOptions options;
        options.code_field = "INSEE";
        REQUIRE_THROWS_WITH(read_zones(path, options), Contains("no field 'INSEE'") && Contains("fields are: code"));
    }
    SECTION("empty geometry") {
        geojson(R"({"type":"Feature","properties":{"code":"01001"},"geometry":null})");
        REQUIRE_THROWS_WITH(read_zones(path), Contains("feature 0 (code 01001)") && Contains("no geometry"));
    }
    SECTION("invalid polygon") {
        geojson(R"({"type":"Feature","properties":{"code":"01001"},"geometry":{"type":"Polygon","coordinates":[[[1,42],[1.1,42.1],[1.1,42],[1,42.1],[1,42]]]}})");
        REQUIRE_THROWS_WITH(read_zones(path), Contains("invalid polygon") && Contains("-makevalid"));
    }
    SECTION("point instead of polygon") {
        geojson(R"({"type":"Feature","properties":{"code":"01001"},"geometry":{"type":"Point","coordinates":[1,42]}})");
        REQUIRE_THROWS_WITH(read_zones(path), Contains("not a polygon"));
    }
    SECTION("duplicate code") {
        geojson(R"({"type":"Feature","properties":{"code":"01001"},"geometry":)" + square + R"(},{"type":"Feature","properties":{"code":"01001"},"geometry":)" + square + "}");
        REQUIRE_THROWS_WITH(read_zones(path), Contains("appears twice"));
    }
    SECTION("degrees declared as Lambert-93") {
        geojson(R"({"type":"Feature","properties":{"code":"01001"},"geometry":)" + square + "}",
                R"("crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2154"}},)");
        REQUIRE_THROWS_WITH(read_zones(path), Contains("outside the area of use") && Contains("EPSG:2154"));
    }
    SECTION("undefined CRS") {
        const auto csv = dir.path() / "zones.csv";
        std::ofstream(csv) << "WKT,code\n\"POLYGON ((1 42,1.1 42,1.1 42.1,1 42.1,1 42))\",01001\n";
        REQUIRE_THROWS_WITH(read_zones(csv), Contains("no coordinate reference system"));
    }
    SECTION("non-numeric population") {
        geojson(R"({"type":"Feature","properties":{"INSEE_COM":"01001","POPULATION":"beaucoup"},"geometry":)" + square + "}");
        REQUIRE_THROWS_WITH(read_zones(path), Contains("population 'beaucoup'"));
    }
}

TEST_CASE("an empty zone layer is refused", "[territory]") {
    test::TempDir dir("zones-empty");
    const auto path = dir.path() / "empty.geojson";
    std::ofstream(path) << R"({"type":"FeatureCollection","features":[]})";
    REQUIRE_THROWS_WITH(read_zones(path), Contains("holds no feature"));
}
