// The supply column of facility files (APL): read on every placed row, refused with the file, the
// line, the value and the fix when missing, empty, not a number, negative or too large.

#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "proxima/core/error.hpp"
#include "proxima/territory/facilities.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

namespace {

std::filesystem::path write(const test::TempDir& dir, const std::string& name, const std::string& text) {
    const auto path = dir.path() / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

PointFileOptions csv_options() {
    PointFileOptions o;
    o.crs = "EPSG:4326";
    o.supply_field = "etp";
    return o;
}

std::string refusal(const std::filesystem::path& path, const PointFileOptions& options) {
    try {
        (void)read_point_file(path, options);
    } catch (const InputError& e) {
        return e.what();
    }
    return "(accepted)";
}

} // namespace

TEST_CASE("the supply column of a CSV facility file is read, decimal commas included", "[territory][apl]") {
    test::TempDir dir("supply-csv");
    const auto path = write(dir, "medecins.csv",
                            "id;name;lon;lat;etp\n"
                            "a;Cabinet A;1.52;42.50;1.5\n"
                            "b;Cabinet B;1.53;42.51;\"0,8\"\n"
                            "c;Cabinet C;;;\n"  // no coordinates: unplaced, its supply is not needed
                            "d;Cabinet D;1.54;42.52;0\n");
    const auto r = read_point_file(path, csv_options());
    REQUIRE(r.facilities.size() == 3);
    CHECK(r.facilities[0].supply == 1.5);
    CHECK(r.facilities[1].supply == 0.8);
    CHECK(r.facilities[2].supply == 0.0);
    CHECK(r.unplaced.size() == 1);
    // Without supply_field, nothing is read: supply stays unknown.
    PointFileOptions plain = csv_options();
    plain.supply_field.clear();
    CHECK_FALSE(read_point_file(path, plain).facilities[0].supply.has_value());
}

TEST_CASE("a bad supply column is refused with the file, the line, the value and the fix", "[territory][apl]") {
    test::TempDir dir("supply-errors");
    const auto options = csv_options();
    const auto missing = write(dir, "missing.csv", "id,lon,lat,fte\na,1.5,42.5,1\n");
    CHECK_THAT(refusal(missing, options), Contains("missing.csv") && Contains("no column 'etp'") &&
                                              Contains("it has: id, lon, lat, fte") && Contains("supply_field"));
    const auto empty = write(dir, "empty.csv", "id,lon,lat,etp\na,1.5,42.5,1\nb,1.5,42.5,\n");
    CHECK_THAT(refusal(empty, options), Contains("empty.csv:3") && Contains("empty supply") && Contains("0 for a site"));
    const auto text = write(dir, "text.csv", "id,lon,lat,etp\na,1.5,42.5,deux\n");
    CHECK_THAT(refusal(text, options), Contains("text.csv:2") && Contains("'deux'") && Contains("not a number"));
    const auto negative = write(dir, "negative.csv", "id,lon,lat,etp\na,1.5,42.5,-1\n");
    CHECK_THAT(refusal(negative, options), Contains("negative.csv:2") && Contains("negative"));
    const auto huge = write(dir, "huge.csv", "id,lon,lat,etp\na,1.5,42.5,1e12\n");
    CHECK_THAT(refusal(huge, options), Contains("huge.csv:2") && Contains("too large"));
    const auto nan = write(dir, "nan.csv", "id,lon,lat,etp\na,1.5,42.5,nan\n");
    CHECK_THAT(refusal(nan, options), Contains("nan.csv:2") && Contains("not a number"));
}

TEST_CASE("the supply field of a vector facility file is read, and refused as in a CSV", "[territory][apl]") {
    test::TempDir dir("supply-geojson");
    const auto path = write(dir, "sites.geojson", R"({"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"id": "a", "etp": 2.25}, "geometry": {"type": "Point", "coordinates": [1.52, 42.5]}},
{"type": "Feature", "properties": {"id": "b", "etp": null}, "geometry": {"type": "Point", "coordinates": [1.53, 42.5]}}
]})");
    PointFileOptions options;
    options.supply_field = "etp";
    CHECK_THAT(refusal(path, options), Contains("sites.geojson:feature") && Contains("empty supply"));
    const auto good = write(dir, "good.geojson", R"({"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"id": "a", "etp": 2.25}, "geometry": {"type": "Point", "coordinates": [1.52, 42.5]}}
]})");
    const auto r = read_point_file(good, options);
    REQUIRE(r.facilities.size() == 1);
    CHECK(r.facilities[0].supply == 2.25);
    options.supply_field = "fte";
    CHECK_THAT(refusal(good, options), Contains("no column 'fte'") && Contains("id, etp"));
}
