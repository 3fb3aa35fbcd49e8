#pragma once
// Choosing K new sites for one service, given its existing facilities.
//
// Objectives (both over the study's origins, population-weighted):
//  - coverage: maximise the population within the threshold (time <= threshold; unreachable is
//    never within). The covered population f(S) is monotone and submodular in the set S of new
//    sites (maximal covering), so the greedy choice reaches at least (1 - 1/e) ≈ 63.2 % of the
//    best possible gain f(S) - f(∅) (Nemhauser, Wolsey & Fisher 1978).
//  - mean_time: minimise the population-weighted mean time, p-median style. Unreachable origins
//    cannot count as 0 (it would reward leaving them out) nor be dropped (a site that makes them
//    reachable would raise the mean). Choice made here: every time is capped at `cap_min`
//    (default 180 min, far beyond any threshold of a schéma), and an unreachable origin counts
//    as `cap_min`. The reduction of the capped weighted total is a facility-location objective,
//    monotone and submodular: same (1 - 1/e) guarantee on the reduction. Reports also give the
//    mean over reachable origins and the unreachable population, separately.
//  - apl: maximise the population whose APL (analysis/apl.hpp) is at or above a threshold. A new
//    site k adds w(t_ik) · R_k to the APL of every origin i within its reach, with
//    R_k = S_k / Σ_i w(t_ik) · D_i, and changes no other site's ratio (step 1 of a site depends
//    only on its own catchment): the APL with a set of new sites is the baseline plus their
//    contributions, exactly, and a site never lowers anyone's APL, so the objective is monotone.
//    It is NOT submodular: two sites can together lift origins above the threshold that neither
//    lifts alone (the gain of the second grows once the first is there), so the greedy choice has
//    no constant-factor guarantee and lazy evaluation would be unsound. For apl the greedy is
//    plain: every candidate re-evaluated each round. Ties, and rounds where no candidate lifts
//    anybody over the threshold, are decided by the reduction of the population-weighted
//    shortfall Σ_i D_i · max(0, T − A_i), which is monotone submodular (a concave function of a
//    sum of non-negative contributions); the greedy goes on while it falls.
//    `--compare-exhaustive` measures the gap on small instances.
// Greedy with lazy evaluation (CELF, Leskovec et al. 2007) for coverage and mean_time: a
// candidate's gain can only shrink as sites are added, so stale gains are upper bounds and most
// candidates are never re-evaluated. Ties: the other objective's gain decides (coverage then time
// reduction, or the reverse; for apl, the shortfall reduction), then the lowest candidate index —
// deterministic. Every value a step reports is recomputed from the baseline and the sites chosen.
//
// Searches: one full search from the existing facilities, then one per candidate, limited to the
// area where the candidate is strictly faster than the existing facilities (exact; see
// scenario.hpp), in parallel (OpenMP), each result depending only on its candidate.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "proxima/analysis/apl.hpp"
#include "proxima/analysis/scenario.hpp"

