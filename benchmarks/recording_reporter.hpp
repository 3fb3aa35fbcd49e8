#pragma once
// A Google Benchmark console reporter that also keeps the time per iteration (seconds) and the
// counters of every benchmark, so that a program can print the ratios measured in the same run
// at its end (bench_scenario, bench_apl).

#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

namespace proxima::bench {

/// Console output as usual, plus the time per iteration (seconds) of every benchmark.
class RecordingReporter : public benchmark::ConsoleReporter {
public:
    using ConsoleReporter::ConsoleReporter;
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& run : runs) {
            if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "median") {
                continue;
            }
            // Single-threaded runs on thread CPU time (less sensitive to a busy machine), the
            // real_time ones (several threads) on wall time.
            const bool wall = run.run_name.str().find("real_time") != std::string::npos;
            const double seconds = (wall ? run.GetAdjustedRealTime() : run.GetAdjustedCPUTime()) /
                                   benchmark::GetTimeUnitMultiplier(run.time_unit);
            const std::string name = run.run_type == Run::RT_Aggregate ? run.run_name.str() : run.benchmark_name();
            if (run.run_type == Run::RT_Aggregate || m_seconds.count(name) == 0) {
                m_seconds[name] = seconds;  // the median when repeated, else the single run
            }
            for (const auto& [key, counter] : run.counters) {
                m_counters[name][key] = counter.value;
            }
        }
        ConsoleReporter::ReportRuns(runs);
    }
    [[nodiscard]] double seconds(const std::string& name) const {
        const auto it = m_seconds.find(name);
        return it == m_seconds.end() ? -1.0 : it->second;
    }
    [[nodiscard]] double counter(const std::string& name, const std::string& key) const {
        const auto it = m_counters.find(name);
        if (it == m_counters.end() || it->second.count(key) == 0) {
            return -1.0;
        }
        return it->second.at(key);
    }

private:
    std::map<std::string, double> m_seconds;
    std::map<std::string, std::map<std::string, double>> m_counters;
};

/// Reads Google Benchmark's options from the command line, runs the registered benchmarks into
/// `reporter` and shuts the library down. Returns false on an unknown option (already reported).
inline bool run_recorded(int& argc, char** argv, RecordingReporter& reporter) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return false;
    }
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return true;
}

} // namespace proxima::bench
