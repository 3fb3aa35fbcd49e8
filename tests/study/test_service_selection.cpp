// Services that count the right places: the catalogue's schools by level (music, dance, language
// and driving schools left out), hospitals without an emergency tag listed and counted on request,
// and the nested or strict reading of the pôles' levels.

#include <algorithm>
#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "proxima/analysis/pole_access.hpp"
#include "proxima/core/error.hpp"
#include "proxima/osm/osm_features.hpp"
#include "proxima/study/study_inputs.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/services.hpp"

using namespace proxima;
using Catch::Matchers::Contains;
using Tags = std::vector<std::pair<std::string, std::string>>;

namespace {

using test::service;

const ServiceSpec& catalogue_service(const std::vector<ServiceSpec>& catalogue, const std::string& id) {
    const auto it = std::find_if(catalogue.begin(), catalogue.end(), [&](const ServiceSpec& s) { return s.id == id; });
    REQUIRE(it != catalogue.end());
    return *it;
}

/// Whether any of the service's OSM selectors matches the tags (the service's "|" of selectors).
bool counts(const ServiceSpec& spec, const Tags& tags) {
    return std::any_of(spec.osm_selectors.begin(), spec.osm_selectors.end(),
                       [&](const std::string& s) { return TagSelector::parse(s).matches(tags); });
}

/// The study file `name` of data/studies with its graph cache in `dir` and `extra` appended.
StudyFile bundled(const std::string& name, const std::filesystem::path& dir, const std::string& extra = "") {
    const auto path = test::data_file("studies/" + name + ".toml");
    std::string text = test::read_text(path);
    const auto graph_line = text.find("graph = ");
    text.replace(graph_line, text.find('\n', graph_line) - graph_line,
                 "graph = \"" + (dir / (name + ".pxg")).string() + "\"");
    return parse_study(text + extra, path);
}

} // namespace

TEST_CASE("école, collège, lycée: each counts the schools of its level, no music or driving school", "[study]") {
    const auto catalogue = builtin_service_catalogue();
    const ServiceSpec& ecole = catalogue_service(catalogue, "ecole");
    const ServiceSpec& college = catalogue_service(catalogue, "college");
    const ServiceSpec& lycee = catalogue_service(catalogue, "lycee");
    struct Case {
        Tags tags;
        bool ecole, college, lycee;
    };
    const std::vector<Case> cases{
        {{{"amenity", "school"}, {"school:FR", "maternelle"}}, true, false, false},
        {{{"amenity", "school"}, {"school:FR", "élémentaire"}}, true, false, false},
        {{{"amenity", "school"}, {"school:FR", "primaire"}}, true, false, false},
        {{{"amenity", "school"}, {"school:FR", "collège"}}, false, true, false},
        {{{"amenity", "school"}, {"school:FR", "lycée"}}, false, false, true},
        {{{"amenity", "school"}, {"school:FR", "secondaire"}}, false, false, false},
        {{{"amenity", "school"}, {"school:FR", "primaire;collège"}}, true, true, false},  // both levels
        {{{"amenity", "school"}, {"isced:level", "0;1"}}, true, false, false},
        {{{"amenity", "school"}, {"isced:level", "2"}}, false, true, false},
        {{{"amenity", "school"}, {"isced:level", "3"}}, false, false, true},
        {{{"amenity", "school"}, {"school:FR", "collège"}, {"isced:level", "1"}}, false, true, false},  // school:FR decides
        {{{"amenity", "school"}}, true, false, false},  // level not said: kept as an école
        {{{"amenity", "school"}, {"school", "music"}}, false, false, false},
        {{{"amenity", "school"}, {"school", "dance"}}, false, false, false},
        {{{"amenity", "school"}, {"school", "language"}}, false, false, false},
        {{{"amenity", "music_school"}}, false, false, false},
        {{{"amenity", "driving_school"}}, false, false, false},
        {{{"amenity", "language_school"}}, false, false, false},
        {{{"amenity", "dancing_school"}}, false, false, false},
    };
    for (const auto& c : cases) {
        std::string tags;
        for (const auto& [k, v] : c.tags) {
            tags += k + "=" + v + " ";
        }
        INFO(tags);
        CHECK(counts(ecole, c.tags) == c.ecole);
        CHECK(counts(college, c.tags) == c.college);
        CHECK(counts(lycee, c.tags) == c.lycee);
    }
}

