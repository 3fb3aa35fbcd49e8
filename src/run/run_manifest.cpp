#include "run_manifest.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "proxima/core/sha256.hpp"
#include "proxima/run/job_support.hpp"

namespace proxima {

namespace {

nlohmann::json file_entry(const std::filesystem::path& p) {
    return {{"path", p.string()}, {"sha256", sha256_file(p)}};
}

nlohmann::json input_files(const StudyInputs& in) {
    const StudyFile& study = in.study;
    nlohmann::json inputs = nlohmann::json::array();
    // The graph records its extract's SHA-256 (checked when loaded): no need to read it again.
    inputs.push_back({{"path", study.network.osm.string()}, {"sha256", in.graph.provenance().source_sha256}});
    for (const auto* file : {&study.zones.file, &study.commune_table, &study.population.grid,
                             &study.population.points, &study.bpe}) {
        if (!file->empty()) {
            inputs.push_back(file_entry(*file));
        }
    }
    for (const auto& sv : study.services) {
        for (const auto& f : sv.files) {
            inputs.push_back(file_entry(f.file));
        }
    }
    return inputs;
}

nlohmann::json services_json(const StudyInputs& in, const std::vector<ServiceOutcome>& outcomes) {
    nlohmann::json services = nlohmann::json::array();
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        const auto& sv = in.services[s];
        const auto& out = outcomes[s];
        services.push_back({{"id", sv.spec.id},
                            {"label", sv.spec.label},
                            {"threshold_min", sv.spec.threshold_min},
                            {"direction", sv.spec.direction == TravelDirection::to_service ? "to_service" : "from_service"},
                            {"facilities", sv.facilities.size()},
                            {"from_osm", sv.from_osm},
                            {"from_bpe", sv.from_bpe},
                            {"from_files", sv.from_files},
                            {"long_snaps", sv.long_snaps},
                            {"population", out.population},
                            {"population_over", out.population_over},
                            {"share_over", out.share_over ? nlohmann::json(*out.share_over) : nlohmann::json(nullptr)}});
    }
    return services;
}

} // namespace

std::vector<ServiceOutcome> service_outcomes(const StudyInputs& in, const StudyResults& results) {
    const std::string worst_scope = in.communes.has_value() ? "epci" : "zone";
    std::vector<ServiceOutcome> outcomes;
    for (const auto& sv : in.services) {
        ServiceOutcome out;
        out.id = sv.spec.id;
        out.label = sv.spec.label;
        out.threshold_min = sv.spec.threshold_min;
        out.facilities = sv.facilities.size();
        for (const auto& a : results.summary) {
            if (a.service != out.id) {
                continue;
            }
            if (a.scope == "study") {
                out.population = a.population;
                out.population_over = a.population_over;
                out.share_over = a.share_over;
            } else if (a.scope == worst_scope && a.share_over && (!out.worst_share || *a.share_over > *out.worst_share)) {
                out.worst_share = a.share_over;
                out.worst_area = a.name.empty() ? a.code : a.name;
            }
        }
        outcomes.push_back(out);
    }
    return outcomes;
}

PolesSummary poles_summary(const StudyInputs& in) {
    PolesSummary summary;
    if (!in.poles) {
        return summary;
    }
    const auto in_study = in.poles->pole_counts(true);
    summary.text = fmt::format("  Pôles de services ({}{}):\n", in.poles->approximation ? "APPROXIMATION, " : "",
                               in.poles->method);
    summary.json["method"] = in.poles->method;
    summary.json["approximation"] = in.poles->approximation;
    summary.json["buffer_km"] = in.poles->buffer_km;
    for (std::size_t k = 3; k-- > 0;) {
        const Gamme g = static_cast<Gamme>(k);
        if (!in.poles->classified[k]) {
            summary.text += fmt::format("    {}: not classified\n", poles_name(g));
            continue;
        }
        std::vector<std::string> names;
        for (const auto& c : in.poles->communes) {
            if (c.is_pole(g)) {
                names.push_back(c.name + (c.in_study ? "" : " (buffer)"));
            }
        }
        summary.text += fmt::format("    {}: {} in the study area{}{}\n", poles_name(g), in_study[k],
                                    names.empty() ? "" : ": ", fmt::join(names, ", "));
        summary.json[gamme_key(g)] = names;
    }
    return summary;
}

nlohmann::ordered_json run_manifest(const StudyInputs& in, const RunOptions& options, const RunSummary& summary,
                                    const nlohmann::ordered_json& poles) {
    const StudyFile& study = in.study;
    nlohmann::ordered_json run = manifest_header(study);
    run["study"]["cog_year"] = study.cog_year;
    run["study"]["output_crs"] = study.output_crs;
    run["inputs"] = input_files(in);
    run["graph"] = {{"origin", in.graph_origin},
                    {"nodes", in.graph.node_count()},
                    {"arcs", in.graph.arc_count()},
                    {"profile", in.graph.provenance().profile_name},
                    {"profile_sha256", in.graph.provenance().profile_sha256},
                    {"extract_sha256", in.graph.provenance().source_sha256}};
    run["parameters"] = {{"access_speed_kmh", study.network.access_kmh},
                         {"max_snap_m", study.network.max_snap_m},
                         {"warn_snap_m", study.network.warn_snap_m},
                         {"threads", options.threads},
                         {"bands_min", band_upper_min},
                         {"over_threshold", "time > threshold, or unreachable"}};
    run["services"] = services_json(in, summary.services);
    run["population"] = {{"read", in.population_total},
                         {"origins", in.origins.size()},
                         {"unplaced", summary.unplaced_population}};
    nlohmann::json unplaced = nlohmann::json::array();
    for (const auto& u : in.unplaced_population) {
        unplaced.push_back({{"what", u.what}, {"population", u.population}});
    }
    run["population"]["unplaced_detail"] = unplaced;
    if (in.poles) {
        run["poles"] = poles;
    }
    run["warnings"] = {{"count", in.warnings.size()}, {"messages", in.warnings}};
    nlohmann::ordered_json timings = nlohmann::ordered_json::object();
    for (const auto& [name, seconds] : summary.timings) {
        timings[name] = seconds;
    }
    run["timings_s"] = timings;  // phases in the order they ran
    run["outputs"] = summary.files;
    return run;
}

} // namespace proxima
