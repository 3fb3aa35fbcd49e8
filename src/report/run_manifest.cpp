#include "proxima/report/run_manifest.hpp"

#include <fmt/format.h>

#include "proxima/core/error.hpp"

namespace proxima {

using Json = nlohmann::ordered_json;

nlohmann::ordered_json to_json(const RunManifest& m) {
    Json j;
    j["proxima_version"] = m.proxima_version;
    j["study"] = {{"name", m.study.name},
                  {"file", m.study.file},
                  {"sha256", m.study.sha256},
                  {"cog_year", m.study.cog_year},
                  {"output_crs", m.study.output_crs}};
    Json inputs = Json::array();
    for (const auto& f : m.inputs) {
        inputs.push_back({{"path", f.path}, {"sha256", f.sha256}});
    }
    j["inputs"] = inputs;
    j["graph"] = {{"origin", m.graph.origin},
                  {"nodes", m.graph.nodes},
                  {"arcs", m.graph.arcs},
                  {"profile", m.graph.profile},
                  {"profile_sha256", m.graph.profile_sha256},
                  {"extract_sha256", m.graph.extract_sha256}};
    j["parameters"] = {{"access_speed_kmh", m.parameters.access_speed_kmh},
                       {"max_snap_m", m.parameters.max_snap_m},
                       {"warn_snap_m", m.parameters.warn_snap_m},
                       {"threads", m.parameters.threads},
                       {"bands_min", m.parameters.bands_min},
                       {"over_threshold", m.parameters.over_threshold},
                       {"surface_resolution_m", m.parameters.surface_resolution_m},
                       {"csv_dialect", m.parameters.csv_dialect},
                       {"search",
                        {{"requested", m.parameters.search.requested},
                         {"method", m.parameters.search.method},
                         {"lanes", m.parameters.search.lanes},
                         {"reason", m.parameters.search.reason}}}};
    // Services and unplaced entries keep the alphabetical key order run.json has always had.
    nlohmann::json services = nlohmann::json::array();
    for (const auto& s : m.services) {
        services.push_back({{"id", s.id},
                            {"label", s.label},
                            {"threshold_min", s.threshold_min},
                            {"direction", s.direction},
                            {"facilities", s.facilities},
                            {"from_osm", s.from_osm},
                            {"from_bpe", s.from_bpe},
                            {"from_files", s.from_files},
                            {"long_snaps", s.long_snaps},
                            {"population", s.population},
                            {"population_over", s.population_over},
                            {"share_over", s.share_over ? nlohmann::json(*s.share_over) : nlohmann::json(nullptr)},
                            {"family", s.family}});
    }
    j["services"] = services;
    j["population"] = {{"read", m.population.read}, {"origins", m.population.origins}, {"unplaced", m.population.unplaced}};
    nlohmann::json unplaced = nlohmann::json::array();
    for (const auto& [what, population] : m.population.unplaced_detail) {
        unplaced.push_back({{"what", what}, {"population", population}});
    }
    j["population"]["unplaced_detail"] = unplaced;
    if (!m.population_placement.is_null()) {
        j["population"]["placement"] = m.population_placement;
    }
    if (!m.population_age_groups.is_null()) {
        j["population"]["age_groups"] = m.population_age_groups;
    }
    if (!m.poles.is_null()) {
        j["poles"] = m.poles;
    }
    if (!m.apl.is_null()) {
        j["apl"] = m.apl;
    }
    j["warnings"] = {{"count", m.warnings.size()}, {"messages", m.warnings}};
    Json timings = Json::object();
    for (const auto& [phase, seconds] : m.timings_s) {
        timings[phase] = seconds;
    }
    j["timings_s"] = timings;
    Json after = Json::object();
    for (const auto& [phase, mib] : m.memory.peak_mib_after) {
        after[phase] = mib;
    }
    j["memory"] = {{"peak_mib", m.memory.peak_mib}, {"peak_mib_after", after}};
    if (!m.memory.huge_pages.empty()) {
        j["memory"]["huge_pages"] = m.memory.huge_pages;
    }
    j["outputs"] = m.outputs;
    return j;
}

namespace {

/// Reads keys of one object of run.json, naming the file and the key path in its errors.
class ManifestReader {
public:
    explicit ManifestReader(const std::filesystem::path& file) : m_file(file) {}

