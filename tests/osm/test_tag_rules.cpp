#include <catch2/catch.hpp>

#include "proxima/osm/default_profile.hpp"
#include "proxima/osm/tag_rules.hpp"

using namespace proxima;

namespace {
const Profile& car() {
    static const Profile p = default_car_profile();
    return p;
}
WayRule eval(std::initializer_list<Tag> tags) { return evaluate_way(car(), std::vector<Tag>(tags)); }
} // namespace

TEST_CASE("maxspeed values are read as km/h: numbers, units, French aliases, lists", "[osm]") {
    using K = MaxspeedValue::Kind;
    CHECK(parse_maxspeed("50", car()).kmh == 50);
    CHECK(parse_maxspeed(" 90 ", car()).kmh == 90);
    CHECK(parse_maxspeed("50 km/h", car()).kmh == 50);
    CHECK(parse_maxspeed("30 mph", car()).kmh == Approx(48.28).margin(0.01));
    CHECK(parse_maxspeed("30mph", car()).kmh == Approx(48.28).margin(0.01));
    CHECK(parse_maxspeed("10 knots", car()).kmh == Approx(18.52));
    CHECK(parse_maxspeed("FR:urban", car()).kmh == 50);
    CHECK(parse_maxspeed("FR:rural", car()).kmh == 80);
    CHECK(parse_maxspeed("FR:motorway", car()).kmh == 130);
    CHECK(parse_maxspeed("fr:zone30", car()).kmh == 30);
    CHECK(parse_maxspeed("walk", car()).kmh == 6);
    CHECK(parse_maxspeed("90;70", car()).kmh == 70);
    CHECK(parse_maxspeed("none", car()).kind == K::ignored);
    CHECK(parse_maxspeed("signals", car()).kind == K::ignored);
    CHECK(parse_maxspeed("fast", car()).kind == K::invalid);
    CHECK(parse_maxspeed("-30", car()).kind == K::invalid);
    CHECK(parse_maxspeed("50 furlongs", car()).kind == K::invalid);
    CHECK(parse_maxspeed("", car()).kind == K::invalid);
}

TEST_CASE("posted speed becomes travel speed through the profile's factor, within its bounds", "[osm]") {
    const auto r = eval({{"highway", "primary"}, {"maxspeed", "80"}});
    REQUIRE(r.verdict == WayVerdict::routable);
    CHECK(r.forward_kmh == Approx(80 * 0.85));
    CHECK(r.backward_kmh == Approx(80 * 0.85));
    // No maxspeed, or an unusable one: the class default, and the defect is flagged.
    CHECK(eval({{"highway", "residential"}}).forward_kmh == 25);
    CHECK_FALSE(eval({{"highway", "residential"}}).invalid_maxspeed);
    CHECK(eval({{"highway", "residential"}, {"maxspeed", "none"}}).forward_kmh == 25);
    const auto bad = eval({{"highway", "residential"}, {"maxspeed", "fast"}});
    CHECK(bad.forward_kmh == 25);
    CHECK(bad.invalid_maxspeed);
    // Clamped to [min_kmh, max_kmh] = [5, 130].
    CHECK(eval({{"highway", "motorway"}, {"maxspeed", "250"}}).forward_kmh == 130);
    CHECK(eval({{"highway", "service"}, {"maxspeed", "2"}}).forward_kmh == 5);
    // Direction-specific limits.
    const auto d = eval({{"highway", "secondary"}, {"maxspeed", "90"}, {"maxspeed:backward", "50"}});
    CHECK(d.forward_kmh == Approx(90 * 0.85));
    CHECK(d.backward_kmh == Approx(50 * 0.85));
}

