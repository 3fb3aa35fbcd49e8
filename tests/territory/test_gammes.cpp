// Gammes files, the pole rule and BPE count tables, checked by hand on small fixtures and on the
// bundled INSEE count tables.

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "proxima/core/error.hpp"
#include "proxima/territory/bpe_counts.hpp"
#include "proxima/territory/gammes.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;
using proxima::test::data_file;
using proxima::test::fixture;

namespace {

std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

GammeSet test_gammes() { return load_gammes(fixture("poles/gammes-test.toml").string()); }

std::array<std::vector<bool>, 3> flags(const GammeSet& set, std::initializer_list<const char*> present_ids) {
    std::array<std::vector<bool>, 3> out;
    for (Gamme g : all_gammes) {
        const auto& items = set[g].items;
        for (const auto& item : items) {
            bool p = false;
            for (const char* id : present_ids) {
                p = p || item.id == id;
            }
            out[static_cast<std::size_t>(g)].push_back(p);
        }
    }
    return out;
}

} // namespace

TEST_CASE("built-in gammes: proximité complete, the others declared without items", "[territory][gammes]") {
    const GammeSet& insee = builtin_gammes_insee_2025();
    CHECK(insee.year == 2025);
    CHECK_FALSE(insee.osm_approximation);
    CHECK(insee[Gamme::proximite].items.size() == 26);
    CHECK(insee[Gamme::proximite].complete());
    CHECK(insee[Gamme::proximite].pole_threshold() == 13);
    std::size_t codes = 0;
    for (const auto& item : insee[Gamme::proximite].items) {
        codes += item.bpe_codes.size();
    }
    CHECK(codes == 32);  // SOURCES.md: 32 codes for 26 items
    CHECK_FALSE(insee[Gamme::intermediaire].complete());
    CHECK(insee[Gamme::intermediaire].published_items == 48);
    CHECK_FALSE(insee[Gamme::superieure].complete());

    const GammeSet& osm = builtin_gammes_osm();
    CHECK(osm.osm_approximation);
    for (Gamme g : all_gammes) {
        CHECK(osm[g].complete());
        for (const auto& item : osm[g].items) {
            CHECK_FALSE(item.osm_selectors.empty());
        }
    }
}

TEST_CASE("pole rule: at least half of the items, boundaries", "[territory][gammes]") {
    const GammeSet set = test_gammes();
    REQUIRE(set[Gamme::intermediaire].pole_threshold() == 2);  // 2 of 4: exactly half
    REQUIRE(set[Gamme::superieure].pole_threshold() == 2);     // 3 items: half rounded up

    auto half = classify_items(set, flags(set, {"ecole_maternelle", "college"}));
    CHECK(half.items_present[1] == 2);
    CHECK(half.is_pole[1]);
    CHECK(half.level() == Gamme::intermediaire);

    auto under = classify_items(set, flags(set, {"college", "boulangerie"}));
    CHECK(under.items_present[1] == 1);
    CHECK_FALSE(under.is_pole[1]);
    CHECK_FALSE(under.level().has_value());

    // One of three superior items is under half; two is at least half.
    CHECK_FALSE(classify_items(set, flags(set, {"lycee"})).is_pole[2]);
    auto sup = classify_items(set, flags(set, {"lycee", "maternite"}));
    CHECK(sup.is_pole[2]);
    CHECK_FALSE(sup.is_pole[1]);  // each gamme on its own
    CHECK(sup.level() == Gamme::superieure);

    // An incomplete gamme is never a pole, whatever is present.
    const GammeSet& insee = builtin_gammes_insee_2025();
    std::array<std::vector<bool>, 3> all;
    for (Gamme g : all_gammes) {
        all[static_cast<std::size_t>(g)].assign(insee[g].items.size(), true);
    }
    auto c = classify_items(insee, all);
    CHECK(c.is_pole[0]);
    CHECK_FALSE(c.is_pole[1]);
    CHECK(c.level() == Gamme::proximite);
}

TEST_CASE("gammes files: errors name the file, the key and the fix", "[territory][gammes]") {
    const std::string base = read_text(fixture("poles/gammes-test.toml"));
    auto fails_with = [&](const std::string& from, const std::string& to, const std::string& expected) {
        std::string text = base;
        const auto at = text.find(from);
        REQUIRE(at != std::string::npos);
        text.replace(at, from.size(), to);
        CHECK_THROWS_WITH(parse_gammes(text, "g.toml"), Catch::Contains(expected) && Catch::Contains("g.toml"));
    };
    fails_with(R"(bpe = ["C201"])", R"(bpe = ["Z999"])", "Z999");
    fails_with(R"(bpe = ["C201"])", R"(bpe = ["C101"])", "two items");
    fails_with(R"({ id = "college")", R"({ id = "ecole_maternelle")", "given twice");
    fails_with("published_items = 3", "published_items = 2", "published_items = 2");
    fails_with(R"(kind = "bpe")", R"(kind = "insee")", "gammes.kind");
    fails_with(R"(bpe = ["A104"] })", R"(osm = ["amenity=police &"] })", "gendarmerie");
    CHECK_THROWS_AS(load_gammes("/nonexistent/gammes.toml"), InputError);
}

