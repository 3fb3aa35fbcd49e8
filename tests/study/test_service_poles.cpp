// Pôles de services of a study: hand-checked classification from a BPE count table in the
// published layout, a user's list, the OSM approximation on Andorra, and the pole services.

#include <catch2/catch.hpp>

#include <fstream>

#include "proxima/core/error.hpp"
#include "proxima/study/service_poles.hpp"
#include "proxima/study/study_inputs.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;
using proxima::test::data_file;
using proxima::test::fixture;

namespace {

/// A study of the three Riviera communes with a [poles] section (absolute paths).
StudyFile riviera_with(const proxima::test::TempDir& dir, const std::string& poles, const std::string& use = "\"urgences\"") {
    const auto path = dir.path() / "study.toml";
    std::ofstream(path) << "[study]\nname = \"t\"\ncog_year = 2026\noutput = \"" << (dir.path() / "out").string()
                        << "\"\n[network]\nosm = \"" << data_file("osm/monaco-riviera-2016.osm.pbf").string()
                        << "\"\ngraph = \"" << (dir.path() / "g.pxg").string() << "\"\n[zones]\nfile = \""
                        << data_file("insee/communes-06-alpes-maritimes.geojson").string()
                        << "\"\ncodes = [\"06012\", \"06032\", \"06150\"]\n[communes]\ntable = \""
                        << data_file("insee/communes-2026.csv").string()
                        << "\"\n[population]\nsource = \"communes\"\n[services]\nuse = [" << use << "]\n[poles]\n"
                        << poles;
    return load_study(path);
}

const PoleCommune& commune(const PoleClassification& p, const std::string& code) {
    for (const auto& c : p.communes) {
        if (c.code == code) {
            return c;
        }
    }
    FAIL("no commune " << code);
    throw 0;
}

std::string counts_section() {
    return "source = \"bpe_counts\"\ncounts = [\"" + fixture("poles/bpe-counts-wide.csv").string() + "\"]\ngammes = \"" +
           fixture("poles/gammes-test.toml").string() + "\"\n";
}

} // namespace

TEST_CASE("poles from a BPE count table: hand-checked levels", "[study][poles]") {
    proxima::test::TempDir dir("poles");
    const auto poles = classify_study_poles(riviera_with(dir, counts_section()), {Gamme::intermediaire});
    CHECK(poles.source == "bpe_counts");
    CHECK_FALSE(poles.approximation);
    CHECK(poles.classified == std::array<bool, 3>{true, true, true});

    // Beausoleil: 4/4 proximity; maternelle (C101 + C102, one item) + supermarché = 2/4, exactly
    // half: intermediate pole; lycée alone = 1/3 superior: not.
    const auto& beausoleil = commune(poles, "06012");
    CHECK(beausoleil.in_study);
    CHECK(beausoleil.counts.items_present == std::array<std::size_t, 3>{4, 2, 1});
    CHECK(beausoleil.is_pole(Gamme::proximite));
    CHECK(beausoleil.is_pole(Gamme::intermediaire));
    CHECK_FALSE(beausoleil.is_pole(Gamme::superieure));
    CHECK(beausoleil.level == Gamme::intermediaire);
    CHECK(beausoleil.destination_kind == "point on surface");

    // Cap-d'Ail: C101 and C102 are one item, counted once: 1/4, no intermediate pole; 2/4
    // proximity (half): proximity pole.
    const auto& cap = commune(poles, "06032");
    CHECK(cap.counts.items_present == std::array<std::size_t, 3>{2, 1, 0});
    CHECK(cap.level == Gamme::proximite);

    // La Turbie: one doctor, no pole.
    CHECK_FALSE(commune(poles, "06150").level.has_value());

    // Èze, in the buffer: superior (3/3) and intermediate (2/4), but no proximity item.
    const auto& eze = commune(poles, "06059");
    CHECK_FALSE(eze.in_study);
    CHECK(eze.level == Gamme::superieure);
    CHECK(eze.is_pole(Gamme::intermediaire));
    CHECK_FALSE(eze.is_pole(Gamme::proximite));

    CHECK(poles.pole_counts(true) == std::array<std::size_t, 3>{2, 1, 0});
    CHECK(poles.pole_counts(false) == std::array<std::size_t, 3>{2, 2, 1});
    const std::string text = format_poles(poles);
    CHECK_THAT(text, Catch::Contains("pôles intermédiaires: 1 in the study area, 1 within 15 km"));
    CHECK_THAT(text, Catch::Contains("06059 Èze (buffer)"));
}

TEST_CASE("pole services: the poles feed a study, from the buffer too", "[study][poles]") {
    proxima::test::TempDir dir("poles");
    const StudyFile study = riviera_with(dir, counts_section(), "\"pole_intermediaire\", \"pole_superieur\"");
    const StudyInputs in = load_study_inputs(study);
    REQUIRE(in.poles);
    REQUIRE(in.services.size() == 2);
    std::vector<std::string> ids;
    for (const auto& f : in.services[0].facilities) {
        ids.push_back(f.id);
    }
    CHECK(ids == std::vector<std::string>{"pole:06012", "pole:06059"});
    REQUIRE(in.services[1].facilities.size() == 1);
    CHECK(in.services[1].facilities[0].name == "Èze");
    CHECK(in.services[1].spec.threshold_min == 30);
}

