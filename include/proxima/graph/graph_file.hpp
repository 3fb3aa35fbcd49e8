#pragma once
// The graph cache (.pxg): the only binary format of Proxima, owned by graph/.
//
// Layout (little-endian):
//   8 bytes  magic "PXGRAPH\0"
//   u32      format version (graph_file_format_version)
//   u32      byte-order mark 0x01020304
//   u64      payload size in bytes
//   64 bytes SHA-256 of the payload, lowercase hex
//   payload  provenance strings (u32 length + bytes), then each array as u64 count + raw elements,
//            then a u32 count of optional sections, each a u32 kind and its arrays; kind 1: the
//            contraction hierarchy of the search graph (state_hierarchy.hpp), at most once. A file
//            without it loads, and searches fall back to Dijkstra.
// A file is refused (CacheError) when the magic, version, byte order, size or checksum differ,
// and the loaded graph (and its hierarchy) is validated before use.

#include <filesystem>
#include <string>

#include "proxima/graph/road_graph.hpp"

namespace proxima {

/// 2: the turn-aware search graph (states, transitions) and the OSM way runs of each edge.
/// 3: optional sections after the arrays (the contraction hierarchy).
inline constexpr std::uint32_t graph_file_format_version = 3;

/// Writes the graph atomically (temporary file, then rename), or to standard output for "-".
/// Throws OutputError, and never replaces an existing file that is not a Proxima graph
/// (see check_graph_destination).
void save_graph(const RoadGraph& graph, const std::filesystem::path& path);

/// True if `path` is a regular file that starts with the graph file signature.
[[nodiscard]] bool has_graph_signature(const std::filesystem::path& path);

/// Throws OutputError if writing a graph to `path` would destroy something else: an existing
/// folder, special file, or regular file without the graph signature (a study file, a CSV, an OSM
/// extract given by mistake). `setting` names what to change in the message (e.g. "-o").
void check_graph_destination(const std::filesystem::path& path, const std::string& setting);

/// Reads and validates a graph cache. Throws InputError if the file cannot be read and CacheError
/// if it is not a Proxima graph, has another format version, or is corrupt.
[[nodiscard]] RoadGraph load_graph(const std::filesystem::path& path);

/// Throws CacheError if `graph` was not built from the extract with this SHA-256 and the profile
/// with this SHA-256 (a stale cache). Empty expectations are not checked.
void require_graph_source(const RoadGraph& graph, const std::filesystem::path& graph_path,
                          const std::string& extract_sha256, const std::string& profile_sha256);

} // namespace proxima
