#pragma once
// Builds a RoadGraph from an OSM extract (PBF, or .osm/.opl for small fixtures) and a profile.
//
// Steps: read routable ways with node locations (libosmium, one pass); split them into segments;
// keep only the largest strongly connected component; merge chains of degree-2 nodes into edges
// (keeping geometry, metres and per-point times); order nodes along a Hilbert curve for locality.

#include <array>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "proxima/core/log.hpp"
#include "proxima/graph/road_graph.hpp"
#include "proxima/osm/profile.hpp"
#include "proxima/osm/tag_rules.hpp"

namespace proxima {

struct GraphBuildReport {
    std::string extract_file;
    std::uint64_t ways_read = 0;  ///< all ways in the extract
    std::array<std::uint64_t, way_verdict_count> ways_by_verdict{};
    std::array<double, way_verdict_count> km_by_verdict{};  ///< road length per verdict (not_a_road: 0)
    std::uint64_t ways_with_missing_nodes = 0;   ///< routable ways cut by the extract boundary
    std::uint64_t missing_node_refs = 0;         ///< their node references without a location
    std::uint64_t ways_with_invalid_maxspeed = 0;  ///< unreadable maxspeed/duration (class speed used)

    std::uint32_t components = 0;            ///< strongly connected components of the routable network
    std::uint64_t osm_nodes_routable = 0;    ///< OSM nodes on routable ways
    std::uint64_t osm_nodes_disconnected = 0;  ///< of those, outside the largest component
    std::uint64_t segments_disconnected = 0;
    double km_disconnected = 0.0;

    std::vector<std::pair<std::string, double>> km_by_class;  ///< kept road length per class
    double km_kept = 0.0;
    std::uint32_t nodes = 0;
    std::uint32_t arcs = 0;
    std::uint32_t edges = 0;

    double read_seconds = 0.0;    ///< reading and decoding the OSM file
    double build_seconds = 0.0;   ///< everything after reading
    std::size_t location_index_bytes = 0;
};

struct GraphBuildOptions {
    /// Called with the fraction of the file read (0..1), once per decoded block. May be empty.
    std::function<void(double)> progress;
};

struct GraphBuildResult {
    RoadGraph graph;
    GraphBuildReport report;
};

/// Builds the graph. Throws InputError if the extract is missing, unreadable, not an OSM file, or
/// holds no road drivable under the profile.
[[nodiscard]] GraphBuildResult build_road_graph(const std::filesystem::path& extract, const Profile& profile,
                                                const Log& log = Log{}, const GraphBuildOptions& options = {});

/// Human-readable multi-line summary of a build (what `proxima build-graph` prints).
[[nodiscard]] std::string format_build_report(const GraphBuildReport& report);

} // namespace proxima
