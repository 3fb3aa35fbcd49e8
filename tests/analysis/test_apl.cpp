// APL (E2SFCA): the decay at its bounds; the two steps on a hand-worked case; the whole
// computation against a brute-force reference (all-pairs times from Boost.Graph's Dijkstra on the
// same turn-aware graph, then the two formulas written naively) on random graphs and on the
// Andorra sample; the conservation identity; thread-count independence; aggregation by area.

#include <algorithm>
#include <cmath>
#include <random>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "proxima/analysis/apl.hpp"
#include "proxima/core/error.hpp"
#include "proxima_test/boost_reference.hpp"
#include "proxima_test/andorra_inputs.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/graphs.hpp"

using namespace proxima;

namespace {

// ---------------------------------------------------------------------------------------------
// The reference: every trip by Boost.Graph, then 2SFCA written as in the papers.

/// All-pairs trip times origin -> site (residents driving to the sites), or site -> origin for a
/// from_service service: one Boost.Graph Dijkstra per trip start over the turn-aware graph, the
/// trip completed at the other end's arrival seeds, or along a shared edge. nullopt: no path.
std::vector<std::vector<std::optional<std::int64_t>>> reference_times(const StudyInputs& in,
                                                                      const std::vector<Snap>& sites,
                                                                      TravelDirection direction) {
    const RoadGraph& g = in.graph();
    const AccessOptions access{in.study.network.access_kmh};
    const bool outbound = direction == TravelDirection::from_service;
    std::vector<Snap> origins;
    for (const auto& o : in.origins) {
        origins.push_back(o.snap);
    }
    const std::vector<Snap>& starts = outbound ? sites : origins;
    const std::vector<Snap>& ends = outbound ? origins : sites;
    std::vector<std::vector<std::optional<std::int64_t>>> out(origins.size(),
                                                              std::vector<std::optional<std::int64_t>>(sites.size()));
    for (std::size_t a = 0; a < starts.size(); ++a) {
        std::vector<test::ReferenceSource> sources;
        for (const auto& s : seeds(g, starts[a], Direction::forward, access)) {
            sources.push_back({to_index(s.state), static_cast<std::int64_t>(s.offset_ds)});
        }
        const auto times = test::boost_dijkstra(g, Direction::forward, sources);
        for (std::size_t b = 0; b < ends.size(); ++b) {
            std::optional<std::int64_t> best;
            for (const auto& s : seeds(g, ends[b], Direction::reverse, access)) {
                if (const auto t = times[to_index(s.state)]; t && (!best || *t + s.offset_ds < *best)) {
                    best = *t + s.offset_ds;
                }
            }
            if (const auto direct = same_edge_leg(g, starts[a], ends[b])) {
                const std::int64_t t = access_ds(starts[a], access) + direct->ds + access_ds(ends[b], access);
                if (!best || t < *best) {
                    best = t;
                }
            }
            (outbound ? out[b][a] : out[a][b]) = best;
        }
    }
    return out;
}

/// The decay written from the spec, in minutes (independent of AplDecay).
double reference_weight(const AplSpec& spec, std::optional<std::int64_t> ds) {
    if (!ds) {
        return 0.0;
    }
    const double t = static_cast<double>(*ds) / 600.0;
    switch (spec.decay) {
    case AplSpec::Decay::bands:
        for (std::size_t b = 0; b < spec.band_upper_min.size(); ++b) {
            if (t <= spec.band_upper_min[b]) {
                return spec.band_weight[b];
            }
        }
        return 0.0;
    case AplSpec::Decay::linear: return t < spec.max_min ? 1.0 - t / spec.max_min : 0.0;
    case AplSpec::Decay::gaussian:
        return t < spec.max_min ? (std::exp(-0.5 * (t / spec.max_min) * (t / spec.max_min)) - std::exp(-0.5)) /
                                      (1.0 - std::exp(-0.5))
                                : 0.0;
    }
    return 0.0;
}

struct Reference {
    std::vector<double> apl;                    ///< per origin
    std::vector<std::optional<double>> ratio;   ///< per site
    std::vector<double> weighted_demand;        ///< per site
    std::vector<std::uint32_t> sites_within;    ///< per origin
    std::vector<std::optional<std::int64_t>> nearest;  ///< per origin, within reach
    double supply_reached = 0.0;
};

/// Step 1 and step 2 as the formulas read, over the all-pairs table.
Reference reference_apl(const StudyInputs& in, const std::vector<std::vector<std::optional<std::int64_t>>>& t,
                        const std::vector<double>& supply, const AplSpec& spec) {
    const std::size_t n = in.origins.size();
    const std::size_t m = supply.size();
    Reference r;
    r.ratio.resize(m);
    r.weighted_demand.assign(m, 0.0);
    for (std::size_t j = 0; j < m; ++j) {
        for (std::size_t i = 0; i < n; ++i) {
            const double w = reference_weight(spec, t[i][j]);
            if (w > 0) {
                r.weighted_demand[j] += w * in.origins[i].population;
            }
        }
        if (r.weighted_demand[j] > 0) {
            r.ratio[j] = supply[j] / r.weighted_demand[j];
            r.supply_reached += supply[j];
        }
    }
    r.apl.assign(n, 0.0);
    r.sites_within.assign(n, 0);
    r.nearest.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < m; ++j) {
            const double w = reference_weight(spec, t[i][j]);
            if (w <= 0) {
                continue;
            }
            ++r.sites_within[i];
            if (!r.nearest[i] || *t[i][j] < *r.nearest[i]) {
                r.nearest[i] = t[i][j];
            }
            if (r.ratio[j]) {
                r.apl[i] += w * *r.ratio[j];
            }
        }
    }
    return r;
}

