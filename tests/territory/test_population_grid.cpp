#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <numeric>

#include <catch2/catch.hpp>

#include "proxima/core/error.hpp"
#include "proxima/territory/population_grid.hpp"
#include "proxima/territory/zones.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

namespace {

const char* const lot_grid = "filosofi/filosofi2015-carreaux-1km-lot-46.csv";
const char* const lot_communes = "insee/communes-46-lot.geojson";

std::size_t zone_index(const ZoneLayer& layer, const std::string& code) {
    for (std::size_t i = 0; i < layer.zones.size(); ++i) {
        if (layer.zones[i].code == code) {
            return i;
        }
    }
    FAIL("no zone " << code);
    return 0;
}

/// WKB (little-endian) of an axis-aligned rectangle, lon/lat.
std::vector<unsigned char> rectangle_wkb(double west, double south, double east, double north) {
    std::vector<unsigned char> wkb;
    auto put = [&](const auto& v) {
        unsigned char bytes[sizeof(v)];
        std::memcpy(bytes, &v, sizeof(v));
        wkb.insert(wkb.end(), bytes, bytes + sizeof(v));
    };
    wkb.push_back(1);  // little-endian; the tests run on x86-64 and arm64, both little-endian
    put(std::uint32_t{3});  // polygon
    put(std::uint32_t{1});  // one ring
    put(std::uint32_t{5});
    for (auto [x, y] : {std::pair{west, south}, {east, south}, {east, north}, {west, north}, {west, south}}) {
        put(x);
        put(y);
    }
    return wkb;
}

Zone rectangle_zone(const std::string& code, double west, double south, double east, double north) {
    Zone z;
    z.code = code;
    z.wkb = rectangle_wkb(west, south, east, north);
    return z;
}

GridCell cell_at(double lon, double lat, double population) {
    GridCell c;
    c.centre = {lon, lat};
    c.population = population;
    return c;
}

} // namespace

TEST_CASE("the Filosofi 1 km grid around the Lot is read, sized and located", "[territory]") {
    const PopulationGrid grid = read_population_grid(test::data_file(lot_grid));
    // Independent figures, from Python's csv module on the same file: 4 595 rows, Ind summing to
    // 175 098 (as data/README says), closest distinct x 1 000 m apart.
    CHECK(grid.cells.size() == 4595);
    CHECK(grid.total_population == 175098.0);
    CHECK(grid.cell_size_m == 1000.0);
    CHECK(grid.crs == "EPSG:3035");
    double sum = 0;
    for (const auto& c : grid.cells) {
        sum += c.population;
    }
    CHECK(sum == grid.total_population);

    // Cells stay in file order, with their lines (the file has no blank line: line = index + 2).
    const GridCell& first = grid.cells.front();
    CHECK(first.line == 2);
    CHECK(first.id == "3630500_2383500");
    CHECK(first.x == 3630500.0);
    CHECK(first.y == 2383500.0);
    CHECK(first.population == 23.0);
    // echo "3630500 2383500" | gdaltransform -s_srs EPSG:3035 -t_srs EPSG:4326
    //   -> 1.3583857131019 44.2025654551701
    CHECK(first.centre.lon == Approx(1.3583857131019).margin(1e-9));
    CHECK(first.centre.lat == Approx(44.2025654551701).margin(1e-9));
    CHECK(grid.cells[3].line == 5);
    CHECK(grid.cells[3].population == 11.5);  // Filosofi counts can be fractional

    // The most populated cell (line 1024), in Cahors: gdaltransform gives 1.44751927729023 44.4456240396685.
    const GridCell& cahors = grid.cells[1022];
    CHECK(cahors.line == 1024);
    CHECK(cahors.x == 3640500.0);
    CHECK(cahors.y == 2409500.0);
    CHECK(cahors.population == 2573.0);
    CHECK(cahors.centre.lon == Approx(1.44751927729023).margin(1e-9));
    CHECK(cahors.centre.lat == Approx(44.4456240396685).margin(1e-9));
}

