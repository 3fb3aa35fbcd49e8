#include <fstream>

#include <catch2/catch.hpp>

#include "proxima/core/error.hpp"
#include "proxima/territory/commune_table.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

TEST_CASE("the COG 2026 commune table is read with codes as strings, populations and EPCI", "[territory]") {
    const CommuneTable table = read_commune_table(test::data_file("insee/communes-2026.csv"));
    // Figures computed independently from the CSV (Python's csv module).
    CHECK(table.size() == 34969);
    CHECK(table.total_population() == 68952941);
    const Commune& ajaccio = table.at("2A004");
    CHECK(ajaccio.name == "Ajaccio");
    CHECK(ajaccio.departement == "2A");
    CHECK(ajaccio.population == 76320);
    const Commune& cap_d_ail = table.at("06032");
    CHECK(cap_d_ail.name == "Cap-d'Ail");
    CHECK(cap_d_ail.population == 4482);
    CHECK(cap_d_ail.epci_siren == "200030195");
    CHECK(cap_d_ail.epci_name == "Métropole Nice Côte d'Azur");
    CHECK(table.at("06150").epci_name == "CA de la Riviera Française");
    // Overseas collectivities without population: kept, population unknown.
    REQUIRE(table.find("98411") != nullptr);
    CHECK_FALSE(table.find("98411")->population.has_value());
    CHECK(table.find("6032") == nullptr);
    REQUIRE_THROWS_WITH(table.at("99999"), Contains("unknown INSEE code '99999'"));
}

TEST_CASE("INSEE codes: five characters, Corsica's letters, leading zeros", "[territory]") {
    CHECK(is_valid_insee_code("01001"));
    CHECK(is_valid_insee_code("2A004"));
    CHECK(is_valid_insee_code("2B033"));
    CHECK(is_valid_insee_code("97411"));
    CHECK_FALSE(is_valid_insee_code("1001"));
    CHECK_FALSE(is_valid_insee_code("2C004"));
    CHECK_FALSE(is_valid_insee_code("3A004"));
    CHECK_FALSE(is_valid_insee_code("0600A"));
    CHECK_FALSE(is_valid_insee_code(""));
}

TEST_CASE("commune table errors name the file, the line and the value", "[territory]") {
    test::TempDir dir("communes");
    const auto path = dir.path() / "communes.csv";
    SECTION("code without leading zero, as a spreadsheet writes it") {
        std::ofstream(path) << "code_insee,nom,population\n01001,A,10\n1002,B,20\n";
        REQUIRE_THROWS_WITH(read_commune_table(path), Contains("communes.csv:3") && Contains("'1002'") &&
                                                          Contains("leading zeros"));
    }
    SECTION("non-numeric population") {
        std::ofstream(path) << "code_insee,nom,population\n01001,A,10\n01002,B,douze\n";
        REQUIRE_THROWS_WITH(read_commune_table(path), Contains("communes.csv:3") && Contains("'douze'"));
    }
    SECTION("population with a decimal comma (another separator)") {
        std::ofstream(path) << "code_insee;nom;population\n01001;A;10,5\n";
        REQUIRE_THROWS_WITH(read_commune_table(path), Contains("communes.csv:2") && Contains("not a number"));
    }
    SECTION("duplicate code") {
        std::ofstream(path) << "CODGEO,LIBGEO,PMUN\n01001,A,10\n01002,B,20\n01001,C,30\n";
        REQUIRE_THROWS_WITH(read_commune_table(path), Contains("01001 appears twice") && Contains("lines 2 and 4"));
    }
    SECTION("no code column") {
        std::ofstream(path) << "commune,habitants\nA,10\n";
        REQUIRE_THROWS_WITH(read_commune_table(path), Contains("no column code_insee or INSEE_COM") &&
                                                          Contains("it has: commune, habitants"));
    }
    SECTION("INSEE column names and semicolons") {
        std::ofstream(path) << "CODGEO;LIBGEO;PMUN;EPCI\n2A004;Ajaccio;76320;242010056\n";
        const auto table = read_commune_table(path);
        CHECK(table.at("2A004").population == 76320);
        CHECK(table.at("2A004").epci_siren == "242010056");
    }
    SECTION("missing or empty file") {
        REQUIRE_THROWS_AS(read_commune_table(dir.path() / "none.csv"), InputError);
        std::ofstream(path).close();
        REQUIRE_THROWS_WITH(read_commune_table(path), Contains("is empty"));
    }
}
