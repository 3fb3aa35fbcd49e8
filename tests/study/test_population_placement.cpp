// Where inhabitants are: a commune's population at its chef-lieu (IGN ADMIN EXPRESS
// CHFLIEU_COMMUNE; here a format fixture holding OpenStreetMap place nodes, see
// tests/fixtures/README.md), else spread over its populated Filosofi cells, else at a point on
// surface, each origin saying which; and the age groups carried from the grid's age columns.

#include <algorithm>
#include <fstream>
#include <map>

#include <catch2/catch.hpp>

#include "proxima/analysis/aggregation.hpp"
#include "proxima/core/error.hpp"
#include "proxima/study/study_inputs.hpp"
#include "proxima/territory/chef_lieux.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

namespace {

/// data/studies/riviera.toml with its graph cache in `dir`, a text replaced and `extra` appended.
StudyFile riviera(const std::filesystem::path& dir, const std::string& extra, const std::string& from = "",
                  const std::string& to = "") {
    const auto path = test::data_file("studies/riviera.toml");
    std::string text = test::read_text(path);
    const auto graph_line = text.find("graph = ");
    text.replace(graph_line, text.find('\n', graph_line) - graph_line, "graph = \"" + (dir / "g.pxg").string() + "\"");
    if (!from.empty()) {
        REQUIRE(text.find(from) != std::string::npos);
        text.replace(text.find(from), from.size(), to);
    }
    return parse_study(text + extra, path);
}

const Origin& origin(const StudyInputs& in, const std::string& id) {
    const auto it = std::find_if(in.origins.begin(), in.origins.end(), [&](const Origin& o) { return o.id == id; });
    REQUIRE(it != in.origins.end());
    return *it;
}

} // namespace

TEST_CASE("chef-lieu points: read from a shapefile by INSEE_COM, or a GeoPackage layer by ID_COM", "[territory]") {
    const ChefLieuLayer shp = read_chef_lieux(test::fixture("chef-lieu/CHFLIEU_COMMUNE.shp"));
    CHECK(shp.link == "INSEE_COM");
    REQUIRE(shp.points.size() == 2);
    CHECK(shp.points[0].commune == "06012");
    CHECK(shp.points[0].name == "Beausoleil");
    // Lambert-93 in the file; the OSM node's WGS84 position back (n26692120).
    CHECK(shp.points[0].position.lon == Approx(7.4219677).margin(1e-7));
    CHECK(shp.points[0].position.lat == Approx(43.748281).margin(1e-7));

    const auto gpkg = test::fixture("chef-lieu/admin-express-with-chefs-lieux.gpkg");
    CHECK(find_chef_lieu_layer(gpkg) == "CHFLIEU_COMMUNE");
    CHECK(find_chef_lieu_layer(test::fixture("published/admin-express-cog-carto.gpkg")).empty());
    const ChefLieuLayer layer = read_chef_lieux(gpkg);
    CHECK(layer.link == "ID_COM");
    REQUIRE(layer.points.size() == 3);
    CHECK(layer.points[2].commune == "COMMUNE_FIXTURE_06150");

    // A layer of polygons (the communes themselves) is no chef-lieu layer.
    REQUIRE_THROWS_WITH(read_chef_lieux(gpkg, "COMMUNE"), Contains("feature 1: not a point"));
    REQUIRE_THROWS_WITH(read_chef_lieux(gpkg, "CHEF_LIEU"), Contains("has no layer 'CHEF_LIEU'"));
}

TEST_CASE("a commune's population sits at its chef-lieu, without one, at its point on surface, said so",
          "[study]") {
    test::TempDir dir("chef-lieu-shp");
    const auto shp = test::fixture("chef-lieu/CHFLIEU_COMMUNE.shp");
    const StudyInputs in = load_study_inputs(riviera(dir.path(), "\n[origins]\nchef_lieu = \"" + shp.string() + "\"\n"));
    REQUIRE(in.origins.size() == 3);
    const Origin& beausoleil = origin(in, "06012");
    CHECK(beausoleil.placement == OriginPlacement::chef_lieu);
    CHECK(beausoleil.position.lon == Approx(7.4219677).margin(1e-7));
    CHECK(beausoleil.population == static_cast<double>(in.communes->find("06012")->population.value()));
    CHECK(origin(in, "06032").placement == OriginPlacement::chef_lieu);
    const Origin& turbie = origin(in, "06150");  // left out of the shapefile
    CHECK(turbie.placement == OriginPlacement::point_on_surface);
    CHECK(turbie.position.lon == in.zones.zones[turbie.zone].point_on_surface.lon);
    const std::string inspection = format_inspection(in);
    CHECK_THAT(inspection, Contains("chef_lieu 2") && Contains("point_on_surface 1"));
    CHECK_THAT(inspection, Contains("the least sure placement"));
}

