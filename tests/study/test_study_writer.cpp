// The study file proxima init writes is read back by the project's study reader (toml++), with
// the values it was given.

#include <catch2/catch.hpp>

#include "proxima/study/study_file.hpp"
#include "proxima/study/study_writer.hpp"

using namespace proxima;

namespace {

StudyDraft example() {
    StudyDraft d;
    d.name = "Département 974: \"La Réunion\" \\ test";
    d.header = "written by a test\n\nwith a blank line";
    d.output = "reunion-results";
    d.crs = "EPSG:2975";
    d.crs_why = "overseas";
    d.osm = "reunion.osm.pbf";
    d.graph = "reunion.pxg";
    d.zones_file = "../ADMIN-EXPRESS/COMMUNE.shp";
    for (int i = 1; i <= 24; ++i) {
        d.codes.push_back("974" + std::string(i < 10 ? "0" : "") + std::to_string(i));
    }
    d.left_out = {"97499 Nowhere: partly outside the extract", "97498 Far: outside the extract"};
    d.grid = "../filosofi/carreaux_200m_reun.csv";
    d.services = {"urgences", "pharmacie", "ecole"};
    d.services_out = {{"medecin", "no facility in the extract"}};
    d.bpe = "reunion-bpe.csv";
    d.bpe_note = "kept";
    return d;
}

} // namespace

TEST_CASE("a written study round-trips through the study reader", "[study_writer]") {
    const StudyDraft d = example();
    const std::string text = study_toml(d);
    const auto where = std::filesystem::path("/somewhere/studies/reunion.toml");
    const StudyFile s = parse_study(text, where);
    CHECK(s.name == d.name);
    CHECK(s.output_crs == "EPSG:2975");
    CHECK(s.output_dir == std::filesystem::path("/somewhere/studies/reunion-results"));
    CHECK(s.network.osm == std::filesystem::path("/somewhere/studies/reunion.osm.pbf"));
    CHECK(s.network.max_snap_m == 2000.0);
    CHECK(s.zones.file.lexically_normal() == std::filesystem::path("/somewhere/ADMIN-EXPRESS/COMMUNE.shp"));
    CHECK(s.zones.codes == d.codes);
    CHECK(s.population.source == StudyFile::Population::Source::grid);
    CHECK(s.population.grid_options.crs_from_ids);  // grid_crs is only commented: the ids' CRS
    CHECK(s.bpe == std::filesystem::path("/somewhere/studies/reunion-bpe.csv"));
    REQUIRE(s.services.size() == 3);
    CHECK(s.services[0].id == "urgences");
    CHECK(s.services_from_osm);
    CHECK_FALSE(s.poles.given);  // the [poles] section is commented
    // The left-out communes and services are in the comments, not in the values.
    CHECK(text.find("#   97499 Nowhere: partly outside the extract") != std::string::npos);
    CHECK(text.find("#   outside the extract: 97498") != std::string::npos);
    CHECK(text.find("# Not used: medecin (no facility in the extract).") != std::string::npos);
    CHECK(study_toml(d) == text);  // deterministic
}

TEST_CASE("a metropolitan study without grid nor BPE writes the defaults commented", "[study_writer]") {
    StudyDraft d = example();
    d.crs.clear();
    d.grid.clear();
    d.bpe.clear();
    d.left_out.clear();
    const std::string text = study_toml(d);
    const StudyFile s = parse_study(text, "/x/s.toml");
    CHECK(s.output_crs == "EPSG:2154");
    CHECK(s.population.source == StudyFile::Population::Source::zones);
    CHECK(s.bpe.empty());
    CHECK(text.find("# crs = \"EPSG:2154\"") != std::string::npos);
    CHECK(text.find("# bpe = ") != std::string::npos);
}

TEST_CASE("TOML strings are quoted with their escapes", "[study_writer]") {
    CHECK(toml_quoted("Cap-d'Ail") == "\"Cap-d'Ail\"");
    CHECK(toml_quoted("a \"b\" \\ c") == "\"a \\\"b\\\" \\\\ c\"");
    CHECK(toml_quoted(std::string("tab\there\nnew")) == "\"tab\\u0009here\\u000Anew\"");
    CHECK(toml_quoted("Èze") == "\"Èze\"");
}