TEST_CASE("BPE count tables: wide and long layouts", "[territory][gammes][bpe]") {
    const BpeCounts wide = read_bpe_counts(fixture("poles/bpe-counts-wide.csv"));
    CHECK(wide.layout == "wide");
    CHECK(wide.rows_read == 4);
    CHECK(wide.types.size() == 14);
    CHECK(wide.by_commune.at("06012").at("D201") == 10);
    CHECK(wide.by_commune.at("06012").count("D107") == 0);  // zero is not stored
    CHECK(wide.by_commune.at("06059").at("B101") == 1);

    const BpeCounts lng = read_bpe_counts(fixture("poles/bpe-counts-long.csv"));
    CHECK(lng.layout == "long");
    CHECK(lng.by_commune.size() == 2);              // the département row is not a commune
    CHECK(lng.by_commune.at("06012").at("D265") == 10);
    CHECK(lng.by_commune.at("06032").count("D265") == 0);

    // The bundled INSEE tables (quoted header, codes kept as text).
    BpeCounts medecins = read_bpe_counts(data_file("bpe/bpe-D201-medecins-generalistes-par-commune.csv"));
    CHECK(medecins.rows_read == 9529);
    CHECK(medecins.by_commune.at("01004").at("D201") == 24);
    CHECK(medecins.by_commune.at("01005").at("D201") == 2);
    REQUIRE(medecins.warnings.size() == 1);  // INSEE's extract repeats 58062,3 on lines 5477-5478
    CHECK_THAT(medecins.warnings[0], Catch::Contains(":5478") && Catch::Contains("58062"));
    CHECK(medecins.by_commune.at("58062").at("D201") == 3);
    const BpeCounts maternites = read_bpe_counts(data_file("bpe/bpe-D107-maternites-par-commune.csv"));
    CHECK(maternites.by_commune.at("01004").at("D107") == 1);
    merge_bpe_counts(medecins, maternites, "D201", "D107");
    CHECK(medecins.types == std::set<std::string>{"D107", "D201"});
    CHECK(medecins.by_commune.at("01004").size() == 2);
    CHECK_THROWS_WITH(merge_bpe_counts(medecins, maternites, "a", "b"), Catch::Contains("D107"));
}

TEST_CASE("BPE count tables: bad files are refused with file and line", "[territory][gammes][bpe]") {
    proxima::test::TempDir dir("poles");
    auto write = [&](const char* name, const char* text) {
        std::ofstream(dir.path() / name) << text;
        return dir.path() / name;
    };
    CHECK_THROWS_WITH(read_bpe_counts(write("a.csv", "CODGEO,NB_D201\n1004,3\n")),
                      Catch::Contains("a.csv:2") && Catch::Contains("leading zero"));
    CHECK_THROWS_WITH(read_bpe_counts(write("b.csv", "CODGEO,NB_D201\n01004,-1\n")), Catch::Contains("b.csv:2"));
    CHECK_THROWS_WITH(read_bpe_counts(write("c.csv", "CODGEO,NB_X999\n01004,1\n")), Catch::Contains("X999"));
    CHECK_THROWS_WITH(read_bpe_counts(write("d.csv", "CODE,COUNT\n01004,1\n")), Catch::Contains("CODGEO"));
    CHECK_THROWS_WITH(read_bpe_counts(write("e.csv", "CODGEO,NB_D201\n01004,1\n01004,2\n")),
                      Catch::Contains("e.csv:3") && Catch::Contains("other counts"));
    CHECK_THROWS_WITH(read_bpe_counts(write("f.csv", "GEO;GEO_OBJECT;FACILITY_TYPE;BPE_MEASURE;TIME_PERIOD;OBS_VALUE\n"
                                                     "01004;COM;D265;FACILITIES;2024;1\n01005;COM;D265;FACILITIES;2025;1\n")),
                      Catch::Contains("several years"));
    CHECK_THROWS_AS(read_bpe_counts(dir.path() / "missing.csv"), InputError);
}
