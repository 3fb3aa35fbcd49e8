// Study inputs that used to give silent wrong numbers or destroy a file (issue: hardening).

#include <fstream>
#include <limits>

#include <catch2/catch.hpp>

#include "proxima/core/error.hpp"
#include "proxima/core/sha256.hpp"
#include "proxima/study/study_inputs.hpp"
#include "proxima/study/time_limits.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

namespace {

using test::read_text;

/// The Andorra study reading its settlements from `points` (relative paths resolve in data/studies).
StudyFile andorra_with_points(const std::filesystem::path& points, const std::filesystem::path& cache) {
    const auto path = test::data_file("studies/andorra.toml");
    std::string text = read_text(path);
    const auto g = text.find("graph = ");
    text.replace(g, text.find('\n', g) - g, "graph = \"" + cache.string() + "\"");
    const std::string from = "../andorra/poblacions-2010.csv";
    text.replace(text.find(from), from.size(), points.string());
    const std::string pole = ", \"pole_intermediaire\"";  // keeps the test to the population
    text.replace(text.find(pole), pole.size(), "");
    return parse_study(text, path);
}

/// The Riviera study with its commune table replaced by `table`.
StudyFile riviera_with_table(const std::filesystem::path& table, const std::filesystem::path& cache) {
    const auto path = test::data_file("studies/riviera.toml");
    std::string text = read_text(path);
    const auto g = text.find("graph = ");
    text.replace(g, text.find('\n', g) - g, "graph = \"" + cache.string() + "\"");
    const std::string from = "../insee/communes-2026.csv";
    text.replace(text.find(from), from.size(), table.string());
    return parse_study(text, path);
}

const std::string riviera_header = "code_insee,nom,departement,population,epci_siren,epci_nom\n";

} // namespace

TEST_CASE("populations: empty, overflowing, absurd and duplicated figures are never read silently", "[study]") {
    test::TempDir dir("study-population");
    const auto cache = dir.path() / "g.pxg";
    SECTION("a commune table population beyond int64 is an error, not -9.2e18") {
        const auto table = dir.path() / "communes.csv";
        std::ofstream(table) << riviera_header << "06012,Beausoleil,06,99999999999999999999,200039857,CA\n"
                             << "06032,Cap-d'Ail,06,4482,200030195,MNCA\n06150,La Turbie,06,3154,200039857,CA\n";
        REQUIRE_THROWS_WITH(load_study_inputs(riviera_with_table(table, cache)),
                            Contains("communes.csv:2") && Contains("99999999999999999999") &&
                                Contains("more than 100 million"));
    }
    SECTION("an empty population of a commune the study uses is an error naming the line, not 0") {
        const auto table = dir.path() / "communes.csv";
        std::ofstream(table) << riviera_header << "06012,Beausoleil,06,13470,200039857,CA\n"
                             << "06032,Cap-d'Ail,06,,200030195,MNCA\n06150,La Turbie,06,3154,200039857,CA\n";
        REQUIRE_THROWS_WITH(load_study_inputs(riviera_with_table(table, cache)),
                            Contains("communes.csv:3") && Contains("06032") && Contains("no population"));
    }
    SECTION("a settlement of 1e20 inhabitants is refused") {
        const auto points = dir.path() / "points.csv";
        std::ofstream(points) << "poblacio,parroquia,population_2010,lon,lat\nCanillo,Canillo,1e20,1.5977647,42.5668305\n";
        REQUIRE_THROWS_WITH(load_study_inputs(andorra_with_points(points, cache)),
                            Contains("points.csv:2") && Contains("'Canillo'") && Contains("more than 100 million"));
    }
    SECTION("a settlement listed twice is counted once and reported; with two populations, refused") {
        const std::string header = "poblacio,parroquia,population_2010,lon,lat\n";
        const std::string canillo = "Canillo,Canillo,2274,1.5977647,42.5668305\n";
        const std::string encamp = "Encamp,Encamp,7516,1.5803,42.5345\n";
        const auto once = dir.path() / "once.csv";
        const auto twice = dir.path() / "twice.csv";
        std::ofstream(once) << header << canillo << encamp;
        std::ofstream(twice) << header << canillo << encamp << canillo;
        const StudyInputs a = load_study_inputs(andorra_with_points(once, cache));
        const StudyInputs b = load_study_inputs(andorra_with_points(twice, cache));
        CHECK(b.population_total == a.population_total);
        CHECK(b.origins.size() == a.origins.size());
        const bool reported = std::any_of(b.warnings.begin(), b.warnings.end(), [](const std::string& w) {
            return w.find("twice.csv:4") != std::string::npos && w.find("repeats line 2") != std::string::npos &&
                   w.find("counted once") != std::string::npos;
        });
        CHECK(reported);
        const auto conflict = dir.path() / "conflict.csv";
        std::ofstream(conflict) << header << canillo << "Canillo,Canillo,2300,1.5977647,42.5668305\n";
        REQUIRE_THROWS_WITH(load_study_inputs(andorra_with_points(conflict, cache)),
                            Contains("conflict.csv:3") && Contains("line 2") && Contains("another population"));
    }
}

