#include "proxima/study/time_limits.hpp"
#include "proxima/analysis/siting.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <queue>
#include <tuple>

#include <fmt/format.h>
#include <omp.h>

#include "proxima/core/error.hpp"
#include "proxima/routing/points_csv.hpp"
#include "proxima/core/threads.hpp"

namespace proxima {

const char* to_string(SitingObjective objective) {
    switch (objective) {
    case SitingObjective::coverage: return "coverage";
    case SitingObjective::mean_time: return "mean-time";
    case SitingObjective::apl: return "apl";
    }
    return "?";
}

// ---------------------------------------------------------------------------------------------
// Candidates

std::vector<SiteCandidate> commune_candidates(const StudyInputs& in) {
    // The zone's own origin when origins are reference points; else its most populated origin
    // (the main settlement or cell: a zone's point on surface may lie on a mountain side far
    // from any road); its point on surface only when it has no origin.
    std::vector<const Origin*> origin_of_zone(in.zones.zones.size(), nullptr);
    for (const auto& o : in.origins) {
        const Origin*& best = origin_of_zone[o.zone];
        if (best == nullptr || o.population > best->population) {
            best = &o;
        }
    }
    std::vector<SiteCandidate> out;
    for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
        const Zone& zone = in.zones.zones[z];
        const LonLat p = origin_of_zone[z] != nullptr ? origin_of_zone[z]->position : zone.point_on_surface;
        out.push_back({zone.code, zone.name, p});
    }
    return out;
}

std::vector<SiteCandidate> cell_candidates(const StudyInputs& in) {
    if (in.study.origins.kind != StudyFile::Origins::Kind::cells || !in.grid) {
        throw ConfigError(fmt::format("candidates 'cells': the origins of study {} are not grid cells (they are with "
                                      "population.source = \"grid\"); use 'communes' or a CSV file of points",
                                      in.study.path.string()));
    }
    std::vector<SiteCandidate> out;
    for (const auto& o : in.origins) {
        out.push_back({o.id, o.id, o.position});
    }
    return out;
}