TEST_CASE("an ADMIN EXPRESS GeoPackage's chef-lieu layer is found without options, linked by ID_COM", "[study]") {
    test::TempDir dir("chef-lieu-gpkg");
    const auto gpkg = test::fixture("chef-lieu/admin-express-with-chefs-lieux.gpkg");
    const StudyInputs in = load_study_inputs(
        riviera(dir.path(), "", "file = \"../insee/communes-06-alpes-maritimes.geojson\"", "file = \"" + gpkg.string() + "\""));
    REQUIRE(in.origins.size() == 3);
    for (const auto& o : in.origins) {
        INFO(o.id);
        CHECK(o.placement == OriginPlacement::chef_lieu);
    }
    CHECK(origin(in, "06150").position.lat == Approx(43.7452982).margin(1e-7));  // La Turbie's place node
}

TEST_CASE("without a chef-lieu, a commune's population is spread over its populated grid cells", "[study]") {
    // Three Lot communes, INSEE populations, the Lot's 1 km Filosofi grid; the Monaco network is
    // far away, hence max_snap_m: this test is about placement, not times.
    test::TempDir dir("spread");
    const auto path = test::data_file("studies/riviera.toml");
    const std::string text = "[study]\nname = \"spread\"\ncog_year = 2026\n[network]\nosm = "
                             "\"../osm/monaco-riviera-2016.osm.pbf\"\ngraph = \"" + (dir.path() / "g.pxg").string() +
                             "\"\nmax_snap_m = 1000000\nwarn_snap_m = 1000000\n"
                             "[zones]\nfile = \"../insee/communes-46-lot.geojson\"\n"
                             "codes = [\"46042\", \"46037\", \"46224\"]\n"
                             "[communes]\ntable = \"../insee/communes-2026.csv\"\n"
                             "[population]\nsource = \"communes\"\ngrid = \"../filosofi/filosofi2015-carreaux-1km-lot-46.csv\"\n"
                             "[services]\nuse = [\"pharmacie\"]\n";
    const StudyInputs in = load_study_inputs(parse_study(text, path));
    CHECK_FALSE(in.grid);  // the grid only places: the population is the table's
    const PopulationGrid grid = read_population_grid(test::data_file("filosofi/filosofi2015-carreaux-1km-lot-46.csv"));
    std::map<std::string, double> cell_population;
    for (const auto& c : grid.cells) {
        cell_population[c.id] = c.population;
    }
    std::map<std::string, double> zone_total;
    std::map<std::string, double> ratio;  // origin / cell population: one value per commune
    for (const auto& o : in.origins) {
        const std::string code = in.zones.zones[o.zone].code;
        INFO(o.id);
        REQUIRE(o.placement == OriginPlacement::spread_on_cells);
        REQUIRE(o.id.rfind(code + ":", 0) == 0);
        const double cell = cell_population.at(o.id.substr(code.size() + 1));
        REQUIRE(cell > 0);
        zone_total[code] += o.population;
        const double r = o.population / cell;
        if (ratio.count(code) == 0) {
            ratio[code] = r;
        }
        CHECK(r == Approx(ratio[code]));
    }
    REQUIRE(zone_total.size() == 3);
    for (const auto& [code, total] : zone_total) {
        INFO(code);
        CHECK(total == Approx(static_cast<double>(in.communes->find(code)->population.value())));
    }
    CHECK_THAT(format_inspection(in), Contains("spread_on_cells"));
}

TEST_CASE("age groups: A+ and A-B on the edges of Filosofi's age bands", "[study]") {
    const AgeGroup old = parse_age_group("80+", "test");
    CHECK(old.key == "80p");
    CHECK(old.bands == std::array<bool, 10>{false, false, false, false, false, false, false, false, false, true});
    const AgeGroup senior = parse_age_group(" 65+ ", "test");
    CHECK(senior.label == "65+");
    AgeCounts ages{};
    for (std::size_t k = 0; k < ages.size(); ++k) {
        ages[k] = static_cast<double>(1u << k);
    }
    CHECK(senior.of(ages) == 256 + 512);
    const AgeGroup minors = parse_age_group("0-17", "test");
    CHECK(minors.key == "0_17");
    CHECK(minors.of(ages) == 1 + 2 + 4 + 8);
    CHECK(parse_age_group("18-64", "test").of(ages) == 16 + 32 + 64 + 128);
    CHECK(parse_age_group("0+", "test").of(ages) == 1023);
    for (const char* bad : {"70+", "0-16", "5-17", "abc", "17-0", "", "+", "80", "-3"}) {
        INFO(bad);
        REQUIRE_THROWS_AS(parse_age_group(bad, "test"), ConfigError);
    }
    REQUIRE_THROWS_WITH(parse_age_group("70+", "population.groups"),
                        Contains("population.groups") && Contains("65") && Contains("80"));
}