TEST_CASE("in Nantes's OSM extract, no école is also counted as a collège or a lycée", "[study][osm]") {
    // Nantes 2014 tags most schools with school:FR (maternelle, élémentaire, primaire, collège,
    // lycée, secondaire), a few with isced:level, and has driving schools.
    const auto catalogue = builtin_service_catalogue();
    std::vector<TagSelector> selectors;
    std::vector<std::string> owner;
    for (const char* id : {"ecole", "college", "lycee"}) {
        for (const auto& s : catalogue_service(catalogue, id).osm_selectors) {
            selectors.push_back(TagSelector::parse(s));
            owner.emplace_back(id);
        }
    }
    selectors.push_back(TagSelector::parse("amenity=school"));
    owner.emplace_back("any school");
    const auto found = extract_osm_features(test::data_file("osm/nantes-centre-2014.osm.pbf"), selectors);
    std::map<std::string, std::set<std::string>> ids;
    for (std::size_t i = 0; i < selectors.size(); ++i) {
        for (const auto& f : found[i]) {
            ids[owner[i]].insert(f.osm_id);
        }
    }
    REQUIRE_FALSE(ids["ecole"].empty());
    REQUIRE_FALSE(ids["college"].empty());
    REQUIRE_FALSE(ids["lycee"].empty());
    for (const auto& id : ids["ecole"]) {
        INFO(id);
        CHECK(ids["college"].count(id) == 0);
        CHECK(ids["lycee"].count(id) == 0);
        CHECK(ids["any school"].count(id) == 1);  // only amenity=school objects
    }
    // Some schools are neither (secondaire, supérieur...): the three together are fewer.
    CHECK(ids["ecole"].size() + ids["college"].size() + ids["lycee"].size() < ids["any school"].size());
}

TEST_CASE("urgences: hospitals without an emergency tag are listed, and counted on request", "[study]") {
    test::TempDir dir("urgences-unconfirmed");
    // Andorra's extract: the hospital of Nostra Senyora de Meritxell says emergency=yes; several
    // other amenity=hospital objects say nothing of it, among them "Urgències del Pas", the
    // emergency point of El Pas de la Casa.
    const StudyInputs in = load_study_inputs(bundled("andorra", dir.path()));
    const ServiceInputs& urgences = service(in, "urgences");
    REQUIRE_FALSE(urgences.unconfirmed.empty());
    const auto pas = std::find_if(urgences.unconfirmed.begin(), urgences.unconfirmed.end(),
                                  [](const Facility& f) { return f.name == "Urgències del Pas"; });
    REQUIRE(pas != urgences.unconfirmed.end());
    CHECK(pas->source == "osm:node/4942543822");
    for (const auto& f : urgences.unconfirmed) {
        CHECK(std::none_of(urgences.facilities.begin(), urgences.facilities.end(),
                           [&](const Facility& g) { return g.id == f.id; }));
    }
    const std::string inspection = format_inspection(in);
    CHECK_THAT(inspection, Contains("Urgències del Pas"));
    CHECK_THAT(inspection, Contains("NOT counted; to count them, set include_hospitals_without_emergency = true in "
                                    "[services.urgences]"));

    const StudyInputs with = load_study_inputs(
        bundled("andorra", dir.path(), "\n[services.urgences]\ninclude_hospitals_without_emergency = true\n"));
    const ServiceInputs& counted = service(with, "urgences");
    // Every one counted, but those farther than max_snap_m from a road: left out with a warning.
    const auto far = static_cast<std::size_t>(std::count_if(
        with.warnings.begin(), with.warnings.end(),
        [](const std::string& w) { return w.find("a hospital without emergency tag") != std::string::npos; }));
    CHECK(far < urgences.unconfirmed.size());
    CHECK(counted.facilities.size() == urgences.facilities.size() + urgences.unconfirmed.size() - far);
    CHECK(counted.from_osm == urgences.from_osm + urgences.unconfirmed.size() - far);
    CHECK(counted.snaps.size() == counted.facilities.size());
    CHECK(std::any_of(counted.facilities.begin(), counted.facilities.end(),
                      [](const Facility& f) { return f.name == "Urgències del Pas"; }));
    CHECK_THAT(format_inspection(with), Contains("counted as sites (include_hospitals_without_emergency = true)"));
}

