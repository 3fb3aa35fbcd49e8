#pragma once
// How a profile reads the tags of one OSM node on a road: a barrier that closes the road to
// cars, or a delay for the traffic passing it (signals, stop, give way, pedestrian crossing,
// level crossing, gate, toll). Pure functions of (profile, tags), tested without any OSM file.

#include <span>
#include <string_view>

#include "proxima/osm/profile.hpp"
#include "proxima/osm/tag_rules.hpp"

namespace proxima {

/// What a node is for traffic. Values are stable: they index build statistics.
enum class NodeFeature : std::uint8_t {
    none,
    traffic_signals,
    stop,
    give_way,
    crossing,
    level_crossing,
    barrier_passable,  ///< a barrier cars pass freely (cattle grid, open entrance...)
    barrier_delay,     ///< a barrier cars pass after a stop (gate, toll booth)
    barrier_blocked,   ///< a barrier cars cannot pass: the road is split there
};
inline constexpr int node_feature_count = 9;
[[nodiscard]] const char* to_string(NodeFeature f);

/// Which traffic a node's delay applies to, relative to the direction of each way through it.
enum class NodeDirection : std::uint8_t { both, forward, backward };

struct NodeRule {
    NodeFeature feature = NodeFeature::none;
    double delay_s = 0.0;                         ///< for traffic passing the node
    NodeDirection direction = NodeDirection::both;
    [[nodiscard]] bool blocked() const { return feature == NodeFeature::barrier_blocked; }
    /// True if the node must stay a node of the graph (its delay or barrier applies there).
    [[nodiscard]] bool matters() const { return blocked() || delay_s > 0.0; }
};

/// Applies the profile's [junctions] and [barriers] to the tags of one node.
[[nodiscard]] NodeRule evaluate_node(const Profile& profile, std::span<const Tag> tags);

} // namespace proxima
