#pragma once
// Travel between arbitrary points: snapped positions on edges, off-network legs, and the
// multi-source searches between them. The user-facing equivalent of a distancier
// (`proxima route`, `proxima table`).
//
// A trip from P to Q costs: P's off-network leg at access speed + the rest of P's edge to a node
// + the network path + the part of Q's edge to Q + Q's off-network leg. When P and Q share an
// edge and Q lies ahead of P in a drivable direction, the direct drive along the edge counts too.

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "proxima/routing/multi_source_dijkstra.hpp"
#include "proxima/routing/snap.hpp"

namespace proxima {

struct AccessOptions {
    /// Speed of the off-network leg between a point and its snapped position (km/h). The leg is a
    /// driveway, yard or unmapped track; 15 km/h by default.
    double access_kmh = 15.0;
};

/// Off-network leg time of a snap, in deciseconds (rounded).
[[nodiscard]] Deciseconds access_ds(const Snap& snap, const AccessOptions& options);

/// Seeds of a search leaving the snapped point (Direction::forward) or arriving at it
/// (Direction::reverse), as states of the turn-aware graph with offsets:
///  - leaving P on arc a: every state a turn from a's head leads to, offset = access leg + rest
///    of a + that turn's cost (a forward search starts there; a reverse search's time at those
///    states completes the trip from P);
///  - arriving at P on arc a: a's state and its copies, offset = time from a's tail to P + leg.
/// Both arcs of the edge count (a trip may start in either direction where both are drivable).
/// Offsets split the arc weights exactly (parts of travel_ds). A point at a node also leaves by
/// any arc of the node without a turn cost, and arrives by any arc entering it.
[[nodiscard]] std::vector<SourceSet::Source> seeds(const RoadGraph& graph, const Snap& snap, Direction direction,
                                                   const AccessOptions& options, std::uint32_t tag = 0);
/// seeds() into `out` (cleared first): for loops over millions of points, which reuse one
/// vector instead of allocating one per point.
void seeds_into(std::vector<SourceSet::Source>& out, const RoadGraph& graph, const Snap& snap, Direction direction,
                const AccessOptions& options, std::uint32_t tag = 0);

/// The seeds of many points for one direction, one point's after the other in a single array
/// (with where each point's end): the 2.3 M origins of a national study hold no vector each (two
/// allocations of a few dozen bytes per origin and direction, scattered over the heap, and read
/// again for every round of searches). Made on `threads`; the same seeds, in the same order, as
/// seeds() point by point.
class PointSeeds {
public:
    PointSeeds() = default;
    PointSeeds(const RoadGraph& graph, std::size_t points, const std::function<const Snap&(std::size_t)>& snap_of,
               Direction direction, const AccessOptions& options, int threads);
    [[nodiscard]] std::size_t size() const { return m_end.empty() ? 0 : m_end.size() - 1; }
    /// Point `p`'s seeds.
    [[nodiscard]] std::span<const SourceSet::Source> operator[](std::size_t p) const {
        return {m_sources.data() + m_end[p], m_end[p + 1] - m_end[p]};
    }

private:
    std::vector<SourceSet::Source> m_sources;
    std::vector<std::size_t> m_end;  ///< point p's seeds: [m_end[p], m_end[p + 1])
};

/// Direct drive along a shared edge from `from` to `to` (network part only), if possible.
struct DirectLeg {
    Deciseconds ds = 0;
    double metres = 0.0;
};
[[nodiscard]] std::optional<DirectLeg> same_edge_leg(const RoadGraph& graph, const Snap& from, const Snap& to);

struct Trip {
    Deciseconds ds = unreachable_ds;  ///< total time, unreachable_ds if no path
    double metres = 0.0;              ///< total length, off-network legs included
    [[nodiscard]] bool reachable() const { return ds != unreachable_ds; }
};

/// Fastest trip from `from` to `to`.
[[nodiscard]] Trip route(const RoadGraph& graph, const Snap& from, const Snap& to, const AccessOptions& options);

/// Fastest trips from every source to every target, row-major (sources.size() × targets.size()).
/// One search per point of the smaller side, in parallel (OpenMP): forward from each source, or,
/// when there are fewer targets, reverse from each target. Both give the same trips.
[[nodiscard]] std::vector<Trip> travel_table(const RoadGraph& graph, std::span<const Snap> sources,
                                             std::span<const Snap> targets, const AccessOptions& options,
                                             int threads = 0);

} // namespace proxima