void require_same(const AplResult& got, const Reference& ref, double supply_total) {
    REQUIRE(got.apl.size() == ref.apl.size());
    for (std::size_t i = 0; i < ref.apl.size(); ++i) {
        INFO("origin " << i);
        REQUIRE(got.sites_within[i] == ref.sites_within[i]);
        REQUIRE((got.nearest_ds[i] == unreachable_ds) == !ref.nearest[i]);
        if (ref.nearest[i]) {
            REQUIRE(got.nearest_ds[i] == *ref.nearest[i]);  // the times are exact
        }
        REQUIRE(got.apl[i] == Approx(ref.apl[i]).epsilon(1e-12).margin(1e-300));
    }
    for (std::size_t j = 0; j < ref.ratio.size(); ++j) {
        INFO("site " << j);
        REQUIRE(got.sites[j].ratio.has_value() == ref.ratio[j].has_value());
        REQUIRE(got.sites[j].weighted_demand == Approx(ref.weighted_demand[j]).epsilon(1e-12));
        if (ref.ratio[j]) {
            REQUIRE(*got.sites[j].ratio == Approx(*ref.ratio[j]).epsilon(1e-12));
        }
    }
    CHECK(got.conservation.supply_reached == Approx(ref.supply_reached).epsilon(1e-12));
    CHECK(got.conservation.supply_total == Approx(supply_total).epsilon(1e-12));
    CHECK(got.conservation.holds());
}

/// A synthetic study: a random graph whose arcs take up to 5 min (so that trips span every band
/// and beyond), two zones, random origins (some without inhabitants) and sites (two at the same
/// place).
StudyInputs synthetic(std::uint64_t seed, TravelDirection direction) {
    StudyInputs in;
    in.road_graph = std::make_shared<const RoadGraph>(test::random_graph(300, 900, seed, 3000));
    in.study.name = "synthetic";
    in.study.network.max_snap_m = 50000;
    Zone a;
    Zone b;
    a.code = std::string(1, 'A');  // (not = "A": GCC 12 reports a false -Wrestrict on that)
    b.code = std::string(1, 'B');
    in.zones.zones = {a, b};
    std::mt19937_64 rng(seed + 1);
    std::uniform_real_distribution<double> coord(0.0, 0.1);
    std::uniform_real_distribution<double> people(0.0, 1000.0);
    const EdgeSnapper snapper(in.graph());
    for (int i = 0; i < 80; ++i) {
        const LonLat p{coord(rng), coord(rng)};
        const double population = i % 7 == 3 ? 0.0 : std::round(people(rng));
        in.origins.push_back({fmt::format("o{}", i), static_cast<std::size_t>(i % 2), p, population, *snapper.snap(p, 1e6)});
    }
    ServiceInputs sv;
    sv.spec.id = "s";
    sv.spec.label = "synthetic service";
    sv.spec.threshold_min = 10.0;
    sv.spec.direction = direction;
    for (int i = 0; i < 12; ++i) {
        Facility f;
        f.id = fmt::format("f{}", i);
        f.position = i == 11 ? sv.facilities[3].position : LonLat{coord(rng), coord(rng)};
        sv.facilities.push_back(f);
        sv.snaps.push_back(*snapper.snap(f.position, 1e6));
    }
    in.services = {sv};
    return in;
}

