#pragma once
// The check every input path gets before it is opened or hashed: it must be an existing regular
// file. A folder gives a confusing "read error"; a FIFO or a device (/dev/zero) would make the
// checksum or the reader wait or read forever.

#include <cstdint>
#include <filesystem>
#include <string>

namespace proxima {

/// Throws InputError naming `what` (e.g. "OSM extract") and the path if it is missing, a folder,
/// or not a regular file (device, FIFO, socket). Symbolic links to regular files are fine.
void require_input_file(const std::filesystem::path& path, const std::string& what);

/// The whole text of a settings file (a study, a profile, a gammes file: TOML of a few kB), after
/// require_input_file. Throws InputError naming `what`, the path and `example` (a file to pass
/// instead) if it is larger than max_settings_file_bytes or begins like a file of another kind (a
/// graph file, an OSM extract, a GeoPackage, a workbook, an image), before reading it: passed by
/// mistake, a 10 GB graph file would otherwise be read whole before TOML refused its first byte.
[[nodiscard]] std::string read_settings_file(const std::filesystem::path& path, const std::string& what,
                                             const std::string& example);

/// Larger than any study, profile or gammes file (a study of 1 000 services is under 1 MB).
inline constexpr std::uintmax_t max_settings_file_bytes = 16U << 20;

} // namespace proxima
