#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include <catch2/catch.hpp>
#include <omp.h>

#include "proxima/osm/graph_builder.hpp"
#include "proxima/routing/point_routing.hpp"
#include "proxima/routing/points_csv.hpp"
#include "proxima_test/boost_reference.hpp"
#include "proxima_test/graphs.hpp"

using namespace proxima;

namespace {

GraphBuildResult fixture_graph(const std::string& name) {
    return build_road_graph(test::fixture(name), load_profile(test::fixture("test-profile.toml")));
}

} // namespace

TEST_CASE("a point is snapped onto the nearest segment of the nearest edge, with exact offsets", "[routing]") {
    // chain-and-speeds.osm: 1-2-3 at 2 m per ds, 3-4-5 at 1 m per ds then a 3000 ds ferry to 7.
    const auto built = fixture_graph("chain-and-speeds.osm");
    const RoadGraph& g = built.graph;
    const EdgeSnapper snapper(g);
    // 0.0001 deg north of the middle of segment 2-3.
    const auto snap = snapper.snap({0.0015, 0.0001}, 100.0);
    REQUIRE(snap);
    // 0.0001 deg of latitude on the GRS80 ellipsoid at the equator: 11.057 m (haversine would say 11.12).
    CHECK(snap->distance_m == Approx(11.057).margin(0.005));
    CHECK(snap->point.lon == Approx(0.0015).margin(1e-9));
    CHECK(snap->point.lat == Approx(0.0).margin(1e-9));
    const auto points = g.edge_points(snap->edge);
    REQUIRE(points.size() == 3);  // 1-2-3: node 2 merged into the chain
    const bool from_node1 = points.front().lon == 0.0;
    CHECK(snap->along_m == Approx(from_node1 ? 166.84 : 55.61).margin(0.05));
    CHECK(snap->along_fwd_ds == Approx((from_node1 ? 166.84 : 55.61) / 2).margin(0.05));

    // Beyond max distance: no snap.
    CHECK_FALSE(snapper.snap({0.0015, 0.01}, 100.0));
    // Batch snapping gives the same answer.
    const auto batch = snapper.snap_all(std::vector<LonLat>{{0.0015, 0.0001}, {0.0015, 0.01}}, 100.0);
    REQUIRE(batch.size() == 2);
    REQUIRE(batch[0]);
    CHECK(batch[0]->edge == snap->edge);
    CHECK(batch[0]->along_m == Approx(snap->along_m));
    CHECK_FALSE(batch[1]);
}

TEST_CASE("seeds split an arc into two parts that add up to its weight", "[routing]") {
    const RoadGraph& g = test::sample_graph("andorra-2021");
    const EdgeSnapper snapper(g);
    std::mt19937_64 rng(test::random_seed());
    std::uniform_real_distribution<double> lon(1.45, 1.75);
    std::uniform_real_distribution<double> lat(42.45, 42.63);
    int checked = 0;
    while (checked < 200) {
        const auto snap = snapper.snap({lon(rng), lat(rng)}, 5000);
        if (!snap) {
            continue;
        }
        ++checked;
        const AccessOptions options{15.0};
        const auto leave = seeds(g, *snap, Direction::forward, options);
        const auto arrive = seeds(g, *snap, Direction::reverse, options);
        REQUIRE(!arrive.empty());
        const Deciseconds leg = access_ds(*snap, options);
        for (bool against : {false, true}) {
            const auto arc = g.edge_arc(snap->edge, against);
            if (arc == invalid_index) {
                continue;
            }
            // Arriving at P in state a costs its part [tail, P]; leaving P through a turn a -> t
            // costs the rest of that transition: together, exactly the transition's weight.
            Deciseconds in_part = unreachable_ds;
            for (const auto& s : arrive) {
                if (s.state == RoadGraph::arc_state(ArcId{arc})) {
                    in_part = std::min(in_part, s.offset_ds - leg);
                }
            }
            REQUIRE(in_part != unreachable_ds);
            for (auto i = g.first_transition()[arc]; i < g.first_transition()[arc + 1]; ++i) {
                bool found = false;
                for (const auto& s : leave) {
                    if (to_index(s.state) == g.transition_head()[i] && s.offset_ds - leg + in_part == g.transition_ds()[i]) {
                        found = true;
                    }
                }
                REQUIRE(found);
            }
        }
    }
}