TEST_CASE("oneway values and implied one-ways set the drivable directions", "[osm]") {
    auto dirs = [](std::initializer_list<Tag> tags) {
        const auto r = eval(tags);
        return std::make_pair(r.forward, r.backward);
    };
    CHECK(dirs({{"highway", "residential"}}) == std::make_pair(true, true));
    CHECK(dirs({{"highway", "residential"}, {"oneway", "yes"}}) == std::make_pair(true, false));
    CHECK(dirs({{"highway", "residential"}, {"oneway", "1"}}) == std::make_pair(true, false));
    CHECK(dirs({{"highway", "residential"}, {"oneway", "true"}}) == std::make_pair(true, false));
    CHECK(dirs({{"highway", "residential"}, {"oneway", "-1"}}) == std::make_pair(false, true));
    CHECK(dirs({{"highway", "residential"}, {"oneway", "no"}}) == std::make_pair(true, true));
    CHECK(dirs({{"highway", "primary"}, {"junction", "roundabout"}}) == std::make_pair(true, false));
    CHECK(dirs({{"highway", "primary"}, {"junction", "roundabout"}, {"oneway", "no"}}) == std::make_pair(true, true));
    CHECK(dirs({{"highway", "motorway"}}) == std::make_pair(true, false));
    CHECK(dirs({{"highway", "motorway_link"}}) == std::make_pair(true, true));
    CHECK(dirs({{"highway", "residential"}, {"oneway", "maybe"}}) == std::make_pair(true, true));
    CHECK(eval({{"highway", "residential"}, {"oneway", "reversible"}}).verdict == WayVerdict::reversible);
    // Alternating: both ways, one at a time, after a wait.
    const auto alternating = eval({{"highway", "residential"}, {"oneway", "alternating"}});
    CHECK(alternating.verdict == WayVerdict::routable);
    CHECK(std::make_pair(alternating.forward, alternating.backward) == std::make_pair(true, true));
    CHECK(alternating.alternating);
    CHECK(alternating.delay_s == 15);
    // The most specific one-way key for a car wins.
    CHECK(dirs({{"highway", "residential"}, {"oneway", "yes"}, {"oneway:motorcar", "no"}}) == std::make_pair(true, true));
    CHECK(dirs({{"highway", "residential"}, {"oneway:vehicle", "yes"}}) == std::make_pair(true, false));
    CHECK(dirs({{"highway", "residential"}, {"oneway", "no"}, {"oneway:motor_vehicle", "-1"}}) == std::make_pair(false, true));
    CHECK(dirs({{"highway", "residential"}, {"oneway", "yes"}, {"oneway:bicycle", "no"}}) == std::make_pair(true, false));
}

TEST_CASE("access tags: the most specific one present decides, per direction", "[osm]") {
    CHECK(eval({{"highway", "service"}, {"access", "no"}}).verdict == WayVerdict::access_denied);
    CHECK(eval({{"highway", "service"}, {"access", "no"}, {"motor_vehicle", "yes"}}).verdict == WayVerdict::routable);
    CHECK(eval({{"highway", "service"}, {"motor_vehicle", "no"}}).verdict == WayVerdict::access_denied);
    CHECK(eval({{"highway", "residential"}, {"access", "agricultural"}}).verdict == WayVerdict::access_denied);
    // Destination traffic only: routable, flagged (never driven through).
    for (const char* v : {"private", "delivery", "destination", "customers", "permit", "residents"}) {
        INFO(v);
        const auto r = eval({{"highway", "service"}, {"access", v}});
        REQUIRE(r.verdict == WayVerdict::routable);
        CHECK(r.forward_destination);
        CHECK(r.backward_destination);
    }
    const auto car_dest = eval({{"highway", "service"}, {"vehicle", "no"}, {"motorcar", "destination"}});
    CHECK(car_dest.verdict == WayVerdict::routable);
    CHECK(car_dest.forward_destination);
    CHECK_FALSE(eval({{"highway", "service"}, {"access", "private"}, {"motor_vehicle", "yes"}}).forward_destination);
    CHECK(eval({{"highway", "service"}, {"motorcar", "private"}}).forward_destination);
    // Directional access: motor_vehicle:forward=no makes a one-way; :backward=destination.
    const auto one_way = eval({{"highway", "residential"}, {"motor_vehicle:forward", "no"}});
    CHECK(std::make_pair(one_way.forward, one_way.backward) == std::make_pair(false, true));
    const auto mixed = eval({{"highway", "residential"}, {"access:backward", "destination"}});
    CHECK(mixed.forward);
    CHECK_FALSE(mixed.forward_destination);
    CHECK(mixed.backward_destination);
    CHECK(eval({{"highway", "residential"}, {"motorcar:backward", "no"}, {"motor_vehicle", "yes"}}).backward == false);
    CHECK(eval({{"highway", "residential"}, {"access:forward", "no"}, {"access:backward", "no"}}).verdict ==
          WayVerdict::access_denied);
}

