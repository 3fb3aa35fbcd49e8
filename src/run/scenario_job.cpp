#include "proxima/run/scenario_job.hpp"

#include <fmt/format.h>

#include "proxima/core/error.hpp"
#include "proxima/run/apl_outputs.hpp"
#include "proxima/run/comparison_layers.hpp"
#include "proxima/run/comparison_maps.hpp"
#include "proxima/run/job_support.hpp"
#include "proxima/run/output_folder.hpp"
#include "proxima/run/run_study.hpp"

namespace proxima {

namespace {

using Type = OutputField::Type;

/// The sites the scenario opens or closes, as points.
OutputLayer changed_sites_layer(const std::string& name, const ScenarioResult& r) {
    OutputLayer sites;
    sites.name = "sites_" + name;
    sites.geometry = OutputLayer::Geometry::point;
    sites.fields = {{"action", Type::text}, {"id", Type::text}, {"name", Type::text}, {"snap_m", Type::real}};
    for (const auto& ch : r.changes) {
        sites.rows.push_back({to_string(ch.kind), ch.id, text_or_null(ch.name), rounded(ch.snap_m, 0.1)});
        sites.wkb.push_back(point_wkb(ch.position));
    }
    return sites;
}

nlohmann::ordered_json scenario_manifest(const StudyFile& study, const StudyInputs& in, const ScenarioSpec& spec,
                                         const ScenarioResult& r, const ScenarioComparison& c, CsvDialect csv_dialect) {
    nlohmann::ordered_json j = manifest_header(study);
    const auto& sv = in.services[0];
    j["service"] = {{"id", sv.spec.id},
                    {"label", sv.spec.label},
                    {"threshold_min", sv.spec.threshold_min},
                    {"facilities_before", sv.facilities.size()},
                    {"facilities_after", r.facilities_after.size()}};
    nlohmann::json changes = nlohmann::json::array();
    for (const auto& ch : r.changes) {
        changes.push_back({{"action", to_string(ch.kind)},
                           {"id", ch.id},
                           {"name", ch.name},
                           {"lon", ch.position.lon},
                           {"lat", ch.position.lat},
                           {"snap_m", ch.snap_m}});
    }
    j["scenario"] = {{"name", spec.name}, {"changes", changes}};
    j["method"] = {{"full_searches", r.full_searches},
                   {"pruned_searches", r.pruned_searches},
                   {"settled_nodes", r.settled_nodes},
                   {"improved_origins", r.improved_origins},
                   {"note", "new sites: one search limited to the nodes they reach strictly faster than the "
                            "existing sites, combined by min (exact); closed sites: one full search from the "
                            "remaining ones"}};
    const auto& study_row = c.areas.front();
    auto optional = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
    j["study_summary"] = {{"population", study_row.population},
                          {"pop_over_before", study_row.over_before},
                          {"pop_over_after", study_row.over_after},
                          {"mean_min_before", optional(study_row.mean_before_min)},
                          {"mean_min_after", optional(study_row.mean_after_min)},
                          {"pop_unreachable_before", study_row.unreachable_before},
                          {"pop_unreachable_after", study_row.unreachable_after}};
    j["parameters"] = {{"access_speed_kmh", study.network.access_kmh},
                       {"max_snap_m", study.network.max_snap_m},
                       {"over_threshold", "time > threshold, or unreachable"},
                       {"csv_dialect", to_string(csv_dialect)}};
    j["warnings"] = in.warnings;
    return j;
}

} // namespace

ScenarioJobResult run_scenario_job(const StudyFile& original, const ScenarioJob& job, const Log& log) {
    PhaseTimer timer;
    // Only the service asked for, with the threshold override; the scenario checked before any work.
    const StudyFile study = select_services(original, {job.service}, job.threshold_min);
    check_scenario_spec(job.spec);
    if (!job.apl && (job.apl_threshold || job.new_supply)) {
        throw ConfigError("--apl-threshold and --supply go with --apl (the APL before and after)");
    }
    ScenarioJobResult result;
    result.dir = job.output_dir.empty() ? default_job_folder(study, "scenario", job.spec.name) : job.output_dir;
    check_study_input_files(study);
    OutputFolder out(result.dir, job.force, files_of_study(study), "scenario");

    const StudyInputs in = load_study_inputs(study, log);
    timer.phase("load");
    const ScenarioResult r = run_scenario(in, 0, job.spec);
    timer.phase("searches");
    const ScenarioComparison c = compare_scenario(in, r);
    timer.phase("aggregation");
    std::optional<AplComparison> apl;
    if (job.apl) {
        AplSpec spec = in.services[0].spec.apl;
        if (job.apl_threshold) {
            spec.threshold = *job.apl_threshold;
        }
        check_apl_spec(spec, "--apl-threshold");
        apl = compare_apl(in, r, spec, job.new_supply, job.threads);
        timer.phase("apl");
    }

    const std::string& name = job.spec.name;
    std::vector<OutputLayer> layers = {zone_comparison_layer("scenario_" + name, in, c),
                                       changed_sites_layer(name, r),
                                       origin_comparison_layer("origins_" + name, in, r),
                                       area_comparison_table("areas_" + name, c)};
    if (apl) {
        layers.push_back(apl_zone_comparison_layer("apl_" + name, in, *apl));
        layers.push_back(apl_area_comparison_table("apl_areas_" + name, *apl));
    }
    // Polygons only in the GeoPackage.
    result.files = write_layers(out.tmp(), "scenario.gpkg", layers, study.output_crs,
                                [](const OutputLayer& l) { return l.geometry != OutputLayer::Geometry::polygon; },
                                job.csv_dialect);
    for (const OutputLayer& t : area_comparison_tables_by_scope("areas_" + name, c)) {
        write_layer_csv(out.tmp() / (t.name + ".csv"), t, job.csv_dialect);
        result.files.push_back(t.name + ".csv");
    }
    for (auto& f : write_comparison_maps(out.tmp(), in, r, "Site du scénario", false)) {
        result.files.push_back(std::move(f));
    }
    timer.phase("write");

    nlohmann::ordered_json manifest = scenario_manifest(study, in, job.spec, r, c, job.csv_dialect);
    if (apl) {
        manifest["apl"] = apl_comparison_json(in, *apl);
    }
    manifest["timings_s"] = timer.json();
    manifest["memory"] = timer.memory_json();
    result.files.push_back("scenario.json");
    manifest["outputs"] = result.files;
    write_manifest(out.tmp() / "scenario.json", manifest);
    out.commit();
    result.summary = fmt::format("Scenario '{}' ({}): results in {}\n", name, study.name, result.dir.string()) +
                     format_scenario_summary(in, r, c) + (apl ? apl_comparison_summary(*apl) : std::string());
    return result;
}

} // namespace proxima