TEST_CASE("trips between points at nodes equal Boost.Graph's node-to-node times on the turn-aware graph",
          "[routing]") {
    const RoadGraph& g = test::sample_graph("monaco-riviera-2016");
    const EdgeSnapper snapper(g);
    std::mt19937_64 rng(test::random_seed());
    std::uniform_int_distribution<std::uint32_t> node(0, g.node_count() - 1);
    for (int i = 0; i < 20; ++i) {
        const std::uint32_t u = node(rng);
        // Leave u by any arc, no turn made at the start.
        std::vector<test::ReferenceSource> sources;
        for (auto b = g.first_out()[u]; b < g.first_out()[u + 1]; ++b) {
            sources.push_back({b, 0});
        }
        const auto reference = test::boost_dijkstra(g, Direction::forward, sources);
        auto reference_to = [&](std::uint32_t v) {
            std::optional<std::int64_t> best;
            for (auto k = g.first_in()[v]; k < g.first_in()[v + 1]; ++k) {
                const auto c = g.in_arc()[k];
                std::vector<std::uint32_t> states{c};
                for (auto copy : g.arc_copies(ArcId{c})) {
                    states.push_back(copy);
                }
                for (auto st : states) {
                    if (reference[st] && (!best || *reference[st] + g.travel_ds()[c] < *best)) {
                        best = *reference[st] + g.travel_ds()[c];
                    }
                }
            }
            return v == u ? std::optional<std::int64_t>(0) : best;
        };
        const auto from = snapper.snap(g.coord(NodeId{u}), 1.0);
        REQUIRE(from);
        REQUIRE(from->distance_m < 0.01);
        std::vector<Snap> targets;
        std::vector<std::uint32_t> target_nodes;
        for (int j = 0; j < 10; ++j) {
            const std::uint32_t v = node(rng);
            const auto to = snapper.snap(g.coord(NodeId{v}), 1.0);
            REQUIRE(to);
            targets.push_back(*to);
            target_nodes.push_back(v);
        }
        const auto table = travel_table(g, std::vector<Snap>{*from}, targets, AccessOptions{});
        for (std::size_t j = 0; j < targets.size(); ++j) {
            const Trip trip = route(g, *from, targets[j], AccessOptions{});
            REQUIRE(trip.ds == table[j].ds);
            REQUIRE(trip.metres == Approx(table[j].metres));
            // A node snaps onto one of its edges' ends: the trip is the node-to-node time (or a
            // drive along that one edge, which the search also finds, never slower).
            const auto expected = reference_to(target_nodes[j]);
            INFO("from node " << u << " to node " << target_nodes[j]);
            if (expected) {
                REQUIRE(trip.ds <= *expected);
                if (from->edge != targets[j].edge) {
                    REQUIRE(trip.ds == *expected);
                }
            } else {
                REQUIRE_FALSE(trip.reachable());
            }
        }
    }
}

TEST_CASE("a trip along one edge is driven directly, and only in a drivable direction", "[routing]") {
    const auto built = fixture_graph("oneway-square.osm");
    const RoadGraph& g = built.graph;
    const EdgeSnapper snapper(g);
    const AccessOptions options{36.0};  // 1 m of off-network leg = 1 ds, like the roads
    // Two points on the two-way edge A(0,0)-B(0.001,0): 0.0002 and 0.0008 deg east, on the road.
    const auto p = snapper.snap({0.0002, 0.0}, 1.0);
    const auto q = snapper.snap({0.0008, 0.0}, 1.0);
    REQUIRE(p);
    REQUIRE(q);
    CHECK(route(g, *p, *q, options).ds == 67);  // 66.7 m at 1 m/ds
    CHECK(route(g, *q, *p, options).ds == 67);

    // On the one-way C(0.001,0.001) -> D(0,0.001): from near D back to near C must go round.
    const auto near_c = snapper.snap({0.0008, 0.001}, 1.0);
    const auto near_d = snapper.snap({0.0002, 0.001}, 1.0);
    REQUIRE(near_c);
    REQUIRE(near_d);
    CHECK(route(g, *near_c, *near_d, options).ds == 67);
    // near_d -> D (22) -> B (157 diagonal) -> C (111) -> near_c (22)
    CHECK(route(g, *near_d, *near_c, options).ds == 22 + 157 + 111 + 22);
    // The off-network leg counts at the access speed.
    const auto off = snapper.snap({0.0002, 0.0001}, 100.0);
    REQUIRE(off);
    CHECK(off->distance_m == Approx(11.057).margin(0.005));
    CHECK(access_ds(*off, options) == 11);
    CHECK(route(g, *off, *q, options).ds == 11 + 67);
    CHECK(route(g, *off, *q, AccessOptions{3.6}).ds == 111 + 67);
}

