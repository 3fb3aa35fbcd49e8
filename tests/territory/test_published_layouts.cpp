// The files users download, as their publishers lay them out: each edition's format fixture
// (tests/fixtures/published/, made by scripts/make_format_fixtures.py from the real samples in
// data/) is read without options and gives back the figures of the rows it was made from.

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include "proxima/core/error.hpp"
#include "proxima/territory/commune_table.hpp"
#include "proxima/territory/facilities.hpp"
#include "proxima/territory/population_grid.hpp"
#include "proxima/territory/zones.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/zones.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

namespace {

/// The source rows of the grid fixtures: the Lot's 1 km grid, centre (x, y) → inhabitants.
std::map<std::pair<double, double>, double> lot_grid_by_centre() {
    std::ifstream in(test::data_file("filosofi/filosofi2015-carreaux-1km-lot-46.csv"));
    std::string line;
    std::getline(in, line);  // "x","y","Ind"
    std::map<std::pair<double, double>, double> out;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string x, y, ind;
        std::getline(fields, x, ',');
        std::getline(fields, y, ',');
        std::getline(fields, ind, ',');
        out[{std::stod(x), std::stod(y)}] = std::stod(ind);
    }
    return out;
}

/// Every cell of `grid` is a source cell (1 km grids: same centre; 200 m grids: the south-west
/// 200 m cell of a source cell) with the source's population.
void check_against_source(const PopulationGrid& grid, double source_cell_m) {
    const auto source = lot_grid_by_centre();
    REQUIRE(grid.cells.size() == 8);
    double total = 0;
    for (const GridCell& cell : grid.cells) {
        INFO("cell " << cell.id);
        // The source centre of the 1 km cell this cell starts in.
        const double half = grid.cell_size_m / 2;
        const double x = cell.x - half + source_cell_m / 2;
        const double y = cell.y - half + source_cell_m / 2;
        const auto it = source.find({x, y});
        REQUIRE(it != source.end());
        CHECK(cell.population == it->second);
        total += it->second;
    }
    // Lines 2-6, 1024, 1966 and 1081 of the source: 23 + 25 + 18 + 11.5 + 5 + 2573 + 2410 + 2094.
    CHECK(total == 7159.5);
    CHECK(grid.total_population == 7159.5);
}

/// The ADMIN EXPRESS fixtures against the GeoJSON and the COG table they were made from.
void check_riviera_communes(const ZoneLayer& layer) {
    REQUIRE(layer.zones.size() == 3);
    CHECK(layer.crs == "EPSG:2154");
    const ZoneLayer source = read_zones(test::data_file("insee/communes-06-alpes-maritimes.geojson"));
    const CommuneTable table = read_commune_table(test::data_file("insee/communes-2026.csv"));
    for (const std::string code : {"06012", "06032", "06150"}) {
        INFO("commune " << code);
        const Zone& z = test::zone_by_code(layer, code);
        const Commune& c = table.at(code);
        CHECK(z.name == c.name);
        REQUIRE(z.population.has_value());
        CHECK(*z.population == c.population.value());
        CHECK(z.epci_siren == c.epci_siren);
        // Same polygon, through Lambert-93 and back.
        CHECK(z.area_km2 == Approx(test::zone_by_code(source, code).area_km2).epsilon(1e-6));
    }
    CHECK(test::zone_by_code(layer, "06032").name == "Cap-d'Ail");
    CHECK(*test::zone_by_code(layer, "06012").population == 11936);
}

} // namespace

TEST_CASE("the Filosofi 2015 layout (IdINSPIRE, Ind) is read without options", "[territory][published]") {
    const PopulationGrid grid = read_population_grid(test::fixture("published/filosofi-2015-carreaux-1km.csv"));
    CHECK(grid.cell_size_m == 1000.0);
    CHECK(grid.layout == "cell ids (IdINSPIRE), population Ind");
    CHECK(grid.cells[0].id == "CRS3035RES1000mN2383000E3630000");
    // The first source row: centre 3630500, 2383500, 23 inhabitants.
    CHECK(grid.cells[0].x == 3630500.0);
    CHECK(grid.cells[0].y == 2383500.0);
    CHECK(grid.cells[3].population == 11.5);
    check_against_source(grid, 1000.0);
}

TEST_CASE("the Filosofi 2017 200 m layout (Idcar_200m, Idcar_1km, Ind) reads the 200 m cells",
          "[territory][published]") {
    const PopulationGrid grid = read_population_grid(test::fixture("published/filosofi-2017-carreaux-200m.csv"));
    CHECK(grid.cell_size_m == 200.0);
    CHECK(grid.layout == "cell ids (Idcar_200m), population Ind");
    CHECK(grid.cells[0].x == 3630100.0);
    CHECK(grid.cells[0].y == 2383100.0);
    check_against_source(grid, 1000.0);
}