TEST_CASE("poles: a gamme that cannot be classified is refused with the ways out", "[study][poles]") {
    proxima::test::TempDir dir("poles");
    // Built-in INSEE 2025 gammes: the intermediate items are unknown.
    const StudyFile study = riviera_with(dir, "source = \"bpe_counts\"\ncounts = [\"" +
                                                  data_file("bpe/bpe-D201-medecins-generalistes-par-commune.csv").string() +
                                                  "\"]\n");
    CHECK_THROWS_WITH(classify_study_poles(study, {Gamme::intermediaire}),
                      Catch::Contains("lists 0 of its 48 items") && Catch::Contains("source = \"list\"") &&
                          Catch::Contains("source = \"osm\""));
    // Not required: reported, not an error; proximity needs codes the table does not have.
    const auto poles = classify_study_poles(study, {});
    CHECK(poles.classified == std::array<bool, 3>{false, false, false});
    CHECK_FALSE(poles.warnings.empty());
}

TEST_CASE("poles from a user's list, bad lists name the line", "[study][poles]") {
    proxima::test::TempDir dir("poles");
    const auto poles = classify_study_poles(
        riviera_with(dir, "source = \"list\"\nlist = \"" + fixture("poles/pole-list.csv").string() + "\"\n"),
        {Gamme::intermediaire});
    CHECK(commune(poles, "06012").level == Gamme::intermediaire);
    CHECK(commune(poles, "06012").is_pole(Gamme::proximite));  // a level implies the lower ones
    CHECK(commune(poles, "06059").is_pole(Gamme::intermediaire));
    CHECK_FALSE(commune(poles, "06032").level.has_value());

    std::ofstream(dir.path() / "bad.csv") << "code,level\n06012,intermediaire\n99999,superieure\n";
    CHECK_THROWS_WITH(classify_study_poles(riviera_with(dir, "source = \"list\"\nlist = \"" +
                                                                 (dir.path() / "bad.csv").string() + "\"\n"),
                                           {}),
                      Catch::Contains("bad.csv:3") && Catch::Contains("99999"));
    std::ofstream(dir.path() / "bad2.csv") << "code,level\n06012,moyen\n";
    CHECK_THROWS_WITH(classify_study_poles(riviera_with(dir, "source = \"list\"\nlist = \"" +
                                                                 (dir.path() / "bad2.csv").string() + "\"\n"),
                                           {}),
                      Catch::Contains("bad2.csv:2") && Catch::Contains("moyen"));
}

TEST_CASE("poles from OpenStreetMap on Andorra: an approximation, said so", "[study][poles]") {
    const StudyFile study = load_study(data_file("studies/andorra.toml"));
    const auto poles = classify_study_poles(study, {Gamme::intermediaire});
    CHECK(poles.approximation);
    CHECK_THAT(format_poles(poles), Catch::Contains("APPROXIMATION"));
    CHECK(poles.communes.size() == 7);
    // Escaldes-Engordany, the commercial centre of the country, is an intermediate pole; Canillo
    // and Ordino, mountain parishes, are no pole of any level.
    bool escaldes = false;
    for (const auto& c : poles.communes) {
        if (c.name == "Escaldes-Engordany") {
            escaldes = c.is_pole(Gamme::intermediaire);
            CHECK(c.destination_kind == "centre of its equipment");
        }
        if (c.name == "Canillo" || c.name == "Ordino") {
            CHECK_FALSE(c.level.has_value());
        }
    }
    CHECK(escaldes);
}

TEST_CASE("[poles] section: bad settings name the key and the fix", "[study][poles]") {
    proxima::test::TempDir dir("poles-config");
    auto fails = [&](const std::string& poles, const std::string& expected) {
        CHECK_THROWS_WITH(riviera_with(dir, poles), Catch::Contains(expected) && Catch::Contains("study.toml"));
    };
    fails("source = \"insee\"\n", "'poles.source' must be");
    fails("source = \"bpe_counts\"\n", "poles.counts");
    fails("source = \"list\"\n", "poles.list");
    fails("source = \"bpe\"\n", "no BPE file");
    fails("buffer_km = -1\n", "poles.buffer_km");
    fails("radius = 3\n", "unknown key 'poles.radius'");
    // A missing gammes file or count table is an input error naming it.
    CHECK_THROWS_AS(classify_study_poles(riviera_with(dir, "source = \"osm\"\ngammes = \"/nonexistent.toml\"\n"), {}),
                    InputError);
    CHECK_THROWS_AS(classify_study_poles(riviera_with(dir, "source = \"bpe_counts\"\ncounts = [\"/nonexistent.csv\"]\n"),
                                         {}),
                    InputError);
}