TEST_CASE("travel times on the real samples are plausible", "[routing]") {
    // Each figure is checked against what a driver knows of these trips (free flow, no traffic).
    struct Trip {
        const char* sample;
        const char* what;
        LonLat from;
        LonLat to;
        double min_minutes;
        double max_minutes;
    };
    const Trip trips[] = {
        // CG-2 over the Envalira pass, ~29 km of mountain road: signposts and route planners give
        // 30 to 40 minutes.
        {"andorra-2021", "Andorra la Vella -> Pas de la Casa", {1.5218, 42.5063}, {1.7336, 42.5428}, 25, 45},
        // CG-3 up the Valira del Nord, ~7 km: about 10 minutes.
        {"andorra-2021", "Andorra la Vella -> Ordino", {1.5218, 42.5063}, {1.5331, 42.5562}, 7, 16},
        // Through Monaco along the coast, ~4 km of city streets and tunnels: about 10 minutes.
        {"monaco-riviera-2016", "Cap-d'Ail -> Beausoleil", {7.4047, 43.7213}, {7.4232, 43.7437}, 5, 16},
        // Down the hairpins of the Moyenne/Grande Corniche, ~7 km: 10 to 15 minutes.
        {"monaco-riviera-2016", "La Turbie -> Monte-Carlo casino", {7.4003, 43.7455}, {7.4278, 43.7393}, 7, 20},
    };
    for (const auto& t : trips) {
        const RoadGraph& g = test::sample_graph(t.sample);
        const EdgeSnapper snapper(g);
        const auto a = snapper.snap(t.from, 300);
        const auto b = snapper.snap(t.to, 300);
        REQUIRE(a);
        REQUIRE(b);
        const auto trip = route(g, *a, *b, AccessOptions{});
        INFO(t.what << ": " << seconds_from_ds(trip.ds) / 60 << " min, " << trip.metres / 1000 << " km");
        REQUIRE(trip.reachable());
        CHECK(seconds_from_ds(trip.ds) / 60 >= t.min_minutes);
        CHECK(seconds_from_ds(trip.ds) / 60 <= t.max_minutes);
        // Average speed of a plausible car trip in these places: 15 to 70 km/h.
        const double kmh = trip.metres / 1000 / (seconds_from_ds(trip.ds) / 3600);
        CHECK(kmh > 15);
        CHECK(kmh < 70);
    }
}

TEST_CASE("the Andorra 40 x 40 table agrees with OSRM: same ranking, times within a few percent", "[routing]") {
    // OSRM 5.27.1 with car.lua on the same extract (data/reference), the router of INSEE's Metric.
    // Profiles differ, so times need not match one by one; with turns, junction delays and
    // barriers modelled, the median ratio stays within 5 %, 80 % of trips within 15 %, and the
    // ranking of trips is the same.
    const RoadGraph& g = test::sample_graph("andorra-2021");
    const EdgeSnapper snapper(g);
    const auto points = read_points_csv(test::data_file("reference/andorra-points.csv"));
    std::vector<Snap> snaps;
    for (const auto& p : points) {
        const auto s = snapper.snap(p.position, 200);
        REQUIRE(s);
        snaps.push_back(*s);
    }
    const auto trips = travel_table(g, snaps, snaps, AccessOptions{});
    std::vector<TableRow> ours;
    for (std::size_t i = 0; i < points.size(); ++i) {
        for (std::size_t j = 0; j < points.size(); ++j) {
            const auto& t = trips[i * points.size() + j];
            REQUIRE(t.reachable());  // Andorra's network is one piece
            ours.push_back({points[i].id, points[j].id, seconds_from_ds(t.ds), t.metres});
        }
    }
    const auto agreement = compare_tables(ours, read_table_csv(test::data_file("reference/andorra-osrm-car-table.csv")));
    INFO("median ratio " << agreement.median_ratio << " (p10 " << agreement.p10_ratio << ", p90 "
                         << agreement.p90_ratio << "), spearman " << agreement.spearman << ", within 25% "
                         << agreement.share_within_25pct);
    CHECK(agreement.pairs == 40 * 39);
    CHECK(agreement.spearman >= 0.99);
    CHECK(agreement.median_ratio >= 0.95);
    CHECK(agreement.median_ratio <= 1.05);
    CHECK(agreement.p10_ratio >= 0.85);
    CHECK(agreement.p90_ratio <= 1.15);
    CHECK(agreement.share_within_25pct > 0.95);
}

