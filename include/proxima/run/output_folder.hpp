#pragma once
// Pieces every command that writes a result folder shares (run, deficit, scenario, site): the
// folder built under a temporary name and renamed when complete, points as WKB, rounded values.

#include <filesystem>
#include <optional>
#include <vector>

#include "proxima/graph/ids.hpp"
#include "proxima/report/layer_writer.hpp"

namespace proxima {

/// An output folder built at "<dir>.tmp-<pid>" and moved onto `dir` by commit(); removed if not
/// committed. The constructor refuses a file, or an existing folder without `force`
/// (OutputError), before any work is done.
class OutputFolder {
public:
    OutputFolder(std::filesystem::path dir, bool force);
    ~OutputFolder();
    OutputFolder(const OutputFolder&) = delete;
    OutputFolder& operator=(const OutputFolder&) = delete;
    [[nodiscard]] const std::filesystem::path& tmp() const { return m_tmp; }
    [[nodiscard]] const std::filesystem::path& dir() const { return m_dir; }
    /// Moves the temporary folder onto dir (replacing it; the previous folder is put back if the
    /// move fails). Throws OutputError.
    void commit();

private:
    std::filesystem::path m_dir;
    std::filesystem::path m_tmp;
    bool m_committed = false;
};

/// A WGS84 point as little-endian WKB (the graph cache already requires a little-endian machine).
[[nodiscard]] std::vector<unsigned char> point_wkb(LonLat p);

/// A value rounded to `step` for outputs; NULL for nullopt.
[[nodiscard]] FieldValue rounded(std::optional<double> v, double step = 0.01);

} // namespace proxima