    const Json& object(const Json& parent, const std::string& key, const std::string& where) const {
        const Json& v = member(parent, key, where);
        if (!v.is_object()) {
            fail(where + key, "an object");
        }
        return v;
    }
    const Json& array(const Json& parent, const std::string& key, const std::string& where) const {
        const Json& v = member(parent, key, where);
        if (!v.is_array()) {
            fail(where + key, "a list");
        }
        return v;
    }
    std::string text(const Json& parent, const std::string& key, const std::string& where) const {
        const Json& v = member(parent, key, where);
        if (!v.is_string()) {
            fail(where + key, "a text");
        }
        return v.get<std::string>();
    }
    double number(const Json& parent, const std::string& key, const std::string& where) const {
        const Json& v = member(parent, key, where);
        if (!v.is_number()) {
            fail(where + key, "a number");
        }
        return v.get<double>();
    }
    std::optional<double> number_or_null(const Json& parent, const std::string& key, const std::string& where) const {
        const Json& v = member(parent, key, where);
        if (v.is_null()) {
            return std::nullopt;
        }
        if (!v.is_number()) {
            fail(where + key, "a number or null");
        }
        return v.get<double>();
    }
    std::size_t count(const Json& parent, const std::string& key, const std::string& where) const {
        const Json& v = member(parent, key, where);
        if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
            fail(where + key, "a whole number");
        }
        return v.get<std::size_t>();
    }
    int integer(const Json& parent, const std::string& key, const std::string& where) const {
        const Json& v = member(parent, key, where);
        if (!v.is_number_integer()) {
            fail(where + key, "a whole number");
        }
        return v.get<int>();
    }

private:
    const Json& member(const Json& parent, const std::string& key, const std::string& where) const {
        const auto it = parent.find(key);
        if (it == parent.end()) {
            fail(where + key, "present");
        }
        return *it;
    }
    [[noreturn]] void fail(const std::string& key, const char* expected) const {
        throw InputError(fmt::format("'{}': \"{}\" should be {}; the file was not written by this version of "
                                     "Proxima: run `proxima run` again",
                                     m_file.string(), key, expected));
    }
    std::filesystem::path m_file;
};

} // namespace

