#pragma once
// Pieces every command that writes a result folder shares (run, deficit, scenario, site): the
// folder built under a temporary name and moved into place when complete, points as WKB,
// rounded values.
//
// Guarantees of OutputFolder (README "Conventions"):
//  - the destination is refused if it is `/`, the home folder, the current folder, or a folder
//    holding any input of the study (or a parent of one): replacing it would delete the inputs;
//  - an existing destination is replaced only with `force`, and only if it is a previous Proxima
//    result (it holds Proxima's marker file, or a run.json / scenario.json / siting.json written by
//    Proxima) or is empty;
//  - one process at a time writes a destination: a lock file "<dir>.lock" is held from the
//    constructor to the destructor; a second process fails at once with a clear message;
//  - results are moved in with one atomic exchange (renameat2 RENAME_EXCHANGE; where the file
//    system lacks it, two renames whose gap is repaired by the next run): at every instant the
//    destination holds either the old or the new complete results;
//  - temporary folders left by interrupted or crashed runs ("<dir>.tmp-<pid>") are removed by the
//    next run into the same destination, and the previous results parked as "<dir>.old-<pid>"
//    are put back if the destination is missing;
//  - the temporary folder is registered for removal on SIGINT/SIGTERM (core/temporaries.hpp).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "proxima/graph/ids.hpp"
#include "proxima/report/layer_writer.hpp"
#include "proxima/study/study_file.hpp"

namespace proxima {

/// Name of the marker file every Proxima result folder holds.
inline constexpr const char* output_marker_name = ".proxima-output";

class OutputFolder {
public:
    /// Prepares `dir` (see the guarantees above). `inputs` are the files the job reads: the
    /// destination may not hold any of them. `job` names the command in the marker file.
    /// Throws OutputError before any work is done.
    OutputFolder(std::filesystem::path dir, bool force, const std::vector<std::filesystem::path>& inputs = {},
                 const std::string& job = "run");
    ~OutputFolder();
    OutputFolder(const OutputFolder&) = delete;
    OutputFolder& operator=(const OutputFolder&) = delete;
    [[nodiscard]] const std::filesystem::path& tmp() const { return m_tmp; }
    [[nodiscard]] const std::filesystem::path& dir() const { return m_dir; }
    /// Moves the temporary folder onto dir, replacing the previous results atomically. Throws
    /// OutputError (the previous results stay in place).
    void commit();

private:
    void prepare(bool force, const std::vector<std::filesystem::path>& inputs, const std::string& job);
    /// Removes the uncommitted temporary folder and releases the lock.
    void release() noexcept;

    std::filesystem::path m_dir;
    std::filesystem::path m_tmp;
    std::filesystem::path m_lock_path;
    int m_lock_fd = -1;
    bool m_committed = false;
};

/// What an output folder of a job on `study` must never hold: every input file and the graph cache.
[[nodiscard]] std::vector<std::filesystem::path> files_of_study(const StudyFile& study);

/// True if `dir` is a folder Proxima wrote (marker file, or a manifest with "proxima_version").
[[nodiscard]] bool is_proxima_output(const std::filesystem::path& dir);

/// A WGS84 point as little-endian WKB (the graph cache already requires a little-endian machine).
[[nodiscard]] std::vector<unsigned char> point_wkb(LonLat p);

/// A value rounded to `step` for outputs; NULL for nullopt.
[[nodiscard]] FieldValue rounded(std::optional<double> v, double step = 0.01);

/// A text field, NULL when empty.
[[nodiscard]] FieldValue text_or_null(const std::string& text);

} // namespace proxima
