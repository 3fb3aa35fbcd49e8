#pragma once
// Internal (graph_builder.cpp): the turn-aware part of a graph build. From the physical graph and
// what the OSM pass found at nodes and in restriction relations, it makes the states and
// transitions of the search graph (graph/road_graph.hpp): turn costs, junction delays, U-turns,
// turn restrictions through nodes and through ways.

#include <cstdint>
#include <vector>

#include "proxima/graph/road_graph.hpp"
#include "proxima/osm/graph_builder.hpp"
#include "proxima/osm/node_rules.hpp"
#include "proxima/osm/profile.hpp"
#include "proxima/osm/turn_restrictions.hpp"

namespace proxima::detail {

/// What the turn model needs of an arc at its two ends (the segments touching its tail and
/// its head): the OSM way, whether it is driven in the way's direction, the road class.
struct ArcEnds {
    std::int64_t tail_way = 0;
    std::int64_t head_way = 0;
    bool tail_along_way = true;  ///< the first segment is driven in its way's node order
    bool head_along_way = true;  ///< the last segment is driven in its way's node order
    int tail_class = -1;
    int head_class = -1;
    bool ferry = false;
    bool destination = false;  ///< only for trips that start or end on it (access=private...)
};

/// What the turn model needs of a graph node.
struct NodeInfo {
    std::int64_t osm_id = 0;
    NodeRule rule;
};

/// A restriction through ways needs the end nodes of each via way (OSM ids).
struct WayEnds {
    std::int64_t way_id = 0;
    std::int64_t first_node = 0;
    std::int64_t last_node = 0;
};

struct SearchGraphParts {
    std::vector<std::uint32_t> copy_arc;
    std::vector<TurnSpec> turns;
};

/// Builds the transitions of `arrays` (physical part complete). `arc_ends` per arc, `nodes` per
/// graph node, `way_ends` sorted by way id (the via ways), `restrictions` those that apply to
/// cars. Counts everything in `report`.
[[nodiscard]] SearchGraphParts build_turns(const RoadGraph::Arrays& arrays, const std::vector<ArcEnds>& arc_ends,
                                           const std::vector<NodeInfo>& nodes, const std::vector<WayEnds>& way_ends,
                                           const std::vector<TurnRestriction>& restrictions, const Profile& profile,
                                           GraphBuildReport& report);

} // namespace proxima::detail