namespace proxima {

enum class SitingObjective { coverage, mean_time, apl };
[[nodiscard]] const char* to_string(SitingObjective objective);

/// A place where a new site could go.
struct SiteCandidate {
    std::string id;     ///< zone code, cell id, or the file's id
    std::string name;
    LonLat position;    ///< WGS84
};

/// Candidates at each zone's reference point: the zone's origin when origins are the zones'
/// reference points; else its most populated origin (main settlement or cell; ties: the first);
/// the zone's point on surface if it has no origin. Id: the zone code; name: the zone name.
[[nodiscard]] std::vector<SiteCandidate> commune_candidates(const StudyInputs& in);
/// Candidates at the centres of the populated grid cells (the origins). Throws ConfigError if
/// the study's origins are not grid cells.
[[nodiscard]] std::vector<SiteCandidate> cell_candidates(const StudyInputs& in);
/// Candidates from an `id,lon,lat` CSV (read_points_csv; throws InputError as it does).
[[nodiscard]] std::vector<SiteCandidate> file_candidates(const std::filesystem::path& path, const Log& log = Log{});

/// The graph-free form of a siting problem: the baseline time of every origin and, for each
/// candidate, the origins it would serve strictly faster (sorted by origin).
struct SitingProblem {
    std::vector<double> population;                                  ///< per origin
    std::vector<Deciseconds> baseline_ds;                            ///< per origin, unreachable_ds if none
    std::vector<std::vector<std::pair<std::uint32_t, Deciseconds>>> gains;  ///< per candidate: (origin, time)
    double threshold_min = 30.0;
    double cap_min = 180.0;                                          ///< mean_time: cap and unreachable value
    /// The APL objective's data (add_apl_problem); nullopt: not prepared.
    struct Apl {
        std::vector<double> baseline;  ///< per origin, APL with the existing sites (unscaled, as AplResult::apl)
        /// Per candidate: (origin, APL it adds, unscaled), sorted by origin; empty when it reaches
        /// no populated origin.
        std::vector<std::vector<std::pair<std::uint32_t, double>>> gains;
        double threshold = 2.5;        ///< in the scaled unit: an origin counts when APL × scale >= threshold
        double scale = 1.0;            ///< per_inhabitants
        double supply = 1.0;           ///< of each new site
    };
    std::optional<Apl> apl;
};

/// What a set of sites achieves (the baseline with no site).
struct SitingValue {
    double covered = 0.0;          ///< population within the threshold
    double capped_total = 0.0;     ///< Σ population × min(time, cap) in minutes, unreachable = cap
    double population = 0.0;
    double apl_covered = 0.0;      ///< population with APL × scale >= the APL threshold (apl prepared)
    double apl_shortfall = 0.0;    ///< Σ population × max(0, threshold − APL × scale)
    [[nodiscard]] double capped_mean_min() const { return population > 0 ? capped_total / population : 0.0; }
};
[[nodiscard]] SitingValue evaluate_sites(const SitingProblem& problem, std::span<const std::size_t> candidates);

struct SitingStep {
    std::size_t candidate = 0;        ///< index into the candidates
    double gain_covered = 0.0;        ///< population brought within the threshold by this site
    double gain_minutes = 0.0;        ///< reduction of the capped weighted total (population × minutes)
    double gain_apl_covered = 0.0;    ///< population lifted to the APL threshold by this site (apl prepared)
    double gain_apl_shortfall = 0.0;  ///< reduction of the APL shortfall
    SitingValue after;                ///< with this site and those before it, recomputed from the baseline
};

struct SitingResult {
    SitingValue baseline;
    /// In the order chosen; fewer than K if no site improves anything or, for coverage, once
    /// everyone is within the threshold.
    std::vector<SitingStep> steps;
    std::size_t gain_evaluations = 0; ///< marginal gains computed (CELF saves most of them)
    std::size_t subsets = 0;          ///< exhaustive search: subsets evaluated
};

/// Greedy: lazy evaluation for coverage and mean_time, plain for apl. Throws ConfigError if k is 0,
/// or for apl if the problem has no APL part.
[[nodiscard]] SitingResult greedy_siting(const SitingProblem& problem, std::size_t k, SitingObjective objective);
/// The optimum over every k-subset (same objective and ties), for small instances and tests;
/// the steps list the chosen candidates in index order with their gains in that order. Throws
/// ConfigError if there are more than 2 000 000 subsets.
[[nodiscard]] SitingResult exhaustive_siting(const SitingProblem& problem, std::size_t k, SitingObjective objective);
/// The primary gain (covered population, capped minutes saved, or population lifted to the APL
/// threshold) of a result over its baseline.
[[nodiscard]] double objective_gain(const SitingResult& result, SitingObjective objective);

/// Candidates that could not be snapped, with why.
struct SkippedCandidate {
    std::size_t index = 0;
    std::string reason;
};

struct SitingSearch {
    SitingProblem problem;
    std::vector<Snap> snaps;                 ///< per candidate (unsnapped: default, with no gains)
    std::vector<SkippedCandidate> skipped;
    std::size_t full_searches = 0;
    std::size_t candidate_searches = 0;
    std::size_t apl_searches = 0;            ///< bounded APL searches (existing sites and candidates)
    std::size_t settled_nodes = 0;           ///< by all the searches
};

/// Runs the searches for `candidates` against the existing facilities of service `service`:
/// one full search, then one pruned search per candidate, in parallel (`threads` 0 = all cores),
/// deterministic whatever the thread count. A candidate farther than network.max_snap_m from any
/// road is skipped (listed) when `skip_unsnapped`, else InputError naming it. `snapper` (over
/// in.graph): the inputs' shared one if not given.
[[nodiscard]] SitingSearch search_candidates(const StudyInputs& in, std::size_t service,
                                             std::span<const SiteCandidate> candidates, double threshold_min,
                                             double cap_min, bool skip_unsnapped, int threads = 0,
                                             const EdgeSnapper* snapper = nullptr);

/// Prepares the APL objective of `search.problem` for `search`'s candidates: the baseline APL of
/// the existing sites of service `service` with `spec` (compute_apl: conservation checked) and
/// each snapped candidate's contribution as a new site supplying `new_supply`, from one search
/// per candidate bounded at the decay's reach (in parallel, deterministic). Throws ConfigError for
/// a bad spec or a supply that is not finite and >= 0.
void add_apl_problem(const StudyInputs& in, std::size_t service, const AplSpec& spec, double new_supply,
                     SitingSearch& search, int threads = 0);

} // namespace proxima
