#include <algorithm>
#include <fstream>

#include <catch2/catch.hpp>

#include "proxima/core/error.hpp"
#include "proxima/osm/osm_features.hpp"
#include "proxima/study/study_file.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

namespace {
const std::string minimal = R"([study]
name = "t"
[network]
osm = "x.osm.pbf"
[zones]
file = "z.geojson"
[services]
use = ["pharmacie"]
)";
} // namespace

TEST_CASE("the built-in catalogue holds the SDAASP services with the documents' thresholds", "[study]") {
    const auto catalogue = builtin_service_catalogue();
    auto find = [&](const std::string& id) -> const ServiceSpec& {
        for (const auto& s : catalogue) {
            if (s.id == id) {
                return s;
            }
        }
        FAIL("no service " << id);
        return catalogue.front();
    };
    CHECK(find("urgences").threshold_min == 30);
    CHECK(find("urgences").bpe_codes == std::vector<std::string>{"D106"});
    CHECK(find("smur").direction == TravelDirection::from_service);
    CHECK(find("medecin").threshold_min == 10);
    CHECK(find("medecin").bpe_codes == std::vector<std::string>{"D201", "D265"});
    CHECK(find("ecole").threshold_min == 20);
    CHECK(find("lycee").threshold_min == 60);
    CHECK(find("pharmacie").osm_selectors.size() == 1);
    CHECK(find("france_services").bpe_codes == std::vector<std::string>{"A127", "A128"});
    CHECK(catalogue.front().id == "urgences");  // file order kept
}

TEST_CASE("the catalogue's mairie has its BPE code, and its médecin keeps general practitioners only",
          "[study]") {
    const auto catalogue = builtin_service_catalogue();
    auto find = [&](const std::string& id) -> const ServiceSpec& {
        for (const auto& s : catalogue) {
            if (s.id == id) {
                return s;
            }
        }
        FAIL("no service " << id);
        return catalogue.front();
    };
    // A129 "Mairie" in data/bpe/typequ.csv (BPE 2024 nomenclature).
    CHECK(find("mairie").bpe_codes == std::vector<std::string>{"A129"});

    using Tags = std::vector<std::pair<std::string, std::string>>;
    auto counted = [&](const Tags& tags) {
        for (const auto& expression : find("medecin").osm_selectors) {
            if (TagSelector::parse(expression).matches(tags)) {
                return true;
            }
        }
        return false;
    };
    CHECK(counted({{"amenity", "doctors"}}));
    CHECK(counted({{"healthcare", "doctor"}}));
    CHECK(counted({{"amenity", "doctors"}, {"healthcare", "doctor"}, {"healthcare:speciality", "general"}}));
    CHECK(counted({{"healthcare", "doctor"}, {"healthcare:speciality", "general"}}));
    for (const char* other : {"dentist", "paediatrics", "ophthalmology", "psychiatry"}) {
        INFO(other);
        CHECK_FALSE(counted({{"amenity", "doctors"}, {"healthcare", "doctor"}, {"healthcare:speciality", other}}));
        CHECK_FALSE(counted({{"amenity", "doctors"}, {"healthcare:speciality", other}}));
    }
    CHECK_FALSE(counted({{"amenity", "dentist"}, {"healthcare", "dentist"}}));
}

TEST_CASE("the catalogue's école counts schools, not music, driving or language schools", "[study]") {
    std::vector<TagSelector> ecole;
    for (const auto& s : builtin_service_catalogue()) {
        if (s.id == "ecole") {
            for (const auto& expression : s.osm_selectors) {
                ecole.push_back(TagSelector::parse(expression));
            }
        }
    }
    REQUIRE_FALSE(ecole.empty());
    using Tags = std::vector<std::pair<std::string, std::string>>;
    auto counted = [&](const Tags& tags) {
        return std::any_of(ecole.begin(), ecole.end(), [&](const TagSelector& s) { return s.matches(tags); });
    };
    CHECK(counted({{"amenity", "school"}}));
    CHECK(counted({{"amenity", "school"}, {"school:FR", "primaire"}}));
    CHECK_FALSE(counted({{"amenity", "school"}, {"school:FR", "collège"}}));
    // OpenStreetMap tags these as amenities of their own.
    for (const char* other : {"music_school", "driving_school", "language_school"}) {
        INFO(other);
        CHECK_FALSE(counted({{"amenity", other}}));
    }
}

TEST_CASE("the bundled studies parse, with paths relative to the study file", "[study]") {
    const StudyFile riviera = load_study(test::data_file("studies/riviera.toml"));
    CHECK(riviera.name == "Riviera: Beausoleil, Cap-d'Ail, La Turbie");
    CHECK(riviera.cog_year == 2026);
    CHECK(riviera.output_crs == "EPSG:2154");
    CHECK(riviera.network.osm == test::data_file("osm/monaco-riviera-2016.osm.pbf").lexically_normal());
    CHECK(std::filesystem::exists(riviera.network.osm));
    CHECK(std::filesystem::exists(riviera.zones.file));
    CHECK(std::filesystem::exists(riviera.commune_table));
    CHECK(riviera.zones.codes.size() == 3);
    CHECK(riviera.population.source == StudyFile::Population::Source::communes);
    CHECK(riviera.origins.kind == StudyFile::Origins::Kind::reference_points);
    REQUIRE(riviera.services.size() == 5);
    CHECK(riviera.services[0].id == "urgences");
    CHECK(riviera.services[0].threshold_min == 30);

    const StudyFile andorra = load_study(test::data_file("studies/andorra.toml"));
    CHECK(andorra.zones.osm_admin_level == 7);
    CHECK(andorra.population.source == StudyFile::Population::Source::points);
    CHECK(andorra.origins.kind == StudyFile::Origins::Kind::points);
    CHECK(andorra.population.points_population_field == "population_2010");
}

