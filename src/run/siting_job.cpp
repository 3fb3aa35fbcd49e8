#include "proxima/run/siting_job.hpp"

#include <fmt/format.h>

#include "proxima/core/error.hpp"
#include "proxima/core/input_path.hpp"
#include "proxima/core/number_format.hpp"
#include "proxima/report/map_renderer.hpp"
#include "proxima/run/comparison_layers.hpp"
#include "proxima/run/comparison_maps.hpp"
#include "proxima/run/job_support.hpp"
#include "proxima/run/output_folder.hpp"
#include "proxima/run/run_study.hpp"
#include "proxima/study/time_limits.hpp"
#include "proxima/territory/zone_locator.hpp"

namespace proxima {

namespace {

using Type = OutputField::Type;

std::string people(double v) { return format_number(v, 0, console_numbers); }

std::string candidate_label(const SiteCandidate& c) {
    return c.name == c.id ? c.id : fmt::format("{} ({})", c.name, c.id);
}

bool candidates_from_file(const SitingJob& job) { return job.candidates != "communes" && job.candidates != "cells"; }

void check_siting_job(const SitingJob& job) {
    if (job.k == 0 || job.k > 1000) {
        throw ConfigError(fmt::format("--k {}: choose between 1 and 1000 new sites", job.k));
    }
    check_cap_min(job.cap_min, "--cap");
    if (job.objective != SitingObjective::apl && (job.apl_threshold || job.new_supply)) {
        throw ConfigError("--apl-threshold and --supply go with --objective apl");
    }
    if (candidates_from_file(job) && !std::filesystem::exists(job.candidates)) {
        throw InputError(fmt::format("--candidates '{}': not 'communes' or 'cells', and no such file (a CSV of "
                                     "points id,lon,lat)",
                                     job.candidates));
    }
}

/// Everything the job computed, for the outputs.
struct SitingRun {
    std::vector<SiteCandidate> candidates;
    SitingSearch search;
    SitingResult result;
    std::optional<SitingResult> exhaustive;
    std::optional<ScenarioResult> final_situation;  ///< the chosen sites added (none chosen: empty)
    std::optional<ScenarioComparison> comparison;
    double threshold_min = 0.0;
    std::optional<AplSpec> apl;                     ///< the APL objective's parameters (objective apl)
    std::optional<AplResult> apl_final;             ///< APL recomputed from scratch with the chosen sites
};

/// The APL spec of the job: the service's, with the threshold override.
AplSpec siting_apl_spec(const StudyInputs& in, const SitingJob& job) {
    AplSpec spec = in.services[0].spec.apl;
    if (job.apl_threshold) {
        spec.threshold = *job.apl_threshold;
    }
    check_apl_spec(spec, "--apl-threshold");
    return spec;
}

/// The supply of each new site: --supply, else 1 when the service has no supply column.
double new_site_supply(const StudyInputs& in, const SitingJob& job) {
    if (job.new_supply) {
        return *job.new_supply;
    }
    const std::string& field = in.services[0].spec.apl.supply_field;
    if (!field.empty()) {
        throw ConfigError(fmt::format("the sites of service '{}' supply the values of column '{}': give the supply of "
                                      "each new site with --supply (same unit)",
                                      in.services[0].spec.id, field));
    }
    return 1.0;
}

/// The APL with the chosen sites added, from scratch (compute_apl over every site), to check the
/// greedy's figures against.
void add_final_apl(const StudyInputs& in, const SitingJob& job, SitingRun& run) {
    if (!run.apl) {
        return;
    }
    const ServiceInputs& sv = in.services[0];
    std::vector<Snap> snaps = sv.snaps;
    ServiceInputs with_spec = sv;
    with_spec.spec.apl = *run.apl;
    std::vector<double> supply = site_supply(with_spec);
    for (const auto& step : run.result.steps) {
        snaps.push_back(run.search.snaps[step.candidate]);
        supply.push_back(run.search.problem.apl->supply);
    }
    run.apl_final = compute_apl(in, sv.spec.direction, snaps, supply, *run.apl, job.threads);
}

/// The final situation: the chosen sites added, as a scenario (one more pruned search).
void add_final_situation(const StudyInputs& in, SitingRun& run) {
    if (run.result.steps.empty()) {
        return;
    }
    ScenarioSpec spec;
    spec.name = "site";
    for (const auto& step : run.result.steps) {
        const auto& c = run.candidates[step.candidate];
        spec.add.push_back({candidate_label(c), c.position});
    }
    run.final_situation = run_scenario(in, 0, spec);
    run.comparison = compare_scenario(in, *run.final_situation);
}

OutputLayer chosen_sites_layer(const StudyInputs& in, const SitingRun& run) {
    const bool french = in.communes.has_value();
    OutputLayer sites;
    sites.name = "sites";
    sites.geometry = OutputLayer::Geometry::point;
    sites.fields = {{"rank", Type::integer},
                    {"id", Type::text},
                    {"name", Type::text},
                    {french ? "code_insee" : "zone", Type::text},
                    {french ? "commune" : "zone_name", Type::text},
                    {"lon", Type::real},
                    {"lat", Type::real},
                    {"gain_covered", Type::real},
                    {"gain_pop_min", Type::real},
                    {"covered_after", Type::real},
                    {"share_covered_after", Type::real},
                    {"mean_capped_after_min", Type::real},
                    {"snap_m", Type::real}};
    const ZoneLocator locator(in.zones);
    if (run.apl) {
        sites.fields.push_back({"gain_pop_apl_ok", Type::real});
        sites.fields.push_back({"pop_apl_ok_after", Type::real});
        sites.fields.push_back({"share_apl_ok_after", Type::real});
        sites.fields.push_back({"apl_shortfall_after", Type::real});
    }
    for (std::size_t i = 0; i < run.result.steps.size(); ++i) {
        const auto& step = run.result.steps[i];
        const auto& c = run.candidates[step.candidate];
        const auto z = locator.zone_of(c.position);
        const Zone* zone = z ? &in.zones.zones[*z] : nullptr;
        sites.rows.push_back({static_cast<std::int64_t>(i + 1), c.id, c.name,
                              zone ? FieldValue(zone->code) : FieldValue(std::monostate{}),
                              zone ? text_or_null(zone->name) : FieldValue(std::monostate{}),
                              rounded(c.position.lon, 1e-7), rounded(c.position.lat, 1e-7),
                              rounded(step.gain_covered, 0.1),
                              rounded(step.gain_minutes, 0.1), rounded(step.after.covered, 0.1),
                              step.after.population > 0 ? rounded(step.after.covered / step.after.population, 0.0001)
                                                        : FieldValue(std::monostate{}),
                              rounded(step.after.capped_mean_min()),
                              rounded(run.search.snaps[step.candidate].distance_m, 0.1)});
        if (run.apl) {
            auto& row = sites.rows.back();
            row.push_back(rounded(step.gain_apl_covered, 0.1));
            row.push_back(rounded(step.after.apl_covered, 0.1));
            row.push_back(step.after.population > 0 ? rounded(step.after.apl_covered / step.after.population, 0.0001)
                                                    : FieldValue(std::monostate{}));
            row.push_back(rounded(step.after.apl_shortfall, 0.001));
        }
        sites.wkb.push_back(point_wkb(c.position));
    }
    return sites;
}

/// 0 sites (today), then the situation after each chosen site.
std::vector<SitingValue> curve_values(const SitingResult& r) {
    std::vector<SitingValue> values = {r.baseline};
    for (const auto& step : r.steps) {
        values.push_back(step.after);
    }
    return values;
}

OutputLayer curve_table(const SitingResult& r, bool apl) {
    OutputLayer curve;
    curve.name = "curve";
    curve.fields = {{"sites", Type::integer}, {"covered", Type::real}, {"share_covered", Type::real},
                    {"mean_capped_min", Type::real}};
    if (apl) {
        curve.fields.push_back({"pop_apl_ok", Type::real});
        curve.fields.push_back({"share_apl_ok", Type::real});
    }
    const auto values = curve_values(r);
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto& v = values[i];
        curve.rows.push_back({static_cast<std::int64_t>(i), rounded(v.covered, 0.1),
                              v.population > 0 ? rounded(v.covered / v.population, 0.0001)
                                               : FieldValue(std::monostate{}),
                              rounded(v.capped_mean_min())});
        if (apl) {
            curve.rows.back().push_back(rounded(v.apl_covered, 0.1));
            curve.rows.back().push_back(v.population > 0 ? rounded(v.apl_covered / v.population, 0.0001)
                                                         : FieldValue(std::monostate{}));
        }
    }
    return curve;
}

LineChart curve_chart(const StudyInputs& in, const SitingJob& job, const SitingRun& run) {
    LineChart chart;
    const auto values = curve_values(run.result);
    for (std::size_t i = 0; i < values.size(); ++i) {
        chart.x.push_back(static_cast<double>(i));
        chart.y.push_back(job.objective == SitingObjective::coverage ? values[i].covered
                          : job.objective == SitingObjective::apl    ? values[i].apl_covered
                                                                     : values[i].capped_mean_min());
    }
    const auto& label = in.services[0].spec.label;
    chart.x_caption = "Nombre de nouveaux sites";
    chart.y_from_zero = false;  // the gains show even near a high baseline
    if (job.objective == SitingObjective::coverage) {
        chart.title = fmt::format("{} : habitants à {:g} min ou moins", label, run.threshold_min);
        chart.y_caption = "Habitants";
        chart.y_reference = run.result.baseline.population;
        chart.y_reference_caption = "Population totale";
    } else if (job.objective == SitingObjective::apl) {
        chart.title = fmt::format("{} : habitants dont l'APL atteint {:g}", label, run.apl->threshold);
        chart.y_caption = "Habitants";
        chart.y_reference = run.result.baseline.population;
        chart.y_reference_caption = "Population totale";
    } else {
        chart.title = fmt::format("{} : temps moyen pondéré par la population", label);
        chart.y_caption = fmt::format("Minutes (plafonnées à {:g})", job.cap_min);
    }
    return chart;
}

std::vector<std::string> write_siting_files(const std::filesystem::path& dir, const StudyInputs& in,
                                            const SitingJob& job, const SitingRun& run) {
    std::vector<OutputLayer> layers = {chosen_sites_layer(in, run)};
    if (run.comparison) {
        layers.push_back(zone_comparison_layer("situation", in, *run.comparison));
        layers.push_back(area_comparison_table("areas", *run.comparison));
    }
    std::vector<std::string> files =
        write_layers(dir, "siting.gpkg", layers, in.study.output_crs,
                     [](const OutputLayer& l) { return l.geometry != OutputLayer::Geometry::polygon; }, job.csv_dialect);
    const OutputLayer curve = curve_table(run.result, run.apl.has_value());
    write_layer_csv(dir / "curve.csv", curve, job.csv_dialect);
    files.push_back("curve.csv");
    render_line_chart_png(curve_chart(in, job, run), dir / "curve.png");
    files.push_back("curve.png");
    if (run.final_situation) {
        for (auto& f : write_comparison_maps(dir, in, *run.final_situation, "Sites proposés, dans l'ordre du choix",
                                             true, ComparisonMapStyle::numbered_sites)) {
            files.push_back(std::move(f));
        }
    }
    return files;
}

nlohmann::json exhaustive_json(const SitingRun& run, SitingObjective objective) {
    const double g = objective_gain(run.result, objective);
    const double o = objective_gain(*run.exhaustive, objective);
    nlohmann::json ids = nlohmann::json::array();
    for (const auto& step : run.exhaustive->steps) {
        ids.push_back(run.candidates[step.candidate].id);
    }
    return {{"subsets", run.exhaustive->subsets},
            {"optimum_gain", o},
            {"greedy_gain", g},
            {"ratio", o > 0 ? nlohmann::json(g / o) : nlohmann::json(nullptr)},
            {"optimum_sites", ids}};
}

nlohmann::ordered_json siting_manifest(const StudyInputs& in, const SitingJob& job, const SitingRun& run) {
    const StudyFile& study = in.study;
    const SitingResult& r = run.result;
    nlohmann::ordered_json j = manifest_header(study);
    j["service"] = {{"id", in.services[0].spec.id},
                    {"label", in.services[0].spec.label},
                    {"existing_sites", in.services[0].facilities.size()},
                    {"baseline", in.services[0].facilities.empty()
                                     ? "no site yet: nobody is covered, every time is unreachable"
                                     : "the existing sites"}};
    nlohmann::json skipped = nlohmann::json::array();
    for (const auto& s : run.search.skipped) {
        skipped.push_back(s.reason);
    }
    j["parameters"] = {{"k", job.k},
                       {"objective", to_string(job.objective)},
                       {"threshold_min", run.threshold_min},
                       {"cap_min", job.cap_min},
                       {"candidates", job.candidates},
                       {"candidate_count", run.candidates.size()},
                       {"skipped_candidates", skipped},
                       {"access_speed_kmh", study.network.access_kmh},
                       {"max_snap_m", study.network.max_snap_m},
                       {"csv_dialect", to_string(job.csv_dialect)}};
    const auto* final_situation = run.final_situation ? &*run.final_situation : nullptr;
    const char* guarantee =
        job.objective == SitingObjective::coverage
            ? "covered population is monotone submodular: greedy gain >= (1 - 1/e) of the best"
        : job.objective == SitingObjective::mean_time
            ? "reduction of the capped population-weighted time is monotone submodular (facility location): greedy "
              "gain >= (1 - 1/e) of the best"
            : "none: the population at or above the APL threshold is monotone (a new site adds to the APL within its "
              "reach and changes no other site's ratio) but not submodular (two sites can lift together people "
              "neither lifts alone), so greedy has no constant-factor guarantee; ties and rounds lifting nobody go by "
              "the reduction of the population-weighted APL shortfall, which is monotone submodular. Use "
              "--compare-exhaustive on small instances to measure the gap";
    j["method"] = {
        {"algorithm", job.objective == SitingObjective::apl ? "plain greedy (every candidate re-evaluated each round)"
                                                            : "greedy with lazy evaluation (CELF)"},
        {"guarantee", guarantee},
        {"unreachable", fmt::format("mean-time: times capped at {:g} min, unreachable counts as {:g} min; "
                                    "coverage: unreachable is never covered",
                                    job.cap_min, job.cap_min)},
        {"ties", "the other objective's gain, then the first candidate"},
        {"full_searches", run.search.full_searches + (final_situation ? final_situation->full_searches : 0)},
        {"candidate_searches", run.search.candidate_searches},
        {"apl_searches", run.search.apl_searches},
        {"final_situation_searches", final_situation ? final_situation->pruned_searches : 0},
        {"settled_nodes", run.search.settled_nodes},
        {"gain_evaluations", r.gain_evaluations}};
    nlohmann::json chosen = nlohmann::json::array();
    for (const auto& step : r.steps) {
        const auto& c = run.candidates[step.candidate];
        chosen.push_back({{"id", c.id},
                          {"name", c.name},
                          {"lon", c.position.lon},
                          {"lat", c.position.lat},
                          {"gain_covered", step.gain_covered},
                          {"gain_pop_min", step.gain_minutes},
                          {"covered_after", step.after.covered},
                          {"mean_capped_after_min", step.after.capped_mean_min()}});
    }
    j["baseline"] = {{"population", r.baseline.population},
                     {"covered", r.baseline.covered},
                     {"mean_capped_min", r.baseline.capped_mean_min()}};
    j["chosen"] = chosen;
    if (run.apl) {
        const AplSpec& spec = *run.apl;
        const double greedy = r.steps.empty() ? r.baseline.apl_covered : r.steps.back().after.apl_covered;
        double recomputed = 0.0;
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            recomputed += run.apl_final->apl[o] * spec.per_inhabitants >= spec.threshold ? in.origins[o].population : 0.0;
        }
        nlohmann::json steps = nlohmann::json::array();
        for (const auto& step : r.steps) {
            steps.push_back({{"gain_pop_apl_ok", step.gain_apl_covered},
                             {"pop_apl_ok_after", step.after.apl_covered},
                             {"apl_shortfall_after", step.after.apl_shortfall}});
        }
        j["apl"] = {{"unit", apl_unit(spec)},
                    {"threshold", spec.threshold},
                    {"ok", "APL >= threshold"},
                    {"decay", describe_decay(spec)},
                    {"supply_of_existing_sites", spec.supply_field.empty()
                                                     ? nlohmann::json("1 per site (assumption: no supply column)")
                                                     : nlohmann::json("column " + spec.supply_field)},
                    {"supply_of_each_new_site", run.search.problem.apl->supply},
                    {"baseline_pop_apl_ok", r.baseline.apl_covered},
                    {"steps", steps},
                    {"final_pop_apl_ok", greedy},
                    {"final_pop_apl_ok_recomputed", recomputed},
                    {"final_conservation_relative_residual", run.apl_final->conservation.relative_residual},
                    {"note", "final_pop_apl_ok_recomputed comes from a full APL computation with the chosen sites "
                             "added (compute_apl), independent of the greedy's sums"}};
    }
    if (run.exhaustive) {
        j["exhaustive"] = exhaustive_json(run, job.objective);
    }
    return j;
}