TEST_CASE("a grid's age columns are read in either edition's case, a partial set is no age data", "[territory]") {
    // Three real cells of the Lot grid (id and Ind from data/filosofi); the age split is INVENTED
    // for this test (data/ has no age columns), with ages adding up to Ind.
    test::TempDir dir("ages");
    const auto p2019 = dir.path() / "carreaux-2019.csv";
    std::ofstream(p2019) << "idcar_1km;ind;ind_0_3;ind_4_5;ind_6_10;ind_11_17;ind_18_24;ind_25_39;ind_40_54;"
                            "ind_55_64;ind_65_79;ind_80p\n"
                            "CRS3035RES1000mN2383000E3630000;23;1;1;2;2;1;4;4;3;3;2\n"
                            "CRS3035RES1000mN2384000E3629000;25;0;1;2;3;2;5;4;3;3;2\n"
                            "CRS3035RES1000mN2385000E3630000;11.5;0;0;1;1;1;2;2;1.5;2;1\n";
    const PopulationGrid grid = read_population_grid(p2019);
    REQUIRE(grid.has_ages);
    CHECK_THAT(grid.layout, Contains("ages ind_0_3 ... ind_80p"));
    CHECK(grid.cells[2].ages[7] == 1.5);
    CHECK(grid.cells[0].ages[9] == 2);
    const auto p2015 = dir.path() / "carreaux-2015.csv";
    std::ofstream(p2015) << "IdINSPIRE;Ind;Ind_0_3;Ind_4_5;Ind_6_10;Ind_11_17;Ind_18_24;Ind_25_39;Ind_40_54;"
                            "Ind_55_64;Ind_65_79;Ind_80p\n"
                            "CRS3035RES1000mN2383000E3630000;23;1;1;2;2;1;4;4;3;3;2\n";
    CHECK(read_population_grid(p2015).has_ages);
    const auto partial = dir.path() / "partial.csv";
    std::ofstream(partial) << "IdINSPIRE;Ind;Ind_65_79;Ind_80p\nCRS3035RES1000mN2383000E3630000;23;3;2\n";
    CHECK_FALSE(read_population_grid(partial).has_ages);
}

TEST_CASE("age groups need a grid with age columns: refused naming the file and the columns", "[study]") {
    test::TempDir dir("groups-no-ages");
    const auto path = test::data_file("studies/riviera.toml");
    const std::string head = "[study]\nname = \"g\"\n[network]\nosm = \"../osm/monaco-riviera-2016.osm.pbf\"\ngraph = \"" +
                             (dir.path() / "g.pxg").string() + "\"\n[zones]\nfile = \"../insee/communes-46-lot.geojson\"\n";
    // A population from the communes has no ages.
    REQUIRE_THROWS_WITH(parse_study(head + "[communes]\ntable = \"../insee/communes-2026.csv\"\n[population]\n"
                                           "source = \"communes\"\ngroups = [\"80+\"]\n[services]\nuse = [\"pharmacie\"]\n",
                                    path),
                        Contains("ind_80p") && Contains("population.grid"));
    REQUIRE_THROWS_WITH(parse_study(head + "[population]\ngrid = \"x.csv\"\ngroups = [\"80+\", \"80+\"]\n[services]\n"
                                           "use = [\"pharmacie\"]\n",
                                    path),
                        Contains("twice"));
    // The Lot grid of data/ has no age columns.
    const StudyFile study = parse_study(head + "[population]\ngrid = \"../filosofi/filosofi2015-carreaux-1km-lot-46.csv\"\n"
                                               "groups = [\"80+\"]\n[services]\nuse = [\"pharmacie\"]\n",
                                        path);
    REQUIRE(study.population.groups.size() == 1);
    REQUIRE_THROWS_WITH(load_study_inputs(study), Contains("filosofi2015-carreaux-1km-lot-46.csv") &&
                                                      Contains("ind_0_3, ind_4_5") && Contains("ind_80p"));
}

TEST_CASE("age groups are carried to zones and areas, beyond the threshold too", "[analysis]") {
    StudyInputs in;
    in.study.name = "t";
    in.study.population.groups = {parse_age_group("80+", "test"), parse_age_group("0-17", "test")};
    Zone a;
    a.code = std::string(1, 'A');
    in.zones.zones = {a};
    in.origins = {{"o1", 0, {}, 100, {}, 0, 0, OriginPlacement::cell, {7, 20}},
                  {"o2", 0, {}, 50, {}, 0, 0, OriginPlacement::cell, {3, 12}}};
    ServiceInputs service;
    service.spec.id = "s";
    service.spec.threshold_min = 30;
    in.services.push_back(service);
    AccessTable access(1, 2);
    access.set(0, 0, 600, 0);                              // 1 min: within
    access.set(0, 1, unreachable_ds, invalid_index);       // unreachable: beyond
    const StudyResults r = aggregate(in, access);
    CHECK(r.zones[0][0].group_population == std::vector<double>{10, 32});
    CHECK(r.zones[0][0].group_population_over == std::vector<double>{3, 12});
    REQUIRE(r.summary.size() == 2);  // study + zone
    CHECK(r.summary[0].group_population == std::vector<double>{10, 32});
    CHECK(r.summary[0].group_population_over == std::vector<double>{3, 12});
}