TEST_CASE("a Windows-1252 population file is read with a warning, and names reach the outputs as UTF-8", "[study]") {
    test::TempDir dir("study-cp1252");
    const auto points = dir.path() / "latin1.csv";
    // "Aixirivall, Sant Julià de Lòria" in Windows-1252 bytes (à = 0xE0, ò = 0xF2).
    std::ofstream(points, std::ios::binary) << "poblacio,parroquia,population_2010,lon,lat\n"
                                            << "Aixirivall,Sant Juli\xE0 de L\xF2ria,834,1.5016173,42.4620002\n"
                                            << "Can\xEDllo,Canillo,2274,1.5977647,42.5668305\n";
    const StudyInputs in = load_study_inputs(andorra_with_points(points, dir.path() / "g.pxg"));
    const bool warned = std::any_of(in.warnings.begin(), in.warnings.end(), [](const std::string& w) {
        return w.find("latin1.csv") != std::string::npos && w.find("Windows-1252") != std::string::npos;
    });
    CHECK(warned);
    const bool utf8_name =
        std::any_of(in.origins.begin(), in.origins.end(), [](const Origin& o) { return o.id == "Caníllo"; });
    CHECK(utf8_name);
}

TEST_CASE("wrong types in a study file are errors: 7.5 is not an admin level", "[study]") {
    const auto path = test::data_file("studies/andorra.toml");
    std::string text = read_text(path);
    const std::string level = "osm_admin_level = 7";
    for (const char* bad : {"osm_admin_level = 7.5", "osm_admin_level = 7.0", "osm_admin_level = \"7\""}) {
        std::string t = text;
        t.replace(t.find(level), level.size(), bad);
        INFO(bad);
        REQUIRE_THROWS_AS(parse_study(t, path), ConfigError);
        REQUIRE_THROWS_WITH(parse_study(t, path), Contains("zones.osm_admin_level") && Contains("whole number"));
    }
}

TEST_CASE("a graph cache setting that names another file never overwrites it", "[study]") {
    test::TempDir dir("study-cache");
    // The study file itself, a CSV and the OSM extract, each given as [network] graph.
    const auto study_copy = dir.path() / "study.toml";
    const auto csv_copy = dir.path() / "points.csv";
    std::filesystem::copy_file(test::data_file("andorra/poblacions-2010.csv"), csv_copy);
    for (const auto& victim : {study_copy, csv_copy}) {
        INFO(victim.string());
        const auto path = test::data_file("studies/andorra.toml");
        std::string text = read_text(path);
        const auto g = text.find("graph = ");
        text.replace(g, text.find('\n', g) - g, "graph = \"" + victim.string() + "\"");
        if (victim == study_copy) {
            std::ofstream(study_copy) << text;
        }
        const std::string before = sha256_file(victim);
        const StudyFile study = parse_study(text, path);
        REQUIRE_THROWS_AS(load_study_inputs(study), ConfigError);
        REQUIRE_THROWS_WITH(load_study_inputs(study), Contains("is not a Proxima graph file") &&
                                                          Contains("[network] graph") && Contains("not replaced"));
        CHECK(sha256_file(victim) == before);
    }
}

TEST_CASE("a study input that is a device, a FIFO or a folder is refused before anything is read", "[study]") {
    const auto path = test::data_file("studies/andorra.toml");
    std::string text = read_text(path);
    const std::string from = "../andorra/poblacions-2010.csv";
    text.replace(text.find(from), from.size(), "/dev/zero");
    REQUIRE_THROWS_WITH(load_study_inputs(parse_study(text, path)),
                        Contains("populated points ([population] points)") && Contains("not a regular file"));
}

TEST_CASE("thresholds and caps share one rule wherever they come from", "[study]") {
    CHECK(valid_threshold_min(30));
    CHECK(valid_threshold_min(1440));
    CHECK_FALSE(valid_threshold_min(0));
    CHECK_FALSE(valid_threshold_min(-5));
    CHECK_FALSE(valid_threshold_min(1440.5));
    CHECK_FALSE(valid_threshold_min(std::numeric_limits<double>::quiet_NaN()));
    CHECK_THROWS_WITH(check_threshold_min(0, "--threshold"),
                      Catch::Matchers::Contains("--threshold 0 min: it must be more than 0 and at most 1440 minutes"));
    CHECK_NOTHROW(check_cap_min(14400, "--cap"));
    CHECK_THROWS_AS(check_cap_min(std::numeric_limits<double>::infinity(), "--cap"), ConfigError);
}
