#pragma once
// RoadGraph: the routable road network, reduced to intersections, as flat arrays, and the
// turn-aware graph every search runs on.
//
// Physical network. Nodes are intersections, dead ends and the points where something happens
// to traffic (signals, stops, passable barriers, restriction vias). Edges are road chains between
// two nodes with their geometry; each edge has one arc per direction it may be driven. Arcs are
// stored as a CSR (forward: arcs leaving each node) and a reverse CSR (arcs entering each node).
//
// Search graph (edge-based, as turn-aware routers do). A state is "driving arc a, the turn into
// it done"; its time is the time at the tail of a. State s < arc_count() is arc s itself; states
// beyond are copies of arcs made for turn restrictions through ways (a car that came along the
// restriction's path is in the copy, where the forbidden exit does not exist). A transition
// s -> t drives arc(s) to its head and turns into arc(t): its weight is travel_ds[arc(s)] plus
// the turn's cost (angle, U-turn, junction delays, yielding). A forbidden turn has no
// transition. Searches run on the transitions (forward CSR, or the reverse CSR for times to the
// sources); points on edges enter and leave through seeds (routing/point_routing.hpp).
//
// Invariants (checked by validate(), run after every build and load):
//  - first_out has node_count()+1 entries, first_out[0] == 0, non-decreasing, last == arc_count();
//    head[a] < node_count(). Same for first_in / tail_in.
//  - the reverse CSR lists every forward arc exactly once: in_arc[i] is the forward arc id,
//    head[in_arc[i]] is the node owning slot i and tail_in[i] is that arc's tail;
//    in_travel_ds[i] == travel_ds[in_arc[i]].
//  - every arc belongs to exactly one edge (arc_edge), and edge_arc points back to it;
//    the edge geometry starts at the arc's tail and ends at its head (reversed for backward arcs).
//  - travel_ds[a] <= max_arc_ds; per-point cumulative lengths and times are finite,
//    non-decreasing and end at the arc totals; positions are finite WGS84.
//  - state_arc has state_count() entries, state_arc[s] == s for s < arc_count(), and names an
//    arc for every copy; arc_first_copy/copy_state list each copy once, under its arc.
//  - first_transition is a CSR over states; every transition s -> t joins head(arc(s)) to
//    tail(arc(t)) and weighs at least travel_ds[arc(s)] and at most max_arc_ds; the reverse
//    transition CSR mirrors it exactly.
//  - way runs: per edge, runs of shape segments on one OSM way, covering the edge in order.
// Loops (tail == head) and parallel arcs are allowed; zero-time arcs are allowed.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "proxima/graph/ids.hpp"
#include "proxima/graph/state_hierarchy.hpp"

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
        std::vector<std::uint8_t> edge_flags;         ///< per edge: edge_no_snap...

        // Runs of consecutive shape segments of an edge on one OSM way (for reporting the way
        // under a snapped point): run r covers segments run_first_segment[r] .. the next run's.
        std::vector<std::uint32_t> edge_first_run;    ///< edge_count + 1, into the run arrays
        std::vector<std::uint32_t> run_first_segment; ///< per run, 0-based segment of its edge
        std::vector<std::int64_t> run_way_id;         ///< per run

        // Search graph (see the header comment).
        std::vector<std::uint32_t> state_arc;         ///< per state: the arc it drives
        std::vector<std::uint32_t> arc_first_copy;    ///< arc_count + 1, into copy_state
        std::vector<std::uint32_t> copy_state;        ///< copies of each arc, by arc
        std::vector<std::uint32_t> first_transition;  ///< state_count + 1
        std::vector<std::uint32_t> transition_head;   ///< per transition: target state
        std::vector<Deciseconds> transition_ds;       ///< per transition: arc of the source + turn
        std::vector<std::uint32_t> first_in_transition;  ///< state_count + 1
        std::vector<std::uint32_t> in_transition_tail;   ///< per reverse slot: source state
        std::vector<Deciseconds> in_transition_ds;       ///< per reverse slot: its weight
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
    /// Edge flag: no point is snapped to this edge (a ferry, a car train).
    static constexpr std::uint8_t edge_no_snap = 1;
    [[nodiscard]] bool snappable(EdgeId e) const { return (m.edge_flags[to_index(e)] & edge_no_snap) == 0; }
    /// OSM way of shape segment `segment` (0-based) of edge `e`.
    [[nodiscard]] std::int64_t segment_way_id(EdgeId e, std::uint32_t segment) const;

    // Search graph.
    [[nodiscard]] std::uint32_t state_count() const noexcept { return static_cast<std::uint32_t>(m.state_arc.size()); }
    [[nodiscard]] ArcId state_arc(StateId s) const { return ArcId{m.state_arc[to_index(s)]}; }
    /// The state of an arc for a trip that starts on it (copies are entered only by turns).
    [[nodiscard]] static StateId arc_state(ArcId a) noexcept { return StateId{to_index(a)}; }
    /// Copies of arc `a` made for restrictions through ways (usually none).
    [[nodiscard]] std::span<const std::uint32_t> arc_copies(ArcId a) const {
        const auto b = m.arc_first_copy[to_index(a)];
        return std::span<const std::uint32_t>(m.copy_state).subspan(b, m.arc_first_copy[to_index(a) + 1] - b);
    }
    [[nodiscard]] std::span<const std::uint32_t> state_arcs() const noexcept { return m.state_arc; }
    [[nodiscard]] std::span<const std::uint32_t> first_transition() const noexcept { return m.first_transition; }
    [[nodiscard]] std::span<const std::uint32_t> transition_head() const noexcept { return m.transition_head; }
    [[nodiscard]] std::span<const Deciseconds> transition_ds() const noexcept { return m.transition_ds; }
    [[nodiscard]] std::span<const std::uint32_t> first_in_transition() const noexcept { return m.first_in_transition; }
    [[nodiscard]] std::span<const std::uint32_t> in_transition_tail() const noexcept { return m.in_transition_tail; }
    [[nodiscard]] std::span<const Deciseconds> in_transition_ds() const noexcept { return m.in_transition_ds; }
    [[nodiscard]] std::uint32_t transition_count() const noexcept {
        return static_cast<std::uint32_t>(m.transition_head.size());
    }
    [[nodiscard]] float edge_length_m(EdgeId e) const;

    /// The contraction hierarchy of the search graph, if one was built or loaded (see
    /// state_hierarchy.hpp); searches fall back to Dijkstra without it.
    [[nodiscard]] const StateHierarchy* hierarchy() const noexcept { return m_hierarchy ? &*m_hierarchy : nullptr; }
    /// Attaches a hierarchy of this graph's search graph after validating it (CacheError if it
    /// does not fit); std::nullopt removes it.
    void set_hierarchy(std::optional<StateHierarchy> hierarchy);

    [[nodiscard]] const Arrays& arrays() const noexcept { return m; }
    [[nodiscard]] const GraphProvenance& provenance() const noexcept { return m_provenance; }

    /// Checks every invariant listed above; throws CacheError naming the first broken one.
    void validate() const;

    /// Approximate memory held by the arrays, in bytes.
    [[nodiscard]] std::size_t memory_bytes() const noexcept;

