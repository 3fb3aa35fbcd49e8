// The OSM access model for cars on small hand-made maps (tests/fixtures/access/*.osm), with the
// built-in car profile: destination-only traffic, directional and mode-specific tags, classes and
// states, physical limits, ferries and car trains, the way under a snapped point.

#include <cmath>
#include <map>

#include <catch2/catch.hpp>

#include "proxima/osm/default_profile.hpp"
#include "proxima/osm/graph_builder.hpp"
#include "proxima/routing/point_routing.hpp"
#include "proxima/routing/snap.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/graphs.hpp"

using namespace proxima;

using test::node_at;

namespace {

GraphBuildResult build(const std::string& name, const Profile& profile = default_car_profile()) {
    return build_road_graph(test::fixture("access/" + name), profile);
}

/// The car profile without turn costs nor junction delays: its access model, mental arithmetic.
const Profile& car_without_turns() {
    static const Profile p = [] {
        std::string text = test::read_text(test::data_file("profiles/car.toml"));
        for (const char* key : {"max_turn_s", "u_turn_s", "yield_s"}) {
            const auto at = text.find(std::string(key) + " = ");
            text.replace(at, text.find('\n', at) - at, std::string(key) + " = 0");
        }
        return parse_profile(text, "car without turns");
    }();
    return p;
}

} // namespace

TEST_CASE("each tag combination opens or closes the directions established routers give it", "[osm]") {
    const auto r = build("combinations.osm");
    const RoadGraph& g = r.graph;
    // Which directions of each bump way exist: an arc whose edge starts on that way.
    std::map<std::int64_t, std::pair<bool, bool>> drivable;
    for (std::uint32_t a = 0; a < g.arc_count(); ++a) {
        const auto edge = g.arc_edge(ArcId{a});
        const auto way = g.edge_way_id(edge);
        auto& d = drivable[way];
        (g.arc_against_geometry(ArcId{a}) ? d.second : d.first) = true;
    }
    const std::vector<std::tuple<std::int64_t, const char*, bool, bool>> expected = {
        {700, "access:forward=no", false, true},
        {701, "motor_vehicle:backward=no", true, false},
        {702, "motorcar:backward=no + motor_vehicle=yes", true, false},
        {703, "pedestrian + vehicle:forward=yes", true, false},
        {704, "oneway=yes + oneway:motorcar=no", true, true},
        {705, "oneway:vehicle=yes", true, false},
        {706, "oneway=alternating", true, true},
        {707, "highway=road", false, false},
        {708, "construction=yes", false, false},
        {709, "service=emergency_access", false, false},
        {710, "smoothness=impassable", false, false},
        {711, "winter_road=yes", false, false},
        {712, "footway + access=permissive", true, true},
        {713, "cycleway + motor_vehicle=designated", true, true},
        {714, "maxwidth=1.8", false, false},
        {715, "maxheight=1.9", false, false},
        {716, "maxweight=1.5", false, false},
        {717, "maxheight:backward=1.8", true, false},
        {718, "maxheight=default", true, true},
        {719, "width=1.5", false, false},
        {720, "road + access=yes", true, true},
        {721, "service=driveway", true, true},
    };
    for (const auto& [way, what, forward, backward] : expected) {
        INFO("way " << way << ": " << what);
        const auto d = drivable.count(way) != 0 ? drivable[way] : std::make_pair(false, false);
        CHECK(d.first == forward);
        CHECK(d.second == backward);
    }
    // Counted in the build summary.
    CHECK(r.report.ways_by_verdict[static_cast<std::size_t>(WayVerdict::closed)] == 4);
    CHECK(r.report.ways_by_verdict[static_cast<std::size_t>(WayVerdict::too_small)] == 4);
    CHECK(r.report.ways_by_verdict[static_cast<std::size_t>(WayVerdict::unroutable_class)] == 1);
    CHECK(r.report.ways_opened == 4);
    CHECK(r.report.ways_alternating == 1);
    const std::string summary = format_build_report(r.report);
    CHECK(summary.find("too narrow, low or weak for a car") != std::string::npos);
}

TEST_CASE("an alternating one-way is driven both ways after a wait", "[osm]") {
    const auto r = build("combinations.osm");
    const RoadGraph& g = r.graph;
    for (std::uint32_t a = 0; a < g.arc_count(); ++a) {
        if (g.edge_way_id(g.arc_edge(ArcId{a})) == 706) {
            // Two segments of about 78.6 m at the class speed (25 km/h), plus 15 s.
            CHECK(g.travel_ds()[a] == Approx(157.2 / (25 / 3.6) * 10 + 150).margin(2));
        }
    }
}

