// compute_access by Dijkstra and by PHAST (8 services per sweep, both directions mixed): the same
// times and facilities, and the same times at extra points as service_times_at(); the rule that
// picks the method.

#include <memory>

#include <catch2/catch.hpp>

#include "proxima/analysis/access_times.hpp"
#include "proxima/analysis/travel_time_raster.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/memory_use.hpp"
#include "proxima/routing/phast.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;

namespace {

/// Andorra with 11 services made from its facilities: every other one drives out (SMUR-like),
/// each keeps a different subset of the sites, so lanes differ in sources and direction.
const StudyInputs& andorra_services() {
    static const StudyInputs in = [] {
        StudyFile study = load_study(test::data_file("studies/andorra.toml"));
        study.network.graph.clear();
        StudyInputs loaded = load_study_inputs(study);
        std::vector<ServiceInputs> services;
        for (std::size_t k = 0; k < 11; ++k) {
            ServiceInputs s = loaded.services[k % loaded.services.size()];
            s.spec.id += '-';  // one append at a time: GCC 12 warns (-Wrestrict) on "-" + string
            s.spec.id += std::to_string(k);
            s.spec.direction = k % 3 == 1 ? TravelDirection::from_service : TravelDirection::to_service;
            std::vector<Snap> kept;
            for (std::size_t f = 0; f < s.snaps.size(); ++f) {
                if (s.snaps.size() == 1 || (f + k) % 3 != 0) {
                    kept.push_back(s.snaps[f]);
                }
            }
            s.snaps = kept;
            services.push_back(std::move(s));
        }
        loaded.services = std::move(services);
        return loaded;
    }();
    return in;
}

StudyInputs with_search(const StudyInputs& in, SearchChoice choice) {
    StudyInputs out = in;
    out.study.network.search = choice;
    return out;
}

} // namespace

TEST_CASE("compute_access: PHAST and Dijkstra give the same times and facilities, and the same point times",
          "[analysis]") {
    const StudyInputs& in = andorra_services();
    REQUIRE(in.graph().hierarchy() != nullptr);  // built with the graph
    const StudyInputs dijkstra_in = with_search(in, SearchChoice::dijkstra);
    const StudyInputs phast_in = with_search(in, SearchChoice::phast);
    // Extra points: the origins' own snaps (their times must be the table's) and the facilities'.
    std::vector<Snap> points;
    for (const auto& o : in.origins) {
        points.push_back(o.snap);
    }
    for (const auto& s : in.services) {
        points.insert(points.end(), s.snaps.begin(), s.snaps.end());
    }
    // Services are consumed side by side: each writes its own slot (Catch's checks are not
    // thread-safe, so they come after).
    std::vector<std::vector<Deciseconds>> got(in.services.size());
    std::vector<int> calls(in.services.size(), 0);
    std::vector<int> table_ready(in.services.size(), 0);
    const PointTimes extra{points, [&](std::size_t s, std::span<const Deciseconds> ds, const AccessTable& table) {
        ++calls[s];
        got[s].assign(ds.begin(), ds.end());
        table_ready[s] = 1;
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            if (ds[o] != table.time_ds(s, o)) {  // the table is filled for this service already
                table_ready[s] = 0;
            }
        }
    }};
    const AccessTable dijkstra = compute_access(dijkstra_in, 2);
    const AccessTable phast = compute_access(phast_in, 2, &extra);
    CHECK(dijkstra.search().method == SearchMethod::dijkstra);
    CHECK(phast.search().method == SearchMethod::phast);
    CHECK(phast.search().lanes == 6);  // 11 services on 2 threads
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        INFO(in.services[s].spec.id);
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            REQUIRE(phast.time_ds(s, o) == dijkstra.time_ds(s, o));
            REQUIRE(phast.nearest(s, o) == dijkstra.nearest(s, o));
        }
        CHECK(calls[s] == 1);
        CHECK(table_ready[s] == 1);
        // The raster path's own search (one Dijkstra per service) gives the same point times.
        const auto reference = service_times_at(in, s, points, 1);
        REQUIRE(got[s] == reference);
    }
    // A consumer's failure stops the computation and comes out of compute_access, not
    // out of an OpenMP thread (which would end the program).
    const PointTimes failing{points, [&](std::size_t s, std::span<const Deciseconds>, const AccessTable&) {
        if (s == 3) {
            throw Error("consumer failed on service 3");
        }
    }};
    CHECK_THROWS_WITH(compute_access(phast_in, 2, &failing), "consumer failed on service 3");
    // One thread, the same table.
    const AccessTable phast_one = compute_access(phast_in, 1);
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            REQUIRE(phast_one.nearest(s, o) == phast.nearest(s, o));
            REQUIRE(phast_one.time_ds(s, o) == phast.time_ds(s, o));
        }
    }
}

