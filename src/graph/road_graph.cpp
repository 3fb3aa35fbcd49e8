#include "proxima/graph/road_graph.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

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

std::size_t RoadGraph::memory_bytes() const noexcept {
    auto bytes = [](const auto& v) { return v.size() * sizeof(v[0]); };
    return bytes(m.first_out) + bytes(m.head) + bytes(m.travel_ds) + bytes(m.length_m) + bytes(m.arc_edge) +
           bytes(m.first_in) + bytes(m.tail_in) + bytes(m.in_arc) + bytes(m.in_travel_ds) +
           bytes(m.node_coord) + bytes(m.edge_first_point) + bytes(m.points) + bytes(m.point_m) +
           bytes(m.point_fwd_ds) + bytes(m.point_bwd_ds) + bytes(m.edge_arc) + bytes(m.edge_way_id);
}

namespace {

[[noreturn]] void broken(const std::string& what) {
    throw CacheError("road graph is inconsistent: " + what +
                     " (the graph file is corrupt or was written by a faulty build; rebuild it with "
                     "'proxima build-graph')");
}

void check_csr(const std::vector<std::uint32_t>& first, const std::vector<std::uint32_t>& target,
               std::size_t node_count, const char* name) {
    if (first.size() != node_count + 1) {
        broken(fmt::format("{} has {} entries, expected node count + 1 = {}", name, first.size(), node_count + 1));
    }
    if (first.front() != 0 || first.back() != target.size()) {
        broken(fmt::format("{} does not span the {} arcs", name, target.size()));
    }
    for (std::size_t i = 0; i + 1 < first.size(); ++i) {
        if (first[i] > first[i + 1]) {
            broken(fmt::format("{} decreases at node {}", name, i));
        }
    }
    for (std::size_t a = 0; a < target.size(); ++a) {
        if (target[a] >= node_count) {
            broken(fmt::format("{}: arc slot {} points to node {} of {}", name, a, target[a], node_count));
        }
    }
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
    std::vector<std::uint8_t> seen(arcs, 0);
    for (std::size_t v = 0; v < n; ++v) {
        for (auto i = m.first_in[v]; i < m.first_in[v + 1]; ++i) {
            const auto a = m.in_arc[i];
            if (a >= arcs || seen[a]) {
                broken(fmt::format("reverse slot {} names arc {} twice or out of range", i, a));
            }
            seen[a] = 1;
            if (m.head[a] != v || tail(ArcId{a}) != NodeId{m.tail_in[i]} || m.in_travel_ds[i] != m.travel_ds[a]) {
                broken(fmt::format("reverse slot {} does not mirror arc {}", i, a));
            }
        }
    }
    const std::size_t edges = edge_count();
    if (m.edge_first_point.empty() || m.edge_first_point.front() != 0 || m.edge_first_point.back() != m.points.size() ||
        m.point_m.size() != m.points.size() || m.point_fwd_ds.size() != m.points.size() ||
        m.point_bwd_ds.size() != m.points.size() || m.edge_arc.size() != 2 * edges || m.edge_way_id.size() != edges) {
        broken("edge arrays have inconsistent sizes");
    }
    for (std::size_t e = 0; e < edges; ++e) {
        if (m.edge_first_point[e + 1] < m.edge_first_point[e] || m.edge_first_point[e + 1] > m.points.size()) {
            broken(fmt::format("edge {} has its shape points out of order", e));
        }
    }
    auto valid_position = [](const LonLat& p) {
        return std::isfinite(p.lon) && std::isfinite(p.lat) && p.lon >= -180 && p.lon <= 180 && p.lat >= -90 &&
               p.lat <= 90;
    };
    for (std::size_t v = 0; v < n; ++v) {
        if (!valid_position(m.node_coord[v])) {
            broken(fmt::format("node {} has no valid WGS84 position", v));
        }
    }
    for (std::size_t p = 0; p < m.points.size(); ++p) {
        if (!valid_position(m.points[p]) || !std::isfinite(m.point_m[p]) || !std::isfinite(m.point_fwd_ds[p]) ||
            !std::isfinite(m.point_bwd_ds[p])) {
            broken(fmt::format("shape point {} has no valid position or offset", p));
        }
    }
    for (std::size_t a = 0; a < arcs; ++a) {
        if (!(m.length_m[a] >= 0.0F) || !std::isfinite(m.length_m[a])) {
            broken(fmt::format("arc {} has length {} m", a, m.length_m[a]));
        }
    }
    for (std::size_t e = 0; e < edges; ++e) {
        const auto b = m.edge_first_point[e];
        const auto end = m.edge_first_point[e + 1];
        if (end < b + 2) {
            broken(fmt::format("edge {} has fewer than two shape points", e));
        }
        if (m.point_m[b] != 0.0F || m.point_fwd_ds[b] != 0.0F || m.point_bwd_ds[b] != 0.0F) {
            broken(fmt::format("edge {} does not start at offset 0", e));
        }
        for (auto p = b + 1; p < end; ++p) {
            if (m.point_m[p] < m.point_m[p - 1] || m.point_fwd_ds[p] < m.point_fwd_ds[p - 1] ||
                m.point_bwd_ds[p] < m.point_bwd_ds[p - 1]) {
                broken(fmt::format("edge {} has decreasing cumulative offsets", e));
            }
        }
        for (int dir = 0; dir < 2; ++dir) {
            const auto a = m.edge_arc[2 * e + dir];
            if (a == invalid_index) {
                continue;
            }
            if (a >= arcs || m.arc_edge[a] != 2 * e + dir) {
                broken(fmt::format("edge {} and arc {} do not point to each other", e, a));
            }
            const LonLat& first = m.points[b];
            const LonLat& last = m.points[end - 1];
            const LonLat& from = dir == 0 ? first : last;
            const LonLat& to = dir == 0 ? last : first;
            if (!same_point(m.node_coord[to_index(tail(ArcId{a}))], from) || !same_point(m.node_coord[m.head[a]], to)) {
                broken(fmt::format("arc {} does not start and end where edge {} does", a, e));
            }
            const float total = dir == 0 ? m.point_fwd_ds[end - 1] : m.point_bwd_ds[end - 1];
            // Cumulative times are floats: allow their rounding (one part in a million) on long arcs.
            const double tolerance = std::max(1.0, static_cast<double>(total) * 1e-6);
            if (!std::isfinite(total) ||
                std::abs(static_cast<double>(m.travel_ds[a]) - std::round(total)) > tolerance ||
                m.travel_ds[a] > max_arc_ds) {
                broken(fmt::format("arc {} time {} ds disagrees with its edge ({} ds)", a, m.travel_ds[a], total));
            }
        }
    }
    for (std::size_t a = 0; a < arcs; ++a) {
        const auto code = m.arc_edge[a];
        if ((code >> 1) >= edges || m.edge_arc[code] != a) {
            broken(fmt::format("arc {} names edge slot {} which does not name it back", a, code));
        }
    }
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
    }
    g.node_coord = std::move(node_coords);
    build_reverse_csr(g);
    return RoadGraph(std::move(g));
}

} // namespace proxima