TEST_CASE("the Filosofi 2019 lower-case layouts (idcar_200m / idcar_1km, ind) are read without options",
          "[territory][published]") {
    SECTION("200 m: the 200 m id, not the 1 km one next to it") {
        const PopulationGrid grid = read_population_grid(test::fixture("published/filosofi-2019-carreaux-200m.csv"));
        CHECK(grid.cell_size_m == 200.0);
        CHECK(grid.layout == "cell ids (idcar_200m), population ind");
        check_against_source(grid, 1000.0);
    }
    SECTION("1 km CSV") {
        const PopulationGrid grid = read_population_grid(test::fixture("published/filosofi-2019-carreaux-1km.csv"));
        CHECK(grid.cell_size_m == 1000.0);
        CHECK(grid.layout == "cell ids (idcar_1km), population ind");
        check_against_source(grid, 1000.0);
    }
    SECTION("1 km GeoPackage: the ids, not the Lambert-93 squares, place the cells") {
        const PopulationGrid grid = read_population_grid(test::fixture("published/filosofi-2019-carreaux-1km.gpkg"));
        CHECK(grid.cell_size_m == 1000.0);
        CHECK(grid.layout == "cell ids (idcar_1km), population ind");
        CHECK(grid.cells[0].line == 1);  // feature id
        check_against_source(grid, 1000.0);
        // Same centres as the CSV of the same edition, to the bit.
        const PopulationGrid csv = read_population_grid(test::fixture("published/filosofi-2019-carreaux-1km.csv"));
        for (std::size_t i = 0; i < grid.cells.size(); ++i) {
            CHECK(grid.cells[i].centre.lon == csv.cells[i].centre.lon);
            CHECK(grid.cells[i].centre.lat == csv.cells[i].centre.lat);
        }
    }
}

TEST_CASE("a Filosofi 1 km id gives the centre of the bundled x/y grid", "[territory][published]") {
    const PopulationGrid ids = read_population_grid(test::fixture("published/filosofi-2015-carreaux-1km.csv"));
    const PopulationGrid xy = read_population_grid(test::data_file("filosofi/filosofi2015-carreaux-1km-lot-46.csv"));
    // Line 1024 of the x/y file (Cahors, 2573 inhabitants) is the sixth fixture row.
    const GridCell& cahors = xy.cells[1022];
    REQUIRE(cahors.population == 2573.0);
    CHECK(ids.cells[5].centre.lon == cahors.centre.lon);
    CHECK(ids.cells[5].centre.lat == cahors.centre.lat);
}

TEST_CASE("a grid whose layout is not recognised names its columns, the known layouts and the options",
          "[territory][published]") {
    test::TempDir dir("grid-unknown-layout");
    const auto path = dir.path() / "carreaux.csv";
    SECTION("no position column") {
        std::ofstream(path) << "Idcar_nat;men;ind\nCRS3035RES2000mN2382000E3630000;3;7\n";
        REQUIRE_THROWS_AS(read_population_grid(path), InputError);
        REQUIRE_THROWS_WITH(read_population_grid(path),
                            Contains("it has: Idcar_nat, men, ind") && Contains("Filosofi 2015 carreaux (IdINSPIRE") &&
                                Contains("idcar_200m") && Contains("id_field") && Contains("population_field"));
    }
    SECTION("no population column") {
        std::ofstream(path) << "idcar_200m;men\nCRS3035RES200mN2383000E3630000;3\n";
        REQUIRE_THROWS_WITH(read_population_grid(path), Contains("no population column (Ind, population, pop, in "
                                                                 "any case); it has: idcar_200m, men") &&
                                                            Contains("Layouts read without options"));
    }
}

TEST_CASE("an ADMIN EXPRESS COMMUNE shapefile in Lambert-93 is read without options", "[territory][published]") {
    check_riviera_communes(read_zones(test::fixture("published/admin-express-shp/COMMUNE.shp")));
}

TEST_CASE("an ADMIN EXPRESS GeoPackage is read from its COMMUNE layer, wherever it sits",
          "[territory][published]") {
    const auto gpkg = test::fixture("published/admin-express-cog-carto.gpkg");
    check_riviera_communes(read_zones(gpkg));
    // A layer named in the study file still wins: here the empty one, refused as such.
    ZoneLayerOptions options;
    options.layer = "ARRONDISSEMENT";
    REQUIRE_THROWS_WITH(read_zones(gpkg, options), Contains("holds no feature"));
}

TEST_CASE("a BPE count table given as the geolocated BPE names its columns and the layouts read",
          "[territory][published]") {
    const auto counts = test::data_file("bpe/bpe-D201-medecins-generalistes-par-commune.csv");
    REQUIRE_THROWS_AS(read_bpe_csv(counts, {}), InputError);
    REQUIRE_THROWS_WITH(read_bpe_csv(counts, {}), Contains("has no column TYPEQU; it has: CODGEO, NB_D201") &&
                                                      Contains("bpeYY_ensemble_xy.csv") &&
                                                      Contains("plus EPSG") && Contains("[poles] counts"));
}