TEST_CASE("the search method: PHAST when the graph has a hierarchy, else Dijkstra, lanes shared among threads",
          "[analysis]") {
    const StudyInputs& in = andorra_services();
    const RoadGraph& with = in.graph();
    RoadGraph without = with;
    without.set_hierarchy(std::nullopt);
    CHECK(plan_search(with, SearchChoice::automatic, 11, 1).method == SearchMethod::phast);
    CHECK(plan_search(with, SearchChoice::automatic, 11, 1).lanes == 8);
    CHECK(plan_search(with, SearchChoice::automatic, 11, 2).lanes == 6);   // a batch per thread
    CHECK(plan_search(with, SearchChoice::automatic, 3, 1).lanes == 3);
    CHECK(plan_search(with, SearchChoice::automatic, 1, 4).method == SearchMethod::phast);
    CHECK(plan_search(with, SearchChoice::automatic, 1, 4).lanes == 1);
    CHECK(plan_search(without, SearchChoice::automatic, 11, 1).method == SearchMethod::dijkstra);
    CHECK(plan_search(with, SearchChoice::dijkstra, 11, 1).method == SearchMethod::dijkstra);
    CHECK(plan_search(with, SearchChoice::dijkstra, 11, 1).lanes == 1);
    CHECK(plan_search(with, SearchChoice::phast, 1, 1).method == SearchMethod::phast);
    CHECK_THROWS_AS(plan_search(without, SearchChoice::phast, 11, 1), ConfigError);
    // Fewer lanes where the sweeps' labels would take more than an eighth of the memory.
    const std::size_t states = with.state_count();
    CHECK(Phast::memory_bytes(states, 6) == states * (8 * 8 + 1));  // 6 lanes are held as 8
    const std::size_t eight_lanes = 2 * Phast::memory_bytes(states, 8);
    CHECK(plan_search(with, SearchChoice::automatic, 11, 2, 1, 8 * eight_lanes).lanes == 6);  // fits exactly
    const SearchPlan halved = plan_search(with, SearchChoice::automatic, 11, 2, 1, 8 * eight_lanes - 1);
    CHECK(halved.lanes == 4);
    CHECK_THAT(halved.reason, Catch::Contains("4 services per sweep instead of 6, so that the 2 sweeps"));
    // Both directions searched: a sweep per thread and direction, twice the memory (4 lanes hold
    // a little more than half of 8: the mark byte per state).
    CHECK(plan_search(with, SearchChoice::automatic, 11, 2, 2, 8 * eight_lanes).lanes == 2);
    CHECK(plan_search(with, SearchChoice::automatic, 11, 2, 1, 8 * 2 * Phast::memory_bytes(states, 2)).lanes == 2);
    const SearchPlan starved = plan_search(with, SearchChoice::automatic, 11, 2, 1, 1);
    CHECK(starved.lanes == 1);  // never below one, and the reason does not pretend it fits
    CHECK_THAT(starved.reason, Catch::Contains("one service per sweep, and even so"));
    CHECK(plan_search(with, SearchChoice::automatic, 11, 2, 1, 0).lanes == 6);  // memory unknown: as asked
    CHECK(plan_search(with, SearchChoice::automatic, 11, 2, 2, std::size_t{1} << 40).reason ==
          "the graph has a contraction hierarchy");
    CHECK(physical_memory_bytes() > 0);
    // A graph without a hierarchy still gives the table (Dijkstra).
    StudyInputs fallback = in;
    fallback.road_graph = std::make_shared<const RoadGraph>(without);
    const AccessTable t = compute_access(fallback, 2);
    CHECK(t.search().method == SearchMethod::dijkstra);
    const AccessTable p = compute_access(in, 2);
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            REQUIRE(t.time_ds(s, o) == p.time_ds(s, o));
        }
    }
}