TEST_CASE("the Lot's cells go to its communes and every inhabitant is accounted for", "[territory]") {
    const PopulationGrid grid = read_population_grid(test::data_file(lot_grid));
    const ZoneLayer communes = read_zones(test::data_file(lot_communes));
    REQUIRE(communes.zones.size() == 320);
    const CellAssignment a = assign_cells_to_zones(grid, communes);
    REQUIRE(a.zone_of_cell.size() == grid.cells.size());
    REQUIRE(a.population_of_zone.size() == communes.zones.size());

    // Every inhabitant is either inside or outside. Filosofi counts are multiples of 0.5, so the
    // sums are exact in floating point; the relative check is the general invariant.
    CHECK(a.population_inside + a.population_outside == grid.total_population);
    CHECK(a.population_inside + a.population_outside == Approx(grid.total_population).epsilon(1e-6));
    CHECK(std::accumulate(a.population_of_zone.begin(), a.population_of_zone.end(), 0.0) == a.population_inside);
    std::size_t outside = 0;
    for (const auto z : a.zone_of_cell) {
        outside += z == CellAssignment::outside ? 1 : 0;
    }
    CHECK(outside == a.cells_outside);

    // Reference computed independently: centres converted with gdaltransform, then a ray-casting
    // point-in-polygon test in plain Python on the GeoJSON rings (no GEOS): 4 349 cells and
    // 166 914 inhabitants inside a Lot commune, 246 cells and 8 184 inhabitants in the
    // neighbouring départements the grid extract reaches into; no centre in two communes.
    CHECK(a.cells_outside == 246);
    CHECK(a.population_inside == 166914.0);
    CHECK(a.population_outside == 8184.0);

    // Cahors (46042): 61 cells, 19 473.5 inhabitants by the same reference. Its most populated
    // cell is inside it (also checked with ogrinfo -dialect SQLite, ST_Contains on the centre).
    const std::size_t cahors = zone_index(communes, "46042");
    CHECK(a.zone_of_cell[1022] == cahors);
    CHECK(a.population_of_zone[cahors] == 19473.5);
    CHECK(std::count(a.zone_of_cell.begin(), a.zone_of_cell.end(), cahors) == 61);
}

TEST_CASE("swapped x/y of a French grid stay inside EPSG:3035's area of use, and assignment shows it",
          "[territory]") {
    // EPSG:3035's area of use is a box reaching 35.6 degrees west: the Lot's cells with x and y
    // swapped land in the Atlantic inside it (first cell: lon -19.25, lat 52.21), so reading
    // cannot refuse them. Assignment then finds nobody in the communes.
    test::TempDir dir("grid-swapped-lot");
    const auto path = dir.path() / "swapped.csv";
    {
        std::ifstream in(test::data_file(lot_grid));
        std::ofstream out(path);
        std::string line;
        std::getline(in, line);
        out << "y,x,Ind\n";  // the header renamed: the columns now say x is the second one
        while (std::getline(in, line)) {
            out << line << "\n";
        }
    }
    const PopulationGrid grid = read_population_grid(path);
    CHECK(grid.cells.front().centre.lon == Approx(-19.2501657818638).margin(1e-9));
    const CellAssignment a = assign_cells_to_zones(grid, read_zones(test::data_file(lot_communes)));
    CHECK(a.population_inside == 0.0);
    CHECK(a.population_outside == grid.total_population);
    CHECK(a.cells_outside == grid.cells.size());
}

