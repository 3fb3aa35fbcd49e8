#pragma once
// The check every input path gets before it is opened or hashed: it must be an existing regular
// file. A folder gives a confusing "read error"; a FIFO or a device (/dev/zero) would make the
// checksum or the reader wait or read forever.

#include <filesystem>
#include <string>

namespace proxima {

/// Throws InputError naming `what` (e.g. "OSM extract") and the path if it is missing, a folder,
/// or not a regular file (device, FIFO, socket). Symbolic links to regular files are fine.
void require_input_file(const std::filesystem::path& path, const std::string& what);

} // namespace proxima