TEST_CASE("ways of other classes opened to cars by their tags, highway=road is not routable by itself", "[osm]") {
    CHECK(eval({{"highway", "road"}}).verdict == WayVerdict::unroutable_class);
    const auto road = eval({{"highway", "road"}, {"access", "yes"}});
    REQUIRE(road.verdict == WayVerdict::routable);
    CHECK(road.opened);
    CHECK(road.class_id == car().opened_class());
    CHECK(road.forward_kmh == 10);
    CHECK(eval({{"highway", "footway"}, {"access", "permissive"}}).verdict == WayVerdict::routable);
    CHECK(eval({{"highway", "cycleway"}, {"motor_vehicle", "designated"}}).verdict == WayVerdict::routable);
    CHECK(eval({{"highway", "footway"}, {"foot", "yes"}}).verdict == WayVerdict::unroutable_class);
    CHECK(eval({{"highway", "footway"}, {"motor_vehicle", "no"}}).verdict == WayVerdict::unroutable_class);
    // vehicle:forward=yes on a pedestrian street: one way, forward.
    const auto pedestrian = eval({{"highway", "pedestrian"}, {"vehicle:forward", "yes"}});
    REQUIRE(pedestrian.verdict == WayVerdict::routable);
    CHECK(std::make_pair(pedestrian.forward, pedestrian.backward) == std::make_pair(true, false));
    // Opened with a destination value: destination traffic only.
    CHECK(eval({{"highway", "pedestrian"}, {"motor_vehicle", "destination"}}).forward_destination);
    // Runways with explicit access (the road across Gibraltar's runway); never steps or works.
    CHECK(eval({{"aeroway", "runway"}}).verdict == WayVerdict::not_a_road);
    CHECK(eval({{"aeroway", "runway"}, {"motor_vehicle", "yes"}}).verdict == WayVerdict::routable);
    CHECK(eval({{"highway", "steps"}, {"motor_vehicle", "yes"}}).verdict == WayVerdict::unroutable_class);
    CHECK(eval({{"highway", "construction"}, {"access", "yes"}}).verdict == WayVerdict::unroutable_class);
}

TEST_CASE("closed states: works, emergency access, impassable, winter and ice roads", "[osm]") {
    CHECK(eval({{"highway", "primary"}, {"construction", "yes"}}).verdict == WayVerdict::closed);
    CHECK(eval({{"highway", "primary"}, {"construction", "widening"}}).verdict == WayVerdict::routable);
    CHECK(eval({{"highway", "primary"}, {"construction", "no"}}).verdict == WayVerdict::routable);
    CHECK(eval({{"highway", "service"}, {"service", "emergency_access"}}).verdict == WayVerdict::closed);
    CHECK(eval({{"highway", "service"}, {"service", "driveway"}}).verdict == WayVerdict::routable);
    CHECK(eval({{"highway", "unclassified"}, {"smoothness", "impassable"}}).verdict == WayVerdict::closed);
    CHECK(eval({{"highway", "unclassified"}, {"smoothness", "bad"}}).verdict == WayVerdict::routable);
    CHECK(eval({{"highway", "unclassified"}, {"impassable", "yes"}}).verdict == WayVerdict::closed);
    CHECK(eval({{"highway", "unclassified"}, {"winter_road", "yes"}}).verdict == WayVerdict::closed);
    CHECK(eval({{"highway", "unclassified"}, {"ice_road", "yes"}}).verdict == WayVerdict::closed);
}