std::vector<double> random_supply(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> supply(0.0, 5.0);
    std::vector<double> out;
    for (std::size_t j = 0; j < n; ++j) {
        out.push_back(j % 5 == 4 ? 0.0 : supply(rng));  // a site without activity now and then
    }
    return out;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Decay

TEST_CASE("DREES's decay: 1 up to 10 min, 2/3 up to 15, 1/3 up to 20, 0 beyond, bounds included", "[analysis][apl]") {
    const AplSpec spec;  // the defaults are DREES's
    const AplDecay decay(spec);
    CHECK(decay.reach_ds() == 12000);
    CHECK(decay.weight(0) == 1.0);
    CHECK(decay.weight(6000) == 1.0);  // exactly 10 min: first band
    CHECK(decay.weight(6001) == 2.0 / 3.0);
    CHECK(decay.weight(9000) == 2.0 / 3.0);
    CHECK(decay.weight(9001) == 1.0 / 3.0);
    CHECK(decay.weight(12000) == 1.0 / 3.0);
    CHECK(decay.weight(12001) == 0.0);
    CHECK(decay.weight(unreachable_ds) == 0.0);
    CHECK(apl_reach_min(spec) == 20.0);
    CHECK(describe_decay(spec) == "bands: 1 up to 10 min, 0.6667 up to 15 min, 0.3333 up to 20 min, 0 beyond");
}

TEST_CASE("band bounds that are not whole deciseconds in floating point still include their last decisecond",
          "[analysis][apl]") {
    AplSpec spec;
    spec.band_upper_min = {0.7};  // 0.7 × 600 = 419.99999999999994 in floating point
    spec.band_weight = {1.0};
    const AplDecay decay(spec);
    CHECK(decay.reach_ds() == 420);
    CHECK(decay.weight(420) == 1.0);
    CHECK(decay.weight(421) == 0.0);
}

TEST_CASE("continuous decays fall from 1 at 0 min to 0 at max_min and stay 0 beyond", "[analysis][apl]") {
    AplSpec spec;
    spec.decay = AplSpec::Decay::linear;
    spec.max_min = 30;
    const AplDecay linear(spec);
    CHECK(linear.reach_ds() == 18000);
    CHECK(linear.weight(0) == 1.0);
    CHECK(linear.weight(9000) == Approx(0.5));
    CHECK(linear.weight(18000) == 0.0);
    CHECK(linear.weight(18001) == 0.0);
    spec.decay = AplSpec::Decay::gaussian;
    const AplDecay gaussian(spec);
    CHECK(gaussian.weight(0) == Approx(1.0));
    CHECK(gaussian.weight(18000) == Approx(0.0).margin(1e-15));
    CHECK(gaussian.weight(19000) == 0.0);
    // Dai's Gaussian at half the radius: (e^-1/8 - e^-1/2) / (1 - e^-1/2).
    CHECK(gaussian.weight(9000) == Approx((std::exp(-0.125) - std::exp(-0.5)) / (1 - std::exp(-0.5))));
    double previous = 2.0;
    for (Deciseconds ds = 0; ds <= 18000; ds += 500) {
        CHECK(gaussian.weight(ds) < previous);  // strictly decreasing on the way
        previous = gaussian.weight(ds);
    }
}

TEST_CASE("APL parameters that make no sense are refused with what to write instead", "[analysis][apl]") {
    auto refused = [](const AplSpec& s) {
        try {
            check_apl_spec(s, "services.medecin.apl");
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    AplSpec s;
    CHECK(refused(s).empty());
    s.band_upper_min = {15, 10};
    s.band_weight = {1, 0.5};
    CHECK_THAT(refused(s), Catch::Contains("must increase"));
    s.band_upper_min = {10, 15};
    s.band_weight = {0.5, 1};
    CHECK_THAT(refused(s), Catch::Contains("never weighs farther"));
    s.band_weight = {1, 0};
    CHECK_THAT(refused(s), Catch::Contains("leave out a band of weight 0"));
    s.band_weight = {1.5, 1};
    CHECK_THAT(refused(s), Catch::Contains("at most 1"));
    s.band_weight = {1};
    CHECK_THAT(refused(s), Catch::Contains("one weight per band"));
    s = AplSpec{};
    s.band_upper_min = {10, 2000};
    s.band_weight = {1, 0.5};
    CHECK_THAT(refused(s), Catch::Contains("at most 1440"));
    s = AplSpec{};
    s.decay = AplSpec::Decay::linear;
    s.max_min = 0;
    CHECK_THAT(refused(s), Catch::Contains("max_min"));
    s = AplSpec{};
    s.per_inhabitants = 3000;
    CHECK_THAT(refused(s), Catch::Contains("per_inhabitants"));
    s = AplSpec{};
    s.threshold = std::nan("");
    CHECK_THAT(refused(s), Catch::Contains("threshold"));
    s.threshold = 0;
    CHECK_THAT(refused(s), Catch::Contains("threshold"));
    CHECK_THROWS_AS(AplDecay(s), ConfigError);
}

// ---------------------------------------------------------------------------------------------
// The two steps

TEST_CASE("the two steps on a case worked by hand", "[analysis][apl]") {
    // o0: 100 inhabitants, o1: 200, o2: 300, o3: 50 (no site within reach), o4: 0.
    // Site 0 (supply 2) reaches o0 at 5 min (w 1), o1 at 12 min (w 2/3).
    // Site 1 (supply 3) reaches o1 at 3 min (w 1), o2 at 18 min (w 1/3), o3 at 25 min (w 0).
    // Site 2 (supply 7) reaches only o4, where nobody lives: its supply serves nobody.
    const std::vector<double> demand = {100, 200, 300, 50, 0};
    const std::vector<Catchment> catchments = {{{{0, 3000}, {1, 7200}}},
                                               {{{1, 1800}, {2, 10800}, {3, 15000}}},
                                               {{{4, 600}}}};
    const AplDecay decay{AplSpec{}};
    const AplResult r = two_step_fca(catchments, demand, std::vector<double>{2, 3, 7}, decay);
    const double r0 = 2.0 / (100 + 200 * 2.0 / 3.0);
    const double r1 = 3.0 / (200 + 300 / 3.0);
    REQUIRE(r.sites[0].ratio);
    CHECK(*r.sites[0].ratio == Approx(r0));
    CHECK(*r.sites[1].ratio == Approx(r1));
    CHECK_FALSE(r.sites[2].ratio);  // NULL, not 0: no demand to divide by
    CHECK(r.sites[1].origins_within == 2);
    CHECK(r.sites[1].population_within == 500);
    CHECK(r.apl[0] == Approx(r0));
    CHECK(r.apl[1] == Approx(2.0 / 3.0 * r0 + r1));
    CHECK(r.apl[2] == Approx(r1 / 3.0));
    CHECK(r.apl[3] == 0.0);  // no site within 20 min: APL 0 by definition
    CHECK(r.sites_within[3] == 0);
    CHECK(r.nearest_ds[3] == unreachable_ds);
    CHECK(r.nearest_ds[1] == 1800);
    CHECK(r.apl[4] == 0.0);
    CHECK(r.sites_within[4] == 1);  // site 2 is there, but supplies nobody with demand
    CHECK(r.pairs == 5);
    // Conservation: Σ D·A = 2 + 3, the supply of the sites some demand reaches (not site 2's 7).
    CHECK(r.conservation.demand_times_apl == Approx(5.0));
    CHECK(r.conservation.supply_reached == 5.0);
    CHECK(r.conservation.supply_total == 12.0);
    CHECK(r.conservation.sites_unreached == 1);
    CHECK(r.conservation.holds());

    CHECK_THROWS_AS(two_step_fca(catchments, demand, std::vector<double>{1, 2}, decay), Error);
    CHECK_THROWS_AS(two_step_fca(std::vector<Catchment>{{{{9, 0}}}}, demand, std::vector<double>{1}, decay), Error);
}

TEST_CASE("conservation holds on random instances of the two steps: Σ D·A = Σ S over the sites reached",
          "[analysis][apl]") {
    std::mt19937_64 rng(test::random_seed());
    const AplDecay decay{AplSpec{}};
    for (int round = 0; round < 200; ++round) {
        const std::size_t n = 1 + rng() % 60;
        const std::size_t m = 1 + rng() % 15;
        std::vector<double> demand(n);
        for (auto& d : demand) {
            d = rng() % 4 == 0 ? 0.0 : static_cast<double>(rng() % 100000) / 7.0;
        }
        std::vector<Catchment> catchments(m);
        std::vector<double> supply(m);
        double expected = 0.0;
        for (std::size_t j = 0; j < m; ++j) {
            supply[j] = static_cast<double>(rng() % 1000) / 3.0;
            double weighted = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                if (rng() % 3 == 0) {
                    const auto ds = static_cast<Deciseconds>(rng() % 15000);
                    catchments[j].origins.emplace_back(static_cast<std::uint32_t>(i), ds);
                    weighted += decay.weight(ds) * demand[i];
                }
            }
            expected += weighted > 0 ? supply[j] : 0.0;
        }
        const AplResult r = two_step_fca(catchments, demand, supply, decay);
        INFO("round " << round);
        REQUIRE(r.conservation.supply_reached == Approx(expected).epsilon(1e-12));
        REQUIRE(r.conservation.relative_residual <= 1e-12);
        REQUIRE(r.conservation.holds());
    }
}

// ---------------------------------------------------------------------------------------------
// Against the brute-force reference

TEST_CASE("APL equals the brute-force 2SFCA over Boost.Graph's all-pairs times on random graphs", "[analysis][apl]") {
    for (const auto direction : {TravelDirection::to_service, TravelDirection::from_service}) {
        for (std::uint64_t k = 0; k < 3; ++k) {
            const std::uint64_t seed = test::random_seed() + 17 * k;
            const StudyInputs in = synthetic(seed, direction);
            const auto supply = random_supply(in.services[0].snaps.size(), seed);
            const auto times = reference_times(in, in.services[0].snaps, direction);
            AplSpec spec;
            if (k == 1) {
                spec.decay = AplSpec::Decay::linear;
                spec.max_min = 25;
            } else if (k == 2) {
                spec.decay = AplSpec::Decay::gaussian;
                spec.max_min = 18;
            }
            INFO("seed " << seed << ", " << to_string(spec.decay)
                         << (direction == TravelDirection::to_service ? ", to the sites" : ", from the sites"));
            const AplResult got = compute_apl(in, direction, in.services[0].snaps, supply, spec, 2);
            double total = 0.0;
            for (double s : supply) {
                total += s;
            }
            require_same(got, reference_apl(in, times, supply, spec), total);
            // Every band is exercised, and some trips lie beyond the reach.
            std::size_t within = 0;
            std::size_t beyond = 0;
            for (const auto& row : times) {
                for (const auto& t : row) {
                    (t && *t <= 12000 ? within : beyond) += 1;
                }
            }
            CHECK(within > 50);
            CHECK(beyond >= 20);
            // Co-located sites (3 and 11) share one search.
            CHECK(got.searches.searches == in.services[0].snaps.size() - 1);
        }
    }
}

TEST_CASE("Andorra: the doctors' APL equals the brute-force reference, whatever the thread count", "[analysis][apl]") {
    const StudyInputs& in = test::andorra_medecin();
    const auto& sv = in.services[0];
    REQUIRE(sv.facilities.size() >= 2);
    AplSpec spec = sv.spec.apl;
    const std::vector<double> supply(sv.snaps.size(), 1.0);
    const auto times = reference_times(in, sv.snaps, TravelDirection::to_service);
    const AplResult one = compute_apl(in, 0, spec, 1);
    const AplResult two = compute_apl(in, 0, spec, 2);
    require_same(one, reference_apl(in, times, supply, spec), static_cast<double>(sv.snaps.size()));
    // Bit for bit the same with another thread count.
    CHECK(one.apl == two.apl);
    CHECK(one.nearest_ds == two.nearest_ds);
    CHECK(one.conservation.demand_times_apl == two.conservation.demand_times_apl);
    // Supply 1 per site without a supply column; the four sites are reached, all is conserved.
    CHECK(site_supply(sv) == supply);
    CHECK(one.conservation.supply_reached == Approx(static_cast<double>(sv.snaps.size())));
    CHECK(one.conservation.relative_residual < 1e-12);
}

TEST_CASE("searches stop at the reach: a narrower decay settles fewer states and finds the same times within it",
          "[analysis][apl]") {
    const StudyInputs& in = test::andorra_medecin();
    AplSpec wide;
    AplSpec narrow;
    narrow.band_upper_min = {5, 8};
    narrow.band_weight = {1, 0.5};
    const AplResult w = compute_apl(in, 0, wide);
    const AplResult n = compute_apl(in, 0, narrow);
    CHECK(n.searches.settled_states < w.searches.settled_states);
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        if (w.nearest_ds[o] <= 4800) {
            CHECK(n.nearest_ds[o] == w.nearest_ds[o]);
        } else {
            CHECK(n.nearest_ds[o] == unreachable_ds);
        }
    }
}

TEST_CASE("a supply column that some site lacks is refused, naming the site", "[analysis][apl]") {
    ServiceInputs sv;
    sv.spec.id = "medecin";
    sv.spec.apl.supply_field = "etp";
    Facility a;
    a.id = "a";
    a.supply = 2.5;
    Facility b;
    b.id = "b";
    b.source = "osm:node/1";
    sv.facilities = {a, b};
    CHECK_THROWS_WITH(site_supply(sv), Catch::Contains("site b (osm:node/1) has no supply"));
    sv.facilities.pop_back();
    CHECK(site_supply(sv) == std::vector<double>{2.5});
    sv.spec.apl.supply_field.clear();
    CHECK(site_supply(sv) == std::vector<double>{1.0});  // no column: 1 per site, whatever was read
}

// ---------------------------------------------------------------------------------------------
// Areas

TEST_CASE("areas: population-weighted APL, the population under the threshold, NULL without origin",
          "[analysis][apl]") {
    StudyInputs in;
    in.study.name = std::string(1, 't');
    Zone a;
    Zone b;
    Zone c;
    a.code = std::string(1, 'A');
    b.code = std::string(1, 'B');
    c.code = std::string(1, 'C');
    in.zones.zones = {a, b, c};
    in.origins = {{"o1", 0, {}, 100, {}}, {"o2", 0, {}, 300, {}}, {"o3", 1, {}, 0, {}}, {"o4", 1, {}, 0, {}}};
    AplSpec spec;
    spec.per_inhabitants = 1000;
    spec.threshold = 2.5;
    // Unscaled APL: 0.004 (4 per 1000), 0.002 (2 per 1000), 0, 0.0025 (exactly the threshold: not under).
    const AplAreas r = aggregate_apl(in, std::vector<double>{0.004, 0.002, 0.0, 0.0025}, spec);
    REQUIRE(r.zones.size() == 3);
    CHECK(*r.zones[0].apl == Approx((100 * 4.0 + 300 * 2.0) / 400));
    CHECK(r.zones[0].population_under == 300);
    CHECK(*r.zones[0].share_under == Approx(0.75));
    CHECK(r.zones[0].population_no_site == 0);
    CHECK(*r.zones[1].apl == Approx(1.25));  // nobody lives there: the plain mean of its origins
    CHECK_FALSE(r.zones[1].share_under);     // no population: no share
    CHECK_FALSE(r.zones[2].apl);             // no origin: nothing known, NULL
    CHECK(r.zones[2].origins == 0);
    REQUIRE(r.areas.size() == 4);  // study + 3 zones (no commune table: no EPCI)
    CHECK(r.areas[0].scope == "study");
    CHECK(r.areas[0].population == 400);
    CHECK(*r.areas[0].apl == Approx(2.5));
    CHECK(r.areas[0].population_under == 300);
    CHECK(r.areas[3].scope == "zone");
    CHECK_THROWS_AS(aggregate_apl(in, std::vector<double>{1.0}, spec), Error);
}