std::vector<SiteCandidate> file_candidates(const std::filesystem::path& path, const Log& log) {
    std::vector<SiteCandidate> out;
    for (const auto& p : read_points_csv(path, log)) {
        out.push_back({p.id, p.id, p.position});
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Objective

namespace {

struct Objective {
    const SitingProblem& p;
    double cap_min;

    explicit Objective(const SitingProblem& problem) : p(problem), cap_min(problem.cap_min) {}

    [[nodiscard]] bool within(Deciseconds ds) const { return !is_over(minutes_of(ds), p.threshold_min); }
    [[nodiscard]] double capped(Deciseconds ds) const {
        return ds == unreachable_ds ? cap_min : std::min(minutes_from_ds(ds), cap_min);
    }
    [[nodiscard]] SitingValue value(std::span<const Deciseconds> ds) const {
        SitingValue v;
        for (std::size_t o = 0; o < ds.size(); ++o) {
            v.population += p.population[o];
            v.covered += within(ds[o]) ? p.population[o] : 0.0;
            v.capped_total += p.population[o] * capped(ds[o]);
        }
        return v;
    }
    /// Marginal gains of candidate c over the current times: (covered, capped minutes saved).
    [[nodiscard]] std::pair<double, double> gain(std::size_t c, std::span<const Deciseconds> current) const {
        double covered = 0.0;
        double minutes = 0.0;
        for (const auto& [o, ds] : p.gains[c]) {
            if (ds >= current[o]) {
                continue;
            }
            if (!within(current[o]) && within(ds)) {
                covered += p.population[o];
            }
            minutes += p.population[o] * (capped(current[o]) - capped(ds));
        }
        return {covered, minutes};
    }
    void apply(std::size_t c, std::vector<Deciseconds>& current) const {
        for (const auto& [o, ds] : p.gains[c]) {
            current[o] = std::min(current[o], ds);
        }
    }
};

/// The APL objective: per-origin APL (unscaled) against the threshold (scaled).
struct AplObjective {
    const SitingProblem& p;
    const SitingProblem::Apl& a;

    explicit AplObjective(const SitingProblem& problem) : p(problem), a(*problem.apl) {}

    [[nodiscard]] bool ok(double apl) const { return apl * a.scale >= a.threshold; }
    [[nodiscard]] double shortfall(double apl) const { return std::max(0.0, a.threshold - apl * a.scale); }
    void add_value(std::span<const double> apl, SitingValue& v) const {
        for (std::size_t o = 0; o < apl.size(); ++o) {
            v.apl_covered += ok(apl[o]) ? p.population[o] : 0.0;
            v.apl_shortfall += p.population[o] * shortfall(apl[o]);
        }
    }
    /// Marginal gains of candidate c over the current APL: (population lifted, shortfall reduced).
    [[nodiscard]] std::pair<double, double> gain(std::size_t c, std::span<const double> current) const {
        double covered = 0.0;
        double reduced = 0.0;
        for (const auto& [o, g] : a.gains[c]) {
            const double after = current[o] + g;
            if (!ok(current[o]) && ok(after)) {
                covered += p.population[o];
            }
            reduced += p.population[o] * (shortfall(current[o]) - shortfall(after));
        }
        return {covered, reduced};
    }
    void apply(std::size_t c, std::vector<double>& current) const {
        for (const auto& [o, g] : a.gains[c]) {
            current[o] += g;
        }
    }
};

/// (primary, secondary) of a gain pair for the objective.
std::pair<double, double> ranked(std::pair<double, double> gain, SitingObjective objective) {
    return objective == SitingObjective::coverage ? gain : std::pair<double, double>{gain.second, gain.first};
}

/// Fills the step's gains (every prepared objective) for adding `c` to `chosen`, then its
/// values recomputed from the baseline with `c` added.
SitingStep make_step(const SitingProblem& problem, std::vector<std::size_t>& chosen, std::size_t c) {
    const Objective f(problem);
    SitingStep step;
    step.candidate = c;
    std::vector<Deciseconds> times = problem.baseline_ds;
    for (const auto k : chosen) {
        f.apply(k, times);
    }
    std::tie(step.gain_covered, step.gain_minutes) = f.gain(c, times);
    if (problem.apl) {
        const AplObjective g(problem);
        std::vector<double> apl = problem.apl->baseline;
        for (const auto k : chosen) {
            g.apply(k, apl);
        }
        std::tie(step.gain_apl_covered, step.gain_apl_shortfall) = g.gain(c, apl);
    }
    chosen.push_back(c);
    step.after = evaluate_sites(problem, chosen);
    return step;
}

void check_problem(const SitingProblem& p, std::size_t k) {
    if (k == 0) {
        throw ConfigError("K must be at least 1 (the number of new sites to choose)");
    }
    if (p.population.size() != p.baseline_ds.size()) {
        throw Error("siting problem: one population and one baseline time per origin expected");
    }
    if (!(p.threshold_min > 0) || !(p.cap_min > 0)) {
        throw ConfigError("siting: the threshold and the cap must be more than 0 minutes");
    }
    if (p.apl && (p.apl->baseline.size() != p.population.size() || p.apl->gains.size() != p.gains.size())) {
        throw Error("siting problem: one APL per origin and one APL gain list per candidate expected");
    }
}

void check_objective(const SitingProblem& p, SitingObjective objective) {
    if (objective == SitingObjective::apl && !p.apl) {
        throw ConfigError("siting: the apl objective needs the APL of the existing sites and of every candidate "
                          "(add_apl_problem)");
    }
}

/// Plain greedy for the APL objective (not submodular: stale gains are no bounds).
SitingResult greedy_apl(const SitingProblem& problem, std::size_t k) {
    const AplObjective g(problem);
    SitingResult r;
    r.baseline = evaluate_sites(problem, {});
    std::vector<double> current = problem.apl->baseline;
    std::vector<bool> taken(problem.gains.size(), false);
    std::vector<std::size_t> chosen;
    for (std::size_t round = 0; round < k; ++round) {
        std::optional<std::size_t> best;
        std::pair<double, double> best_gain{0.0, 0.0};
        for (std::size_t c = 0; c < problem.gains.size(); ++c) {
            if (taken[c]) {
                continue;
            }
            const auto gain = g.gain(c, current);
            ++r.gain_evaluations;
            if (gain > best_gain) {  // strictly better: the lowest index wins ties
                best_gain = gain;
                best = c;
            }
        }
        if (!best) {
            break;  // no remaining site lifts anybody or reduces the shortfall
        }
        taken[*best] = true;
        g.apply(*best, current);
        r.steps.push_back(make_step(problem, chosen, *best));
    }
    return r;
}

} // namespace

SitingValue evaluate_sites(const SitingProblem& problem, std::span<const std::size_t> candidates) {
    const Objective f(problem);
    std::vector<Deciseconds> current = problem.baseline_ds;
    for (const auto c : candidates) {
        f.apply(c, current);
    }
    SitingValue v = f.value(current);
    if (problem.apl) {
        const AplObjective g(problem);
        std::vector<double> apl = problem.apl->baseline;
        for (const auto c : candidates) {
            g.apply(c, apl);  // in the order given: the sums of compute_apl() with these sites appended
        }
        g.add_value(apl, v);
    }
    return v;
}

SitingResult greedy_siting(const SitingProblem& problem, std::size_t k, SitingObjective objective) {
    check_problem(problem, k);
    check_objective(problem, objective);
    if (objective == SitingObjective::apl) {
        return greedy_apl(problem, k);
    }
    const Objective f(problem);
    std::vector<Deciseconds> current = problem.baseline_ds;
    std::vector<std::size_t> chosen;
    SitingResult r;
    r.baseline = evaluate_sites(problem, {});

    // Max-heap on (primary gain, secondary gain, lower index first); `round` = when evaluated.
    struct Entry {
        double primary;
        double secondary;
        std::size_t candidate;
        std::size_t round;
    };
    auto worse = [](const Entry& a, const Entry& b) {
        return std::tie(a.primary, a.secondary) < std::tie(b.primary, b.secondary) ||
               (a.primary == b.primary && a.secondary == b.secondary && a.candidate > b.candidate);
    };
    std::priority_queue<Entry, std::vector<Entry>, decltype(worse)> heap(worse);
    for (std::size_t c = 0; c < problem.gains.size(); ++c) {
        const auto [g1, g2] = ranked(f.gain(c, current), objective);
        ++r.gain_evaluations;
        heap.push({g1, g2, c, 0});
    }
    // Coverage: once everyone is within the threshold there is nothing left to cover; a further
    // site would only shorten times, which is another objective (mean-time).
    auto everyone_covered = [&] {
        const SitingValue& v = r.steps.empty() ? r.baseline : r.steps.back().after;
        return objective == SitingObjective::coverage && v.population > 0 && v.covered >= v.population;
    };
    for (std::size_t round = 0; round < k && !heap.empty() && !everyone_covered();) {
        Entry top = heap.top();
        heap.pop();
        if (top.round != round) {
            // Stale: an upper bound of its gain now (submodularity). Re-evaluate and queue again.
            const auto [g1, g2] = ranked(f.gain(top.candidate, current), objective);
            ++r.gain_evaluations;
            heap.push({g1, g2, top.candidate, round});
            continue;
        }
        if (top.primary <= 0 && top.secondary <= 0) {
            break;  // no remaining site improves anything
        }
        f.apply(top.candidate, current);
        r.steps.push_back(make_step(problem, chosen, top.candidate));
        ++round;
    }
    return r;
}

SitingResult exhaustive_siting(const SitingProblem& problem, std::size_t k, SitingObjective objective) {
    check_problem(problem, k);
    check_objective(problem, objective);
    const std::size_t n = problem.gains.size();
    k = std::min(k, n);
    // Number of subsets, refused beyond 2 000 000.
    double subsets = 1;
    for (std::size_t i = 0; i < k; ++i) {
        subsets = subsets * static_cast<double>(n - i) / static_cast<double>(i + 1);
    }
    if (subsets > 2e6) {
        throw ConfigError(fmt::format("exhaustive search over {} candidates choose {} = {:.0f} subsets: too many "
                                      "(at most 2 000 000); use the greedy choice",
                                      n, k, subsets));
    }
    SitingResult r;
    r.baseline = evaluate_sites(problem, {});
    std::vector<std::size_t> subset(k);
    for (std::size_t i = 0; i < k; ++i) {
        subset[i] = i;
    }
    std::vector<std::size_t> best = subset;
    std::pair<double, double> best_key{-1e300, -1e300};
    while (true) {
        const SitingValue v = evaluate_sites(problem, subset);
        ++r.subsets;
        const auto key = objective == SitingObjective::coverage    ? std::pair<double, double>{v.covered, -v.capped_total}
                         : objective == SitingObjective::mean_time ? std::pair<double, double>{-v.capped_total, v.covered}
                                                                   : std::pair<double, double>{v.apl_covered, -v.apl_shortfall};
        if (key > best_key) {  // strictly better: the first (lexicographically smallest) subset wins ties
            best_key = key;
            best = subset;
        }
        // Next k-subset in lexicographic order.
        std::size_t i = k;
        while (i > 0 && subset[i - 1] == n - k + i - 1) {
            --i;
        }
        if (i == 0) {
            break;
        }
        ++subset[i - 1];
        for (std::size_t j = i; j < k; ++j) {
            subset[j] = subset[j - 1] + 1;
        }
    }
    std::vector<std::size_t> chosen;
    for (const auto c : best) {
        r.steps.push_back(make_step(problem, chosen, c));
    }
    return r;
}

double objective_gain(const SitingResult& result, SitingObjective objective) {
    if (result.steps.empty()) {
        return 0.0;
    }
    const SitingValue& last = result.steps.back().after;
    switch (objective) {
    case SitingObjective::coverage: return last.covered - result.baseline.covered;
    case SitingObjective::mean_time: return result.baseline.capped_total - last.capped_total;
    case SitingObjective::apl: return last.apl_covered - result.baseline.apl_covered;
    }
    return 0.0;
}

// ---------------------------------------------------------------------------------------------
// Searches

SitingSearch search_candidates(const StudyInputs& in, std::size_t service, std::span<const SiteCandidate> candidates,
                               double threshold_min, double cap_min, bool skip_unsnapped, int threads,
                               const EdgeSnapper* snapper) {
    if (service >= in.services.size()) {
        throw ConfigError(fmt::format("service index {} out of range ({} services)", service, in.services.size()));
    }
    check_threshold_min(threshold_min, "threshold");
    check_cap_min(cap_min, "cap");
    if (candidates.empty()) {
        throw InputError("no candidate site to choose from");
    }
    SitingSearch out;
    out.problem.threshold_min = threshold_min;
    out.problem.cap_min = cap_min;
    out.snaps.resize(candidates.size());
    out.problem.gains.resize(candidates.size());

    std::vector<LonLat> positions;
    for (const auto& c : candidates) {
        positions.push_back(c.position);
    }
    std::shared_ptr<const EdgeSnapper> own_snapper;
    if (snapper == nullptr) {
        own_snapper = shared_snapper(in);
        snapper = own_snapper.get();
    }
    const auto snaps = snapper->snap_all(positions, in.study.network.max_snap_m);
    std::vector<bool> usable(candidates.size(), false);
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (snaps[i]) {
            out.snaps[i] = *snaps[i];
            usable[i] = true;
            continue;
        }
        const std::string why = fmt::format("candidate '{}' ({}) at {:.6f},{:.6f} is more than {} m from any road of "
                                            "the graph",
                                            candidates[i].id, candidates[i].name, positions[i].lon, positions[i].lat,
                                            in.study.network.max_snap_m);
        if (!skip_unsnapped) {
            throw InputError(why + ": check its coordinates (longitude first) or remove it");
        }
        out.skipped.push_back({i, why});
    }

    const ServiceInputs& sv = in.services[service];
    const SiteAccess base(in, sv.spec.direction, sv.snaps);
    out.full_searches = 1;
    out.problem.baseline_ds.assign(base.origin_times().begin(), base.origin_times().end());
    for (const auto& o : in.origins) {
        out.problem.population.push_back(o.population);
    }

    const int threads_used = proxima::thread_count(threads);
    const auto n = static_cast<std::int64_t>(candidates.size());
    std::size_t settled_total = 0;
    std::size_t searched = 0;
#pragma omp parallel num_threads(threads_used) reduction(+ : settled_total, searched)
    {
        PrunedSearch scratch;
#pragma omp for schedule(dynamic, 4)
        for (std::int64_t i = 0; i < n; ++i) {
            if (!usable[i]) {
                continue;
            }
            std::size_t settled = 0;
            const auto better = base.improvements(std::span<const Snap>(&out.snaps[i], 1), scratch, &settled);
            auto& gains = out.problem.gains[i];
            gains.reserve(better.size());
            for (const auto& b : better) {
                gains.emplace_back(b.origin, b.ds);
            }
            settled_total += settled;
            ++searched;
        }
    }
    out.candidate_searches = searched;
    out.settled_nodes = base.settled_nodes() + settled_total;
    return out;
}

// ---------------------------------------------------------------------------------------------
// APL

void add_apl_problem(const StudyInputs& in, std::size_t service, const AplSpec& spec, double new_supply,
                     SitingSearch& search, int threads) {
    if (service >= in.services.size()) {
        throw ConfigError(fmt::format("service index {} out of range ({} services)", service, in.services.size()));
    }
    if (!(std::isfinite(new_supply) && new_supply >= 0 && new_supply <= 1e9)) {
        throw ConfigError(fmt::format("supply of each new site {}: give a number from 0 to 1e9, in the unit of the "
                                      "service's supply",
                                      new_supply));
    }
    const AplDecay decay(spec);
    const AplResult base = compute_apl(in, service, spec, threads);
    SitingProblem::Apl apl;
    apl.baseline = base.apl;
    apl.threshold = spec.threshold;
    apl.scale = spec.per_inhabitants;
    apl.supply = new_supply;
    apl.gains.resize(search.snaps.size());

    std::vector<bool> skipped(search.snaps.size(), false);
    for (const auto& s : search.skipped) {
        skipped[s.index] = true;
    }
    std::vector<Snap> snaps;
    std::vector<std::size_t> which;
    for (std::size_t i = 0; i < search.snaps.size(); ++i) {
        if (!skipped[i]) {
            snaps.push_back(search.snaps[i]);
            which.push_back(i);
        }
    }
    const CatchmentSearch catchments(in, in.services[service].spec.direction);
    CatchmentStats stats;
    const auto reach = catchments.catchments(snaps, decay.reach_ds(), threads, &stats);
    // Each candidate as a site of its own: the sums of two_step_fca(), in the same order.
    for (std::size_t k = 0; k < reach.size(); ++k) {
        double weighted_demand = 0.0;
        for (const auto& [o, ds] : reach[k].origins) {
            const double w = decay.weight(ds);
            if (w > 0) {
                weighted_demand += w * in.origins[o].population;
            }
        }
        if (!(weighted_demand > 0)) {
            continue;  // it reaches no population: its supply serves nobody of the study
        }
        const double ratio = new_supply / weighted_demand;
        auto& gains = apl.gains[which[k]];
        for (const auto& [o, ds] : reach[k].origins) {
            const double w = decay.weight(ds);
            if (w > 0) {
                gains.emplace_back(o, w * ratio);
            }
        }
    }
    search.apl_searches = base.searches.searches + stats.searches;
    search.settled_nodes += base.searches.settled_states + stats.settled_states;
    search.problem.apl = std::move(apl);
}

} // namespace proxima