TEST_CASE("include_hospitals_without_emergency is refused on a service that lists no such hospitals", "[study]") {
    const auto path = test::data_file("studies/andorra.toml");
    std::string text = test::read_text(path) + "\n[services.pharmacie]\ninclude_hospitals_without_emergency = true\n";
    REQUIRE_THROWS_WITH(parse_study(text, path), Contains("applies to services whose catalogue entry lists hospitals"));
    text = test::read_text(path) + "\n[services.urgences]\ninclude_hospitals_without_emergency = \"yes\"\n";
    REQUIRE_THROWS_AS(parse_study(text, path), ConfigError);
}

TEST_CASE("pôles: access to a level counts the levels above it (nested), or only its own (strict)", "[study][poles]") {
    test::TempDir dir("poles-nested");
    const StudyInputs nested = load_study_inputs(bundled("andorra", dir.path()));
    const StudyInputs strict = load_study_inputs(bundled("andorra", dir.path(), "nested = false\n"));  // in [poles]
    REQUIRE(nested.poles);
    REQUIRE(strict.poles);
    CHECK(nested.poles->nested);
    CHECK_FALSE(strict.poles->nested);
    // The pole_intermediaire service leads to intermediate poles, and superior ones when nested.
    std::size_t intermediate = 0;
    std::size_t intermediate_or_superior = 0;
    for (const auto& c : nested.poles->communes) {
        intermediate += c.is_pole(Gamme::intermediaire) ? 1 : 0;
        intermediate_or_superior += c.is_pole(Gamme::intermediaire) || c.is_pole(Gamme::superieure) ? 1 : 0;
    }
    CHECK(service(nested, "pole_intermediaire").facilities.size() == intermediate_or_superior);
    CHECK(service(strict, "pole_intermediaire").facilities.size() == intermediate);
    // The same through the pole access of run (one search per level).
    const PoleAccess a = compute_pole_access(nested, 1);
    const PoleAccess b = compute_pole_access(strict, 1);
    REQUIRE(a.gammes == b.gammes);
    for (std::size_t k = 0; k < a.gammes.size(); ++k) {
        std::size_t served_nested = 0;
        std::size_t served_strict = 0;
        for (const auto& c : nested.poles->communes) {
            served_nested += nested.poles->serves(c, a.gammes[k]) ? 1 : 0;
            served_strict += c.is_pole(a.gammes[k]) ? 1 : 0;
        }
        CHECK(a.poles[k] + a.unsnapped >= served_nested);
        CHECK(b.poles[k] <= served_strict);
        // More destinations, never a longer time.
        for (std::size_t o = 0; o < nested.origins.size(); ++o) {
            CHECK(a.times.time_ds(k, o) <= b.times.time_ds(k, o));
        }
    }
    CHECK_THAT(nested.poles->reading(), Contains("nested"));
    CHECK_THAT(strict.poles->reading(), Contains("strict"));
    CHECK_THAT(format_poles(*strict.poles), Contains("access ([poles] nested = false): strict"));
    CHECK_THAT(format_poles(*nested.poles), Contains("access ([poles] nested = true): nested"));
}

TEST_CASE("the nested reading: a pole of a higher gamme serves the lower ones, never the reverse", "[study][poles]") {
    PoleClassification p;
    PoleCommune superior;
    superior.counts.is_pole = {false, false, true};  // qualifies only as supérieure
    PoleCommune proximity;
    proximity.counts.is_pole = {true, false, false};
    p.nested = true;
    CHECK(p.serves(superior, Gamme::proximite));
    CHECK(p.serves(superior, Gamme::intermediaire));
    CHECK(p.serves(superior, Gamme::superieure));
    CHECK(p.serves(proximity, Gamme::proximite));
    CHECK_FALSE(p.serves(proximity, Gamme::intermediaire));
    p.nested = false;
    CHECK_FALSE(p.serves(superior, Gamme::intermediaire));
    CHECK(p.serves(superior, Gamme::superieure));
    CHECK(p.serves(proximity, Gamme::proximite));
}