TEST_CASE("an INSEE id grid gives centres half a cell north-east of the corners", "[territory]") {
    test::TempDir dir("grid-ids");
    const auto path = dir.path() / "grid.csv";
    SECTION("200 m ids in Corsica") {
        std::ofstream(path) << "IdINSPIRE;Ind\n"
                               "CRS3035RES200mN2029800E4252400;12.5\n"
                               "CRS3035RES200mN2029800E4252600;3\n";
        const PopulationGrid grid = read_population_grid(path);
        REQUIRE(grid.cells.size() == 2);
        CHECK(grid.cell_size_m == 200.0);
        CHECK(grid.total_population == 15.5);
        CHECK(grid.cells[0].id == "CRS3035RES200mN2029800E4252400");
        CHECK(grid.cells[0].x == 4252500.0);
        CHECK(grid.cells[0].y == 2029900.0);
        CHECK(grid.cells[1].x == 4252700.0);
        CHECK(grid.cells[1].line == 3);
        // echo "4252500 2029900" | gdaltransform -s_srs EPSG:3035 -t_srs EPSG:4326
        CHECK(grid.cells[0].centre.lon == Approx(9.1846177648268).margin(1e-9));
        CHECK(grid.cells[0].centre.lat == Approx(41.3667098453303).margin(1e-9));
        CHECK(grid.cells[1].centre.lon == Approx(9.18699829193706).margin(1e-9));
        CHECK(grid.cells[1].centre.lat == Approx(41.3667293041089).margin(1e-9));
    }
    SECTION("a 1 km id gives the same centre as the x/y file") {
        std::ofstream(path) << "Idcar_1km,ind\nCRS3035RES1000mN2409000E3640000,2573\n";
        const PopulationGrid grid = read_population_grid(path);
        REQUIRE(grid.cells.size() == 1);
        CHECK(grid.cell_size_m == 1000.0);
        CHECK(grid.cells[0].x == 3640500.0);
        CHECK(grid.cells[0].y == 2409500.0);
        CHECK(grid.cells[0].centre.lon == Approx(1.44751927729023).margin(1e-9));
    }
    SECTION("ids are used when configured, even next to x/y columns") {
        std::ofstream(path) << "x,y,cell,hab\n1,1,CRS3035RES200mN2029800E4252400,4\n";
        PopulationGridOptions options;
        options.id_field = "cell";
        options.population_field = "hab";
        const PopulationGrid grid = read_population_grid(path, options);
        CHECK(grid.cells[0].x == 4252500.0);
        CHECK(grid.cells[0].population == 4.0);
    }
}

TEST_CASE("the cell size comes from the options when the spacing is not an INSEE one", "[territory]") {
    test::TempDir dir("grid-size");
    const auto path = dir.path() / "grid.csv";
    std::ofstream(path) << "x,y,pop\n3630250,2383250,1\n3630750,2383250,2\n";
    REQUIRE_THROWS_AS(read_population_grid(path), InputError);
    REQUIRE_THROWS_WITH(read_population_grid(path), Contains("closest centres are 500 m apart") &&
                                                        Contains("set cell_size_m"));
    PopulationGridOptions options;
    options.cell_size_m = 500.0;
    CHECK(read_population_grid(path, options).cell_size_m == 500.0);
    options.cell_size_m = -1.0;
    REQUIRE_THROWS_AS(read_population_grid(path, options), ConfigError);

    std::ofstream(path) << "x,y,pop\n3630500,2383500,1\n3630500,2384500,2\n";
    REQUIRE_THROWS_WITH(read_population_grid(path), Contains("all centres share one x"));
}

