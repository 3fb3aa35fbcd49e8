#include <algorithm>
#include <fstream>
#include <numeric>
#include <set>

#include <catch2/catch.hpp>

#include "proxima/core/error.hpp"
#include "proxima/study/study_inputs.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/services.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

namespace {

using test::read_text;
using test::service;

/// A bundled study with its graph cache redirected to `cache` and `extra` appended; relative paths
/// still resolve against data/studies/.
StudyFile bundled_study(const std::string& name, const std::filesystem::path& cache, const std::string& extra = "",
                        const std::string& replace_from = "", const std::string& replace_to = "") {
    const auto path = test::data_file("studies/" + name + ".toml");
    std::string text = read_text(path);
    const auto graph_line = text.find("graph = ");
    text.replace(graph_line, text.find('\n', graph_line) - graph_line, "graph = \"" + cache.string() + "\"");
    if (!replace_from.empty()) {
        text.replace(text.find(replace_from), replace_from.size(), replace_to);
    }
    return parse_study(text + extra, path);
}

double placed(const StudyInputs& in) {
    return std::accumulate(in.origins.begin(), in.origins.end(), 0.0,
                           [](double sum, const Origin& o) { return sum + o.population; });
}
double unplaced(const StudyInputs& in) {
    return std::accumulate(in.unplaced_population.begin(), in.unplaced_population.end(), 0.0,
                           [](double sum, const UnplacedPopulation& u) { return sum + u.population; });
}

} // namespace

TEST_CASE("the Riviera study: three French communes, their INSEE population, services from OSM", "[study]") {
    test::TempDir dir("riviera");
    const auto in = load_study_inputs(bundled_study("riviera", dir.path() / "riviera.pxg"));
    REQUIRE(in.zones.zones.size() == 3);
    CHECK(in.join.matched == 3);
    // Populations municipales 2026 (communes-2026.csv): Beausoleil 11 936, Cap-d'Ail 4 482,
    // La Turbie 3 045.
    CHECK(in.population_total == 19463);
    CHECK(placed(in) == 19463);
    CHECK(in.unplaced_population.empty());
    REQUIRE(in.origins.size() == 3);
    for (const auto& o : in.origins) {
        CHECK(o.snap.distance_m < 300);  // reference points are in town, near a street
    }
    // Counted independently with osmium-tool (tags-filter) on the extract.
    CHECK(service(in, "pharmacie").facilities.size() == 22);  // 23 amenity=pharmacy, one with dispensing=no
    // The only object tagged emergency=yes in this 2016 extract is in Monaco (node 1794111144).
    REQUIRE(service(in, "urgences").facilities.size() == 1);
    CHECK(service(in, "urgences").facilities[0].name == "Centre Cardio Thoracique de Monaco");
    CHECK(service(in, "urgences").facilities[0].source == "osm:node/1794111144");
    CHECK(std::filesystem::exists(dir.path() / "riviera.pxg"));
    // Origins -> communes -> EPCI -> département add up: Beausoleil and La Turbie are in the
    // CA de la Riviera Française, Cap-d'Ail in the Métropole Nice Côte d'Azur.
    const auto r = reconcile_population(in);
    REQUIRE(r.by_epci.size() == 2);
    CHECK(r.by_epci[0].code == "200030195");
    CHECK(r.by_epci[0].population == 4482);
    CHECK(r.by_epci[1].name == "CA de la Riviera Française");
    CHECK(r.by_epci[1].population == 11936 + 3045);
    REQUIRE(r.by_departement.size() == 1);
    CHECK(r.by_departement[0].population == 19463);
    CHECK(r.no_commune == 0);
    // Second load uses the cache.
    const auto again = load_study_inputs(bundled_study("riviera", dir.path() / "riviera.pxg"));
    CHECK_THAT(again.graph_origin, Contains("loaded from"));
    CHECK(again.graph().node_count() == in.graph().node_count());
}

