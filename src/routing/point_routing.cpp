#include "proxima/routing/point_routing.hpp"
#include "proxima/core/huge_pages.hpp"
#include "proxima/core/threads.hpp"

#include <algorithm>
#include <cmath>

#include <omp.h>

namespace proxima {

Deciseconds access_ds(const Snap& snap, const AccessOptions& options) {
    const double seconds = snap.distance_m / (options.access_kmh / 3.6);
    return static_cast<Deciseconds>(std::min<double>(std::llround(seconds * 10.0), max_travel_ds / 2));
}

namespace {

/// Time from the edge start to the snap along the forward arc, as an exact part of its weight.
Deciseconds part_from_start(Deciseconds arc_ds, double along_ds) {
    return static_cast<Deciseconds>(std::clamp<long long>(std::llround(along_ds), 0, arc_ds));
}

} // namespace

PointSeeds::PointSeeds(const RoadGraph& graph, std::size_t points,
                       const std::function<const Snap&(std::size_t)>& snap_of, Direction direction,
                       const AccessOptions& options, int threads) {
    // Blocks of points, each made on one thread into its own vector, then copied to their place
    // once every block's size is known.
    constexpr std::size_t block = 4096;
    const std::size_t blocks = (points + block - 1) / block;
    std::vector<std::vector<SourceSet::Source>> made(blocks);
    assign_on_huge_pages(m_end, points + 1, std::size_t{0});
    const int used = thread_count(threads);
#pragma omp parallel num_threads(used)
    {
        std::vector<SourceSet::Source> one;
#pragma omp for schedule(dynamic, 1)
        for (std::size_t b = 0; b < blocks; ++b) {
            for (std::size_t p = b * block; p < std::min(points, (b + 1) * block); ++p) {
                seeds_into(one, graph, snap_of(p), direction, options);
                made[b].insert(made[b].end(), one.begin(), one.end());
                m_end[p + 1] = one.size();  // a count until the sums below
            }
        }
    }
    for (std::size_t p = 0; p < points; ++p) {
        m_end[p + 1] += m_end[p];
    }
    assign_on_huge_pages(m_sources, m_end[points]);
#pragma omp parallel for schedule(dynamic, 1) num_threads(used)
    for (std::size_t b = 0; b < blocks; ++b) {
        std::copy(made[b].begin(), made[b].end(), m_sources.begin() + static_cast<std::ptrdiff_t>(m_end[b * block]));
        std::vector<SourceSet::Source>().swap(made[b]);
    }
}

std::vector<SourceSet::Source> seeds(const RoadGraph& graph, const Snap& snap, Direction direction,
                                     const AccessOptions& options, std::uint32_t tag) {
    std::vector<SourceSet::Source> out;
    seeds_into(out, graph, snap, direction, options, tag);
    return out;
}

void seeds_into(std::vector<SourceSet::Source>& out, const RoadGraph& graph, const Snap& snap, Direction direction,
                const AccessOptions& options, std::uint32_t tag) {
    out.clear();
    const Deciseconds leg = access_ds(snap, options);
    const auto leg_m = static_cast<float>(snap.distance_m);
    const double edge_m = graph.edge_length_m(snap.edge);
    const auto first = graph.first_transition();
    const auto head = graph.transition_head();
    const auto weight = graph.transition_ds();
    for (const bool against : {false, true}) {
        const auto arc = graph.edge_arc(snap.edge, against);
        if (arc == invalid_index) {
            continue;
        }
        // The snap splits the arc into [tail, P] and [P, head], exact parts of its weight.
        const Deciseconds w = graph.travel_ds()[arc];
        const Deciseconds to_p = against ? w - part_from_start(w, snap.along_bwd_ds) : part_from_start(w, snap.along_fwd_ds);
        const auto tail_to_p_m = static_cast<float>(against ? edge_m - snap.along_m : snap.along_m);
        const auto p_to_head_m = static_cast<float>(against ? snap.along_m : edge_m - snap.along_m);
        if (direction == Direction::forward) {
            // Leaving P: drive to the arc's head, then every turn allowed from it.
            const auto state = to_index(RoadGraph::arc_state(ArcId{arc}));
            for (auto i = first[state]; i < first[state + 1]; ++i) {
                out.push_back({StateId{head[i]}, leg + (weight[i] - to_p), tag, leg_m + p_to_head_m});
            }
        } else {
            // Arriving at P: in the arc's state, or in any copy of it (whatever the way there).
            out.push_back({RoadGraph::arc_state(ArcId{arc}), leg + to_p, tag, leg_m + tail_to_p_m});
            for (const auto copy : graph.arc_copies(ArcId{arc})) {
                out.push_back({StateId{copy}, leg + to_p, tag, leg_m + tail_to_p_m});
            }
        }
    }
    // A point exactly at an end of its edge is at that node: it may start on any arc leaving the
    // node, with no turn to make, and be reached by any arc entering it.
    const auto point_count = graph.edge_points(snap.edge).size();
    const bool at_start = snap.segment == 0 && snap.fraction == 0.0;
    const bool at_end = snap.segment + 2 == point_count && snap.fraction == 1.0;
    if (at_start || at_end) {
        const auto fwd_arc = graph.edge_arc(snap.edge, false);
        const auto bwd_arc = graph.edge_arc(snap.edge, true);
        NodeId node{};
        if (fwd_arc != invalid_index) {
            node = at_start ? graph.tail(ArcId{fwd_arc}) : graph.head(ArcId{fwd_arc});
        } else {
            node = at_start ? graph.head(ArcId{bwd_arc}) : graph.tail(ArcId{bwd_arc});
        }
        const auto v = to_index(node);
        if (direction == Direction::forward) {
            for (auto b = graph.first_out()[v]; b < graph.first_out()[v + 1]; ++b) {
                out.push_back({RoadGraph::arc_state(ArcId{b}), leg, tag, leg_m});
            }
        } else {
            for (auto i = graph.first_in()[v]; i < graph.first_in()[v + 1]; ++i) {
                const auto c = graph.in_arc()[i];
                const Deciseconds w = graph.travel_ds()[c];
                const float m = graph.length_m()[c] + leg_m;
                out.push_back({RoadGraph::arc_state(ArcId{c}), leg + w, tag, m});
                for (const auto copy : graph.arc_copies(ArcId{c})) {
                    out.push_back({StateId{copy}, leg + w, tag, m});
                }
            }
        }
    }
}

std::optional<DirectLeg> same_edge_leg(const RoadGraph& graph, const Snap& from, const Snap& to) {
    if (from.edge != to.edge) {
        return std::nullopt;
    }
    std::optional<DirectLeg> best;
    const auto fwd_arc = graph.edge_arc(from.edge, false);
    const auto bwd_arc = graph.edge_arc(from.edge, true);
    if (fwd_arc != invalid_index && to.along_m >= from.along_m) {
        const Deciseconds w = graph.travel_ds()[fwd_arc];
        const Deciseconds ds = part_from_start(w, to.along_fwd_ds) - part_from_start(w, from.along_fwd_ds);
        best = DirectLeg{ds, to.along_m - from.along_m};
    }
    if (bwd_arc != invalid_index && to.along_m <= from.along_m) {
        const Deciseconds w = graph.travel_ds()[bwd_arc];
        const Deciseconds ds = part_from_start(w, from.along_bwd_ds) - part_from_start(w, to.along_bwd_ds);
        if (!best || ds < best->ds) {
            best = DirectLeg{ds, from.along_m - to.along_m};
        }
    }
    return best;
}

namespace {

Trip complete_trip(const RoadGraph& graph, const MultiSourceDijkstra& search, const Snap& from, const Snap& to,
                   const std::vector<SourceSet::Source>& to_seeds, const AccessOptions& options) {
    Trip best;
    for (const auto& s : to_seeds) {
        const Deciseconds t = search.time_ds(s.state);
        if (t == unreachable_ds) {
            continue;
        }
        const Deciseconds total = t + s.offset_ds;
        const double metres = search.length_m(s.state) + s.offset_m;
        if (total < best.ds || (total == best.ds && metres < best.metres)) {
            best = {total, metres};
        }
    }
    if (auto direct = same_edge_leg(graph, from, to)) {
        const Deciseconds total = access_ds(from, options) + direct->ds + access_ds(to, options);
        const double metres = from.distance_m + direct->metres + to.distance_m;
        if (total < best.ds || (total == best.ds && metres < best.metres)) {
            best = {total, metres};
        }
    }
    return best;
}

} // namespace

Trip route(const RoadGraph& graph, const Snap& from, const Snap& to, const AccessOptions& options) {
    MultiSourceDijkstra search(graph, Direction::forward);
    search.reset();
    for (const auto& s : seeds(graph, from, Direction::forward, options)) {
        search.add_source(s.state, s.offset_ds, s.tag, s.offset_m);
    }
    search.run();
    return complete_trip(graph, search, from, to, seeds(graph, to, Direction::reverse, options), options);
}

std::vector<Trip> travel_table(const RoadGraph& graph, std::span<const Snap> sources, std::span<const Snap> targets,
                               const AccessOptions& options, int threads) {
    std::vector<Trip> out(sources.size() * targets.size());
    // Search from the smaller side: 1 M sources x 1 target is one reverse search, not 1 M.
    const bool from_targets = targets.size() < sources.size();
    const auto searched = from_targets ? targets : sources;
    const auto looked_up = from_targets ? sources : targets;
    const Direction direction = from_targets ? Direction::reverse : Direction::forward;
    const Direction lookup_direction = from_targets ? Direction::forward : Direction::reverse;
    std::vector<std::vector<SourceSet::Source>> lookup_seeds(looked_up.size());
    for (std::size_t j = 0; j < looked_up.size(); ++j) {
        lookup_seeds[j] = seeds(graph, looked_up[j], lookup_direction, options);
    }
    const int threads_used = proxima::thread_count(threads);
#pragma omp parallel num_threads(threads_used)
    {
        MultiSourceDijkstra search(graph, direction);
#pragma omp for schedule(dynamic, 1)
        for (std::size_t i = 0; i < searched.size(); ++i) {
            search.reset();
            for (const auto& s : seeds(graph, searched[i], direction, options)) {
                search.add_source(s.state, s.offset_ds, s.tag, s.offset_m);
            }
            search.run();
            for (std::size_t j = 0; j < looked_up.size(); ++j) {
                const Snap& from = from_targets ? looked_up[j] : searched[i];
                const Snap& to = from_targets ? searched[i] : looked_up[j];
                const std::size_t cell = from_targets ? j * targets.size() + i : i * targets.size() + j;
                out[cell] = complete_trip(graph, search, from, to, lookup_seeds[j], options);
            }
        }
    }
    return out;
}

} // namespace proxima
