// The turn model on small hand-made networks (tests/fixtures/turns/*.osm, OSRM-style): turn
// restrictions through nodes and ways, barriers, junction delays, U-turns, turn costs.
// Under both test profiles every road drives at 10 m/s: 0.001 degree at the equator = 111 ds.

#include <cmath>

#include <catch2/catch.hpp>

#include "proxima/osm/graph_builder.hpp"
#include "proxima/osm/node_rules.hpp"
#include "proxima/osm/turn_model.hpp"
#include "proxima/osm/turn_restrictions.hpp"
#include "proxima/routing/point_routing.hpp"
#include "proxima/routing/snap.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/graphs.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

using test::node_at;
using test::trip;

namespace {

const Profile& free_turns() {
    static const Profile p = load_profile(test::fixture("test-profile.toml"));
    return p;
}
const Profile& turn_costs() {
    static const Profile p = load_profile(test::fixture("test-turns-profile.toml"));
    return p;
}

GraphBuildResult build_turn_fixture(const std::string& name, const Profile& profile = free_turns()) {
    return build_road_graph(test::fixture("turns/" + name), profile);
}

std::vector<Tag> tags(std::initializer_list<Tag> list) { return std::vector<Tag>(list); }

// The cross: C at the centre, W, N, E, S arms.
constexpr LonLat W{0.000, 0.001};
constexpr LonLat N{0.001, 0.002};
constexpr LonLat E{0.002, 0.001};
constexpr LonLat S{0.001, 0.000};

} // namespace

TEST_CASE("turn angles from bearings: straight 0, right positive, left negative, back 180", "[osm]") {
    CHECK(bearing_deg({0, 0}, {0, 0.001}) == Approx(0).margin(1e-6));
    CHECK(bearing_deg({0, 0}, {0.001, 0}) == Approx(90).margin(1e-6));
    CHECK(bearing_deg({0, 0}, {-0.001, 0}) == Approx(270).margin(1e-6));
    CHECK(turn_angle_deg(90, 90) == 0);
    CHECK(turn_angle_deg(90, 180) == 90);     // heading east, then south: a right turn
    CHECK(turn_angle_deg(90, 0) == -90);      // heading east, then north: a left turn
    CHECK(turn_angle_deg(350, 10) == 20);
    CHECK(std::abs(turn_angle_deg(90, 270)) == 180);
    Profile::Turns t;
    t.max_turn_s = 10;
    t.curve_steepness = 13;
    t.curve_centre = 6.5;
    t.left_bias = 1.0;
    CHECK(turn_angle_cost_s(t, 0) == Approx(0.015).margin(0.001));
    CHECK(turn_angle_cost_s(t, 90) == Approx(5.0));
    CHECK(turn_angle_cost_s(t, -90) == Approx(5.0));
    CHECK(turn_angle_cost_s(t, 180) == Approx(9.985).margin(0.001));
    t.left_bias = 1.075;  // the car profile's: left turns cost more than right ones
    CHECK(turn_angle_cost_s(t, -90) > turn_angle_cost_s(t, 90));
    CHECK(turn_angle_cost_s(t, -45) < turn_angle_cost_s(t, -90));
    t.max_turn_s = 0;
    CHECK(turn_angle_cost_s(t, 120) == 0);
}

TEST_CASE("node tags: signals, stops, crossings, and barriers that close or delay", "[osm]") {
    const Profile& p = turn_costs();
    using F = NodeFeature;
    auto rule = [&](std::initializer_list<Tag> t) { return evaluate_node(p, tags(t)); };
    CHECK(rule({{"highway", "traffic_signals"}}).feature == F::traffic_signals);
    CHECK(rule({{"highway", "traffic_signals"}}).delay_s == 5);
    CHECK(rule({{"highway", "traffic_signals"}, {"traffic_signals:direction", "forward"}}).direction == NodeDirection::forward);
    CHECK(rule({{"highway", "traffic_signals"}, {"direction", "backward"}}).direction == NodeDirection::backward);
    CHECK(rule({{"highway", "crossing"}, {"crossing", "traffic_signals"}}).feature == F::traffic_signals);
    CHECK(rule({{"highway", "crossing"}, {"crossing", "zebra"}}).delay_s == 1);
    CHECK(rule({{"highway", "stop"}, {"direction", "forward"}}).delay_s == 4);
    CHECK(rule({{"highway", "give_way"}}).delay_s == 2);
    CHECK(rule({{"railway", "level_crossing"}}).delay_s == 6);
    CHECK(rule({{"barrier", "bollard"}}).blocked());
    CHECK(rule({{"barrier", "block"}}).blocked());
    CHECK_FALSE(rule({{"barrier", "bollard"}, {"motor_vehicle", "yes"}}).blocked());
    CHECK_FALSE(rule({{"barrier", "bollard"}, {"bollard", "rising"}}).blocked());
    CHECK(rule({{"barrier", "gate"}}).feature == F::barrier_delay);
    CHECK(rule({{"barrier", "gate"}}).delay_s == 10);
    CHECK(rule({{"barrier", "gate"}, {"access", "no"}}).blocked());
    CHECK(rule({{"barrier", "gate"}, {"motor_vehicle", "private"}}).blocked());
    CHECK(rule({{"barrier", "cattle_grid"}}).feature == F::barrier_passable);
    CHECK_FALSE(rule({{"barrier", "cattle_grid"}}).matters());
    CHECK(rule({{"amenity", "bench"}}).feature == F::none);
}

