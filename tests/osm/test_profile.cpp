#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "proxima/core/error.hpp"
#include "proxima/core/sha256.hpp"
#include "proxima/osm/default_profile.hpp"
#include "proxima/osm/profile.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

namespace {
std::string car_text() {
    std::ifstream in(test::data_file("profiles/car.toml"));
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}
} // namespace

TEST_CASE("the built-in car profile is the file data/profiles/car.toml", "[osm]") {
    const Profile built_in = default_car_profile();
    const Profile file = load_profile(test::data_file("profiles/car.toml"));
    CHECK(built_in.sha256 == file.sha256);
    CHECK(built_in.sha256 == sha256_file(test::data_file("profiles/car.toml")));
    CHECK(built_in.name == "car");
    CHECK(built_in.highway_class("motorway") == 0);
    CHECK(built_in.highway_class("footway") == -1);
    CHECK(built_in.class_name(built_in.ferry_class()) == "ferry");
    CHECK(built_in.maxspeed_aliases.at("FR:rural") == 80);
}

TEST_CASE("profile errors name the key and the line", "[osm]") {
    std::string text = car_text();
    SECTION("unknown key") {
        text.replace(text.find("min_kmh = 5"), 11, "min_kmh = 5\nfastest = 3");
        REQUIRE_THROWS_WITH(parse_profile(text, "p.toml"),
                            Contains("p.toml:") && Contains("unknown key 'speed.fastest'") && Contains("posted_factor"));
    }
    SECTION("wrong type") {
        text.replace(text.find("motorway = 110"), 14, "motorway = \"fast\"");
        REQUIRE_THROWS_WITH(parse_profile(text, "p.toml"), Contains("highway.motorway") && Contains("must be a number"));
    }
    SECTION("out of range") {
        text.replace(text.find("posted_factor = 0.85"), 20, "posted_factor = 7");
        REQUIRE_THROWS_WITH(parse_profile(text, "p.toml"), Contains("speed.posted_factor") && Contains("out of range"));
    }
    SECTION("TOML syntax") {
        REQUIRE_THROWS_AS(parse_profile("[profile\nname=", "p.toml"), ConfigError);
        REQUIRE_THROWS_WITH(parse_profile("[profile\nname=", "p.toml"), Contains("p.toml:1"));
    }
    SECTION("missing section") {
        REQUIRE_THROWS_WITH(parse_profile("[profile]\nname = \"x\"\nversion = 1\n", "p.toml"), Contains("missing section [speed]"));
    }
    SECTION("missing file") {
        REQUIRE_THROWS_AS(load_profile("/nonexistent/car.toml"), InputError);
    }
}
