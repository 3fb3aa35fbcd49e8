// proxima init's choices that do not need files: the CRS of each département.

#include <catch2/catch.hpp>

#include "proxima/core/error.hpp"
#include "proxima/run/init_study.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

TEST_CASE("each département gets its projected CRS, overseas the BPE's UTM zones", "[init]") {
    // README / data/bpe/SOURCES.md: 971/972 RGAF09 UTM 20N, 973 RGFG95 UTM 22N, 974 RGR92 UTM 40S,
    // 976 RGM04 UTM 38S; Lambert-93 elsewhere, Corsica included.
    CHECK(departement_crs("01") == "EPSG:2154");
    CHECK(departement_crs("48") == "EPSG:2154");
    CHECK(departement_crs("2A") == "EPSG:2154");
    CHECK(departement_crs("2B") == "EPSG:2154");
    CHECK(departement_crs("95") == "EPSG:2154");
    CHECK(departement_crs("971") == "EPSG:5490");
    CHECK(departement_crs("972") == "EPSG:5490");
    CHECK(departement_crs("973") == "EPSG:2972");
    CHECK(departement_crs("974") == "EPSG:2975");
    CHECK(departement_crs("976") == "EPSG:4471");
    for (const char* bad : {"", "00", "20", "96", "975", "977", "2C", "6", "048", "lozere"}) {
        INFO("code '" << bad << "'");
        REQUIRE_THROWS_AS(departement_crs(bad), ConfigError);
        REQUIRE_THROWS_WITH(departement_crs(bad), Contains("is not a département code"));
    }
}