TEST_CASE("physical limits: width, height and weight below the car's close the way, with units", "[osm]") {
    CHECK(eval({{"highway", "residential"}, {"maxwidth", "1.8"}}).verdict == WayVerdict::too_small);
    CHECK(eval({{"highway", "residential"}, {"maxwidth", "1.9"}}).verdict == WayVerdict::too_small);
    CHECK(eval({{"highway", "residential"}, {"maxwidth", "2.0"}}).verdict == WayVerdict::routable);
    CHECK(eval({{"highway", "residential"}, {"width", "1.5 m"}}).verdict == WayVerdict::too_small);
    CHECK(eval({{"highway", "residential"}, {"width", "4"}}).verdict == WayVerdict::routable);
    CHECK(eval({{"highway", "residential"}, {"maxheight", "1.9"}}).verdict == WayVerdict::too_small);
    CHECK(eval({{"highway", "residential"}, {"maxheight", "6'0\""}}).verdict == WayVerdict::too_small);  // 1.83 m
    CHECK(eval({{"highway", "residential"}, {"maxheight", "7'"}}).verdict == WayVerdict::routable);       // 2.13 m
    CHECK(eval({{"highway", "residential"}, {"maxheight", "default"}}).verdict == WayVerdict::routable);
    CHECK(eval({{"highway", "residential"}, {"maxheight", "none"}}).verdict == WayVerdict::routable);
    CHECK(eval({{"highway", "residential"}, {"maxweight", "1.5"}}).verdict == WayVerdict::too_small);
    CHECK(eval({{"highway", "residential"}, {"maxweight", "1500 kg"}}).verdict == WayVerdict::too_small);
    CHECK(eval({{"highway", "residential"}, {"maxweight", "3.5"}}).verdict == WayVerdict::routable);
    CHECK(eval({{"highway", "residential"}, {"maxweight", "7700 lbs"}}).verdict == WayVerdict::routable);
    // One direction only.
    const auto low = eval({{"highway", "residential"}, {"maxheight:backward", "1.8"}});
    CHECK(std::make_pair(low.forward, low.backward) == std::make_pair(true, false));
    // Unreadable limits are counted and ignored, never a closure nor a crash.
    const auto junk = eval({{"highway", "residential"}, {"maxwidth", "narrow-ish"}});
    CHECK(junk.verdict == WayVerdict::routable);
    CHECK(junk.invalid_limit);
    bool unreadable = false;
    CHECK(parse_length_m("2,5 m", unreadable) == 2.5);
    CHECK(parse_length_m("3 ft", unreadable) == Approx(0.9144));
    CHECK(parse_weight_t("12 st", unreadable) == Approx(10.886).margin(0.001));
    CHECK_FALSE(unreadable);
    CHECK_FALSE(parse_length_m("nan", unreadable));
    CHECK(unreadable);
}

TEST_CASE("classes, areas and ferries", "[osm]") {
    CHECK(eval({{"building", "yes"}}).verdict == WayVerdict::not_a_road);
    CHECK(eval({{"highway", "footway"}}).verdict == WayVerdict::unroutable_class);
    CHECK(eval({{"highway", "track"}}).verdict == WayVerdict::unroutable_class);
    CHECK(eval({{"highway", "construction"}}).verdict == WayVerdict::unroutable_class);
    CHECK(eval({{"highway", "residential"}, {"area", "yes"}}).verdict == WayVerdict::area);
    const auto ferry = eval({{"route", "ferry"}, {"duration", "01:30"}});
    REQUIRE(ferry.verdict == WayVerdict::routable);
    CHECK(ferry.class_id == car().ferry_class());
    REQUIRE(ferry.ferry_duration_s);
    CHECK(*ferry.ferry_duration_s == 5400);
    CHECK(eval({{"route", "ferry"}, {"motor_vehicle", "no"}}).verdict == WayVerdict::access_denied);
    CHECK(eval({{"route", "ferry"}}).forward_kmh == 15);
    CHECK(eval({{"route", "ferry"}, {"duration", "soon"}}).invalid_maxspeed);
    const auto train = eval({{"route", "shuttle_train"}, {"duration", "00:35"}});
    REQUIRE(train.verdict == WayVerdict::routable);
    CHECK(train.shuttle_train);
    CHECK(train.class_id == car().ferry_class());
    CHECK(*train.ferry_duration_s == 2100);
    CHECK(eval({{"route", "shuttle_train"}}).forward_kmh == 10);
}

