#pragma once
// RoadGraph: the routable road network, reduced to intersections, as flat arrays.
//
// Nodes are intersections and dead ends. Edges are road chains between two nodes with their
// geometry; each edge has one arc per direction it may be driven. Arcs are stored as a CSR
// (forward: arcs leaving each node) and a reverse CSR (arcs entering each node).
//
// Invariants (checked by validate(), run after every build and load):
//  - first_out has node_count()+1 entries, first_out[0] == 0, non-decreasing, last == arc_count();
//    head[a] < node_count(). Same for first_in / tail_in.
//  - the reverse CSR lists every forward arc exactly once: in_arc[i] is the forward arc id,
//    head[in_arc[i]] is the node owning slot i and tail_in[i] is that arc's tail;
//    in_travel_ds[i] == travel_ds[in_arc[i]].
//  - every arc belongs to exactly one edge (arc_edge), and edge_arc points back to it;
//    the edge geometry starts at the arc's tail and ends at its head (reversed for backward arcs).
//  - travel_ds[a] <= max_arc_ds; per-point cumulative lengths and times are non-decreasing and end
//    at the arc totals.
// Loops (tail == head) and parallel arcs are allowed; zero-time arcs are allowed.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "proxima/graph/ids.hpp"

namespace proxima {

/// Where the graph came from: kept in the cache so a stale or foreign graph can be recognised.
struct GraphProvenance {
    std::string source_file;      ///< file name of the OSM extract (no folder)
    std::string source_sha256;    ///< SHA-256 of the OSM extract
    std::string profile_name;     ///< e.g. "car"
    std::string profile_sha256;   ///< SHA-256 of the profile file text
    std::string proxima_version;  ///< version that built the graph
};

class RoadGraph {
public:
    /// All arrays of a graph, as produced by the builder or read from a cache. Public so that the
    /// builder and the file reader can fill it; a RoadGraph made from it is validated.
    struct Arrays {
        std::vector<std::uint32_t> first_out;    ///< node_count + 1
        std::vector<std::uint32_t> head;         ///< per arc
        std::vector<Deciseconds> travel_ds;      ///< per arc
        std::vector<float> length_m;             ///< per arc
        std::vector<std::uint32_t> arc_edge;     ///< per arc: edge * 2 + (1 if against the edge geometry)

        std::vector<std::uint32_t> first_in;     ///< node_count + 1
        std::vector<std::uint32_t> tail_in;      ///< per arc slot of the reverse CSR
        std::vector<std::uint32_t> in_arc;       ///< forward arc id of each reverse slot
        std::vector<Deciseconds> in_travel_ds;   ///< copy of travel_ds in reverse order (locality)

        std::vector<LonLat> node_coord;          ///< per node

        std::vector<std::uint32_t> edge_first_point;  ///< edge_count + 1, into points
        std::vector<LonLat> points;                   ///< edge shapes, endpoints included
        std::vector<float> point_m;                   ///< cumulative metres from edge start
        std::vector<float> point_fwd_ds;              ///< cumulative time from edge start, along
        std::vector<float> point_bwd_ds;              ///< cumulative time from edge start, against (to reach the start)
        std::vector<std::uint32_t> edge_arc;          ///< edge * 2 + dir: arc id or invalid_index
        std::vector<std::int64_t> edge_way_id;        ///< OSM way of the edge's first segment
    };

    RoadGraph() = default;
    /// Takes the arrays and validates them. Throws CacheError (with the broken invariant) if not
    /// valid.
    explicit RoadGraph(Arrays arrays, GraphProvenance provenance = {});

    [[nodiscard]] std::uint32_t node_count() const noexcept {
        return static_cast<std::uint32_t>(m.node_coord.size());
    }
    [[nodiscard]] std::uint32_t arc_count() const noexcept {
        return static_cast<std::uint32_t>(m.head.size());
    }
    [[nodiscard]] std::uint32_t edge_count() const noexcept {
        return m.edge_first_point.empty() ? 0 : static_cast<std::uint32_t>(m.edge_first_point.size() - 1);
    }

