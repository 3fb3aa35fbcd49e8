#pragma once
// Snapping arbitrary points onto the nearest routable edge: an R-tree (Boost.Geometry) over all
// edge segments in a local metric projection, exact projection onto the nearest segment.
// Every edge of a RoadGraph carries at least one arc, so every snap can be driven from/to.
// Ferries and car trains are not indexed: a trip never starts or ends on them.

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "proxima/graph/local_projection.hpp"
#include "proxima/graph/road_graph.hpp"

namespace proxima {

struct Snap {
    EdgeId edge{};
    std::uint32_t segment = 0;     ///< shape segment of the edge (0-based)
    double fraction = 0.0;         ///< position along that segment, 0..1
    LonLat point;                  ///< the snapped position on the edge
    double distance_m = 0.0;       ///< off-network leg: input point to snapped position (metres)
    double along_m = 0.0;          ///< metres from the edge start to the snapped position
    double along_fwd_ds = 0.0;     ///< time from the edge start to it, driving along the geometry
    double along_bwd_ds = 0.0;     ///< time from it back to the edge start, driving against the geometry
};

class EdgeSnapper {
public:
    /// Indexes every edge segment of `graph` (borrowed; must outlive the snapper).
    explicit EdgeSnapper(const RoadGraph& graph);
    ~EdgeSnapper();
    EdgeSnapper(const EdgeSnapper&) = delete;
    EdgeSnapper& operator=(const EdgeSnapper&) = delete;

    /// Nearest position on any edge within max_distance_m, or nullopt. Ties: lowest edge id, then
    /// segment. Not thread-safe (uses the projection); see snap_all().
    [[nodiscard]] std::optional<Snap> snap(LonLat p, double max_distance_m) const;
    /// Snaps many points (R-tree queries in parallel). Result i is nullopt if point i is farther
    /// than max_distance_m from every edge.
    [[nodiscard]] std::vector<std::optional<Snap>> snap_all(std::span<const LonLat> points, double max_distance_m) const;

    /// How many snapping indexes this process has built: an R-tree costs seconds on a region's
    /// graph, so a run builds one and shares it (StudyInputs::edge_snapper); tests check that.
    [[nodiscard]] static std::size_t index_builds();

    [[nodiscard]] const LocalProjection& projection() const { return m_projection; }
    [[nodiscard]] const RoadGraph& graph() const { return m_graph; }

private:
    [[nodiscard]] std::optional<Snap> snap_projected(XY p, double max_distance_m) const;

    const RoadGraph& m_graph;
    LocalProjection m_projection;
    std::vector<XY> m_points_xy;  ///< projected shape points of all edges
    struct Index;
    std::unique_ptr<Index> m_index;
};

} // namespace proxima