std::string siting_summary(const StudyInputs& in, const SitingJob& job, const SitingRun& run,
                           const std::filesystem::path& dir) {
    const SitingResult& r = run.result;
    const double threshold = run.threshold_min;
    std::string text = fmt::format("{}: {} new site{} for {} ({}, threshold {:g} min) among {} candidates; "
                                   "results in {}\n",
                                   in.study.name, r.steps.size(), r.steps.size() == 1 ? "" : "s",
                                   in.services[0].spec.label, to_string(job.objective), threshold,
                                   run.candidates.size(), dir.string());
    const double pop = r.baseline.population;
    auto share = [&](double v) { return pop > 0 ? 100.0 * v / pop : 0.0; };
    if (in.services[0].facilities.empty()) {
        text += fmt::format("  today: no site yet, nobody within {:g} min of one (every time unreachable, counted as "
                            "{:g} min in the mean)\n",
                            threshold, job.cap_min);
    } else {
        text += fmt::format("  today: {} of {} inhabitants ({}) within {:g} min; mean {} min\n",
                            people(r.baseline.covered), people(pop), console_percent(share(r.baseline.covered)),
                            threshold, console_minutes(r.baseline.capped_mean_min()));
    }
    if (run.apl) {
        text += fmt::format("  today: {} inhabitants ({}) have an APL of {:g} or more ({}); new sites supply {:g} "
                            "each{}\n",
                            people(r.baseline.apl_covered), console_percent(share(r.baseline.apl_covered)), run.apl->threshold,
                            apl_unit(*run.apl), run.search.problem.apl->supply,
                            run.apl->supply_field.empty() ? " (1 per site: an assumption)" : "");
    }
    for (std::size_t i = 0; i < r.steps.size(); ++i) {
        const auto& step = r.steps[i];
        if (run.apl) {
            text += fmt::format("  {}. {}: +{} inhabitants with an APL of {:g} or more ({} in all); +{} within "
                                "{:g} min\n",
                                i + 1, candidate_label(run.candidates[step.candidate]), people(step.gain_apl_covered),
                                run.apl->threshold, console_percent(share(step.after.apl_covered)), people(step.gain_covered), threshold);
            continue;
        }
        if (job.objective == SitingObjective::coverage && step.gain_covered < 0.5) {
            // Chosen on the tie-break: it brings nobody new within the threshold.
            text += fmt::format("  {}. {}: nobody more within {:g} min ({} in all); shortens the mean to {} min\n",
                                i + 1, candidate_label(run.candidates[step.candidate]), threshold,
                                console_percent(share(step.after.covered)),
                                console_minutes(step.after.capped_mean_min()));
            continue;
        }
        text += fmt::format("  {}. {}: +{} inhabitants within {:g} min ({} in all), mean {} min\n", i + 1,
                            candidate_label(run.candidates[step.candidate]), people(step.gain_covered), threshold,
                            console_percent(share(step.after.covered)), console_minutes(step.after.capped_mean_min()));
    }
    const bool everyone = pop > 0 && (r.steps.empty() ? r.baseline : r.steps.back().after).covered >= pop;
    if (run.apl) {
        text += "  (APL objective: greedy without guarantee, the objective is not submodular; see siting.json)\n";
    }
    if (everyone && job.objective == SitingObjective::coverage) {
        text += fmt::format("  everyone is within {:g} min{}: no other site is needed for this threshold\n", threshold,
                            r.steps.empty() ? " already" : fmt::format(" with {} new site{}", r.steps.size(),
                                                                       r.steps.size() == 1 ? "" : "s"));
    } else if (r.steps.size() < job.k) {
        text += "  no other candidate improves anything\n";
    }
    if (!run.search.skipped.empty()) {
        text += fmt::format("  {} candidate{} skipped, farther than {:g} m from any road (see siting.json)\n",
                            run.search.skipped.size(), run.search.skipped.size() == 1 ? "" : "s",
                            in.study.network.max_snap_m);
    }
    if (run.exhaustive) {
        const double o = objective_gain(*run.exhaustive, job.objective);
        text += o > 0 ? fmt::format("  exhaustive search over {} subsets: greedy reaches {} of the best gain\n",
                                    run.exhaustive->subsets, console_percent(100.0 * objective_gain(r, job.objective) / o))
                      : fmt::format("  exhaustive search over {} subsets: no subset improves anything\n",
                                    run.exhaustive->subsets);
    }
    text += fmt::format("  {} candidate searches (limited to where each candidate is faster) after 1 full "
                        "search; {} gain evaluations\n",
                        run.search.candidate_searches, r.gain_evaluations);
    return text;
}

} // namespace