TEST_CASE("the Andorra study: parishes from OSM, settlements as origins, unplaced population reported", "[study]") {
    test::TempDir dir("andorra");
    const auto in = load_study_inputs(bundled_study("andorra", dir.path() / "andorra.pxg"));
    REQUIRE(in.zones.zones.size() == 7);
    std::set<std::string> names;
    for (const auto& z : in.zones.zones) {
        names.insert(z.name);
    }
    CHECK(names == std::set<std::string>{"Andorra la Vella", "Canillo", "Encamp", "Escaldes-Engordany", "La Massana",
                                         "Ordino", "Sant Julià de Lòria"});
    // data/andorra/poblacions-2010.csv: 44 settlements, 85 015 inhabitants; Incles (663),
    // El Vilar (11) and Santa Coloma d'Andorra (2 979) have no coordinates.
    CHECK(in.population_total == 85015);
    CHECK(in.origins.size() == 41);
    CHECK(unplaced(in) == 3653);
    CHECK(placed(in) + unplaced(in) == in.population_total);
    REQUIRE(in.unplaced_population.size() == 3);
    CHECK_THAT(in.unplaced_population[0].what, Contains("Incles") && Contains("poblacions-2010.csv:5"));
    // One hospital tagged emergency=yes in the extract (osmium tags-filter).
    REQUIRE(service(in, "urgences").facilities.size() == 1);
    CHECK(service(in, "urgences").facilities[0].name == "Hospital de Nostra Senyora de Meritxell");
    CHECK(service(in, "pharmacie").facilities.size() == 30);
}

TEST_CASE("a stale graph cache is rebuilt, with a warning", "[study]") {
    test::TempDir dir("stale");
    const auto cache = dir.path() / "graph.pxg";
    (void)load_study_inputs(bundled_study("andorra", cache));  // cache of Andorra...
    std::vector<std::string> warnings;
    const Log log([&](LogLevel level, const std::string& m) {
        if (level == LogLevel::warning) {
            warnings.push_back(m);
        }
    });
    const auto in = load_study_inputs(bundled_study("riviera", cache), log);  // ...used for Riviera
    CHECK_THAT(in.graph_origin, Contains("rebuilt"));
    REQUIRE_FALSE(warnings.empty());
    CHECK_THAT(warnings.front(), Contains("stale"));
}

TEST_CASE("study inputs that cannot give a correct result are refused with the fix", "[study]") {
    test::TempDir dir("study-bad");
    const auto cache = dir.path() / "g.pxg";
    SECTION("a service with no facility") {
        REQUIRE_THROWS_WITH(load_study_inputs(bundled_study("riviera", cache,
                                                            "\n[services.maternite]\nthreshold_min = 45\n")),
                            Contains("service 'maternite'") && Contains("has no facility") &&
                                Contains("healthcare:speciality=obstetrics"));
    }
    SECTION("a facility far from every road") {
        const auto csv = dir.path() / "far.csv";
        std::ofstream(csv) << "id,name,lon,lat\nparis,Hôtel-Dieu,2.3488,48.8534\n";
        REQUIRE_THROWS_WITH(
            load_study_inputs(bundled_study("riviera", cache,
                                            "\n[services.hopital_paris]\nthreshold_min = 30\nfiles = [{ file = \"" +
                                                csv.string() + "\", crs = \"EPSG:4326\" }]\n")),
            Contains("hopital_paris") && Contains("Hôtel-Dieu") && Contains("max_snap_m"));
    }
    SECTION("a zone code that is not in the zone file") {
        REQUIRE_THROWS_WITH(load_study_inputs(bundled_study("riviera", cache, "", "\"06150\"", "\"06999\"")),
                            Contains("zones.codes lists '06999'"));
    }
    SECTION("a non-numeric population in the points file") {
        const auto csv = dir.path() / "points.csv";
        std::ofstream(csv) << "poblacio,parroquia,population_2010,lon,lat\nCanillo,Canillo,molts,1.5977647,42.5668305\n";
        REQUIRE_THROWS_WITH(load_study_inputs(bundled_study("andorra", cache, "", "../andorra/poblacions-2010.csv",
                                                            csv.string())),
                            Contains("points.csv:2") && Contains("'molts'"));
    }
}

