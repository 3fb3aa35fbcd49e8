#include <fstream>

#include <catch2/catch.hpp>

#include "proxima/core/error.hpp"
#include "proxima/routing/points_csv.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

TEST_CASE("points CSV: the bundled reference points are read", "[routing]") {
    const auto points = read_points_csv(test::data_file("reference/andorra-points.csv"));
    REQUIRE(points.size() == 40);
    CHECK(points[0].id == "p00");
    CHECK(points[0].position.lon == Approx(1.5167541));
    CHECK(points[0].position.lat == Approx(42.5031613));
    CHECK(points[0].line == 2);
}

TEST_CASE("points CSV: semicolons and quotes are handled by GDAL", "[routing]") {
    test::TempDir dir("points-ok");
    const auto path = dir.path() / "p.csv";
    std::ofstream(path) << "id;lon;lat;name\n\"a;1\";1.5;42.5;x\nb;1.6;42.6;y\n";
    const auto points = read_points_csv(path);
    REQUIRE(points.size() == 2);
    CHECK(points[0].id == "a;1");
    CHECK(points[1].position.lat == Approx(42.6));
}

TEST_CASE("points CSV: bad input names the file, line and value", "[routing]") {
    test::TempDir dir("points-bad");
    const auto path = dir.path() / "points.csv";
    SECTION("missing file") {
        REQUIRE_THROWS_AS(read_points_csv(dir.path() / "none.csv"), InputError);
    }
    SECTION("non-numeric longitude") {
        std::ofstream(path) << "id,lon,lat\na,1.5,42.5\nb,1,5,42.5\n";
        // "1,5" splits into an extra column: lon=1 lat=5 is valid, so use a letter instead.
        std::ofstream(path) << "id,lon,lat\na,1.5,42.5\nb,east,42.5\n";
        REQUIRE_THROWS_WITH(read_points_csv(path), Contains("points.csv:3") && Contains("'east'") && Contains("not a number"));
    }
    SECTION("decimal comma") {
        std::ofstream(path) << "id;lon;lat\na;1,5;42,5\n";
        REQUIRE_THROWS_WITH(read_points_csv(path), Contains("points.csv:2") && Contains("dot as decimal"));
    }
    SECTION("out of range") {
        std::ofstream(path) << "id,lon,lat\na,650000,6860000\n";
        REQUIRE_THROWS_WITH(read_points_csv(path), Contains("outside [-180, 180]"));
    }
    SECTION("missing column") {
        std::ofstream(path) << "id,x,y\na,1,2\n";
        REQUIRE_THROWS_WITH(read_points_csv(path), Contains("id, lon, lat") && Contains("it has: id, x, y"));
    }
    SECTION("duplicate id") {
        std::ofstream(path) << "id,lon,lat\na,1,2\na,1,2\n";
        REQUIRE_THROWS_WITH(read_points_csv(path), Contains("points.csv:3") && Contains("twice"));
    }
    SECTION("no point") {
        std::ofstream(path) << "id,lon,lat\n";
        REQUIRE_THROWS_WITH(read_points_csv(path), Contains("no point"));
    }
}

TEST_CASE("the Andorra table agrees with OSRM's on the same extract", "[routing]") {
    // A different profile gives different speeds; the ranking of trips must be the same and
    // the times of the same order (see data/README.md).
    const auto osrm = read_table_csv(test::data_file("reference/andorra-osrm-car-table.csv"));
    REQUIRE(osrm.size() == 1600);
    const auto self = compare_tables(osrm, osrm);
    CHECK(self.median_ratio == Approx(1.0));
    CHECK(self.spearman == Approx(1.0));
}

TEST_CASE("points CSV: line numbers count blank lines and quoted line breaks", "[routing]") {
    test::TempDir dir("points-lines");
    const auto path = dir.path() / "points.csv";
    std::ofstream(path) << "id,lon,lat\n\"multi\nline\",1,2\n\nb,abc,42\n";
    REQUIRE_THROWS_WITH(read_points_csv(path), Contains("points.csv:5:"));
    std::ofstream(path, std::ios::trunc).close();
    REQUIRE_THROWS_WITH(read_points_csv(path), Contains("is empty"));
}