TEST_CASE("bad population grids are refused with the file, the line and the value", "[territory]") {
    test::TempDir dir("grid-bad");
    const auto path = dir.path() / "grid.csv";
    const std::string p = path.string();
    auto write = [&](const std::string& text) { std::ofstream(path) << text; };

    SECTION("no position column") {
        write("a,b,Ind\n1,2,3\n");
        REQUIRE_THROWS_AS(read_population_grid(path), InputError);
        REQUIRE_THROWS_WITH(read_population_grid(path),
                            Contains("neither cell-centre columns") && Contains("it has: a, b, Ind"));
    }
    SECTION("x without y") {
        write("x,Ind\n1,3\n");
        REQUIRE_THROWS_WITH(read_population_grid(path), Contains("no column y (y, y_centroid, in any case) next to its x column; it has: x, Ind"));
    }
    SECTION("no population column") {
        write("x,y,habitants\n3630500,2383500,3\n");
        REQUIRE_THROWS_WITH(read_population_grid(path),
                            Contains("no population column (Ind, population, pop, in any case); it has: x, y, habitants"));
    }
    SECTION("configured column that does not exist") {
        write("x,y,Ind\n3630500,2383500,3\n");
        PopulationGridOptions options;
        options.population_field = "men";
        REQUIRE_THROWS_WITH(read_population_grid(path, options), Contains("no column men, which the study names; it has: x, y, Ind"));
    }
    SECTION("non-numeric population, with its line") {
        write("x,y,Ind\n3630500,2383500,3\n3631500,2383500,beaucoup\n");
        REQUIRE_THROWS_AS(read_population_grid(path), InputError);
        REQUIRE_THROWS_WITH(read_population_grid(path), Contains(p + ":3: population 'beaucoup' of cell") && Contains("(column Ind) is not a number"));
    }
    SECTION("decimal comma") {
        write("x;y;Ind\n3630500;2383500;11,5\n");
        REQUIRE_THROWS_WITH(read_population_grid(path), Contains(p + ":2: population '11,5'"));
    }
    SECTION("negative population") {
        write("x,y,Ind\n3630500,2383500,-4\n");
        REQUIRE_THROWS_WITH(read_population_grid(path),
                            Contains(p + ":2: population '-4'") && Contains("negative"));
    }
    SECTION("non-numeric coordinate") {
        write("x,y,Ind\n3630500,2383500,1\n\n3631500,N2383500,2\n");  // a blank line before: true line 4
        REQUIRE_THROWS_WITH(read_population_grid(path), Contains(p + ":4: y 'N2383500'") &&
                                                            Contains("not a number"));
    }
    SECTION("negative coordinate") {
        write("x,y,Ind\n-3630500,2383500,1\n");
        REQUIRE_THROWS_WITH(read_population_grid(path), Contains(p + ":2: x '-3630500'") && Contains("negative"));
    }
    SECTION("malformed INSEE ids") {
        const char* bad[] = {
            "CRS3035RES200mN2029800E4252400 ",  // trailing space
            "CRS3035RES200mN2029800E",          // no east
            "CRS3035RES200N2029800E4252400",    // no unit
            "CRS3035RES200mE4252400N2029800",   // east before north
            "CRS3035RES200mN2029850E4252400",   // corner off the 200 m grid
            "CRS3035RES0mN2029800E4252400",     // no size
            "CRS3035RES200mN-2029800E4252400",  // sign
            "3035RES200mN2029800E4252400",      // no CRS prefix
            "",                                 // empty
        };
        for (const char* id : bad) {
            INFO("id '" << id << "'");
            write(std::string("IdINSPIRE,Ind\nCRS3035RES200mN2029800E4252400,1\n\"") + id + "\",2\n");
            REQUIRE_THROWS_AS(read_population_grid(path), InputError);
            REQUIRE_THROWS_WITH(read_population_grid(path), Contains(p + ":3: cell id '" + id + "'") &&
                                                                Contains("not an INSEE grid id"));
        }
    }
    SECTION("ids of two sizes") {
        write("IdINSPIRE,Ind\nCRS3035RES200mN2029800E4252400,1\nCRS3035RES1000mN2029000E4252000,2\n");
        REQUIRE_THROWS_WITH(read_population_grid(path), Contains(p + ":3:") && Contains("line 2 holds a 200 m cell"));
    }
    SECTION("ids in another CRS than the one set") {
        write("IdINSPIRE,Ind\nCRS2154RES200mN6400000E600000,1\n");
        PopulationGridOptions options;
        options.crs_from_ids = false;  // grid_crs set in the study
        REQUIRE_THROWS_WITH(read_population_grid(path, options),
                            Contains("is in EPSG:2154") && Contains("grid's CRS is EPSG:3035") &&
                                Contains("grid_crs = \"EPSG:2154\""));
    }
    SECTION("overseas ids name their CRS, read without options") {
        // Martinique's Filosofi ids are in RGAF09 / UTM 20N (data/bpe/SOURCES.md): the cell's
        // centre 707900, 1612900 is lon -61.07021, lat 14.58131 by gdaltransform.
        write("idcar_200m,ind\nCRS5490RES200mN1612800E707800,12.5\n");
        const PopulationGrid grid = read_population_grid(path);
        CHECK(grid.crs == "EPSG:5490");
        CHECK(grid.cell_size_m == 200.0);
        CHECK(grid.cells[0].centre.lon == Approx(-61.07021).margin(1e-5));
        CHECK(grid.cells[0].centre.lat == Approx(14.58131).margin(1e-5));
        SECTION("and every id must name the first one's") {
            write("idcar_200m,ind\nCRS5490RES200mN1612800E707800,12.5\nCRS2975RES200mN7660000E340000,3\n");
            REQUIRE_THROWS_WITH(read_population_grid(path), Contains(p + ":3:") && Contains("is in EPSG:2975") &&
                                                                Contains("grid's CRS is EPSG:5490"));
        }
    }
    SECTION("ids contradicting the configured cell size") {
        write("IdINSPIRE,Ind\nCRS3035RES200mN2029800E4252400,1\n");
        PopulationGridOptions options;
        options.cell_size_m = 1000.0;
        REQUIRE_THROWS_AS(read_population_grid(path, options), ConfigError);
    }
    SECTION("duplicate cell, naming both lines") {
        write("x,y,Ind\n3630500,2383500,1\n3631500,2383500,2\n3630500,2383500,3\n3631500,2383500,4\n");
        REQUIRE_THROWS_AS(read_population_grid(path), InputError);
        REQUIRE_THROWS_WITH(read_population_grid(path),
                            Contains(p + ":4: cell 3630500_2383500") && Contains("already on line 2"));
    }
    SECTION("duplicate id") {
        write("IdINSPIRE,Ind\nCRS3035RES200mN2029800E4252400,1\nCRS3035RES200mN2029800E4252400,2\n");
        REQUIRE_THROWS_WITH(read_population_grid(path), Contains(p + ":3:") && Contains("already on line 2"));
    }
    SECTION("swapped x and y, landing outside the CRS's area of use") {
        // A cell in Cyprus (x 6420500, y 1640500: lon 33.12, lat 34.95 by gdaltransform) with the
        // columns swapped lands at lon -64.56, lat 65.76, west of EPSG:3035's area of use.
        write("x,y,Ind\n6420500,1640500,10\n1640500,6420500,10\n");
        REQUIRE_THROWS_AS(read_population_grid(path), InputError);
        REQUIRE_THROWS_WITH(read_population_grid(path), Contains(p + ":3: cell centre x 1640500, y 6420500") &&
                                                            Contains("lon -64.56") &&
                                                            Contains("outside the area of use of EPSG:3035") &&
                                                            Contains("swapped"));
    }
    SECTION("coordinates in another CRS than declared") {
        // Lambert-93 metres near Cahors read as EPSG:3035 land at lon -72.2, lat 56.9 (gdaltransform).
        write("x,y,Ind\n574500,6370500,10\n575500,6370500,10\n");
        REQUIRE_THROWS_WITH(read_population_grid(path), Contains("lon -72.20") &&
                                                            Contains("outside the area of use of EPSG:3035"));
        PopulationGridOptions options;
        options.crs = "EPSG:2154";
        options.cell_size_m = 1000.0;
        const PopulationGrid grid = read_population_grid(path, options);
        // echo "574500 6370500" | gdaltransform -s_srs EPSG:2154 -t_srs EPSG:4326
        CHECK(grid.cells[0].centre.lon == Approx(1.42350099068154).margin(1e-9));
        CHECK(grid.cells[0].centre.lat == Approx(44.4222691313096).margin(1e-9));
    }
    SECTION("unknown CRS") {
        write("x,y,Ind\n3630500,2383500,1\n");
        PopulationGridOptions options;
        for (const char* crs : {"EPSG:999999", "LAEA please", ""}) {
            options.crs = crs;
            INFO("crs '" << crs << "'");
            REQUIRE_THROWS_AS(read_population_grid(path, options), ConfigError);
            REQUIRE_THROWS_WITH(read_population_grid(path, options), Contains(p) && Contains(std::string(crs)));
        }
        options.crs = "EPSG:4326";
        REQUIRE_THROWS_WITH(read_population_grid(path, options), Contains("not a projected CRS"));
    }
    SECTION("empty file") {
        write("");
        REQUIRE_THROWS_AS(read_population_grid(path), InputError);
        REQUIRE_THROWS_WITH(read_population_grid(path), Contains("is empty"));
    }
    SECTION("header without cells") {
        write("x,y,Ind\n");
        REQUIRE_THROWS_WITH(read_population_grid(path), Contains("has a header but no cell"));
    }
    SECTION("missing file") {
        REQUIRE_THROWS_AS(read_population_grid(dir.path() / "none.csv"), InputError);
    }
}