TEST_CASE("a population grid with no road nearby is reported as not placed, never dropped", "[study]") {
    // The Lot's 1 km grid and communes against the Monaco network: every origin is hundreds of km
    // from a road of the graph, so all the population in the zones must show up as not placed.
    test::TempDir dir("grid");
    const std::string extra_from = "[zones]";
    const auto path = test::data_file("studies/riviera.toml");
    const std::string text = "[study]\nname = \"grid\"\ncog_year = 2026\n[network]\nosm = \"../osm/monaco-riviera-2016.osm.pbf\"\n"
                             "graph = \"" + (dir.path() / "g.pxg").string() + "\"\n"
                             "[zones]\nfile = \"../insee/communes-46-lot.geojson\"\n"
                             "[communes]\ntable = \"../insee/communes-2026.csv\"\n"
                             "[population]\ngrid = \"../filosofi/filosofi2015-carreaux-1km-lot-46.csv\"\n"
                             "[services]\nuse = [\"pharmacie\"]\n";
    const auto in = load_study_inputs(parse_study(text, path));
    REQUIRE(in.grid);
    CHECK(in.grid->cells.size() == 4595);
    CHECK(in.population_total == Approx(175098));
    CHECK(in.origins.empty());
    CHECK(unplaced(in) == Approx(175098));  // cells outside the Lot's communes + cells far from any road
    // 2018 Lot polygons vs the 2026 table: merged communes reported.
    CHECK(in.join.unmatched_zones.size() == 8);
}

TEST_CASE("reference points from a point layer, and facilities from a geolocated BPE file", "[study]") {
    test::TempDir dir("study-ref-bpe");
    // Beausoleil's and Cap-d'Ail's town halls; La Turbie is missing and falls back to its point on
    // surface. Lambert-93 coordinates from gdaltransform -s_srs EPSG:4326 -t_srs EPSG:2154 of
    // (7.4232, 43.7437) and (7.4047, 43.7213).
    const auto refs = dir.path() / "chefs-lieux.csv";
    std::ofstream(refs) << "code,lon,lat\n06012,7.4232,43.7437\n06032,7.4047,43.7213\n";
    const auto bpe = dir.path() / "bpe.csv";
    std::ofstream(bpe) << "TYPEQU;DEPCOM;DEP;LAMBERT_X;LAMBERT_Y\n"
                          "D307;06012;06;1056177.06;6303831.39\n"
                          "D307;06032;06;;\n"
                          "D265;06032;06;1054827.69;6301262.67\n";
    const auto in = load_study_inputs(bundled_study(
        "riviera", dir.path() / "g.pxg",
        "\n[origins]\nfile = \"" + refs.string() + "\"\ncrs = \"EPSG:4326\"\n",
        "use = [\"urgences\", \"pharmacie\", \"poste\", \"mairie\", \"ecole\"]",
        "from_osm = false\nbpe = \"" + bpe.string() + "\"\nuse = [\"pharmacie\"]"));
    REQUIRE(in.origins.size() == 3);
    for (const auto& o : in.origins) {
        if (o.id == "06012") {
            CHECK(o.position.lon == Approx(7.4232));
            CHECK(o.position.lat == Approx(43.7437));
        }
    }
    CHECK(std::any_of(in.warnings.begin(), in.warnings.end(),
                      [](const std::string& w) { return w.find("1 zone without a point") != std::string::npos; }));
    // With OSM off, facilities come from the BPE rows of the service's codes (D307 for pharmacie).
    const auto& pharmacie = service(in, "pharmacie");
    REQUIRE(pharmacie.facilities.size() == 1);
    CHECK(pharmacie.from_bpe == 1);
    CHECK(pharmacie.facilities[0].position.lon == Approx(7.4232).margin(1e-5));
    REQUIRE(pharmacie.unplaced.size() == 1);  // the row without coordinates: reported, not used
}
