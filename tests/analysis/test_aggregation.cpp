#include <catch2/catch.hpp>

#include "proxima/analysis/aggregation.hpp"

using namespace proxima;

TEST_CASE("bands include their upper bound and unreachable has its own", "[analysis]") {
    Bands b;
    b.add(0.0, 1);
    b.add(10.0, 2);      // exactly 10: in 0-10
    b.add(10.0001, 4);
    b.add(30.0, 8);      // exactly 30: within 30 min
    b.add(30.05, 16);
    b.add(60.0, 32);
    b.add(61.0, 64);
    b.add(std::nullopt, 128);
    CHECK(b.population == std::array<double, 7>{3, 4, 8, 16, 32, 64, 128});
}

TEST_CASE("over a threshold means strictly beyond it, or unreachable", "[analysis]") {
    CHECK_FALSE(is_over(30.0, 30));
    CHECK(is_over(30.0 + 1.0 / 600, 30));  // one decisecond more
    CHECK(is_over(std::nullopt, 30));
    CHECK(minutes_of(18000) == 30.0);
    CHECK_FALSE(minutes_of(unreachable_ds).has_value());
}

TEST_CASE("zone and area figures: weighted means, population over, unreachable counted, nothing lost", "[analysis]") {
    StudyInputs in;
    in.study.name = std::string(1, 't');
    Zone zone_a;
    Zone zone_b;
    zone_a.code = std::string(1, 'A');  // (not = "A": GCC 12 reports a false -Wrestrict on that)
    zone_b.code = std::string(1, 'B');
    in.zones.zones = {zone_a, zone_b};
    in.origins = {{"o1", 0, {}, 100, {}}, {"o2", 0, {}, 50, {}}, {"o3", 1, {}, 10, {}}, {"o4", 1, {}, 0, {}}};
    ServiceInputs service;
    service.spec.id = std::string(1, 's');
    service.spec.threshold_min = 30;
    in.services.push_back(service);
    AccessTable access(1, 4);
    access.set(0, 0, 18000, 0);           // 30.0 min: within
    access.set(0, 1, 18001, 0);           // 30.0017 min: over
    access.set(0, 2, unreachable_ds, invalid_index);
    access.set(0, 3, 600, 0);             // 1 min, nobody lives there
    const StudyResults r = aggregate(in, access);
    const auto& a = r.zones[0][0];
    CHECK(a.population == 150);
    CHECK(a.population_over == 50);
    CHECK(*a.mean_min == Approx((30.0 * 100 + 18001.0 / 600 * 50) / 150));
    CHECK(*a.max_min == Approx(18001.0 / 600));
    CHECK(a.over);  // the weighted mean is beyond 30.0
    const auto& b = r.zones[0][1];
    CHECK(b.population == 10);
    CHECK(b.population_over == 10);      // unreachable counts as over
    CHECK(*b.mean_min == Approx(1.0));   // the weighted mean of reachable origins (o4 has no weight: unweighted)
    CHECK_FALSE(b.max_min.has_value());  // one origin unreachable: the worst time is unknown
    REQUIRE(r.summary.size() == 3);      // study + 2 zones (no commune table: no EPCI)
    const auto& study = r.summary[0];
    CHECK(study.scope == "study");
    CHECK(study.population == 160);
    CHECK(study.population_over == 60);
    CHECK(*study.share_over == Approx(60.0 / 160));
    double banded = 0;
    for (double p : study.bands.population) {
        banded += p;
    }
    CHECK(banded == study.population);  // every inhabitant in exactly one band
    CHECK(study.bands.population[6] == 10);
    CHECK(r.summary[1].scope == "zone");
    CHECK(r.summary[1].code == "A");
}