TEST_CASE("restriction relations: values, members, conditions and other vehicles", "[osm]") {
    const std::vector<RelationMember> node_via = {{'w', 1, "from"}, {'n', 2, "via"}, {'w', 3, "to"}};
    auto parse = [&](std::initializer_list<Tag> t, const std::vector<RelationMember>& m) {
        return parse_restriction(7, tags(t), m);
    };
    using V = RestrictionVerdict;
    const auto no_left = parse({{"type", "restriction"}, {"restriction", "no_left_turn"}}, node_via);
    REQUIRE(no_left.verdict == V::applies);
    CHECK_FALSE(no_left.restriction.only);
    CHECK(no_left.restriction.via_node == 2);
    CHECK(parse({{"type", "restriction"}, {"restriction", "only_right_turn"}}, node_via).restriction.only);
    CHECK(parse({{"type", "restriction"}, {"restriction:motorcar", "no_u_turn"}}, node_via).verdict == V::applies);
    CHECK(parse({{"type", "restriction"}, {"restriction:conditional", "no_left_turn @ (22:00-06:00)"}}, node_via).verdict ==
          V::conditional);
    CHECK(parse({{"type", "restriction"}, {"restriction", "no_left_turn"}, {"hour_on", "07:00"}}, node_via).verdict ==
          V::conditional);
    CHECK(parse({{"type", "restriction"}, {"restriction", "no_left_turn"}, {"except", "psv;motorcar"}}, node_via).verdict ==
          V::not_for_cars);
    CHECK(parse({{"type", "restriction"}, {"restriction", "no_left_turn"}, {"except", "bicycle"}}, node_via).verdict ==
          V::applies);
    CHECK(parse({{"type", "restriction"}, {"restriction:hgv", "no_left_turn"}}, node_via).verdict == V::not_for_cars);
    CHECK(parse({{"type", "restriction:hgv"}, {"restriction", "no_left_turn"}}, node_via).verdict == V::not_for_cars);
    CHECK(parse({{"type", "restriction"}, {"restriction", "no_parking"}}, node_via).verdict == V::malformed);
    CHECK(parse({{"type", "restriction"}, {"restriction", "no_left_turn"}}, {{'w', 1, "from"}, {'n', 2, "via"}}).verdict ==
          V::malformed);
    CHECK(parse({{"type", "restriction"}, {"restriction", "no_left_turn"}},
                {{'w', 1, "from"}, {'n', 2, "via"}, {'n', 4, "via"}, {'w', 3, "to"}})
              .verdict == V::malformed);
    const auto via_ways = parse({{"type", "restriction"}, {"restriction", "no_u_turn"}},
                                {{'w', 1, "from"}, {'w', 5, "via"}, {'w', 6, "via"}, {'w', 3, "to"}});
    REQUIRE(via_ways.verdict == V::applies);
    CHECK(via_ways.restriction.via_ways == std::vector<std::int64_t>{5, 6});
    CHECK(parse({{"type", "restriction"}, {"restriction", "no_entry"}},
                {{'w', 1, "from"}, {'w', 8, "from"}, {'n', 2, "via"}, {'w', 3, "to"}})
              .verdict == V::applies);
    CHECK(parse({{"type", "restriction"}, {"restriction", "no_left_turn"}},
                {{'w', 1, "from"}, {'w', 8, "from"}, {'n', 2, "via"}, {'w', 3, "to"}})
              .verdict == V::malformed);
}