RunManifest parse_run_manifest(const nlohmann::ordered_json& j, const std::filesystem::path& file) {
    const ManifestReader r(file);
    if (!j.is_object()) {
        throw InputError(fmt::format("'{}' is not a JSON object; it was not written by `proxima run`: run it again",
                                     file.string()));
    }
    RunManifest m;
    m.proxima_version = r.text(j, "proxima_version", "");
    const Json& study = r.object(j, "study", "");
    m.study = {r.text(study, "name", "study."), r.text(study, "file", "study."), r.text(study, "sha256", "study."),
               r.integer(study, "cog_year", "study."), r.text(study, "output_crs", "study.")};
    for (const auto& f : r.array(j, "inputs", "")) {
        m.inputs.push_back({r.text(f, "path", "inputs[]."), r.text(f, "sha256", "inputs[].")});
    }
    const Json& graph = r.object(j, "graph", "");
    m.graph = {r.text(graph, "origin", "graph."),         r.count(graph, "nodes", "graph."),
               r.count(graph, "arcs", "graph."),          r.text(graph, "profile", "graph."),
               r.text(graph, "profile_sha256", "graph."), r.text(graph, "extract_sha256", "graph.")};
    const Json& p = r.object(j, "parameters", "");
    m.parameters.access_speed_kmh = r.number(p, "access_speed_kmh", "parameters.");
    m.parameters.max_snap_m = r.number(p, "max_snap_m", "parameters.");
    m.parameters.warn_snap_m = r.number(p, "warn_snap_m", "parameters.");
    m.parameters.threads = r.integer(p, "threads", "parameters.");
    for (const auto& b : r.array(p, "bands_min", "parameters.")) {
        if (!b.is_number()) {
            throw InputError(fmt::format("'{}': \"parameters.bands_min\" should hold numbers; run `proxima run` again",
                                         file.string()));
        }
        m.parameters.bands_min.push_back(b.get<double>());
    }
    m.parameters.over_threshold = r.text(p, "over_threshold", "parameters.");
    m.parameters.surface_resolution_m = r.number(p, "surface_resolution_m", "parameters.");
    m.parameters.csv_dialect = r.text(p, "csv_dialect", "parameters.");
    if (p.contains("search")) {  // manifests written before the search method was recorded have none
        const Json& search = r.object(p, "search", "parameters.");
        m.parameters.search = {r.text(search, "requested", "parameters.search."),
                               r.text(search, "method", "parameters.search."),
                               static_cast<unsigned>(r.count(search, "lanes", "parameters.search.")),
                               r.text(search, "reason", "parameters.search.")};
    }
    for (const auto& s : r.array(j, "services", "")) {
        const std::string w = "services[].";
        m.services.push_back({r.text(s, "id", w), r.text(s, "label", w), r.number(s, "threshold_min", w),
                              r.text(s, "direction", w), r.count(s, "facilities", w), r.count(s, "from_osm", w),
                              r.count(s, "from_bpe", w), r.count(s, "from_files", w), r.count(s, "long_snaps", w),
                              r.number(s, "population", w), r.number(s, "population_over", w),
                              r.number_or_null(s, "share_over", w), ""});
        // Written since the family symbols; an older run.json has none (generic symbol).
        if (s.contains("family") && s["family"].is_string()) {
            m.services.back().family = s["family"].get<std::string>();
        }
    }
    const Json& pop = r.object(j, "population", "");
    m.population.read = r.number(pop, "read", "population.");
    m.population.origins = r.count(pop, "origins", "population.");
    m.population.unplaced = r.number(pop, "unplaced", "population.");
    for (const auto& u : r.array(pop, "unplaced_detail", "population.")) {
        m.population.unplaced_detail.emplace_back(r.text(u, "what", "population.unplaced_detail[]."),
                                                  r.number(u, "population", "population.unplaced_detail[]."));
    }
    if (const auto it = pop.find("placement"); it != pop.end()) {
        m.population_placement = *it;
    }
    if (const auto it = pop.find("age_groups"); it != pop.end()) {
        m.population_age_groups = *it;
    }
    if (const auto it = j.find("poles"); it != j.end()) {
        m.poles = *it;
    }
    if (const auto it = j.find("apl"); it != j.end()) {
        m.apl = *it;
    }
    const Json& warnings = r.object(j, "warnings", "");
    for (const auto& w : r.array(warnings, "messages", "warnings.")) {
        if (!w.is_string()) {
            throw InputError(fmt::format("'{}': \"warnings.messages\" should hold texts; run `proxima run` again",
                                         file.string()));
        }
        m.warnings.push_back(w.get<std::string>());
    }
    for (const auto& [phase, seconds] : r.object(j, "timings_s", "").items()) {
        if (!seconds.is_number()) {
            throw InputError(fmt::format("'{}': \"timings_s.{}\" should be a number; run `proxima run` again",
                                         file.string(), phase));
        }
        m.timings_s.emplace_back(phase, seconds.get<double>());
    }
    if (j.contains("memory")) {  // absent from run.json written before version 0.14
        const Json& memory = r.object(j, "memory", "");
        m.memory.peak_mib = r.number(memory, "peak_mib", "memory.");
        for (const auto& [phase, mib] : r.object(memory, "peak_mib_after", "memory.").items()) {
            if (!mib.is_number()) {
                throw InputError(fmt::format("'{}': \"memory.peak_mib_after.{}\" should be a number; run `proxima "
                                             "run` again",
                                             file.string(), phase));
            }
            m.memory.peak_mib_after.emplace_back(phase, mib.get<double>());
        }
        if (memory.contains("huge_pages")) {  // absent from run.json written before it was recorded
            m.memory.huge_pages = r.text(memory, "huge_pages", "memory.");
        }
    }
    for (const auto& o : r.array(j, "outputs", "")) {
        if (!o.is_string()) {
            throw InputError(fmt::format("'{}': \"outputs\" should hold file names; run `proxima run` again",
                                         file.string()));
        }
        m.outputs.push_back(o.get<std::string>());
    }
    return m;
}

} // namespace proxima