private:
    void validate_way_runs() const;
    void validate_search_graph() const;

    Arrays m;
    GraphProvenance m_provenance;
    std::optional<StateHierarchy> m_hierarchy;
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
/// end nodes. Arc ids follow the CSR order (sorted by tail, then input order). Every turn is
/// allowed at no cost, U-turns included: state times are then node times (the time of state s is
/// the node time of tail(arc(s))), which lets node-based references check the searches.
[[nodiscard]] RoadGraph graph_from_arcs(std::vector<LonLat> node_coords, const std::vector<ArcSpec>& arcs);

/// Fills first_in/tail_in/in_arc/in_travel_ds of `arrays` from its forward CSR.
void build_reverse_csr(RoadGraph::Arrays& arrays);

/// One allowed turn, for build_search_graph: from state `from` (driving its arc to the head) into
/// state `to`, costing `turn_ds` beyond the arc's travel time.
struct TurnSpec {
    std::uint32_t from = 0;
    std::uint32_t to = 0;
    Deciseconds turn_ds = 0;
};

/// Fills the search graph of `arrays` (whose physical arrays are complete): `copy_arc` lists the
/// arc of each copy state (state arc_count() + i), `turns` the allowed transitions (any order;
/// sorted here, deterministic). Weights are capped at max_arc_ds.
void build_search_graph(RoadGraph::Arrays& arrays, const std::vector<std::uint32_t>& copy_arc,
                        std::vector<TurnSpec> turns);

/// Every turn between arcs at every node, at no cost (U-turns included): what graph_from_arcs
/// uses, and the neutral model tests compare the turn model against.
[[nodiscard]] std::vector<TurnSpec> all_turns_free(const RoadGraph::Arrays& arrays);

/// Single runs: each edge on its first segment's way (for graphs not built from OSM).
void single_way_runs(RoadGraph::Arrays& arrays);

} // namespace proxima
