// Siting with the APL objective: what a step reports is recomputed from scratch and equals a full
// APL computation with the chosen sites; the objective is monotone but not submodular, so the
// greedy is plain (no lazy evaluation) and carries no guarantee, which a small instance shows.

#include <algorithm>

#include <catch2/catch.hpp>

#include "proxima/analysis/siting.hpp"
#include "proxima/core/error.hpp"
#include "proxima_test/andorra_inputs.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;

namespace {

/// An APL-only problem: baseline 0 everywhere, candidate c adds gains[c] (unscaled, scale 1).
SitingProblem apl_problem(const std::vector<double>& population,
                          const std::vector<std::vector<std::pair<std::uint32_t, double>>>& gains, double threshold) {
    SitingProblem p;
    p.population = population;
    p.baseline_ds.assign(population.size(), unreachable_ds);
    p.gains.resize(gains.size());
    SitingProblem::Apl apl;
    apl.baseline.assign(population.size(), 0.0);
    apl.gains = gains;
    apl.threshold = threshold;
    p.apl = apl;
    return p;
}

} // namespace

TEST_CASE("APL coverage is not submodular: greedy has no guarantee, and says nothing it cannot prove",
          "[analysis][siting][apl]") {
    // o0 (10 inhabitants) needs two sites to reach the threshold 1; o1 (1 inhabitant) needs one.
    const auto p = apl_problem({10, 1}, {{{0, 0.6}}, {{0, 0.6}}, {{1, 1.0}}}, 1.0);
    // Not submodular: site 1 lifts nobody alone, but 10 inhabitants once site 0 is there.
    const SitingValue none = evaluate_sites(p, {});
    const SitingValue only1 = evaluate_sites(p, std::vector<std::size_t>{1});
    const SitingValue only0 = evaluate_sites(p, std::vector<std::size_t>{0});
    const SitingValue both = evaluate_sites(p, std::vector<std::size_t>{0, 1});
    CHECK(only1.apl_covered - none.apl_covered == 0);
    CHECK(both.apl_covered - only0.apl_covered == 10);
    // Monotone: every site lowers the shortfall, never raises it.
    CHECK(only0.apl_shortfall < none.apl_shortfall);
    CHECK(both.apl_shortfall < only0.apl_shortfall);

    const auto greedy = greedy_siting(p, 2, SitingObjective::apl);
    REQUIRE(greedy.steps.size() == 2);
    CHECK(greedy.steps[0].candidate == 2);  // the only one lifting anybody at once
    CHECK(greedy.steps[0].gain_apl_covered == 1);
    CHECK(greedy.steps[1].candidate == 0);  // nobody lifted: the shortfall decides (6 against 0)
    CHECK(greedy.steps[1].gain_apl_covered == 0);
    CHECK(greedy.steps[1].gain_apl_shortfall == Approx(6));
    CHECK(greedy.gain_evaluations == 3 + 2);  // plain: every remaining candidate, every round
    const auto best = exhaustive_siting(p, 2, SitingObjective::apl);
    CHECK(objective_gain(greedy, SitingObjective::apl) == 1);
    CHECK(objective_gain(best, SitingObjective::apl) == 10);  // {0, 1}: greedy gets a tenth of it
}

TEST_CASE("the apl objective needs its data, and stops when no site reduces the shortfall", "[analysis][siting][apl]") {
    SitingProblem p = apl_problem({5}, {{{0, 2.0}}, {}}, 1.0);
    const auto r = greedy_siting(p, 2, SitingObjective::apl);
    REQUIRE(r.steps.size() == 1);  // after site 0 nobody is short: the other adds nothing
    CHECK(r.steps[0].after.apl_covered == 5);
    CHECK(r.steps[0].after.apl_shortfall == 0);
    p.apl.reset();
    CHECK_THROWS_AS(greedy_siting(p, 1, SitingObjective::apl), ConfigError);
    CHECK_THROWS_AS(exhaustive_siting(p, 1, SitingObjective::apl), ConfigError);
}

TEST_CASE("Andorra: every APL step is recomputed from scratch and equals compute_apl with the chosen sites",
          "[analysis][siting][apl]") {
    const StudyInputs& in = test::andorra_medecin();
    const auto& sv = in.services[0];
    const auto candidates = commune_candidates(in);
    SitingSearch search = search_candidates(in, 0, candidates, sv.spec.threshold_min, 180, true, 2);
    AplSpec spec = sv.spec.apl;
    spec.threshold = 6;  // sites per 100 000 inhabitants: most people are under it today
    add_apl_problem(in, 0, spec, 1.0, search, 2);
    REQUIRE(search.problem.apl);
    CHECK(search.problem.apl->baseline == compute_apl(in, 0, spec).apl);

    const auto r = greedy_siting(search.problem, 3, SitingObjective::apl);
    REQUIRE(!r.steps.empty());
    std::vector<std::size_t> chosen;
    std::vector<Snap> snaps = sv.snaps;
    std::vector<double> supply(sv.snaps.size(), 1.0);
    double previous = r.baseline.apl_covered;
    for (const auto& step : r.steps) {
        chosen.push_back(step.candidate);
        snaps.push_back(search.snaps[step.candidate]);
        supply.push_back(1.0);
        // What the step reports is the value of the chosen set, recomputed from the baseline...
        const SitingValue again = evaluate_sites(search.problem, chosen);
        CHECK(step.after.apl_covered == again.apl_covered);
        CHECK(step.after.apl_shortfall == again.apl_shortfall);
        CHECK(step.after.covered == again.covered);
        CHECK(step.after.apl_covered - previous == step.gain_apl_covered);
        previous = step.after.apl_covered;
        // ...and equals a full APL computation over the existing sites and the chosen ones.
        const AplResult full = compute_apl(in, sv.spec.direction, snaps, supply, spec, 1);
        double covered = 0.0;
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            covered += full.apl[o] * spec.per_inhabitants >= spec.threshold ? in.origins[o].population : 0.0;
        }
        CHECK(step.after.apl_covered == covered);
        CHECK(full.conservation.supply_reached == Approx(static_cast<double>(snaps.size())));
    }
    CHECK(r.steps.front().gain_apl_covered > 0);
    // The same choice whatever the thread count.
    SitingSearch one = search_candidates(in, 0, candidates, sv.spec.threshold_min, 180, true, 1);
    add_apl_problem(in, 0, spec, 1.0, one, 1);
    const auto r1 = greedy_siting(one.problem, 3, SitingObjective::apl);
    REQUIRE(r1.steps.size() == r.steps.size());
    for (std::size_t i = 0; i < r.steps.size(); ++i) {
        CHECK(r1.steps[i].candidate == r.steps[i].candidate);
        CHECK(r1.steps[i].after.apl_covered == r.steps[i].after.apl_covered);
    }
    CHECK_THROWS_AS(add_apl_problem(in, 0, spec, -1.0, one, 1), ConfigError);
}