TEST_CASE("ferry durations in every form OSM uses", "[osm]") {
    CHECK(parse_duration_s("15") == 900);
    CHECK(parse_duration_s("01:30") == 5400);
    CHECK(parse_duration_s("1:30:15") == 5415);
    CHECK(parse_duration_s("PT1H30M") == 5400);
    CHECK(parse_duration_s("PT45M") == 2700);
    CHECK(parse_duration_s("P1DT1H") == 90000);
    CHECK_FALSE(parse_duration_s("about an hour"));
    CHECK_FALSE(parse_duration_s("PT"));
    CHECK_FALSE(parse_duration_s("1:2:3:4"));
    CHECK_FALSE(parse_duration_s(""));
}

TEST_CASE("non-finite and signed numbers are never speeds: nan, inf, exponents count as unreadable", "[osm]") {
    using K = MaxspeedValue::Kind;
    for (const char* v : {"nan", "NaN", "nan mph", "nan knots", "inf", "-inf", "infinity", "1e400", "+50", "0x20",
                          "1e2", "50 km/h km/h", "."}) {
        INFO(v);
        CHECK(parse_maxspeed(v, car()).kind == K::invalid);
        const auto r = eval({{"highway", "primary"}, {"maxspeed", v}});
        REQUIRE(r.verdict == WayVerdict::routable);
        CHECK(r.invalid_maxspeed);
        CHECK(r.forward_kmh == 65);  // the class speed, never NaN (which would make arcs of zero time)
        CHECK(r.backward_kmh == 65);
    }
    const auto forward_nan = eval({{"highway", "primary"}, {"maxspeed:forward", "nan"}, {"maxspeed", "80"}});
    CHECK(forward_nan.invalid_maxspeed);
    CHECK(forward_nan.forward_kmh == Approx(80 * 0.85));
    CHECK(parse_maxspeed("7.5", car()).kmh == 7.5);
    // Absurd but finite: clamped to the profile's bounds.
    CHECK(eval({{"highway", "primary"}, {"maxspeed", "99999999999999999999"}}).forward_kmh == 130);
    CHECK(parse_plain_number(" 12.5 ") == 12.5);
    CHECK_FALSE(parse_plain_number("nan"));
    CHECK_FALSE(parse_plain_number("-1"));
    CHECK_FALSE(parse_plain_number("1e3"));
    CHECK_FALSE(parse_plain_number(""));
}

TEST_CASE("ferry durations that are not durations fall back to the ferry speed, counted", "[osm]") {
    for (const char* v : {"nan", "nan:00", "inf", "99:99", "00:60", "1:00:60", "-00:05", "-5", "999999999:00",
                          "99999999999999999999", "PTnanM", "PT1e9H", "P9999DT1H", "1:2:3:4", "00:05 h"}) {
        INFO(v);
        CHECK_FALSE(parse_duration_s(v));
        const auto r = eval({{"route", "ferry"}, {"duration", v}});
        REQUIRE(r.verdict == WayVerdict::routable);
        CHECK_FALSE(r.ferry_duration_s);
        CHECK(r.invalid_maxspeed);
        CHECK(r.forward_kmh == 15);
    }
    CHECK(parse_duration_s("90") == 5400);        // a lone number is minutes, any size
    CHECK(parse_duration_s("71:59") == 259140);   // just under the 3-day cap
    CHECK_FALSE(parse_duration_s("72:01"));
    CHECK(parse_duration_s("00:59:59") == 3599);
}