    // Forward CSR.
    [[nodiscard]] std::span<const std::uint32_t> first_out() const noexcept { return m.first_out; }
    [[nodiscard]] std::span<const std::uint32_t> head() const noexcept { return m.head; }
    [[nodiscard]] std::span<const Deciseconds> travel_ds() const noexcept { return m.travel_ds; }
    [[nodiscard]] std::span<const float> length_m() const noexcept { return m.length_m; }
    // Reverse CSR.
    [[nodiscard]] std::span<const std::uint32_t> first_in() const noexcept { return m.first_in; }
    [[nodiscard]] std::span<const std::uint32_t> tail_in() const noexcept { return m.tail_in; }
    [[nodiscard]] std::span<const std::uint32_t> in_arc() const noexcept { return m.in_arc; }
    [[nodiscard]] std::span<const Deciseconds> in_travel_ds() const noexcept { return m.in_travel_ds; }

    [[nodiscard]] LonLat coord(NodeId n) const { return m.node_coord[to_index(n)]; }
    [[nodiscard]] std::span<const LonLat> node_coords() const noexcept { return m.node_coord; }

    /// Tail node of an arc (binary search in first_out; not for hot loops).
    [[nodiscard]] NodeId tail(ArcId a) const;
    [[nodiscard]] NodeId head(ArcId a) const { return NodeId{m.head[to_index(a)]}; }

    // Edges (geometry).
    [[nodiscard]] std::span<const LonLat> edge_points(EdgeId e) const;
    [[nodiscard]] std::span<const float> edge_point_m(EdgeId e) const;
    [[nodiscard]] std::span<const float> edge_point_fwd_ds(EdgeId e) const;
    [[nodiscard]] std::span<const float> edge_point_bwd_ds(EdgeId e) const;
    /// Arc driving the edge along its geometry (forward) or against it; invalid_index if none.
    [[nodiscard]] std::uint32_t edge_arc(EdgeId e, bool against_geometry) const {
        return m.edge_arc[2 * to_index(e) + (against_geometry ? 1 : 0)];
    }
    [[nodiscard]] EdgeId arc_edge(ArcId a) const { return EdgeId{m.arc_edge[to_index(a)] >> 1}; }
    [[nodiscard]] bool arc_against_geometry(ArcId a) const { return (m.arc_edge[to_index(a)] & 1U) != 0; }
    [[nodiscard]] std::int64_t edge_way_id(EdgeId e) const { return m.edge_way_id[to_index(e)]; }
    [[nodiscard]] float edge_length_m(EdgeId e) const;

    [[nodiscard]] const Arrays& arrays() const noexcept { return m; }
    [[nodiscard]] const GraphProvenance& provenance() const noexcept { return m_provenance; }

    /// Checks every invariant listed above; throws CacheError naming the first broken one.
    void validate() const;

    /// Approximate memory held by the arrays, in bytes.
    [[nodiscard]] std::size_t memory_bytes() const noexcept;

private:
    Arrays m;
    GraphProvenance m_provenance;
};

} // namespace proxima

namespace proxima {

/// One directed arc for building small graphs by hand (tests, benchmarks).
struct ArcSpec {
    std::uint32_t tail = 0;
    std::uint32_t head = 0;
    Deciseconds travel_ds = 0;
    float length_m = 0.0F;
};

/// Builds a RoadGraph from a list of arcs; each arc gets its own straight-line edge between its
/// end nodes. Arc ids follow the CSR order (sorted by tail, then input order).
[[nodiscard]] RoadGraph graph_from_arcs(std::vector<LonLat> node_coords, const std::vector<ArcSpec>& arcs);

/// Fills first_in/tail_in/in_arc/in_travel_ds of `arrays` from its forward CSR.
void build_reverse_csr(RoadGraph::Arrays& arrays);

} // namespace proxima