TEST_CASE("services: catalogue overrides and custom services", "[study]") {
    const auto s = parse_study(minimal + R"(
[services.pharmacie]
threshold_min = 15

[services.msap_lozere]
label = "MSAP de Lozère"
threshold_min = 20
files = [{ file = "msap.csv", crs = "EPSG:4326" }]
)",
                               "/tmp/dir/study.toml");
    REQUIRE(s.services.size() == 2);
    CHECK(s.services[0].id == "pharmacie");
    CHECK(s.services[0].threshold_min == 15);
    CHECK(s.services[0].label == "Pharmacie");  // the rest from the catalogue
    CHECK(s.services[0].defined_in == "/tmp/dir/study.toml:10");
    CHECK(s.services[1].id == "msap_lozere");
    REQUIRE(s.services[1].files.size() == 1);
    CHECK(s.services[1].files[0].file == std::filesystem::path("/tmp/dir/msap.csv"));
    CHECK(s.services[1].files[0].options.crs == "EPSG:4326");
}

TEST_CASE("study file errors name the key and the line", "[study]") {
    const std::filesystem::path path = "/tmp/dir/study.toml";
    SECTION("unknown key") {
        REQUIRE_THROWS_WITH(parse_study(minimal + "[population]\nsorce = \"grid\"\n", path),
                            Contains("study.toml:10") && Contains("unknown key 'population.sorce'"));
    }
    SECTION("wrong type") {
        std::string text = minimal;
        text.replace(text.find("name = \"t\""), 10, "name = 3");
        REQUIRE_THROWS_WITH(parse_study(text, path), Contains("study.toml:2") && Contains("'study.name' must be a string"));
    }
    SECTION("unknown service") {
        std::string text = minimal;
        text.replace(text.find("pharmacie"), 9, "pharmacy");
        REQUIRE_THROWS_WITH(parse_study(text, path), Contains("unknown service 'pharmacy'") && Contains("pharmacie"));
    }
    SECTION("threshold not positive") {
        REQUIRE_THROWS_WITH(parse_study(minimal + "[services.pharmacie]\nthreshold_min = 0\n", path),
                            Contains("study.toml:10") && Contains("must be more than 0"));
        REQUIRE_THROWS_WITH(parse_study(minimal + "[services.pharmacie]\nthreshold_min = -5\n", path),
                            Contains("must be more than 0"));
    }
    SECTION("a service family that is not one of the map symbols") {
        REQUIRE_THROWS_WITH(parse_study(minimal + "[services.pharmacie]\nfamily = \"hopital\"\n", path),
                            Contains("study.toml:10") && Contains("'services.pharmacie.family' must be one of") &&
                                Contains("sante") && Contains("\"hopital\""));
        REQUIRE_THROWS_WITH(parse_study(minimal + "[services.pharmacie]\nfamily = 3\n", path),
                            Contains("services.pharmacie.family"));
        const StudyFile ok = parse_study(minimal + "[services.pharmacie]\nfamily = \"commerce\"\n", path);
        CHECK(ok.services.at(0).family == "commerce");
    }
    SECTION("custom service without source") {
        REQUIRE_THROWS_WITH(parse_study(minimal + "[services.msap]\nthreshold_min = 20\n", path),
                            Contains("no source of facilities"));
    }
    SECTION("bad service id") {
        REQUIRE_THROWS_WITH(parse_study(minimal + "[services.Pharma-2]\nthreshold_min = 20\nosm=[\"a=b\"]\n", path),
                            Contains("a-z, 0-9 and _"));
    }
    SECTION("zones from a file and from OSM at once") {
        std::string text = minimal;
        text.replace(text.find("file = \"z.geojson\""), 18, "file = \"z.geojson\"\nosm_admin_level = 8");
        REQUIRE_THROWS_WITH(parse_study(text, path), Contains("either 'file'") && Contains("not both"));
    }
    SECTION("population source without its file") {
        REQUIRE_THROWS_WITH(parse_study(minimal + "[population]\nsource = \"grid\"\n", path), Contains("no 'grid' file"));
    }
    SECTION("TOML syntax") {
        REQUIRE_THROWS_WITH(parse_study("[study\n", path), Contains("study.toml:1"));
    }
    SECTION("unknown output CRS") {
        std::string text = minimal;
        text.replace(text.find("name = \"t\""), 10, "name = \"t\"\ncrs = \"EPSG:999999\"");
        REQUIRE_THROWS_WITH(parse_study(text, path), Contains("study.toml:3") && Contains("EPSG:999999"));
    }
    SECTION("missing file") {
        REQUIRE_THROWS_AS(load_study("/nonexistent/study.toml"), InputError);
    }
}
