#include "run_outcomes.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "proxima/core/huge_pages.hpp"
#include "proxima/core/sha256.hpp"
#include "proxima/core/version.hpp"
#include "proxima/run/deficit_area.hpp"

namespace proxima {

namespace {

ManifestFile file_entry(const std::filesystem::path& p) { return {p.string(), sha256_file(p)}; }

std::vector<ManifestFile> input_files(const StudyInputs& in) {
    const StudyFile& study = in.study;
    // The graph records its extract's SHA-256 (checked when loaded): no need to read it again.
    std::vector<ManifestFile> inputs = {{study.network.osm.string(), in.graph().provenance().source_sha256}};
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

std::vector<ManifestService> manifest_services(const StudyInputs& in, const std::vector<ServiceOutcome>& outcomes) {
    std::vector<ManifestService> services;
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        const auto& sv = in.services[s];
        const auto& out = outcomes[s];
        services.push_back({sv.spec.id, sv.spec.label, sv.spec.threshold_min,
                            sv.spec.direction == TravelDirection::to_service ? "to_service" : "from_service",
                            sv.facilities.size(), sv.from_osm, sv.from_bpe, sv.from_files, sv.long_snaps,
                            out.population, out.population_over, out.share_over, sv.spec.family});
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
    summary.json["nested"] = in.poles->nested;
    summary.json["reading"] = in.poles->reading();
    summary.text += fmt::format("    access reading ([poles] nested = {}): {}\n", in.poles->nested ? "true" : "false",
                                in.poles->reading());
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

namespace {

/// The communes whose inhabitants sit at a point on surface, the largest area × population first
/// (where that point is the least likely to stand for where people live), at most `limit`.
std::vector<const Origin*> point_on_surface_zones(const StudyInputs& in, std::size_t limit) {
    std::vector<const Origin*> out;
    for (const auto& o : in.origins) {
        if (o.placement == OriginPlacement::point_on_surface && o.population > 0) {
            out.push_back(&o);
        }
    }
    const auto weight = [&](const Origin* o) { return in.zones.zones[o->zone].area_km2 * o->population; };
    std::sort(out.begin(), out.end(), [&](const Origin* a, const Origin* b) {
        return weight(a) != weight(b) ? weight(a) > weight(b) : a->id < b->id;
    });
    if (out.size() > limit) {
        out.resize(limit);
    }
    return out;
}

} // namespace

PopulationNotes population_notes(const StudyInputs& in, const StudyResults& results) {
    PopulationNotes notes;
    std::map<std::string, std::pair<std::size_t, double>> by_placement;
    std::size_t on_surface = 0;
    for (const auto& o : in.origins) {
        auto& p = by_placement[to_string(o.placement)];
        ++p.first;
        p.second += o.population;
        on_surface += o.placement == OriginPlacement::point_on_surface ? 1 : 0;
    }
    notes.placement = nlohmann::ordered_json::object();
    for (const auto& [placement, counts] : by_placement) {
        notes.placement[placement] = {{"origins", counts.first}, {"population", counts.second}};
    }
    const bool zone_origins = in.study.origins.kind == StudyFile::Origins::Kind::reference_points;
    if (zone_origins && on_surface > 0) {
        const auto worst = point_on_surface_zones(in, 10);
        nlohmann::ordered_json listed = nlohmann::ordered_json::array();
        std::vector<std::string> names;
        for (const Origin* o : worst) {
            const Zone& zone = in.zones.zones[o->zone];
            listed.push_back({{"code", zone.code}, {"name", zone.name}, {"area_km2", zone.area_km2},
                              {"population", o->population}});
            names.push_back(fmt::format("{} {}", zone.code, zone.name));
        }
        notes.placement["point_on_surface_communes"] = listed;
        notes.text += fmt::format("  {} of {} communes placed at a point on surface (no chef-lieu, no populated grid "
                                  "cell): their times are the least sure; first by area x population: {}\n",
                                  on_surface, in.zones.zones.size(), fmt::join(names, ", "));
    }
    const auto& groups = in.study.population.groups;
    if (groups.empty()) {
        return notes;
    }
    notes.age_groups = nlohmann::ordered_json::array();
    for (std::size_t g = 0; g < groups.size(); ++g) {
        nlohmann::ordered_json group = {{"group", groups[g].label}, {"key", groups[g].key}};
        nlohmann::ordered_json over = nlohmann::ordered_json::object();
        std::string line;
        for (const auto& a : results.summary) {
            if (a.scope != "study") {
                continue;
            }
            const double population = a.group_population.at(g);
            const double beyond = a.group_population_over.at(g);
            group["population"] = population;
            over[a.service] = {{"threshold_min", a.threshold_min},
                               {"population_over", beyond},
                               {"share_over", population > 0 ? nlohmann::ordered_json(beyond / population)
                                                             : nlohmann::ordered_json(nullptr)}};
            line += fmt::format("{}{} {:.0f} beyond {:g} min", line.empty() ? "" : "; ", a.service, beyond,
                                a.threshold_min);
        }
        group["over"] = over;
        notes.age_groups.push_back(group);
        notes.text += fmt::format("  aged {} ({:.0f} inhabitants): {}\n", groups[g].label,
                                  group.value("population", 0.0), line);
    }
    return notes;
}

RunManifest make_run_manifest(const StudyInputs& in, const RunOptions& options, const RunSummary& summary,
                              const nlohmann::ordered_json& poles) {
    const StudyFile& study = in.study;
    const auto& provenance = in.graph().provenance();
    RunManifest m;
    m.proxima_version = version_string;
    m.study = {study.name, study.path.string(), study.sha256, study.cog_year, study.output_crs};
    m.inputs = input_files(in);
    m.graph = {in.graph_origin,          in.graph().node_count(),         in.graph().arc_count(),
               provenance.profile_name, provenance.profile_sha256, provenance.source_sha256};
    m.parameters = {study.network.access_kmh,
                    study.network.max_snap_m,
                    study.network.warn_snap_m,
                    options.threads,
                    std::vector<double>(band_upper_min.begin(), band_upper_min.end()),
                    "time > threshold, or unreachable",
                    options.surface_resolution_m,
                    to_string(options.csv_dialect),
                    {search_choice_name(summary.search.requested), search_method_name(summary.search.method),
                     summary.search.lanes, summary.search.reason}};
    m.services = manifest_services(in, summary.services);
    m.population = {in.population_total, in.origins.size(), summary.unplaced_population, {}};
    for (const auto& u : in.unplaced_population) {
        m.population.unplaced_detail.emplace_back(u.what, u.population);
    }
    if (in.poles) {
        m.poles = poles;
    }
    m.warnings = in.warnings;
    m.timings_s = summary.timings;
    m.memory = {summary.peak_mib, summary.peaks_mib, huge_pages_mode()};
    m.outputs = summary.files;
    return m;
}

} // namespace proxima
