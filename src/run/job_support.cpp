#include "proxima/run/job_support.hpp"

#include <future>

#include <fmt/format.h>

#include "proxima/core/atomic_file.hpp"
#include "proxima/core/huge_pages.hpp"
#include "proxima/core/threads.hpp"
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
                                      const std::function<bool(const OutputLayer&)>& csv_for, CsvDialect dialect,
                                      int threads) {
    std::vector<std::string> files{gpkg_name};
    std::vector<const OutputLayer*> tables;
    for (const auto& layer : layers) {
        if (csv_for(layer)) {
            tables.push_back(&layer);
            files.push_back(layer.name + ".csv");
        }
    }
    const auto write_tables = [&dir, &tables, dialect] {
        for (const OutputLayer* layer : tables) {
            write_layer_csv(dir / (layer->name + ".csv"), *layer, dialect);
        }
    };
    if (tables.empty() || thread_count(threads) < 2) {
        write_geopackage(dir / gpkg_name, layers, crs);
        write_tables();
        return files;
    }
    // SQLite writes the GeoPackage on one core; the CSVs are written beside it (a national origins
    // table, 600 fields x 2.3 M rows, is written twice: one after the other, the two took 8 min).
    std::future<void> csvs = std::async(std::launch::async, write_tables);
    try {
        write_geopackage(dir / gpkg_name, layers, crs);
    } catch (...) {
        csvs.wait();  // what it read must outlive it; its own failure, if any, comes second
        throw;
    }
    csvs.get();
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
