#pragma once
// What every job of run/ (run, deficit, scenario, site) shares: the phase timer, the default
// output folder, writing a set of layers as a GeoPackage and CSV tables, writing the JSON manifest.

#include <algorithm>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "proxima/core/log.hpp"
#include "proxima/core/memory_use.hpp"
#include "proxima/report/layer_writer.hpp"
#include "proxima/study/study_file.hpp"

namespace proxima {

/// Wall-clock time of each phase of a job, in the order they ran (for run.json and the like),
/// and the process's peak resident memory when each phase ended.
class PhaseTimer {
public:
    /// Ends the current phase under `name` and starts the next one.
    void phase(const std::string& name) {
        m_timings.emplace_back(name, m_clock.seconds());
        m_peaks.emplace_back(name, peak_resident_mib());
        m_clock.restart();
    }
    /// Adds phases timed elsewhere (e.g. the loading steps), prefixed, with the peak memory
    /// recorded at their end (`peaks_mib`, same order; missing ones get the peak now), and
    /// restarts the clock.
    void add(const std::vector<std::pair<std::string, double>>& timings, const std::string& prefix,
             const std::vector<double>& peaks_mib = {}) {
        for (std::size_t i = 0; i < timings.size(); ++i) {
            m_timings.emplace_back(prefix + timings[i].first, timings[i].second);
            m_peaks.emplace_back(prefix + timings[i].first, i < peaks_mib.size() ? peaks_mib[i] : peak_resident_mib());
        }
        m_clock.restart();
    }
    /// Moves `seconds` of the phase just ended into a phase of its own, `name` (work done inside
    /// it, e.g. what a search's callback made).
    void split_last(const std::string& name, double seconds) {
        if (!m_timings.empty()) {
            seconds = std::min(seconds, m_timings.back().second);
            m_timings.back().second -= seconds;
            m_timings.emplace_back(name, seconds);
            m_peaks.emplace_back(name, m_peaks.empty() ? peak_resident_mib() : m_peaks.back().second);
        }
    }
    [[nodiscard]] const std::vector<std::pair<std::string, double>>& timings() const { return m_timings; }
    /// Peak resident memory (MiB) of the process when each phase ended: never decreasing, so the
    /// phase where it grows is the one that needed it.
    [[nodiscard]] const std::vector<std::pair<std::string, double>>& peaks_mib() const { return m_peaks; }
    /// {"phase": seconds, ...} in the order they ran.
    [[nodiscard]] nlohmann::ordered_json json() const;
    /// {"peak_mib": ..., "peak_mib_after": {"phase": MiB, ...}}.
    [[nodiscard]] nlohmann::ordered_json memory_json() const;

private:
    Stopwatch m_clock;
    std::vector<std::pair<std::string, double>> m_timings;
    std::vector<std::pair<std::string, double>> m_peaks;
};

/// The default output folder of a job: "<study output>-<job>-<name>" beside the study's output
/// (e.g. proxima-output/andorra-scenario-msp).
[[nodiscard]] std::filesystem::path default_job_folder(const StudyFile& study, const std::string& job,
                                                       const std::string& name);

/// Writes `layers` into `dir/gpkg_name` (in `crs`) and, for every layer `csv_for` accepts, a CSV
/// table `dir/<layer>.csv` in `dialect`. Returns the files written, relative to dir, in that order.
/// With more than one thread (`threads`, 0: every core) the CSVs are written on a thread of their
/// own while the GeoPackage is written; the files are the same either way.
std::vector<std::string> write_layers(const std::filesystem::path& dir, const std::string& gpkg_name,
                                      const std::vector<OutputLayer>& layers, const std::string& crs,
                                      const std::function<bool(const OutputLayer&)>& csv_for,
                                      CsvDialect dialect = CsvDialect::gis, int threads = 0);

/// Writes a JSON manifest (run.json, scenario.json, siting.json) atomically, indented, UTF-8.
void write_manifest(const std::filesystem::path& path, const nlohmann::ordered_json& manifest);

/// The part of every manifest that says what made the results: Proxima's version and the study.
[[nodiscard]] nlohmann::ordered_json manifest_header(const StudyFile& study);

} // namespace proxima