TEST_CASE("a table searched from the targets (fewer targets than sources) gives the same trips", "[routing]") {
    const RoadGraph& g = test::sample_graph("monaco-riviera-2016");
    const EdgeSnapper snapper(g);
    std::mt19937_64 rng(test::random_seed() + 11);
    std::uniform_real_distribution<double> lon(7.40, 7.46);
    std::uniform_real_distribution<double> lat(43.72, 43.76);
    auto points = [&](int n) {
        std::vector<Snap> out;
        while (static_cast<int>(out.size()) < n) {
            if (auto s = snapper.snap({lon(rng), lat(rng)}, 300.0)) {
                out.push_back(*s);  // mid-edge points with off-network legs: every seed kind
            }
        }
        return out;
    };
    const auto sources = points(30);
    const auto targets = points(3);
    const auto many_to_few = travel_table(g, sources, targets, AccessOptions{});  // reverse searches
    const auto few_to_many = travel_table(g, targets, sources, AccessOptions{});  // forward searches
    REQUIRE(many_to_few.size() == 90);
    std::size_t reachable = 0;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        for (std::size_t j = 0; j < targets.size(); ++j) {
            const Trip& t = many_to_few[i * targets.size() + j];
            const Trip one = route(g, sources[i], targets[j], AccessOptions{});
            INFO("source " << i << " target " << j);
            REQUIRE(t.ds == one.ds);
            if (one.reachable()) {
                ++reachable;
                REQUIRE(t.metres == Approx(one.metres).margin(0.05));
            }
        }
    }
    CHECK(reachable > 60);
    CHECK(few_to_many.size() == 90);
}

namespace {

/// The nearest snappable segment by a scan of all of them (ties: the lower shape point), for
/// checking the snapping index.
struct Nearest {
    std::uint32_t point = invalid_index;
    double d2 = std::numeric_limits<double>::max();
};
Nearest nearest_by_scan(const RoadGraph& g, const std::vector<XY>& xy, XY q) {
    const auto& a = g.arrays();
    Nearest best;
    for (std::uint32_t e = 0; e < g.edge_count(); ++e) {
        if (!g.snappable(EdgeId{e})) {
            continue;
        }
        for (auto p = a.edge_first_point[e]; p + 1 < a.edge_first_point[e + 1]; ++p) {
            const double dx = xy[p + 1].x - xy[p].x, dy = xy[p + 1].y - xy[p].y;
            const double len2 = dx * dx + dy * dy;
            const double t = len2 > 0 ? std::clamp(((q.x - xy[p].x) * dx + (q.y - xy[p].y) * dy) / len2, 0.0, 1.0) : 0.0;
            const double ex = xy[p].x + t * dx - q.x, ey = xy[p].y + t * dy - q.y;
            const double d2 = ex * ex + ey * ey;
            if (d2 < best.d2 - 1e-9 || (d2 <= best.d2 + 1e-9 && p < best.point)) {
                best = {p, d2};
            }
        }
    }
    return best;
}

void check_against_scan(const RoadGraph& g, const std::vector<LonLat>& points, double max_m) {
    const EdgeSnapper snapper(g);
    const std::vector<XY> xy = snapper.projection().forward(g.arrays().points);
    const auto snaps = snapper.snap_all(points, max_m);
    std::size_t snapped = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const Nearest n = nearest_by_scan(g, xy, snapper.projection().forward(points[i]));
        INFO("point " << i << " at " << points[i].lon << ", " << points[i].lat);
        if (n.point == invalid_index || std::sqrt(n.d2) > max_m) {
            CHECK_FALSE(snaps[i]);
            continue;
        }
        REQUIRE(snaps[i]);
        ++snapped;
        const auto& a = g.arrays();
        CHECK(a.edge_first_point[to_index(snaps[i]->edge)] + snaps[i]->segment == n.point);
        CHECK(snaps[i]->distance_m == Approx(std::sqrt(n.d2)).margin(1e-6));
    }
    CHECK(snapped > 0);
}

} // namespace