TEST_CASE("a no_left_turn through a node makes the trip longer, other turns are untouched", "[osm]") {
    const auto base = build_turn_fixture("cross.osm");
    CHECK(trip(base.graph, W, N) == 222);
    const auto r = build_turn_fixture("cross-no-left-turn.osm");
    const RoadGraph& g = r.graph;
    CHECK(r.report.restrictions_applied_via_node == 1);
    CHECK(r.report.turns_forbidden == 1);
    // W to N: on to E, turn back at the dead end, then right at C.
    CHECK(trip(g, W, N) == 444);
    CHECK(trip(g, W, E) == 222);
    CHECK(trip(g, W, S) == 222);
    CHECK(trip(g, S, N) == 222);
    CHECK(trip(g, E, N) == 222);
    // The same for points on the roads, through seeds (route): a trip from mid-W to mid-N.
    const EdgeSnapper snapper(g);
    const auto from = snapper.snap({0.0005, 0.001}, 10);
    const auto to = snapper.snap({0.001, 0.0015}, 10);
    REQUIRE(from);
    REQUIRE(to);
    // On to E or S and back, then straight or right at C: 56 + 111 + 111 + 56 (not 56 + 56).
    CHECK(route(g, *from, *to, AccessOptions{}).ds == Approx(56 + 222 + 56).margin(2));
}

TEST_CASE("only_straight_on forbids every other turn from its way, no_entry binds each from way", "[osm]") {
    const auto only = build_turn_fixture("cross-only-straight-on.osm");
    CHECK(trip(only.graph, W, E) == 222);
    CHECK(trip(only.graph, W, N) == 444);
    CHECK(trip(only.graph, W, S) == 444);
    CHECK(trip(only.graph, N, S) == 222);
    const auto entry = build_turn_fixture("cross-no-entry.osm");
    CHECK(trip(entry.graph, W, E) == 444);  // through S and back (N's way may not enter E either)
    CHECK(trip(entry.graph, N, E) == 444);
    CHECK(trip(entry.graph, S, E) == 222);
}

TEST_CASE("conditional restrictions and those for other vehicles are counted and ignored", "[osm]") {
    const auto r = build_turn_fixture("cross-not-for-cars.osm");
    using V = RestrictionVerdict;
    CHECK(r.report.restrictions_by_verdict[static_cast<std::size_t>(V::conditional)] == 1);
    CHECK(r.report.restrictions_by_verdict[static_cast<std::size_t>(V::not_for_cars)] == 2);
    CHECK(r.report.restrictions_by_verdict[static_cast<std::size_t>(V::malformed)] == 1);
    CHECK(r.report.restrictions_applied_via_node == 1);  // restriction:motorcar=no_right_turn
    CHECK(trip(r.graph, W, N) == 222);
    CHECK(trip(r.graph, W, S) == 444);
    CHECK_THAT(format_build_report(r.report), Contains("conditional (ignored)") && Contains("relation/905"));
}

TEST_CASE("a restriction through a way binds only the traffic that came from its from way", "[osm]") {
    const auto base_text = test::fixture("turns/ladder-via-way.osm");
    const auto r = build_turn_fixture("ladder-via-way.osm");
    const RoadGraph& g = r.graph;
    CHECK(r.report.restrictions_applied_via_way == 1);
    CHECK(r.report.states_copied == 1);
    const LonLat a1{0.000, 0.002};
    const LonLat a2{0.002, 0.002};
    const LonLat b1{0.000, 0.001};
    const LonLat b2{0.002, 0.001};
    CHECK(trip(g, a1, b2) == 555);  // not down V then left: around through a dead end
    CHECK(trip(g, a2, b2) == 333);  // from the other side of the top road: allowed
    CHECK(trip(g, a1, b1) == 333);  // from A1 down V, right: allowed
    // A trip that starts on V itself did not come from way 201.
    const EdgeSnapper snapper(g);
    const auto on_v = snapper.snap({0.001, 0.0015}, 10);
    const auto to = snapper.snap({0.0015, 0.001}, 10);
    REQUIRE(on_v);
    REQUIRE(to);
    CHECK(route(g, *on_v, *to, AccessOptions{}).ds == Approx(56 + 56).margin(2));
    // Every search agrees with Boost.Graph on the expanded graph, copies included.
    g.validate();
}

