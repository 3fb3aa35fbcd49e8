// proxima site STUDY.toml --service ID --k K --candidates communes|cells|FILE
//              [--objective coverage|mean-time] [--threshold MIN] [--cap MIN] [--compare-exhaustive]
//              [-o DIR] [--force] [--threads N]

#include <algorithm>
#include <cmath>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "proxima/run/run_study.hpp"
#include "scenario_output.hpp"
#include "proxima/analysis/siting.hpp"
#include "proxima/core/atomic_file.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/input_path.hpp"
#include "proxima/core/version.hpp"
#include "proxima/report/map_renderer.hpp"

namespace proxima::cli {

namespace {

using Type = OutputField::Type;

struct SiteArguments {
    std::string study;
    std::string service;
    std::size_t k = 0;
    std::string candidates;
    std::string objective = "coverage";
    double threshold = 0.0;
    double cap = 180.0;
    bool exhaustive = false;
    std::string output;
    bool force = false;
    int threads = 0;
};

std::string people(double v) {
    const std::string digits = fmt::format("{:.0f}", v);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out += ' ';
        }
        out += digits[i];
    }
    return out;
}

} // namespace

void add_site_command(CLI::App& app, Context& context, int& exit_code) {
    auto* cmd = app.add_subcommand("site", "Choose K new sites of a service (greedy, lazy evaluation): most people "
                                           "brought within the threshold, or lowest mean time");
    auto a = std::make_shared<SiteArguments>();
    cmd->add_option("study", a->study, "Study file (TOML), e.g. data/studies/andorra.toml")->required();
    cmd->add_option("--service", a->service, "Service id of the study (e.g. urgences)")->required();
    cmd->add_option("--k", a->k, "Number of new sites to choose")->required();
    cmd->add_option("--candidates", a->candidates,
                    "Where sites may go: 'communes' (each zone's reference point), 'cells' (grid cell centres) or a "
                    "CSV file of points id,lon,lat")
        ->required();
    cmd->add_option("--objective", a->objective,
                    "coverage (population within the threshold) or mean-time (population-weighted mean time, times "
                    "capped at --cap, unreachable counting as --cap); default coverage");
    CLI::Option* threshold = cmd->add_option("--threshold", a->threshold, "Threshold in minutes (default: the service's)");
    cmd->add_option("--cap", a->cap, "mean-time: cap of every time, and value of an unreachable origin (minutes, "
                                     "default 180)");
    cmd->add_flag("--compare-exhaustive", a->exhaustive,
                  "Also find the optimum over every K-subset of candidates (small cases) and report the gap");
    cmd->add_option("-o,--output", a->output, "Output folder (default: <study output>-site-<service>)");
    cmd->add_flag("--force", a->force, "Replace the output folder if it exists");
    add_threads_option(*cmd, a->threads);
    cmd->callback([&context, &exit_code, a, threshold] {
        exit_code = guarded(context, [&] {
            Stopwatch clock;
            SitingObjective objective = SitingObjective::coverage;
            if (a->objective == "mean-time") {
                objective = SitingObjective::mean_time;
            } else if (a->objective != "coverage") {
                throw ConfigError(fmt::format("--objective '{}': use coverage or mean-time", a->objective));
            }
            if (a->k == 0 || a->k > 1000) {
                throw ConfigError(fmt::format("--k {}: choose between 1 and 1000 new sites", a->k));
            }
            a->threads = checked_threads(a->threads, context);
            StudyFile study = load_study(a->study);
            study = select_services(std::move(study), {a->service},
                                    threshold->count() > 0 ? std::optional<double>(a->threshold) : std::nullopt);
            if (!(a->cap > 0) || a->cap > 14400) {
                throw ConfigError(fmt::format("--cap {}: it must be more than 0 and at most 14400 minutes", a->cap));
            }
            const bool from_file = a->candidates != "communes" && a->candidates != "cells";
            if (from_file && !std::filesystem::exists(a->candidates)) {
                throw InputError(fmt::format("--candidates '{}': not 'communes' or 'cells', and no such file (a CSV of "
                                             "points id,lon,lat)",
                                             a->candidates));
            }
            const std::filesystem::path dir =
                a->output.empty() ? study.output_dir.parent_path() /
                                        fmt::format("{}-site-{}", study.output_dir.filename().string(), a->service)
                                  : std::filesystem::path(a->output);
            check_study_input_files(study);
            std::vector<std::filesystem::path> inputs = files_of_study(study);
            if (from_file) {
                require_input_file(a->candidates, "--candidates file");
                inputs.emplace_back(a->candidates);
            }
            OutputFolder out(dir, a->force, inputs, "site");
            std::vector<std::pair<std::string, double>> timings;
            auto phase = [&](const char* name) {
                timings.emplace_back(name, clock.seconds());
                clock.restart();
            };

            const StudyInputs in = load_study_inputs(study, context.log());
            const std::vector<SiteCandidate> candidates = a->candidates == "communes" ? commune_candidates(in)
                                                          : a->candidates == "cells"  ? cell_candidates(in)
                                                                                      : file_candidates(a->candidates, context.log());
            phase("load");
            const double threshold_min = in.services[0].spec.threshold_min;
            const SitingSearch search =
                search_candidates(in, 0, candidates, threshold_min, a->cap, !from_file, a->threads);
            phase("candidate searches");
            const SitingResult r = greedy_siting(search.problem, a->k, objective);
            phase("greedy");
            std::optional<SitingResult> best;
            if (a->exhaustive) {
                best = exhaustive_siting(search.problem, a->k, objective);
                phase("exhaustive");
            }

            // The final situation: the chosen sites added, as a scenario (one more pruned search).
            std::optional<ScenarioResult> final_situation;
            std::optional<ScenarioComparison> comparison;
            if (!r.steps.empty()) {
                ScenarioSpec spec;
                spec.name = "site";
                for (const auto& step : r.steps) {
                    const auto& c = candidates[step.candidate];
                    spec.add.push_back({c.name == c.id ? c.id : fmt::format("{} ({})", c.name, c.id), c.position});
                }
                final_situation = run_scenario(in, 0, spec);
                comparison = compare_scenario(in, *final_situation);
            }
            phase("final situation");

            std::vector<std::string> files;
            std::vector<OutputLayer> layers;
            {
                OutputLayer sites;
                sites.name = "sites";
                sites.geometry = OutputLayer::Geometry::point;
                sites.fields = {{"rank", Type::integer},          {"id", Type::text},
                                {"name", Type::text},             {"gain_covered", Type::real},
                                {"gain_pop_min", Type::real},     {"covered_after", Type::real},
                                {"share_covered_after", Type::real}, {"mean_capped_after_min", Type::real},
                                {"snap_m", Type::real}};
                for (std::size_t i = 0; i < r.steps.size(); ++i) {
                    const auto& step = r.steps[i];
                    const auto& c = candidates[step.candidate];
                    sites.rows.push_back({static_cast<std::int64_t>(i + 1), c.id, c.name, rounded(step.gain_covered, 0.1),
                                          rounded(step.gain_minutes, 0.1), rounded(step.after.covered, 0.1),
                                          step.after.population > 0
                                              ? rounded(step.after.covered / step.after.population, 0.0001)
                                              : FieldValue(std::monostate{}),
                                          rounded(step.after.capped_mean_min()),
                                          rounded(search.snaps[step.candidate].distance_m, 0.1)});
                    sites.wkb.push_back(point_wkb(c.position));
                }
                layers.push_back(std::move(sites));
            }
            if (comparison) {
                layers.push_back(zone_comparison_layer("situation", in, *comparison));
                layers.push_back(area_comparison_table("areas", *comparison));
            }
            write_geopackage(out.tmp() / "siting.gpkg", layers, study.output_crs);
            files.push_back("siting.gpkg");
            for (const auto& layer : layers) {
                if (layer.geometry != OutputLayer::Geometry::polygon) {
                    write_layer_csv(out.tmp() / (layer.name + ".csv"), layer);
                    files.push_back(layer.name + ".csv");
                }
            }
            // The cumulative curve: 0 sites (today), then after each chosen site.
            LineChart chart;
            OutputLayer curve;
            curve.name = "curve";
            curve.fields = {{"sites", Type::integer}, {"covered", Type::real}, {"share_covered", Type::real},
                            {"mean_capped_min", Type::real}};
            std::vector<SitingValue> values = {r.baseline};
            for (const auto& step : r.steps) {
                values.push_back(step.after);
            }
            for (std::size_t i = 0; i < values.size(); ++i) {
                const auto& v = values[i];
                curve.rows.push_back({static_cast<std::int64_t>(i), rounded(v.covered, 0.1),
                                      v.population > 0 ? rounded(v.covered / v.population, 0.0001)
                                                       : FieldValue(std::monostate{}),
                                      rounded(v.capped_mean_min())});
                chart.x.push_back(static_cast<double>(i));
                chart.y.push_back(objective == SitingObjective::coverage ? v.covered : v.capped_mean_min());
            }
            write_layer_csv(out.tmp() / "curve.csv", curve);
            files.push_back("curve.csv");
            const auto& label = in.services[0].spec.label;
            chart.x_caption = "Nombre de nouveaux sites";
            if (objective == SitingObjective::coverage) {
                chart.title = fmt::format("{} : habitants à {:g} min ou moins", label, threshold_min);
                chart.y_caption = "Habitants";
                chart.y_reference = r.baseline.population;
                chart.y_reference_caption = "Population totale";
            } else {
                chart.title = fmt::format("{} : temps moyen pondéré par la population", label);
                chart.y_caption = fmt::format("Minutes (plafonnées à {:g})", a->cap);
            }
            render_line_chart_png(chart, out.tmp() / "curve.png");
            files.push_back("curve.png");
            if (final_situation) {
                for (auto& f : write_comparison_maps(out.tmp(), in, *final_situation, "Site proposé", true)) {
                    files.push_back(std::move(f));
                }
            }
            phase("write");

            nlohmann::ordered_json j;
            j["proxima_version"] = version_string;
            j["study"] = {{"name", study.name}, {"file", study.path.string()}, {"sha256", study.sha256}};
            j["service"] = {{"id", in.services[0].spec.id},
                            {"label", label},
                            {"existing_sites", in.services[0].facilities.size()}};
            nlohmann::json skipped = nlohmann::json::array();
            for (const auto& s : search.skipped) {
                skipped.push_back(s.reason);
            }
            j["parameters"] = {{"k", a->k},
                               {"objective", to_string(objective)},
                               {"threshold_min", threshold_min},
                               {"cap_min", a->cap},
                               {"candidates", a->candidates},
                               {"candidate_count", candidates.size()},
                               {"skipped_candidates", skipped},
                               {"access_speed_kmh", study.network.access_kmh},
                               {"max_snap_m", study.network.max_snap_m}};
            j["method"] = {
                {"algorithm", "greedy with lazy evaluation (CELF)"},
                {"guarantee", objective == SitingObjective::coverage
                                  ? "covered population is monotone submodular: greedy gain >= (1 - 1/e) of the best"
                                  : "reduction of the capped population-weighted time is monotone submodular "
                                    "(facility location): greedy gain >= (1 - 1/e) of the best"},
                {"unreachable", fmt::format("mean-time: times capped at {:g} min, unreachable counts as {:g} min; "
                                            "coverage: unreachable is never covered",
                                            a->cap, a->cap)},
                {"ties", "the other objective's gain, then the first candidate"},
                {"full_searches", search.full_searches + (final_situation ? final_situation->full_searches : 0)},
                {"candidate_searches", search.candidate_searches},
                {"final_situation_searches", final_situation ? final_situation->pruned_searches : 0},
                {"settled_nodes", search.settled_nodes},
                {"gain_evaluations", r.gain_evaluations}};
            nlohmann::json chosen = nlohmann::json::array();
            for (const auto& step : r.steps) {
                const auto& c = candidates[step.candidate];
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
            if (best) {
                const double g = objective_gain(r, objective);
                const double o = objective_gain(*best, objective);
                nlohmann::json ids = nlohmann::json::array();
                for (const auto& step : best->steps) {
                    ids.push_back(candidates[step.candidate].id);
                }
                j["exhaustive"] = {{"subsets", best->subsets},
                                   {"optimum_gain", o},
                                   {"greedy_gain", g},
                                   {"ratio", o > 0 ? nlohmann::json(g / o) : nlohmann::json(nullptr)},
                                   {"optimum_sites", ids}};
            }
            nlohmann::ordered_json t = nlohmann::ordered_json::object();
            for (const auto& [name, seconds] : timings) {
                t[name] = seconds;
            }
            j["timings_s"] = t;
            j["warnings"] = in.warnings;
            files.push_back("siting.json");
            j["outputs"] = files;
            {
                AtomicFile file(out.tmp() / "siting.json");
                file.stream() << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
                file.commit();
            }
            out.commit();

            // Console.
            std::string text = fmt::format("{}: {} new site{} for {} ({}, threshold {:g} min) among {} candidates; "
                                           "results in {}\n",
                                           study.name, r.steps.size(), r.steps.size() == 1 ? "" : "s", label,
                                           to_string(objective), threshold_min, candidates.size(), dir.string());
            const double pop = r.baseline.population;
            auto share = [&](double v) { return pop > 0 ? 100.0 * v / pop : 0.0; };
            text += fmt::format("  today: {} of {} inhabitants ({:.1f} %) within {:g} min; mean {:.1f} min\n",
                                people(r.baseline.covered), people(pop), share(r.baseline.covered), threshold_min,
                                r.baseline.capped_mean_min());
            for (std::size_t i = 0; i < r.steps.size(); ++i) {
                const auto& step = r.steps[i];
                const auto& c = candidates[step.candidate];
                text += fmt::format("  {}. {}: +{} inhabitants within {:g} min ({:.1f} % in all), mean {:.1f} min\n",
                                    i + 1, c.name == c.id ? c.id : fmt::format("{} ({})", c.name, c.id),
                                    people(step.gain_covered), threshold_min, share(step.after.covered),
                                    step.after.capped_mean_min());
            }
            if (r.steps.size() < a->k) {
                text += "  no other candidate improves anything\n";
            }
            if (!search.skipped.empty()) {
                text += fmt::format("  {} candidate{} skipped, farther than {:g} m from any road (see siting.json)\n",
                                    search.skipped.size(), search.skipped.size() == 1 ? "" : "s",
                                    study.network.max_snap_m);
            }
            if (best) {
                const double o = objective_gain(*best, objective);
                text += o > 0 ? fmt::format("  exhaustive search over {} subsets: greedy reaches {:.1f} % of the best "
                                            "gain\n",
                                            best->subsets, 100.0 * objective_gain(r, objective) / o)
                              : fmt::format("  exhaustive search over {} subsets: no subset improves anything\n",
                                            best->subsets);
            }
            text += fmt::format("  {} candidate searches (limited to where each candidate is faster) after 1 full "
                                "search; {} gain evaluations\n",
                                search.candidate_searches, r.gain_evaluations);
            std::cout << text;
        });
    });
}

} // namespace proxima::cli