TEST_CASE("destination-only roads: entered or left at a trip's ends, never driven through", "[osm]") {
    const auto r = build("destination.osm", car_without_turns());
    const RoadGraph& g = r.graph;
    CHECK(r.report.ways_destination_only == 1);
    CHECK(r.report.states_destination_only > 0);
    CHECK(r.report.states_behind_destination == 2);  // the cul-de-sac 603, both directions
    const EdgeSnapper snapper(g);
    auto at = [&](double lon, double lat) {
        const auto s = snapper.snap({lon, lat}, 5);
        REQUIRE(s);
        return *s;
    };
    auto trip_ds = [&](const Snap& from, const Snap& to) { return route(g, from, to, AccessOptions{}).ds; };
    const double ds_per_m = 10 / (25 / 3.6);  // residential, 25 km/h
    const Snap w = at(-0.0005, 0.0);          // on the public spur west of A
    const Snap e = at(0.0045, 0.0);           // on the public spur east of B
    const Snap m1 = at(0.0015, 0.0);          // on the private road
    const Snap m2 = at(0.0025, 0.0);
    const Snap c = at(0.002, -0.0005);        // on the public cul-de-sac behind it
    // Through traffic goes the long way round: 889.5 m between A and B, not the private 444.8 m.
    CHECK(trip_ds(w, e) == Approx((55.6 + 889.5 + 55.6) * ds_per_m).margin(3));
    CHECK(trip_ds(e, w) == Approx((55.6 + 889.5 + 55.6) * ds_per_m).margin(3));
    // Into and out of the private road, at the ends of a trip; along it between two of its points.
    CHECK(trip_ds(w, m1) == Approx((55.6 + 166.8) * ds_per_m).margin(3));
    CHECK(trip_ds(m2, e) == Approx((166.8 + 55.6) * ds_per_m).margin(3));
    CHECK(trip_ds(m1, m2) == Approx(111.2 * ds_per_m).margin(2));
    // The public cul-de-sac behind it is a destination too, reached and left through it.
    CHECK(trip_ds(w, c) == Approx((55.6 + 222.4 + 55.6) * ds_per_m).margin(3));
    CHECK(trip_ds(c, e) == Approx((55.6 + 222.4 + 55.6) * ds_per_m).margin(3));
}

TEST_CASE("ferries and car trains carry cars, but no trip starts or ends on them", "[osm]") {
    const auto r = build("ferry-train.osm", car_without_turns());
    const RoadGraph& g = r.graph;
    CHECK(r.report.ways_shuttle_train == 1);
    const EdgeSnapper snapper(g);
    const auto west = snapper.snap({0.0005, 0.0}, 5);
    const auto east = snapper.snap({0.0055, 0.0}, 5);
    REQUIRE(west);
    REQUIRE(east);
    // The ferry (10 min) beats the car train (20 min): half a segment at each end, plus 6000 ds.
    const double half = 55.6 / (25 / 3.6) * 10;
    CHECK(route(g, *west, *east, AccessOptions{}).ds == Approx(half + 6000 + half).margin(3));
    // A point on the ferry's line snaps to the road, never onto the ferry or the train.
    const auto s = snapper.snap({0.003, 0.0}, 500);
    REQUIRE(s);
    CHECK(g.snappable(s->edge));
    CHECK(s->distance_m == Approx(222.4).margin(1));
    CHECK(g.segment_way_id(s->edge, s->segment) != 803);
    CHECK_FALSE(snapper.snap({0.003, -0.010}, 100));  // on the train's line, far from roads
}

TEST_CASE("the way under a snapped point is reported, not the first way of its edge", "[osm]") {
    const auto r = build("way-runs.osm");
    const RoadGraph& g = r.graph;
    REQUIRE(g.edge_count() == 1);
    const EdgeSnapper snapper(g);
    for (const auto& [lon, way] : std::vector<std::pair<double, std::int64_t>>{
             {0.0005, 901}, {0.0025, 902}, {0.0055, 903}, {0.0075, 904}, {0.0079, 904}}) {
        const auto s = snapper.snap({lon, 0.00001}, 10);
        REQUIRE(s);
        INFO("lon " << lon);
        CHECK(g.segment_way_id(s->edge, s->segment) == way);
    }
    CHECK(g.edge_way_id(EdgeId{0}) == 901);
}