TEST_CASE("a barrier cars cannot pass splits the road, gates delay, access tags open or close them", "[osm]") {
    const LonLat p{0.000, 0.000};
    const LonLat r{0.002, 0.000};
    const auto none = build_turn_fixture("barrier-none.osm", turn_costs());
    CHECK(trip(none.graph, p, r) == 222);
    const auto bollard = build_turn_fixture("barrier-bollard.osm", turn_costs());
    CHECK(bollard.report.ways_cut_by_barriers == 1);
    CHECK(bollard.report.nodes_by_feature[static_cast<std::size_t>(NodeFeature::barrier_blocked)] == 1);
    CHECK(trip(bollard.graph, p, r) == 445);  // the detour, one block north (445.2 m in one chain)
    CHECK(trip(build_turn_fixture("barrier-bollard-open.osm", turn_costs()).graph, p, r) == 222);
    CHECK(trip(build_turn_fixture("barrier-gate.osm", turn_costs()).graph, p, r) == 222 + 100);
    CHECK(trip(build_turn_fixture("barrier-gate-private.osm", turn_costs()).graph, p, r) == 445);
    // Both sides of the bollard stay reachable: as dead ends, where U-turns are allowed.
    const auto q_side = EdgeSnapper(bollard.graph).snap({0.0009, 0.0}, 5);
    REQUIRE(q_side);
    CHECK(route(bollard.graph, *q_side, *EdgeSnapper(bollard.graph).snap({0.0011, 0.0}, 5), AccessOptions{}).reachable());
}

TEST_CASE("signals, stops and give-way signs delay the traffic they face", "[osm]") {
    const auto r = build_turn_fixture("signals.osm", turn_costs());
    const RoadGraph& g = r.graph;
    CHECK(g.node_count() == 6);  // every delay node stays a node
    const LonLat s0{0.000, 0.0};
    const LonLat s5{0.005, 0.0};
    // Eastbound: signals at S1 and S2 (forward), give way at S4; the stop faces westbound traffic.
    CHECK(trip(g, s0, s5) == 555 + 50 + 50 + 20);
    // Westbound: give way, stop (backward), S2's lights face the other way, S1.
    CHECK(trip(g, s5, s0) == 555 + 20 + 40 + 50);
    CHECK(r.report.nodes_by_feature[static_cast<std::size_t>(NodeFeature::traffic_signals)] == 2);
}

TEST_CASE("turn costs by angle, yielding to a more important road, U-turns only at dead ends", "[osm]") {
    const auto r = build_turn_fixture("t-junction.osm", turn_costs());
    const RoadGraph& g = r.graph;
    const LonLat m1{0.000, 0.0};
    const LonLat m2{0.002, 0.0};
    const LonLat k{0.001, 0.001};
    CHECK(trip(g, m1, m2) == 222);            // straight on the main road: free
    CHECK(trip(g, m1, k) == 222 + 50);        // left off the main road: 5 s
    CHECK(trip(g, m2, k) == 222 + 50);        // right off it: 5 s (left_bias 1)
    CHECK(trip(g, k, m2) == 222 + 50 + 30);   // onto the main road: 5 s and yield 3 s
    CHECK(trip(g, k, m1) == 222 + 50 + 30);
    // No U-turn at J (a junction): from the arc M1 -> J there is no turn back to J -> M1.
    const NodeId j = node_at(g, 0.001, 0.0);
    const NodeId m1_node = node_at(g, 0.0, 0.0);
    for (std::uint32_t a = 0; a < g.arc_count(); ++a) {
        if (g.tail(ArcId{a}) == m1_node && g.head(ArcId{a}) == j) {
            for (auto i = g.first_transition()[a]; i < g.first_transition()[a + 1]; ++i) {
                CHECK(g.head(g.state_arc(StateId{g.transition_head()[i]})) != m1_node);
            }
        }
        // At the dead end M1 the U-turn exists: 20 s plus the turn back (~10 s).
        if (g.tail(ArcId{a}) == j && g.head(ArcId{a}) == m1_node) {
            REQUIRE(g.first_transition()[a + 1] - g.first_transition()[a] == 1);
            CHECK(g.transition_ds()[g.first_transition()[a]] == g.travel_ds()[a] + 300);
        }
    }
    CHECK(r.report.u_turns_at_dead_ends == 3);
}

TEST_CASE("the real samples hold their restrictions, signals and barriers, and count what they ignore", "[osm]") {
    const auto& nantes = test::sample_report("nantes-centre-2014");
    CHECK(nantes.restrictions_applied_via_node >= 10);
    CHECK(nantes.nodes_by_feature[static_cast<std::size_t>(NodeFeature::traffic_signals)] > 100);
    CHECK(nantes.turns_forbidden > 0);
    // Tram tracks crossing streets are street crossings, not railway level crossings.
    CHECK(nantes.nodes_by_feature[static_cast<std::size_t>(NodeFeature::level_crossing)] < 5);
    const auto& andorra = test::sample_report("andorra-2021");
    CHECK(andorra.restrictions_applied_via_node > 30);
    CHECK(andorra.nodes_by_feature[static_cast<std::size_t>(NodeFeature::barrier_blocked)] > 0);
}
