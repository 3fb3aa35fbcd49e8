// SiteSearchBatch::resolve_lanes (every lane of a point at once, as the access table and the
// surfaces read millions of points) against resolve lane by lane, and against Dijkstra one
// site set at a time, on a real town centre with turn restrictions: the same time and site.

#include <array>
#include <random>

#include <catch2/catch.hpp>

#include "proxima/routing/contraction_hierarchy.hpp"
#include "proxima/routing/site_search_batch.hpp"
#include "proxima/routing/snap.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/graphs.hpp"

using namespace proxima;

namespace {

/// Points snapped near random places of random edges (real snaps: offsets along the edge,
/// off-network legs, points at nodes where a place falls on one).
std::vector<Snap> random_snaps(const RoadGraph& g, const EdgeSnapper& snapper, std::mt19937_64& rng, std::size_t n) {
    std::uniform_int_distribution<std::uint32_t> edge(0, g.edge_count() - 1);
    std::uniform_real_distribution<double> jitter(-0.0004, 0.0004);
    std::vector<Snap> out;
    while (out.size() < n) {
        const auto points = g.edge_points(EdgeId{edge(rng)});
        const LonLat at = points[rng() % points.size()];
        const bool exact = rng() % 5 == 0;  // some exactly on a shape point or a node
        const LonLat p = exact ? at : LonLat{at.lon + jitter(rng), at.lat + jitter(rng)};
        if (const auto snap = snapper.snap(p, 1000.0)) {
            out.push_back(*snap);
        }
    }
    return out;
}

} // namespace

TEST_CASE("resolve_lanes gives every lane the time and site of resolve and of Dijkstra, sites on the point's edge "
          "included",
          "[routing]") {
    std::mt19937_64 rng(test::random_seed() + 29);
    RoadGraph g = test::sample_graph("nantes-centre-2014");
    add_state_hierarchy(g);
    const EdgeSnapper snapper(g);
    const AccessOptions access{15.0};
    for (const auto direction : {Direction::reverse, Direction::forward}) {
        // Two runs on one batch: what the first leaves (the sites' edges) must not leak into
        // the second.
        SiteSearchBatch phast(g, direction, access, SearchMethod::phast, 8);
        for (int round = 0; round < 2; ++round) {
            INFO((direction == Direction::reverse ? "reverse" : "forward") << ", run " << round);
            // Seven site sets in an 8-lane batch (the last lane stays empty), one with a bound.
            std::vector<std::vector<Snap>> sites;
            for (unsigned l = 0; l < 7; ++l) {
                sites.push_back(random_snaps(g, snapper, rng, 1 + l * 4));
            }
            std::vector<std::span<const Snap>> sets(sites.begin(), sites.end());
            std::vector<Deciseconds> bounds(7, max_travel_ds);
            bounds[3] = 1200;
            phast.run(sets, bounds);

            std::vector<SiteSearchBatch> dijkstra;
            for (unsigned l = 0; l < 7; ++l) {
                dijkstra.emplace_back(g, direction, access, SearchMethod::dijkstra, 1);
                const std::span<const Snap> only[] = {sites[l]};
                const Deciseconds bound[] = {bounds[l]};
                dijkstra.back().run(only, bound);
            }

            // Random points, and points on the sites' own edges (the trips along one edge).
            std::vector<Snap> points = random_snaps(g, snapper, rng, 400);
            std::size_t on_site_edges = 0;
            for (const auto& set : sites) {
                for (const auto& site : set) {
                    const auto shape = g.edge_points(site.edge);
                    for (const auto& q : {shape.front(), shape.back(), site.point}) {
                        const auto snap = snapper.snap({q.lon + 0.00002, q.lat - 0.00001}, 1000.0);
                        if (snap && snap->edge == site.edge) {
                            points.push_back(*snap);
                            ++on_site_edges;
                        }
                    }
                }
            }
            REQUIRE(on_site_edges > 20);

            std::size_t compared = 0;
            std::size_t reached = 0;
            std::size_t by_same_edge = 0;
            std::vector<SourceSet::Source> own;
            for (const auto& point : points) {
                phast.point_seeds_into(own, point);
                CHECK(own.size() == phast.point_seeds(point).size());
                std::array<SiteReach, 8> lanes;
                phast.resolve_lanes(point, own, std::span<SiteReach>(lanes.data(), 7));
                for (unsigned l = 0; l < 7; ++l) {
                    const SiteReach one = phast.resolve(l, point, own);
                    const SiteReach reference = dijkstra[l].resolve(0, point, dijkstra[l].point_seeds(point));
                    INFO("lane " << l << ", edge " << to_index(point.edge));
                    REQUIRE(lanes[l].ds == one.ds);
                    REQUIRE(lanes[l].site == one.site);
                    REQUIRE(lanes[l].ds == reference.ds);
                    if (reference.reachable()) {
                        REQUIRE(lanes[l].site == reference.site);
                        ++reached;
                        for (const auto& site : sites[l]) {
                            by_same_edge += site.edge == point.edge ? 1 : 0;
                        }
                    }
                    ++compared;
                }
            }
            CHECK(reached > compared / 2);
            CHECK(by_same_edge > 0);
        }
    }
}
