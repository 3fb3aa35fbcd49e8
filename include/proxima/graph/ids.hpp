#pragma once
// Typed ids and units of the road graph. Ids are distinct enum types so a node cannot be passed
// where an arc is expected; raw indices appear only inside hot loops (via to_index()).
// Durations inside the graph and the searches are integer deciseconds (suffix _ds); lengths are
// metres (suffix _m).

#include <cstdint>
#include <limits>

namespace proxima {

enum class NodeId : std::uint32_t {};
enum class ArcId : std::uint32_t {};
enum class EdgeId : std::uint32_t {};
/// A state of the turn-aware search: driving one arc, the turn into it done (see road_graph.hpp).
enum class StateId : std::uint32_t {};

template <typename Id>
[[nodiscard]] constexpr std::uint32_t to_index(Id id) noexcept {
    return static_cast<std::uint32_t>(id);
}

/// "No such node/arc/edge" in flat arrays.
inline constexpr std::uint32_t invalid_index = std::numeric_limits<std::uint32_t>::max();

/// Travel times in deciseconds. A search result equal to unreachable_ds means "not reached";
/// it never leaves routing/: outputs turn it into NULL.
using Deciseconds = std::uint32_t;
inline constexpr Deciseconds unreachable_ds = std::numeric_limits<Deciseconds>::max();

/// Largest travel time a search may produce (about 49 days). Keeping this far below
/// unreachable_ds means a tentative time plus one arc weight can never wrap around.
inline constexpr Deciseconds max_travel_ds = std::numeric_limits<Deciseconds>::max() / 4;
/// Largest weight of one arc (about 12 days), so max_travel_ds + max_arc_ds < unreachable_ds.
inline constexpr Deciseconds max_arc_ds = std::numeric_limits<Deciseconds>::max() / 4;
static_assert(std::uint64_t{max_travel_ds} + max_arc_ds < unreachable_ds,
              "time bound plus one arc must not overflow the unreachable sentinel");

/// Deciseconds → seconds.
[[nodiscard]] constexpr double seconds_from_ds(Deciseconds ds) noexcept { return ds / 10.0; }
/// Deciseconds → minutes (for outputs; unreachable_ds is the caller's to handle).
[[nodiscard]] constexpr double minutes_from_ds(Deciseconds ds) noexcept { return ds / 600.0; }

/// A WGS84 position in degrees.
struct LonLat {
    double lon = 0.0;
    double lat = 0.0;
    friend bool operator==(const LonLat&, const LonLat&) = default;
};

} // namespace proxima
