#include "proxima/run/apl_job.hpp"

#include <fmt/format.h>

#include "proxima/analysis/access_times.hpp"
#include "proxima/analysis/aggregation.hpp"
#include "proxima/run/apl_outputs.hpp"
#include "proxima/run/job_support.hpp"
#include "proxima/run/output_folder.hpp"
#include "proxima/run/run_study.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima {

ScenarioJobResult run_apl_job(const StudyFile& original, const AplJob& job, const Log& log) {
    PhaseTimer timer;
    // Only the service asked for, with the overrides; everything checked before any work.
    StudyFile study = select_services(original, {job.service}, std::nullopt);
    AplSpec& spec = study.services[0].apl;
    if (job.threshold) {
        spec.threshold = *job.threshold;
    }
    if (job.supply_field) {
        spec.supply_field = *job.supply_field;
    }
    check_apl_spec(spec, fmt::format("APL of service '{}'", job.service));
    ScenarioJobResult result;
    result.dir = job.output_dir.empty() ? default_job_folder(study, "apl", job.service) : job.output_dir;
    check_study_input_files(study);
    OutputFolder out(result.dir, job.force, files_of_study(study), "apl");

    const StudyInputs in = load_study_inputs(study, log);
    timer.add(in.timings, "load: ", in.timings_peak_mib);
    const AccessTable access = compute_access(in, job.threads);
    const StudyResults times = aggregate(in, access);
    timer.phase("access search");
    const AplOutcome apl = compute_apl_outcome(in, 0, spec, job.threads);
    timer.phase("apl searches and sums");

    const std::vector<OutputLayer> layers = {apl_zones_layer(in.communes ? "communes" : "zones", in, apl),
                                             apl_origins_layer("origins", in, apl), apl_sites_layer("sites", in, apl),
                                             apl_areas_table("areas", apl)};
    result.files = write_layers(out.tmp(), "apl.gpkg", layers, study.output_crs, [](const OutputLayer&) { return true; });
    if (job.maps) {
        const std::string map = "maps/apl_" + job.service + ".png";
        write_apl_map(out.tmp(), map, in, access, times, apl, map_context(in));
        result.files.push_back(map);
    }
    timer.phase("write");

    nlohmann::ordered_json manifest = manifest_header(study);
    const nlohmann::ordered_json indicator = apl_json(in, apl);
    for (auto it = indicator.begin(); it != indicator.end(); ++it) {
        manifest[it.key()] = it.value();
    }
    manifest["parameters"] = {{"access_speed_kmh", study.network.access_kmh},
                              {"max_snap_m", study.network.max_snap_m},
                              {"threads", job.threads}};
    manifest["warnings"] = in.warnings;
    manifest["timings_s"] = timer.json();
    manifest["memory"] = timer.memory_json();
    result.files.push_back("apl.json");
    manifest["outputs"] = result.files;
    write_manifest(out.tmp() / "apl.json", manifest);
    out.commit();
    result.summary = fmt::format("{}: APL of {} in {}\n", study.name, in.services[0].spec.label, result.dir.string()) +
                     apl_console_summary(in, apl);
    return result;
}

} // namespace proxima
