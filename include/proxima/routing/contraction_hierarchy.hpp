#pragma once
// Contraction hierarchy of the turn-aware search graph (nodes = states, arcs = transitions; see
// graph/road_graph.hpp and graph/state_hierarchy.hpp for what the result holds).
//
// States are contracted least important first, in rounds: a round takes the states whose
// importance is the lowest within two arcs (no two of them neighbours) and contracts them in
// parallel. Contracting v removes it from the remaining graph; for every pair u -> v -> w whose
// time no other remaining path matches (a "witness", found by a local Dijkstra limited in settled
// states and hops, avoiding every state of the round), a shortcut u -> w is added. A witness
// search that gives up adds the shortcut: limits cost shortcuts, never correctness. Importance
// (recomputed for the neighbours of the states contracted) combines the edge difference
// (shortcuts added per arc removed), the number of neighbours already contracted and the level
// (1 + the highest level of the contracted neighbours), so that the hierarchy stays flat and even.
//
// Semantics are kept exactly: a shortcut is a real path, so every time between two states is
// preserved, and a search cannot reach a state the search graph does not reach (destination-only
// states, entered only where a trip starts, stay so). Deterministic: ties are broken by state id
// and a round's shortcuts applied in id order, so the same graph gives the same hierarchy on any
// number of threads.

#include <cstdint>
#include <functional>
#include <string>

#include "proxima/graph/road_graph.hpp"
#include "proxima/graph/state_hierarchy.hpp"

namespace proxima {

struct HierarchyBuildOptions {
    std::uint32_t witness_settle_limit = 500;  ///< states a witness search may settle before giving up
    std::uint32_t witness_hop_limit = 16;      ///< arcs on a witness path
    int threads = 0;                           ///< 0: every processor (the result does not depend on it)
    /// Called now and then with the share of states contracted (0..1); may be empty. The last
    /// states, in the dense core, take longest: the share is not a share of the time.
    std::function<void(double)> progress;
};

struct HierarchyBuildReport {
    std::uint32_t states = 0;
    std::uint64_t transitions = 0;   ///< of the search graph (loops and parallel ones merged)
    std::uint64_t shortcuts = 0;     ///< added, and still in the hierarchy
    std::uint64_t arcs = 0;          ///< up + down arcs of the hierarchy
    double seconds = 0.0;            ///< wall time of the contraction
    std::size_t bytes = 0;           ///< memory of the hierarchy
    double peak_mib_after = 0.0;     ///< the process's peak resident memory when it was built
    [[nodiscard]] double bytes_per_state() const { return states == 0 ? 0.0 : static_cast<double>(bytes) / states; }
};

/// Contracts the search graph of `graph`. `report` (optional) receives the figures.
[[nodiscard]] StateHierarchy build_state_hierarchy(const RoadGraph& graph, HierarchyBuildReport* report = nullptr,
                                                   const HierarchyBuildOptions& options = {});

/// Builds the hierarchy and attaches it to `graph` (graph.hierarchy() afterwards). Returns the figures.
HierarchyBuildReport add_state_hierarchy(RoadGraph& graph, const HierarchyBuildOptions& options = {});

/// One line for build summaries: time, shortcuts, bytes per state.
[[nodiscard]] std::string format_hierarchy_report(const HierarchyBuildReport& report);

} // namespace proxima
