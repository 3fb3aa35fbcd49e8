#pragma once
// Reading and writing the distancier's CSV files: points as `id,lon,lat` (WGS84 degrees), tables
// as `source_id,target_id,seconds,metres`. Reading goes through GDAL's CSV driver (separators,
// quoting, BOM); values are checked here with the line they come from.

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "proxima/core/log.hpp"
#include "proxima/graph/ids.hpp"
#include "proxima/routing/point_routing.hpp"

namespace proxima {

struct NamedPoint {
    std::string id;
    LonLat position;
    std::uint64_t line = 0;  ///< line in the file (header = line 1)
};

/// Reads `id,lon,lat` points. Throws InputError naming the file, line, column and value for a
/// missing file, missing columns (listing those present), a non-numeric or out-of-range
/// coordinate, an empty or duplicate id, or a file with no point.
[[nodiscard]] std::vector<NamedPoint> read_points_csv(const std::filesystem::path& path, const Log& log = Log{});

/// Writes `source_id,target_id,seconds,metres` atomically (or to standard output for "-");
/// unreachable pairs get empty (NULL)
/// seconds and metres. Seconds with one decimal (the graph's resolution), metres with one decimal.
void write_table_csv(const std::filesystem::path& path, std::span<const NamedPoint> sources,
                     std::span<const NamedPoint> targets, std::span<const Trip> trips);

} // namespace proxima

namespace proxima {

struct TableRow {
    std::string source_id;
    std::string target_id;
    std::optional<double> seconds;  ///< nullopt when empty/NULL (unreachable)
    std::optional<double> metres;
};

/// Reads a `source_id,target_id,seconds,metres` table (ours, or another router's for comparison).
/// Throws InputError naming file, line and value for missing columns or non-numeric values.
[[nodiscard]] std::vector<TableRow> read_table_csv(const std::filesystem::path& path, const Log& log = Log{});

/// How two travel-time tables agree on the pairs both have (reachable in both, source != target).
struct TableAgreement {
    std::size_t pairs = 0;
    double median_ratio = 0.0;       ///< median of ours / theirs (seconds)
    double p10_ratio = 0.0;          ///< 10th percentile of the ratios
    double p90_ratio = 0.0;          ///< 90th percentile of the ratios
    double spearman = 0.0;           ///< rank correlation of the seconds
    double share_within_25pct = 0.0; ///< share of pairs with ratio in [0.75, 1.25]
};
[[nodiscard]] TableAgreement compare_tables(const std::vector<TableRow>& ours, const std::vector<TableRow>& theirs);

} // namespace proxima
