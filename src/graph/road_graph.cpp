#include "proxima/graph/road_graph.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <optional>
#include <string>
#include <tuple>

#include <fmt/format.h>

#include "proxima/core/error.hpp"

namespace proxima {

RoadGraph::RoadGraph(Arrays arrays, GraphProvenance provenance)
    : m(std::move(arrays)), m_provenance(std::move(provenance)) {
    validate();
}

NodeId RoadGraph::tail(ArcId a) const {
    const auto it = std::upper_bound(m.first_out.begin(), m.first_out.end(), to_index(a));
    return NodeId{static_cast<std::uint32_t>(it - m.first_out.begin() - 1)};
}

namespace {
/// The shape-point slice of edge `e` in a per-point array.
template <typename T>
std::span<const T> edge_slice(const std::vector<T>& per_point, const std::vector<std::uint32_t>& first, EdgeId e) {
    const auto b = first[to_index(e)];
    return std::span<const T>(per_point).subspan(b, first[to_index(e) + 1] - b);
}
} // namespace

std::span<const LonLat> RoadGraph::edge_points(EdgeId e) const { return edge_slice(m.points, m.edge_first_point, e); }
std::span<const float> RoadGraph::edge_point_m(EdgeId e) const { return edge_slice(m.point_m, m.edge_first_point, e); }
std::span<const float> RoadGraph::edge_point_fwd_ds(EdgeId e) const {
    return edge_slice(m.point_fwd_ds, m.edge_first_point, e);
}
std::span<const float> RoadGraph::edge_point_bwd_ds(EdgeId e) const {
    return edge_slice(m.point_bwd_ds, m.edge_first_point, e);
}
float RoadGraph::edge_length_m(EdgeId e) const { return m.point_m[m.edge_first_point[to_index(e) + 1] - 1]; }

std::int64_t RoadGraph::segment_way_id(EdgeId e, std::uint32_t segment) const {
    const auto b = m.run_first_segment.begin() + m.edge_first_run[to_index(e)];
    const auto end = m.run_first_segment.begin() + m.edge_first_run[to_index(e) + 1];
    // The last run starting at or before the segment.
    const auto it = std::upper_bound(b, end, segment);
    return m.run_way_id[static_cast<std::size_t>(std::max(it - 1, b) - m.run_first_segment.begin())];
}

std::size_t RoadGraph::memory_bytes() const noexcept {
    auto bytes = [](const auto& v) { return v.size() * sizeof(v[0]); };
    return bytes(m.first_out) + bytes(m.head) + bytes(m.travel_ds) + bytes(m.length_m) + bytes(m.arc_edge) +
           bytes(m.first_in) + bytes(m.tail_in) + bytes(m.in_arc) + bytes(m.in_travel_ds) +
           bytes(m.node_coord) + bytes(m.edge_first_point) + bytes(m.points) + bytes(m.point_m) +
           bytes(m.point_fwd_ds) + bytes(m.point_bwd_ds) + bytes(m.edge_arc) + bytes(m.edge_way_id) + bytes(m.edge_flags) +
           bytes(m.edge_first_run) + bytes(m.run_first_segment) + bytes(m.run_way_id) + bytes(m.state_arc) +
           bytes(m.arc_first_copy) + bytes(m.copy_state) + bytes(m.first_transition) + bytes(m.transition_head) +
           bytes(m.transition_ds) + bytes(m.first_in_transition) + bytes(m.in_transition_tail) +
           bytes(m.in_transition_ds) + (m_hierarchy ? m_hierarchy->memory_bytes() : 0);
}

void RoadGraph::set_hierarchy(std::optional<StateHierarchy> hierarchy) {
    if (hierarchy) {
        hierarchy->validate(state_count());
    }
    m_hierarchy = std::move(hierarchy);
}

namespace {

[[noreturn]] void broken(const std::string& what) {
    throw CacheError("road graph is inconsistent: " + what +
                     " (the graph file is corrupt or was written by a faulty build; rebuild it with "
                     "'proxima build-graph')");
}

/// Throws broken() for the first item of [0, n) that `problem` finds wrong (`problem(i)`: what is
/// wrong with item i, nullopt when nothing). The items are checked on every thread by fixed
/// blocks (a graph file of France holds hundreds of millions of them), and the item named is the
/// one a loop from 0 would name.
template <class Problem>
void check_each(std::size_t n, const Problem& problem) {
    constexpr std::size_t block = std::size_t{1} << 16;
    const std::size_t blocks = (n + block - 1) / block;
    std::atomic<std::size_t> first{n};
#pragma omp parallel for schedule(dynamic, 1)
    for (std::size_t b = 0; b < blocks; ++b) {
        const std::size_t end = std::min(n, (b + 1) * block);
        for (std::size_t i = b * block; i < end && i < first.load(std::memory_order_relaxed); ++i) {
            if (problem(i)) {
                std::size_t seen = first.load(std::memory_order_relaxed);
                while (i < seen && !first.compare_exchange_weak(seen, i, std::memory_order_relaxed)) {
                }
                break;
            }
        }
    }
    if (first < n) {
        broken(*problem(first));
    }
}

void check_csr(const std::vector<std::uint32_t>& first, const std::vector<std::uint32_t>& target,
               std::size_t node_count, const char* name) {
    if (first.size() != node_count + 1) {
        broken(fmt::format("{} has {} entries, expected node count + 1 = {}", name, first.size(), node_count + 1));
    }
    if (first.front() != 0 || first.back() != target.size()) {
        broken(fmt::format("{} does not span the {} arcs", name, target.size()));
    }
    check_each(first.size() - 1, [&](std::size_t i) -> std::optional<std::string> {
        if (first[i] > first[i + 1]) {
            return fmt::format("{} decreases at node {}", name, i);
        }
        return std::nullopt;
    });
    check_each(target.size(), [&](std::size_t a) -> std::optional<std::string> {
        if (target[a] >= node_count) {
            return fmt::format("{}: arc slot {} points to node {} of {}", name, a, target[a], node_count);
        }
        return std::nullopt;
    });
}

bool same_point(const LonLat& a, const LonLat& b) {
    return std::abs(a.lon - b.lon) < 1e-9 && std::abs(a.lat - b.lat) < 1e-9;
}

} // namespace

void RoadGraph::validate() const {
    const std::size_t n = m.node_coord.size();
    const std::size_t arcs = m.head.size();
    check_csr(m.first_out, m.head, n, "first_out/head");
    check_csr(m.first_in, m.tail_in, n, "first_in/tail_in");
    if (m.travel_ds.size() != arcs || m.length_m.size() != arcs || m.arc_edge.size() != arcs ||
        m.in_arc.size() != arcs || m.in_travel_ds.size() != arcs || m.tail_in.size() != arcs) {
        broken("per-arc arrays have different sizes");
    }
    // The first reverse slot naming an arc an earlier slot named (one thread: marks), then every
    // slot checked on every thread; the slot named is the first broken, as in one loop.
    std::size_t repeated = arcs;
    {
        std::vector<std::uint8_t> seen(arcs, 0);
        for (std::size_t i = 0; i < arcs && repeated == arcs; ++i) {
            const auto a = m.in_arc[i];
            if (a < arcs) {
                repeated = seen[a] != 0 ? i : arcs;
                seen[a] = 1;
            }
        }
    }
    check_each(n, [&](std::size_t v) -> std::optional<std::string> {
        for (auto i = m.first_in[v]; i < m.first_in[v + 1]; ++i) {
            const auto a = m.in_arc[i];
            if (a >= arcs || i == repeated) {
                return fmt::format("reverse slot {} names arc {} twice or out of range", i, a);
            }
            if (m.head[a] != v || tail(ArcId{a}) != NodeId{m.tail_in[i]} || m.in_travel_ds[i] != m.travel_ds[a]) {
                return fmt::format("reverse slot {} does not mirror arc {}", i, a);
            }
        }
        return std::nullopt;
    });
    const std::size_t edges = edge_count();
    if (m.edge_first_point.empty() || m.edge_first_point.front() != 0 || m.edge_first_point.back() != m.points.size() ||
        m.point_m.size() != m.points.size() || m.point_fwd_ds.size() != m.points.size() ||
        m.point_bwd_ds.size() != m.points.size() || m.edge_arc.size() != 2 * edges || m.edge_way_id.size() != edges ||
        m.edge_flags.size() != edges) {
        broken("edge arrays have inconsistent sizes");
    }
    check_each(edges, [&](std::size_t e) -> std::optional<std::string> {
        if (m.edge_first_point[e + 1] < m.edge_first_point[e] || m.edge_first_point[e + 1] > m.points.size()) {
            return fmt::format("edge {} has its shape points out of order", e);
        }
        return std::nullopt;
    });
    auto valid_position = [](const LonLat& p) {
        return std::isfinite(p.lon) && std::isfinite(p.lat) && p.lon >= -180 && p.lon <= 180 && p.lat >= -90 &&
               p.lat <= 90;
    };
    check_each(n, [&](std::size_t v) -> std::optional<std::string> {
        if (!valid_position(m.node_coord[v])) {
            return fmt::format("node {} has no valid WGS84 position", v);
        }
        return std::nullopt;
    });
    check_each(m.points.size(), [&](std::size_t p) -> std::optional<std::string> {
        if (!valid_position(m.points[p]) || !std::isfinite(m.point_m[p]) || !std::isfinite(m.point_fwd_ds[p]) ||
            !std::isfinite(m.point_bwd_ds[p])) {
            return fmt::format("shape point {} has no valid position or offset", p);
        }
        return std::nullopt;
    });
    check_each(arcs, [&](std::size_t a) -> std::optional<std::string> {
        if (!(m.length_m[a] >= 0.0F) || !std::isfinite(m.length_m[a])) {
            return fmt::format("arc {} has length {} m", a, m.length_m[a]);
        }
        return std::nullopt;
    });
    check_each(edges, [&](std::size_t e) -> std::optional<std::string> {
        const auto b = m.edge_first_point[e];
        const auto end = m.edge_first_point[e + 1];
        if (end < b + 2) {
            return fmt::format("edge {} has fewer than two shape points", e);
        }
        if (m.point_m[b] != 0.0F || m.point_fwd_ds[b] != 0.0F || m.point_bwd_ds[b] != 0.0F) {
            return fmt::format("edge {} does not start at offset 0", e);
        }
        for (auto p = b + 1; p < end; ++p) {
            if (m.point_m[p] < m.point_m[p - 1] || m.point_fwd_ds[p] < m.point_fwd_ds[p - 1] ||
                m.point_bwd_ds[p] < m.point_bwd_ds[p - 1]) {
                return fmt::format("edge {} has decreasing cumulative offsets", e);
            }
        }
        for (int dir = 0; dir < 2; ++dir) {
            const auto a = m.edge_arc[2 * e + dir];
            if (a == invalid_index) {
                continue;
            }
            if (a >= arcs || m.arc_edge[a] != 2 * e + dir) {
                return fmt::format("edge {} and arc {} do not point to each other", e, a);
            }
            const LonLat& first = m.points[b];
            const LonLat& last = m.points[end - 1];
            const LonLat& from = dir == 0 ? first : last;
            const LonLat& to = dir == 0 ? last : first;
            if (!same_point(m.node_coord[to_index(tail(ArcId{a}))], from) || !same_point(m.node_coord[m.head[a]], to)) {
                return fmt::format("arc {} does not start and end where edge {} does", a, e);
            }
            const float total = dir == 0 ? m.point_fwd_ds[end - 1] : m.point_bwd_ds[end - 1];
            // Cumulative times are floats: allow their rounding (one part in a million) on long arcs.
            const double tolerance = std::max(1.0, static_cast<double>(total) * 1e-6);
            if (!std::isfinite(total) ||
                std::abs(static_cast<double>(m.travel_ds[a]) - std::round(total)) > tolerance ||
                m.travel_ds[a] > max_arc_ds) {
                return fmt::format("arc {} time {} ds disagrees with its edge ({} ds)", a, m.travel_ds[a], total);
            }
        }
        return std::nullopt;
    });
    check_each(arcs, [&](std::size_t a) -> std::optional<std::string> {
        const auto code = m.arc_edge[a];
        if ((code >> 1) >= edges || m.edge_arc[code] != a) {
            return fmt::format("arc {} names edge slot {} which does not name it back", a, code);
        }
        return std::nullopt;
    });
    validate_way_runs();
    validate_search_graph();
}

void RoadGraph::validate_way_runs() const {
    const std::size_t edges = edge_count();
    if (m.edge_first_run.size() != edges + 1 || m.edge_first_run.front() != 0 ||
        m.edge_first_run.back() != m.run_first_segment.size() || m.run_way_id.size() != m.run_first_segment.size()) {
        broken("way runs have inconsistent sizes");
    }
    check_each(edges, [&](std::size_t e) -> std::optional<std::string> {  // before any index is read through these offsets
        if (m.edge_first_run[e] > m.edge_first_run[e + 1]) {
            return fmt::format("edge {} has its way runs out of order", e);
        }
        return std::nullopt;
    });
    check_each(edges, [&](std::size_t e) -> std::optional<std::string> {
        const auto b = m.edge_first_run[e];
        const auto end = m.edge_first_run[e + 1];
        const auto segments = m.edge_first_point[e + 1] - m.edge_first_point[e] - 1;
        if (end <= b || m.run_first_segment[b] != 0) {
            return fmt::format("edge {} has no way run starting at its first segment", e);
        }
        for (auto r = b + 1; r < end; ++r) {
            if (m.run_first_segment[r] <= m.run_first_segment[r - 1] || m.run_first_segment[r] >= segments) {
                return fmt::format("edge {} has way runs out of order", e);
            }
        }
        return std::nullopt;
    });
}

void RoadGraph::validate_search_graph() const {
    const std::size_t arcs = m.head.size();
    const std::size_t states = m.state_arc.size();
    if (states < arcs || m.arc_first_copy.size() != arcs + 1 || m.arc_first_copy.front() != 0 ||
        m.arc_first_copy.back() != m.copy_state.size() || m.copy_state.size() != states - arcs) {
        broken("the search graph's state arrays have inconsistent sizes");
    }
    check_each(states, [&](std::size_t s) -> std::optional<std::string> {
        if (s < arcs ? m.state_arc[s] != s : m.state_arc[s] >= arcs) {
            return fmt::format("state {} names arc {}", s, m.state_arc[s]);
        }
        return std::nullopt;
    });
    check_each(arcs, [&](std::size_t a) -> std::optional<std::string> {  // before any index is read through these offsets
        if (m.arc_first_copy[a] > m.arc_first_copy[a + 1]) {
            return "the copies of arcs are out of order";
        }
        return std::nullopt;
    });
    std::vector<std::uint8_t> listed(states - arcs, 0);
    for (std::size_t a = 0; a < arcs; ++a) {
        for (auto i = m.arc_first_copy[a]; i < m.arc_first_copy[a + 1]; ++i) {
            const auto c = m.copy_state[i];
            if (c < arcs || c >= states || m.state_arc[c] != a || listed[c - arcs] != 0) {
                broken(fmt::format("copy {} of arc {} is not a copy of it", c, a));
            }
            listed[c - arcs] = 1;
        }
    }
    check_csr(m.first_transition, m.transition_head, states, "first_transition/transition_head");
    check_csr(m.first_in_transition, m.in_transition_tail, states, "first_in_transition/in_transition_tail");
    const std::size_t transitions = m.transition_head.size();
    if (m.transition_ds.size() != transitions || m.in_transition_tail.size() != transitions ||
        m.in_transition_ds.size() != transitions) {
        broken("per-transition arrays have different sizes");
    }
    check_each(states, [&](std::size_t s) -> std::optional<std::string> {
        const auto arc = m.state_arc[s];
        for (auto i = m.first_transition[s]; i < m.first_transition[s + 1]; ++i) {
            const auto t = m.transition_head[i];
            if (m.head[arc] != to_index(tail(ArcId{m.state_arc[t]}))) {
                return fmt::format("transition {} -> {} does not join arc {} to arc {}", s, t, arc, m.state_arc[t]);
            }
            if (m.transition_ds[i] < m.travel_ds[arc] || m.transition_ds[i] > max_arc_ds) {
                return fmt::format("transition {} -> {} weighs {} ds, less than its arc ({} ds) or too much", s, t,
                                   m.transition_ds[i], m.travel_ds[arc]);
            }
        }
        return std::nullopt;
    });
    // Transitions of a state lead to distinct states, sorted; the reverse CSR holds each of them
    // once (in-slots of a state sorted by source), with the same weight.
    check_each(states, [&](std::size_t st) -> std::optional<std::string> {
        for (auto i = m.first_transition[st] + 1; i < m.first_transition[st + 1]; ++i) {
            if (m.transition_head[i] <= m.transition_head[i - 1]) {
                return fmt::format("transitions of state {} are not sorted or repeat a target", st);
            }
        }
        for (auto i = m.first_in_transition[st] + 1; i < m.first_in_transition[st + 1]; ++i) {
            if (m.in_transition_tail[i] <= m.in_transition_tail[i - 1]) {
                return fmt::format("reverse transitions of state {} are not sorted or repeat a source", st);
            }
        }
        return std::nullopt;
    });
    check_each(states, [&](std::size_t t) -> std::optional<std::string> {
        for (auto i = m.first_in_transition[t]; i < m.first_in_transition[t + 1]; ++i) {
            const auto from = m.in_transition_tail[i];
            const auto* b = m.transition_head.data() + m.first_transition[from];
            const auto* e = m.transition_head.data() + m.first_transition[from + 1];
            const auto* it = std::lower_bound(b, e, static_cast<std::uint32_t>(t));
            if (it == e || *it != t || m.transition_ds[static_cast<std::size_t>(it - m.transition_head.data())] !=
                                           m.in_transition_ds[i]) {
                return fmt::format("reverse transition {} -> {} does not mirror a forward one", from, t);
            }
        }
        return std::nullopt;
    });
    // Equal counts, distinct pairs on both sides: the two CSRs hold the same transitions.
}

void build_reverse_csr(RoadGraph::Arrays& g) {
    const std::size_t n = g.first_out.size() - 1;
    const std::size_t arcs = g.head.size();
    g.first_in.assign(n + 1, 0);
    for (auto h : g.head) {
        ++g.first_in[h + 1];
    }
    std::partial_sum(g.first_in.begin(), g.first_in.end(), g.first_in.begin());
    g.tail_in.assign(arcs, 0);
    g.in_arc.assign(arcs, 0);
    g.in_travel_ds.assign(arcs, 0);
    std::vector<std::uint32_t> fill(g.first_in.begin(), g.first_in.end() - 1);
    // Visiting tails in increasing order keeps each node's in-arcs sorted by tail: deterministic.
    for (std::uint32_t u = 0; u < n; ++u) {
        for (auto a = g.first_out[u]; a < g.first_out[u + 1]; ++a) {
            const auto slot = fill[g.head[a]]++;
            g.tail_in[slot] = u;
            g.in_arc[slot] = a;
            g.in_travel_ds[slot] = g.travel_ds[a];
        }
    }
}

void build_search_graph(RoadGraph::Arrays& g, const std::vector<std::uint32_t>& copy_arc, std::vector<TurnSpec> turns) {
    const auto arcs = static_cast<std::uint32_t>(g.head.size());
    const auto states = static_cast<std::uint32_t>(arcs + copy_arc.size());
    g.state_arc.resize(states);
    std::iota(g.state_arc.begin(), g.state_arc.begin() + arcs, 0U);
    std::copy(copy_arc.begin(), copy_arc.end(), g.state_arc.begin() + arcs);
    // Copies by arc (CSR).
    g.arc_first_copy.assign(arcs + 1, 0);
    for (auto a : copy_arc) {
        ++g.arc_first_copy[a + 1];
    }
    std::partial_sum(g.arc_first_copy.begin(), g.arc_first_copy.end(), g.arc_first_copy.begin());
    g.copy_state.assign(copy_arc.size(), 0);
    {
        std::vector<std::uint32_t> fill(g.arc_first_copy.begin(), g.arc_first_copy.end() - 1);
        for (std::uint32_t i = 0; i < copy_arc.size(); ++i) {
            g.copy_state[fill[copy_arc[i]]++] = arcs + i;
        }
    }
    // Sorted by (from, to); a pair given twice keeps its cheaper turn.
    std::sort(turns.begin(), turns.end(), [](const TurnSpec& a, const TurnSpec& b) {
        return std::tie(a.from, a.to, a.turn_ds) < std::tie(b.from, b.to, b.turn_ds);
    });
    turns.erase(std::unique(turns.begin(), turns.end(),
                            [](const TurnSpec& a, const TurnSpec& b) { return a.from == b.from && a.to == b.to; }),
                turns.end());
    g.first_transition.assign(states + 1, 0);
    g.transition_head.clear();
    g.transition_ds.clear();
    g.transition_head.reserve(turns.size());
    g.transition_ds.reserve(turns.size());
    for (const auto& t : turns) {
        ++g.first_transition[t.from + 1];
        g.transition_head.push_back(t.to);
        const std::uint64_t w = std::uint64_t{g.travel_ds[g.state_arc[t.from]]} + t.turn_ds;
        g.transition_ds.push_back(static_cast<Deciseconds>(std::min<std::uint64_t>(w, max_arc_ds)));
    }
    std::partial_sum(g.first_transition.begin(), g.first_transition.end(), g.first_transition.begin());
    // Reverse: in-slots of each state sorted by source (sources visited in increasing order).
    g.first_in_transition.assign(states + 1, 0);
    for (auto t : g.transition_head) {
        ++g.first_in_transition[t + 1];
    }
    std::partial_sum(g.first_in_transition.begin(), g.first_in_transition.end(), g.first_in_transition.begin());
    g.in_transition_tail.assign(g.transition_head.size(), 0);
    g.in_transition_ds.assign(g.transition_head.size(), 0);
    std::vector<std::uint32_t> fill(g.first_in_transition.begin(), g.first_in_transition.end() - 1);
    for (std::uint32_t s = 0; s < states; ++s) {
        for (auto i = g.first_transition[s]; i < g.first_transition[s + 1]; ++i) {
            const auto slot = fill[g.transition_head[i]]++;
            g.in_transition_tail[slot] = s;
            g.in_transition_ds[slot] = g.transition_ds[i];
        }
    }
}

std::vector<TurnSpec> all_turns_free(const RoadGraph::Arrays& g) {
    std::vector<TurnSpec> turns;
    const std::size_t n = g.first_out.size() - 1;
    for (std::size_t v = 0; v < n; ++v) {
        for (auto i = g.first_in[v]; i < g.first_in[v + 1]; ++i) {
            for (auto b = g.first_out[v]; b < g.first_out[v + 1]; ++b) {
                turns.push_back({g.in_arc[i], b, 0});
            }
        }
    }
    return turns;
}

void single_way_runs(RoadGraph::Arrays& g) {
    const std::size_t edges = g.edge_first_point.empty() ? 0 : g.edge_first_point.size() - 1;
    g.edge_first_run.resize(edges + 1);
    std::iota(g.edge_first_run.begin(), g.edge_first_run.end(), 0U);
    g.run_first_segment.assign(edges, 0);
    g.run_way_id = g.edge_way_id;
}

RoadGraph graph_from_arcs(std::vector<LonLat> node_coords, const std::vector<ArcSpec>& arcs) {
    RoadGraph::Arrays g;
    const auto n = node_coords.size();
    std::vector<std::uint32_t> order(arcs.size());
    std::iota(order.begin(), order.end(), 0U);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return arcs[a].tail < arcs[b].tail; });
    g.first_out.assign(n + 1, 0);
    for (const auto& a : arcs) {
        if (a.tail >= n || a.head >= n) {
            throw Error(fmt::format("graph_from_arcs: arc {}->{} outside {} nodes", a.tail, a.head, n));
        }
        ++g.first_out[a.tail + 1];
    }
    std::partial_sum(g.first_out.begin(), g.first_out.end(), g.first_out.begin());
    g.edge_first_point.push_back(0);
    for (std::uint32_t id = 0; id < order.size(); ++id) {
        const auto& a = arcs[order[id]];
        g.head.push_back(a.head);
        g.travel_ds.push_back(a.travel_ds);
        g.length_m.push_back(a.length_m);
        g.arc_edge.push_back(2 * id);
        g.points.push_back(node_coords[a.tail]);
        g.points.push_back(node_coords[a.head]);
        g.point_m.insert(g.point_m.end(), {0.0F, a.length_m});
        g.point_fwd_ds.insert(g.point_fwd_ds.end(), {0.0F, static_cast<float>(a.travel_ds)});
        g.point_bwd_ds.insert(g.point_bwd_ds.end(), {0.0F, static_cast<float>(a.travel_ds)});
        g.edge_first_point.push_back(static_cast<std::uint32_t>(g.points.size()));
        g.edge_arc.push_back(id);
        g.edge_arc.push_back(invalid_index);
        g.edge_way_id.push_back(-1);
        g.edge_flags.push_back(0);
    }
    g.node_coord = std::move(node_coords);
    build_reverse_csr(g);
    single_way_runs(g);
    build_search_graph(g, {}, all_turns_free(g));
    return RoadGraph(std::move(g));
}

} // namespace proxima
