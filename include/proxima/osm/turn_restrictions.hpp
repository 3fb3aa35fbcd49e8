#pragma once
// Turn restrictions as OpenStreetMap maps them: relations type=restriction with a from way, a via
// node or one or more via ways, and a to way; restriction=no_* (that turn is forbidden) or only_*
// (every other turn from the from way is forbidden). This file reads one relation into a plain
// value (pure, tested without OSM files); graph_builder.cpp resolves it onto the graph.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "proxima/osm/tag_rules.hpp"

namespace proxima {

struct RelationMember {
    char type = 'w';  ///< 'n' node, 'w' way, 'r' relation
    std::int64_t ref = 0;
    std::string_view role;
};

/// Why a restriction relation does or does not constrain cars. Values index build statistics.
enum class RestrictionVerdict : std::uint8_t {
    applies,
    conditional,   ///< only restriction:conditional or day/hour tags: time-dependent, ignored
    not_for_cars,  ///< for other vehicles (restriction:hgv...), or except= lists cars
    malformed,     ///< unknown value, missing or unusable members
};
inline constexpr int restriction_verdict_count = 4;
[[nodiscard]] const char* to_string(RestrictionVerdict v);

struct TurnRestriction {
    std::int64_t relation_id = 0;
    bool only = false;                    ///< only_*: every other turn from `from` is forbidden
    std::string value;                    ///< e.g. "no_left_turn"
    std::vector<std::int64_t> from_ways;  ///< several for no_entry
    std::int64_t via_node = 0;            ///< 0 when the via is ways
    std::vector<std::int64_t> via_ways;   ///< in member order
    std::vector<std::int64_t> to_ways;    ///< several for no_exit
};

struct ParsedRestriction {
    RestrictionVerdict verdict = RestrictionVerdict::malformed;
    std::string why;  ///< for malformed ones
    TurnRestriction restriction;
};

/// Reads one relation. Only relations with type=restriction (or restriction:motorcar and the
/// like) should be given. The most specific restriction tag for a car wins (restriction:motorcar,
/// restriction:motor_vehicle, restriction:vehicle, restriction); except=* naming motorcar or
/// motor_vehicle exempts cars.
[[nodiscard]] ParsedRestriction parse_restriction(std::int64_t relation_id, std::span<const Tag> tags,
                                                  std::span<const RelationMember> members);

/// True if the relation's type=* makes it a restriction Proxima reads.
[[nodiscard]] bool is_restriction_type(std::string_view type);

} // namespace proxima
