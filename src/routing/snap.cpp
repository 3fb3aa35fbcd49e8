#include "proxima/routing/snap.hpp"

#include <atomic>
#include <cmath>
#include <limits>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

namespace proxima {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {
using BgPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using BgSegment = bg::model::segment<BgPoint>;
/// value: segment and the index of its first shape point (global, into points)
using Value = std::pair<BgSegment, std::uint32_t>;
std::atomic<std::size_t> index_build_count{0};
} // namespace

struct EdgeSnapper::Index {
    bgi::rtree<Value, bgi::rstar<16>> tree;
    std::vector<std::uint32_t> point_edge;  ///< shape point -> edge
};

EdgeSnapper::EdgeSnapper(const RoadGraph& graph)
    : m_graph(graph), m_projection(bbox_centre(graph.node_coords())), m_index(std::make_unique<Index>()) {
    const auto& g = graph.arrays();
    m_points_xy = m_projection.forward(g.points);
    m_index->point_edge.assign(g.points.size(), invalid_index);
    std::vector<Value> values;
    values.reserve(g.points.size());
    for (std::uint32_t e = 0; e < graph.edge_count(); ++e) {
        if (!graph.snappable(EdgeId{e})) {
            continue;  // a ferry or a car train: trips neither start nor end there
        }
        for (auto p = g.edge_first_point[e]; p + 1 < g.edge_first_point[e + 1]; ++p) {
            m_index->point_edge[p] = e;
            values.emplace_back(BgSegment(BgPoint(m_points_xy[p].x, m_points_xy[p].y),
                                          BgPoint(m_points_xy[p + 1].x, m_points_xy[p + 1].y)),
                                p);
        }
    }
    m_index->tree = bgi::rtree<Value, bgi::rstar<16>>(values.begin(), values.end());  // bulk loading
    index_build_count.fetch_add(1, std::memory_order_relaxed);
}

EdgeSnapper::~EdgeSnapper() = default;

std::size_t EdgeSnapper::index_builds() { return index_build_count.load(std::memory_order_relaxed); }

std::optional<Snap> EdgeSnapper::snap(LonLat p, double max_distance_m) const {
    return snap_projected(m_projection.forward(p), max_distance_m);
}

std::vector<std::optional<Snap>> EdgeSnapper::snap_all(std::span<const LonLat> points, double max_distance_m) const {
    const auto xy = m_projection.forward(points);
    std::vector<std::optional<Snap>> out(points.size());
#pragma omp parallel for schedule(dynamic, 64)
    for (std::size_t i = 0; i < points.size(); ++i) {
        out[i] = snap_projected(xy[i], max_distance_m);
    }
    return out;
}

std::optional<Snap> EdgeSnapper::snap_projected(XY q, double max_distance_m) const {
    if (!std::isfinite(q.x) || !std::isfinite(q.y)) {
        return std::nullopt;
    }
    // The R-tree's k nearest by exact point-segment distance; several so that exact ties can be
    // broken by id rather than by tree layout.
    std::vector<Value> candidates;
    candidates.reserve(8);
    m_index->tree.query(bgi::nearest(BgPoint(q.x, q.y), 8), std::back_inserter(candidates));
    const auto& g = m_graph.arrays();
    std::optional<Snap> best;
    double best_d2 = std::numeric_limits<double>::max();
    std::uint32_t best_point = invalid_index;
    for (const auto& [segment, p] : candidates) {
        const XY a = m_points_xy[p];
        const XY b = m_points_xy[p + 1];
        const double dx = b.x - a.x;
        const double dy = b.y - a.y;
        const double len2 = dx * dx + dy * dy;
        double t = len2 > 0 ? ((q.x - a.x) * dx + (q.y - a.y) * dy) / len2 : 0.0;
        t = std::clamp(t, 0.0, 1.0);
        const double px = a.x + t * dx;
        const double py = a.y + t * dy;
        const double d2 = (q.x - px) * (q.x - px) + (q.y - py) * (q.y - py);
        const std::uint32_t edge = m_index->point_edge[p];
        const bool better = d2 < best_d2 - 1e-9 ||
                            (std::abs(d2 - best_d2) <= 1e-9 && (best_point == invalid_index || p < best_point));
        if (!better) {
            continue;
        }
        best_d2 = d2;
        best_point = p;
        Snap s;
        s.edge = EdgeId{edge};
        s.segment = p - g.edge_first_point[edge];
        s.fraction = t;
        const LonLat& la = g.points[p];
        const LonLat& lb = g.points[p + 1];
        s.point = {la.lon + t * (lb.lon - la.lon), la.lat + t * (lb.lat - la.lat)};
        s.distance_m = std::sqrt(d2);
        auto lerp = [&](const std::vector<float>& v) {
            return static_cast<double>(v[p]) + t * (static_cast<double>(v[p + 1]) - static_cast<double>(v[p]));
        };
        s.along_m = lerp(g.point_m);
        s.along_fwd_ds = lerp(g.point_fwd_ds);
        s.along_bwd_ds = lerp(g.point_bwd_ds);
        best = s;
    }
    if (!best || best->distance_m > max_distance_m) {
        return std::nullopt;
    }
    return best;
}

} // namespace proxima
