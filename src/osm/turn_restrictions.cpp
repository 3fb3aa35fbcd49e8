#include "proxima/osm/turn_restrictions.hpp"

#include <array>

namespace proxima {

const char* to_string(RestrictionVerdict v) {
    switch (v) {
    case RestrictionVerdict::applies: return "applied";
    case RestrictionVerdict::conditional: return "conditional (ignored)";
    case RestrictionVerdict::not_for_cars: return "not for cars";
    case RestrictionVerdict::malformed: return "malformed";
    }
    return "?";
}

namespace {

/// True if a ';'-separated list holds `item` (spaces around items ignored).
bool list_holds(std::string_view list, std::string_view item) {
    std::size_t start = 0;
    while (start <= list.size()) {
        auto end = list.find(';', start);
        if (end == std::string_view::npos) {
            end = list.size();
        }
        auto v = list.substr(start, end - start);
        while (!v.empty() && v.front() == ' ') {
            v.remove_prefix(1);
        }
        while (!v.empty() && v.back() == ' ') {
            v.remove_suffix(1);
        }
        if (v == item) {
            return true;
        }
        start = end + 1;
    }
    return false;
}

constexpr std::array<std::string_view, 10> known_values = {
    "no_left_turn",  "no_right_turn",   "no_straight_on",  "no_u_turn", "no_entry",
    "no_exit",       "only_left_turn",  "only_right_turn", "only_straight_on", "only_u_turn"};

} // namespace

bool is_restriction_type(std::string_view type) {
    return type == "restriction" || type.substr(0, 12) == "restriction:";
}

ParsedRestriction parse_restriction(std::int64_t relation_id, std::span<const Tag> tags,
                                    std::span<const RelationMember> members) {
    ParsedRestriction out;
    out.restriction.relation_id = relation_id;
    auto fail = [&](std::string why) {
        out.verdict = RestrictionVerdict::malformed;
        out.why = std::move(why);
        return out;
    };
    // type=restriction:hgv (old style) restricts another vehicle.
    const auto type = find_tag(tags, "type");
    if (type.size() > 12 && type != "restriction:motorcar" && type != "restriction:motor_vehicle" &&
        type != "restriction:vehicle") {
        out.verdict = RestrictionVerdict::not_for_cars;
        return out;
    }
    std::string_view value;
    for (const char* key : {"restriction:motorcar", "restriction:motor_vehicle", "restriction:vehicle", "restriction"}) {
        if (const auto v = find_tag(tags, key); !v.empty()) {
            value = v;
            break;
        }
    }
    if (value.empty()) {
        // Only restriction:hgv, restriction:bus...: other vehicles. Only a conditional one: time.
        bool other_vehicle = false;
        for (const auto& t : tags) {
            if (t.key.substr(0, 12) == "restriction:" && t.key.find("conditional") == std::string_view::npos) {
                other_vehicle = true;
            }
        }
        if (other_vehicle) {
            out.verdict = RestrictionVerdict::not_for_cars;
            return out;
        }
        if (has_tag(tags, "restriction:conditional") || has_tag(tags, "restriction:motorcar:conditional") ||
            has_tag(tags, "restriction:motor_vehicle:conditional")) {
            out.verdict = RestrictionVerdict::conditional;
            return out;
        }
        return fail("no restriction=* value");
    }
    for (const char* key : {"day_on", "day_off", "hour_on", "hour_off"}) {
        if (has_tag(tags, key)) {
            out.verdict = RestrictionVerdict::conditional;  // old time tags: when is unknown here
            return out;
        }
    }
    const auto except = find_tag(tags, "except");
    if (list_holds(except, "motorcar") || list_holds(except, "motor_vehicle")) {
        out.verdict = RestrictionVerdict::not_for_cars;
        return out;
    }
    bool known = false;
    for (auto k : known_values) {
        known = known || value == k;
    }
    if (!known) {
        return fail("unknown restriction value '" + std::string(value) + "'");
    }
    auto& r = out.restriction;
    r.value = std::string(value);
    r.only = value.substr(0, 5) == "only_";
    std::size_t via_nodes = 0;
    for (const auto& m : members) {
        if (m.role == "from") {
            if (m.type != 'w') {
                return fail("a 'from' member is not a way");
            }
            r.from_ways.push_back(m.ref);
        } else if (m.role == "to") {
            if (m.type != 'w') {
                return fail("a 'to' member is not a way");
            }
            r.to_ways.push_back(m.ref);
        } else if (m.role == "via") {
            if (m.type == 'n') {
                r.via_node = m.ref;
                ++via_nodes;
            } else if (m.type == 'w') {
                r.via_ways.push_back(m.ref);
            } else {
                return fail("a 'via' member is a relation");
            }
        }
        // Other roles (location_hint...) carry nothing for routing.
    }
    if (r.from_ways.empty() || r.to_ways.empty()) {
        return fail("no 'from' or no 'to' way");
    }
    if (via_nodes + (r.via_ways.empty() ? 0 : 1) != 1 || via_nodes > 1) {
        return fail("needs exactly one via node, or via ways");
    }
    // Several from ways make sense for no_entry only, several to ways for no_exit only.
    if ((r.from_ways.size() > 1 && value != "no_entry") || (r.to_ways.size() > 1 && value != "no_exit")) {
        return fail("several 'from' or 'to' ways for " + std::string(value));
    }
    out.verdict = RestrictionVerdict::applies;
    return out;
}

} // namespace proxima