TEST_CASE("snapping finds the segment a scan of every segment finds, ties to the lower one", "[routing]") {
    std::mt19937_64 rng(test::random_seed());
    SECTION("Andorra: random points, some far from any road or outside the network's box") {
        const RoadGraph& g = test::sample_graph("andorra-2021");
        std::uniform_real_distribution<double> lon(1.35, 1.85);
        std::uniform_real_distribution<double> lat(42.35, 42.73);
        std::vector<LonLat> points;
        for (int i = 0; i < 400; ++i) {
            points.push_back({lon(rng), lat(rng)});
        }
        check_against_scan(g, points, 2000.0);
        check_against_scan(g, points, 150.0);
        check_against_scan(g, {{5.0, 42.5}, {1.5, 43.5}}, 1e9);  // far away, no limit
    }
    SECTION("a street grid: points equidistant from several streets pick the lowest segment") {
        // 8 x 8 nodes 0.001 degree apart, streets both ways, each street drawn twice (parallel
        // edges: exact ties everywhere).
        std::vector<LonLat> coords;
        for (int j = 0; j < 8; ++j) {
            for (int i = 0; i < 8; ++i) {
                coords.push_back({0.001 * i, 0.001 * j});
            }
        }
        std::vector<ArcSpec> arcs;
        for (std::uint32_t j = 0; j < 8; ++j) {
            for (std::uint32_t i = 0; i < 8; ++i) {
                const std::uint32_t u = j * 8 + i;
                for (int copy = 0; copy < 2; ++copy) {
                    if (i + 1 < 8) {
                        arcs.push_back({u, u + 1, 100, 111.0F});
                    }
                    if (j + 1 < 8) {
                        arcs.push_back({u + 8, u, 100, 111.0F});
                    }
                }
            }
        }
        const RoadGraph built = graph_from_arcs(coords, arcs);
        std::vector<LonLat> points;
        for (int i = 0; i <= 28; ++i) {
            for (int j = 0; j <= 28; ++j) {
                points.push_back({-0.0005 + 0.00025 * i, -0.0005 + 0.00025 * j});  // on and between the streets
            }
        }
        check_against_scan(built, points, 500.0);
    }
    SECTION("a town of 320 000 segments: the index built on several threads finds what the scan finds") {
        // Above 100 000 segments the index is built by runs of segments on several threads; each
        // cell must still list its segments in ascending order (the ties to the lower one). Streets
        // drawn twice (exact ties), points on and between them and scattered, on 1 to 4 threads.
        constexpr std::uint32_t side = 283;
        std::vector<LonLat> coords;
        for (std::uint32_t j = 0; j < side; ++j) {
            for (std::uint32_t i = 0; i < side; ++i) {
                coords.push_back({0.0002 * i, 45.0 + 0.0002 * j});
            }
        }
        std::vector<ArcSpec> arcs;
        for (std::uint32_t j = 0; j < side; ++j) {
            for (std::uint32_t i = 0; i < side; ++i) {
                const std::uint32_t u = j * side + i;
                for (int copy = 0; copy < 2; ++copy) {
                    if (i + 1 < side) {
                        arcs.push_back({u, u + 1, 20, 16.0F});
                    }
                    if (j + 1 < side) {
                        arcs.push_back({u + side, u, 20, 22.0F});
                    }
                }
            }
        }
        const RoadGraph town = graph_from_arcs(coords, arcs);
        REQUIRE(town.edge_count() > 300'000);
        std::vector<LonLat> points;
        for (int i = 0; i < 12; ++i) {
            for (int j = 0; j < 12; ++j) {
                points.push_back({0.00005 * i + 0.02, 45.02 + 0.00005 * j});  // on, between and across streets
            }
        }
        std::uniform_real_distribution<double> lon(-0.01, 0.067);
        std::uniform_real_distribution<double> lat(44.99, 45.067);
        for (int i = 0; i < 150; ++i) {
            points.push_back({lon(rng), lat(rng)});
        }
        const int before = omp_get_max_threads();
        for (const int threads : {1, 2, 4}) {
            omp_set_num_threads(threads);
            INFO(threads << " threads");
            check_against_scan(town, points, 300.0);
        }
        omp_set_num_threads(before);
    }
    // Two towns with nothing between them: the snapping grid between them is rings and rings of
    // empty cells, which a point skips (EdgeSnapper's empty_rings). Points near the towns, across
    // the gap and around it, at limits from shorter than a cell to no limit.
    const auto two_towns = [](LonLat second, double spacing) {
        std::vector<LonLat> coords;
        for (const LonLat origin : {LonLat{0.0, 0.05}, second}) {
            for (int j = 0; j < 4; ++j) {
                for (int i = 0; i < 4; ++i) {
                    coords.push_back({origin.lon + spacing * i, origin.lat + spacing * j});
                }
            }
        }
        std::vector<ArcSpec> arcs;
        for (std::uint32_t town = 0; town < 2; ++town) {
            for (std::uint32_t j = 0; j < 4; ++j) {
                for (std::uint32_t i = 0; i < 4; ++i) {
                    const std::uint32_t u = town * 16 + j * 4 + i;
                    if (i + 1 < 4) {
                        arcs.push_back({u, u + 1, 100, 100.0F});
                    }
                    if (j + 1 < 4) {
                        arcs.push_back({u + 4, u, 100, 100.0F});
                    }
                }
            }
        }
        return graph_from_arcs(coords, arcs);
    };
    // `count` points at random in the box, and 40 around each town.
    const auto points_around = [&](LonLat second, double spacing, std::pair<double, double> lons,
                                   std::pair<double, double> lats, int count) {
        std::uniform_real_distribution<double> lon(lons.first, lons.second);
        std::uniform_real_distribution<double> lat(lats.first, lats.second);
        std::vector<LonLat> points;
        for (int i = 0; i < count; ++i) {
            points.push_back({lon(rng), lat(rng)});
        }
        std::uniform_real_distribution<double> jitter(-spacing, 4 * spacing);
        for (const LonLat origin : {LonLat{0.0, 0.05}, second}) {
            for (int i = 0; i < 40; ++i) {
                points.push_back({origin.lon + jitter(rng), origin.lat + jitter(rng)});
            }
        }
        return points;
    };
    SECTION("two towns 10 km apart across a grid of empty cells") {
        const LonLat second{0.1, 0.1};
        const RoadGraph built = two_towns(second, 0.002);
        const auto points = points_around(second, 0.002, {-0.02, 0.13}, {0.03, 0.13}, 600);
        for (const double limit : {150.0, 600.0, 2000.0, 1e9}) {
            check_against_scan(built, points, limit);
        }
    }
    SECTION("two small towns 220 km apart: more than 255 empty rings between them") {
        // Streets 55 m apart make cells of about 220 m: a thousand cells from one town to the
        // other, so the middle is further from both than the 255 rings a cell can count.
        const LonLat second{2.0, 0.05};
        const RoadGraph built = two_towns(second, 0.0005);
        auto points = points_around(second, 0.0005, {-0.01, 2.01}, {0.049, 0.0525}, 300);
        points.push_back({1.0, 0.0507});  // the middle
        for (const double limit : {100.0, 1000.0, 60'000.0, 1e9}) {
            check_against_scan(built, points, limit);
        }
    }
}

TEST_CASE("PointSeeds holds every point's seeds, as seeds() makes them, on any number of threads", "[routing]") {
    // Nantes: turn restrictions give arcs copies, so points have seeds of varied counts. More
    // points than one block of the parallel build, some snapped far off (long access legs).
    const RoadGraph& g = test::sample_graph("nantes-centre-2014");
    const EdgeSnapper snapper(g);
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> lon(-1.575, -1.535);
    std::uniform_real_distribution<double> lat(47.205, 47.225);
    std::vector<Snap> points;
    while (points.size() < 9'000) {
        if (auto s = snapper.snap({lon(rng), lat(rng)}, 2'000)) {
            points.push_back(*s);
        }
    }
    const AccessOptions access{};
    const auto snap_of = [&points](std::size_t p) -> const Snap& { return points[p]; };
    for (const Direction d : {Direction::forward, Direction::reverse}) {
        for (const int threads : {1, 2, 3}) {
            const PointSeeds all(g, points.size(), snap_of, d, access, threads);
            REQUIRE(all.size() == points.size());
            std::size_t differing = 0;
            std::size_t total = 0;
            for (std::size_t p = 0; p < points.size(); ++p) {
                const auto expected = seeds(g, points[p], d, access);
                const auto got = all[p];
                total += got.size();
                const bool same = std::equal(expected.begin(), expected.end(), got.begin(), got.end(),
                                             [](const SourceSet::Source& a, const SourceSet::Source& b) {
                                                 return a.state == b.state && a.offset_ds == b.offset_ds &&
                                                        a.tag == b.tag && a.offset_m == b.offset_m;
                                             });
                differing += same ? 0 : 1;
            }
            INFO("direction " << (d == Direction::forward ? "forward" : "reverse") << ", " << threads << " threads");
            CHECK(differing == 0);
            CHECK(total > points.size());  // most points have several seeds
        }
    }
    CHECK(PointSeeds(g, 0, snap_of, Direction::forward, access, 2).size() == 0);
}
