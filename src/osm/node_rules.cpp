#include "proxima/osm/node_rules.hpp"

#include <algorithm>

namespace proxima {

const char* to_string(NodeFeature f) {
    switch (f) {
    case NodeFeature::none: return "none";
    case NodeFeature::traffic_signals: return "traffic signals";
    case NodeFeature::stop: return "stop signs";
    case NodeFeature::give_way: return "give way signs";
    case NodeFeature::crossing: return "pedestrian crossings";
    case NodeFeature::level_crossing: return "level crossings";
    case NodeFeature::barrier_passable: return "barriers cars pass";
    case NodeFeature::barrier_delay: return "gates and tolls (delay)";
    case NodeFeature::barrier_blocked: return "barriers closed to cars";
    }
    return "?";
}

namespace {

NodeDirection direction_of(std::string_view value) {
    if (value == "forward") {
        return NodeDirection::forward;
    }
    if (value == "backward") {
        return NodeDirection::backward;
    }
    return NodeDirection::both;  // both, absent, or a compass bearing (not resolvable here)
}

/// The most specific access tag present on the node (access.tags order), or empty.
std::string_view node_access(const Profile& profile, std::span<const Tag> tags) {
    for (const auto& key : profile.access_tags) {
        if (const auto v = find_tag(tags, key); !v.empty()) {
            return v;
        }
    }
    return {};
}

bool listed(const std::vector<std::string>& list, std::string_view v) {
    return std::find(list.begin(), list.end(), v) != list.end();
}

NodeRule barrier_rule(const Profile& profile, std::span<const Tag> tags, std::string_view barrier) {
    const std::string_view access = node_access(profile, tags);
    if (!access.empty() && listed(profile.access_blocked, access)) {
        return {NodeFeature::barrier_blocked, 0.0, NodeDirection::both};
    }
    if (const auto it = profile.barriers.delay_s.find(std::string(barrier)); it != profile.barriers.delay_s.end()) {
        return {NodeFeature::barrier_delay, it->second, NodeDirection::both};
    }
    // A rising bollard, or any barrier whose tags open it to cars, lets them through.
    const bool opened = !access.empty() || find_tag(tags, "bollard") == "rising";
    if (listed(profile.barriers.passable, barrier) || opened) {
        return {NodeFeature::barrier_passable, 0.0, NodeDirection::both};
    }
    return {NodeFeature::barrier_blocked, 0.0, NodeDirection::both};
}

} // namespace

NodeRule evaluate_node(const Profile& profile, std::span<const Tag> tags) {
    if (const auto barrier = find_tag(tags, "barrier"); !barrier.empty()) {
        return barrier_rule(profile, tags, barrier);
    }
    const auto& j = profile.junctions;
    const auto highway = find_tag(tags, "highway");
    const auto direction = direction_of(find_tag(tags, "direction"));
    if (highway == "traffic_signals" || (highway == "crossing" && find_tag(tags, "crossing") == "traffic_signals")) {
        // traffic_signals:direction says which way the lights face; it overrides direction.
        const auto own = find_tag(tags, "traffic_signals:direction");
        return {NodeFeature::traffic_signals, j.traffic_signals_s, own.empty() ? direction : direction_of(own)};
    }
    if (highway == "stop") {
        return {NodeFeature::stop, j.stop_s, direction};
    }
    if (highway == "give_way") {
        return {NodeFeature::give_way, j.give_way_s, direction};
    }
    if (highway == "crossing") {
        return {NodeFeature::crossing, j.crossing_s, NodeDirection::both};
    }
    if (find_tag(tags, "railway") == "level_crossing") {
        return {NodeFeature::level_crossing, j.level_crossing_s, NodeDirection::both};
    }
    return {};
}

} // namespace proxima
