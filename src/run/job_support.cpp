#include "proxima/run/job_support.hpp"

#include <fmt/format.h>

#include "proxima/core/atomic_file.hpp"
#include "proxima/core/huge_pages.hpp"
#include "proxima/core/version.hpp"

namespace proxima {

nlohmann::ordered_json PhaseTimer::json() const {
    nlohmann::ordered_json t = nlohmann::ordered_json::object();
    for (const auto& [name, seconds] : m_timings) {
        t[name] = seconds;
    }
    return t;
}

nlohmann::ordered_json PhaseTimer::memory_json() const {
    nlohmann::ordered_json after = nlohmann::ordered_json::object();
    for (const auto& [name, mib] : m_peaks) {
        after[name] = mib;
    }
    return {{"peak_mib", peak_resident_mib()}, {"peak_mib_after", after}, {"huge_pages", huge_pages_mode()}};
}

std::filesystem::path default_job_folder(const StudyFile& study, const std::string& job, const std::string& name) {
    return study.output_dir.parent_path() / fmt::format("{}-{}-{}", study.output_dir.filename().string(), job, name);
}

std::vector<std::string> write_layers(const std::filesystem::path& dir, const std::string& gpkg_name,
                                      const std::vector<OutputLayer>& layers, const std::string& crs,
                                      const std::function<bool(const OutputLayer&)>& csv_for, CsvDialect dialect) {
    std::vector<std::string> files;
    write_geopackage(dir / gpkg_name, layers, crs);
    files.push_back(gpkg_name);
    for (const auto& layer : layers) {
        if (csv_for(layer)) {
            write_layer_csv(dir / (layer.name + ".csv"), layer, dialect);
            files.push_back(layer.name + ".csv");
        }
    }
    return files;
}

void write_manifest(const std::filesystem::path& path, const nlohmann::ordered_json& manifest) {
    AtomicFile file(path);
    file.stream() << manifest.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    file.commit();
}

nlohmann::ordered_json manifest_header(const StudyFile& study) {
    nlohmann::ordered_json j;
    j["proxima_version"] = version_string;
    j["study"] = {{"name", study.name}, {"file", study.path.string()}, {"sha256", study.sha256}};
    return j;
}

} // namespace proxima