SitingObjective parse_siting_objective(const std::string& text) {
    if (text == "coverage") {
        return SitingObjective::coverage;
    }
    if (text == "mean-time") {
        return SitingObjective::mean_time;
    }
    if (text == "apl") {
        return SitingObjective::apl;
    }
    throw ConfigError(fmt::format("--objective '{}': use coverage, mean-time or apl", text));
}

ScenarioJobResult run_siting_job(const StudyFile& original, const SitingJob& job, const Log& log) {
    PhaseTimer timer;
    const StudyFile study = select_services(original, {job.service}, job.threshold_min);
    check_siting_job(job);
    ScenarioJobResult result;
    result.dir = job.output_dir.empty() ? default_job_folder(study, "site", job.service) : job.output_dir;
    check_study_input_files(study);
    std::vector<std::filesystem::path> inputs = files_of_study(study);
    const bool from_file = candidates_from_file(job);
    if (from_file) {
        require_input_file(job.candidates, "--candidates file");
        inputs.emplace_back(job.candidates);
    }
    OutputFolder out(result.dir, job.force, inputs, "site");

    // A service without any site yet is welcome: its first sites are what the user asks for.
    StudyLoadOptions load;
    load.allow_services_without_sites = true;
    const StudyInputs in = load_study_inputs(study, load, log);
    SitingRun run;
    run.candidates = job.candidates == "communes" ? commune_candidates(in)
                     : job.candidates == "cells"  ? cell_candidates(in)
                                                  : file_candidates(job.candidates, log);
    timer.phase("load");
    run.threshold_min = in.services[0].spec.threshold_min;
    run.search = search_candidates(in, 0, run.candidates, run.threshold_min, job.cap_min, !from_file, job.threads);
    timer.phase("candidate searches");
    if (job.objective == SitingObjective::apl) {
        run.apl = siting_apl_spec(in, job);
        add_apl_problem(in, 0, *run.apl, new_site_supply(in, job), run.search, job.threads);
        timer.phase("apl searches");
    }
    run.result = greedy_siting(run.search.problem, job.k, job.objective);
    timer.phase("greedy");
    if (job.compare_exhaustive) {
        run.exhaustive = exhaustive_siting(run.search.problem, job.k, job.objective);
        timer.phase("exhaustive");
    }
    add_final_situation(in, run);
    add_final_apl(in, job, run);
    timer.phase("final situation");

    result.files = write_siting_files(out.tmp(), in, job, run);
    timer.phase("write");

    nlohmann::ordered_json manifest = siting_manifest(in, job, run);
    manifest["timings_s"] = timer.json();
    manifest["memory"] = timer.memory_json();
    manifest["warnings"] = in.warnings;
    result.files.push_back("siting.json");
    manifest["outputs"] = result.files;
    write_manifest(out.tmp() / "siting.json", manifest);
    out.commit();
    result.summary = siting_summary(in, job, run, result.dir);
    return result;
}

} // namespace proxima
