#pragma once
// Builds a RoadGraph from an OSM extract (PBF, or .osm/.opl for small fixtures) and a profile.
//
// Steps: read routable ways with node locations, the nodes that matter to traffic (signals,
// stops, barriers...) and the turn restrictions (libosmium, one pass); split ways into segments,
// cutting them at barriers cars cannot pass; keep only the largest strongly connected component;
// merge chains of degree-2 nodes into edges (keeping geometry, metres and per-point times), except
// where a delay, a barrier or a restriction sits; order nodes along a Hilbert curve for
// locality; then build the turn-aware search graph (turn costs, junction delays, U-turns,
// restrictions through nodes and ways: osm/turn_builder).

#include <array>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "proxima/core/log.hpp"
#include "proxima/graph/road_graph.hpp"
#include "proxima/osm/profile.hpp"
#include "proxima/osm/node_rules.hpp"
#include "proxima/osm/tag_rules.hpp"
#include "proxima/osm/turn_restrictions.hpp"

namespace proxima {

struct GraphBuildReport {
    std::string extract_file;
    std::uint64_t ways_read = 0;  ///< all ways in the extract
    std::array<std::uint64_t, way_verdict_count> ways_by_verdict{};
    std::array<double, way_verdict_count> km_by_verdict{};  ///< road length per verdict (not_a_road: 0)
    std::uint64_t ways_with_missing_nodes = 0;   ///< routable ways cut by the extract boundary
    std::uint64_t missing_node_refs = 0;         ///< their node references without a location
    std::uint64_t ways_with_invalid_maxspeed = 0;  ///< unreadable maxspeed/duration (class speed used)
    std::uint64_t ways_with_invalid_limit = 0;     ///< unreadable width/height/weight limit (ignored)
    std::uint64_t ways_destination_only = 0;       ///< routable for trips that start or end on them only
    std::uint64_t ways_opened = 0;                 ///< of another class, opened to cars by their tags
    std::uint64_t ways_alternating = 0;            ///< oneway=alternating (delay)
    std::uint64_t ways_shuttle_train = 0;          ///< route=shuttle_train

    std::uint32_t components = 0;            ///< strongly connected components of the routable network
    std::uint64_t osm_nodes_routable = 0;    ///< OSM nodes on routable ways
    std::uint64_t osm_nodes_disconnected = 0;  ///< of those, outside the largest component
    std::uint64_t segments_disconnected = 0;
    double km_disconnected = 0.0;

    // The turn model.
    std::array<std::uint64_t, node_feature_count> nodes_by_feature{};  ///< road nodes read, by what they are
    std::uint64_t ways_cut_by_barriers = 0;       ///< way occurrences of barriers cars cannot pass
    std::array<std::uint64_t, restriction_verdict_count> restrictions_by_verdict{};  ///< relations read
    std::uint64_t restrictions_applied_via_node = 0;
    std::uint64_t restrictions_applied_via_way = 0;
    std::uint64_t restrictions_not_applied = 0;   ///< for cars, but not matching the network
    std::vector<std::string> restriction_problems;  ///< the first malformed or unmatched ones, why
    std::uint64_t turns_forbidden = 0;            ///< turns removed by restrictions
    std::uint64_t states_copied = 0;              ///< arc copies for restrictions through ways
    std::uint64_t states_destination_only = 0;    ///< arc copies for destination-only traffic
    std::uint64_t states_behind_destination = 0;  ///< open arcs reached only through destination-only ones
    std::uint64_t turns_with_junction_delay = 0;  ///< approaches to a node with a delay
    std::uint64_t u_turns_at_dead_ends = 0;
    std::uint64_t u_turns_no_other_way = 0;       ///< allowed where a restriction left no way out
    std::uint64_t u_turns_to_stay_connected = 0;  ///< allowed to keep the network connected
    std::uint64_t states_apart = 0;               ///< arc states outside the largest connected part
    std::uint64_t transitions = 0;                ///< allowed turns in the search graph

    std::vector<std::pair<std::string, double>> km_by_class;  ///< kept road length per class
    double km_kept = 0.0;
    std::uint32_t nodes = 0;
    std::uint32_t arcs = 0;
    std::uint32_t edges = 0;

    double read_seconds = 0.0;    ///< reading and decoding the OSM file
    double build_seconds = 0.0;   ///< everything after reading
    std::size_t location_index_bytes = 0;
    double peak_mib_after_read = 0.0;   ///< the process's peak resident memory when reading ended
    double peak_mib_after_build = 0.0;  ///< the same when the graph was built
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