TEST_CASE("a centre on a shared border counts once, in the zone listed first", "[territory]") {
    PopulationGrid grid;
    grid.cells = {cell_at(1.5, 42.5, 10),    // on the border between the two squares
                  cell_at(1.5, 43.0, 20),    // on their common corner with the outside
                  cell_at(1.25, 42.5, 30),   // inside the west square
                  cell_at(1.75, 42.25, 40),  // inside the east square
                  cell_at(3.0, 42.5, 50)};   // in neither
    grid.total_population = 150;
    ZoneLayer zones;
    zones.zones = {rectangle_zone("west", 1.0, 42.0, 1.5, 43.0), rectangle_zone("east", 1.5, 42.0, 2.0, 43.0)};

    const CellAssignment a = assign_cells_to_zones(grid, zones);
    CHECK(a.zone_of_cell == std::vector<std::size_t>{0, 0, 0, 1, CellAssignment::outside});
    CHECK(a.population_of_zone == std::vector<double>{60, 40});
    CHECK(a.population_inside == 100);
    CHECK(a.population_outside == 50);
    CHECK(a.cells_outside == 1);

    // Listed the other way round, the border cells follow the first zone again.
    std::swap(zones.zones[0], zones.zones[1]);
    const CellAssignment b = assign_cells_to_zones(grid, zones);
    CHECK(b.zone_of_cell == std::vector<std::size_t>{0, 0, 1, 0, CellAssignment::outside});
    CHECK(b.population_inside + b.population_outside == grid.total_population);
}

TEST_CASE("without zones every cell is outside, and a broken polygon is reported", "[territory]") {
    PopulationGrid grid;
    grid.cells = {cell_at(1.5, 42.5, 10), cell_at(1.6, 42.5, 5)};
    grid.total_population = 15;
    const CellAssignment a = assign_cells_to_zones(grid, ZoneLayer{});
    CHECK(a.zone_of_cell == std::vector<std::size_t>(2, CellAssignment::outside));
    CHECK(a.population_outside == 15);
    CHECK(a.cells_outside == 2);

    ZoneLayer broken;
    broken.source = "zones.gpkg";
    broken.zones = {rectangle_zone("01001", 1.0, 42.0, 2.0, 43.0)};
    broken.zones[0].wkb.resize(20);  // truncated
    REQUIRE_THROWS_AS(assign_cells_to_zones(grid, broken), InputError);
    REQUIRE_THROWS_WITH(assign_cells_to_zones(grid, broken), Contains("code 01001") && Contains("cannot be read"));
}
