#include "proxima/routing/snap.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include <omp.h>

namespace proxima {

namespace {
std::atomic<std::size_t> index_build_count{0};

/// Squared distance from q to segment [a, b] and the position t (0..1) of the nearest point.
struct SegmentDistance {
    double d2;
    double t;
};
SegmentDistance segment_distance(XY q, XY a, XY b) {
    const double dx = b.x - a.x;
    const double dy = b.y - a.y;
    const double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((q.x - a.x) * dx + (q.y - a.y) * dy) / len2 : 0.0;
    t = std::clamp(t, 0.0, 1.0);
    const double px = a.x + t * dx - q.x;
    const double py = a.y + t * dy - q.y;
    return {px * px + py * py, t};
}

/// Squared distances closer than this are a tie, broken by the lower shape point.
constexpr double tie_d2 = 1e-9;
} // namespace

/// A uniform grid of square cells over the indexed segments: each cell lists (ascending) the
/// segments that pass through it. A nearest query visits rings of cells around the point and
/// stops as soon as the next ring cannot hold anything nearer. Pixels of a raster are snapped by
/// the million: a query touches a few cells on flat arrays, with no allocation, where a k-nearest
/// R-tree search walked a tree and sorted candidates.
struct EdgeSnapper::Index {
    double x0 = 0.0, y0 = 0.0;  ///< lower-left corner of cell (0, 0)
    double cell = 1.0;          ///< side, metres
    std::int64_t nx = 0, ny = 0;
    std::vector<std::uint32_t> cell_first;  ///< CSR offsets, nx * ny + 1
    std::vector<std::uint32_t> entries;     ///< first shape point of each segment, per cell
    std::vector<std::uint32_t> point_edge;  ///< shape point -> edge (invalid_index: not indexed)
    /// Per cell, how many rings around it hold no segment (its chessboard distance, in cells, to
    /// the nearest cell that holds one; at most 255): a point there starts its search beyond
    /// them. Pixels far from any road (mountains, forests, lakes) otherwise visit every cell of
    /// every empty ring.
    std::vector<std::uint8_t> empty_rings;
};

namespace {

/// Two passes of the 3 x 3 chessboard distance transform (exact for that distance).
std::vector<std::uint8_t> empty_rings_of(const std::vector<std::uint32_t>& cell_first, std::int64_t nx, std::int64_t ny) {
    constexpr int cap = 255;
    std::vector<int> d(static_cast<std::size_t>(nx * ny), cap);
    const auto at = [&](std::int64_t x, std::int64_t y) -> int& { return d[static_cast<std::size_t>(y * nx + x)]; };
    for (std::int64_t c = 0; c < nx * ny; ++c) {
        if (cell_first[static_cast<std::size_t>(c)] != cell_first[static_cast<std::size_t>(c) + 1]) {
            d[static_cast<std::size_t>(c)] = 0;
        }
    }
    for (std::int64_t y = 0; y < ny; ++y) {
        for (std::int64_t x = 0; x < nx; ++x) {
            int v = at(x, y);
            if (x > 0) {
                v = std::min(v, at(x - 1, y) + 1);
            }
            if (y > 0) {
                v = std::min(v, at(x, y - 1) + 1);
                if (x > 0) {
                    v = std::min(v, at(x - 1, y - 1) + 1);
                }
                if (x + 1 < nx) {
                    v = std::min(v, at(x + 1, y - 1) + 1);
                }
            }
            at(x, y) = v;
        }
    }
    for (std::int64_t y = ny - 1; y >= 0; --y) {
        for (std::int64_t x = nx - 1; x >= 0; --x) {
            int v = at(x, y);
            if (x + 1 < nx) {
                v = std::min(v, at(x + 1, y) + 1);
            }
            if (y + 1 < ny) {
                v = std::min(v, at(x, y + 1) + 1);
                if (x + 1 < nx) {
                    v = std::min(v, at(x + 1, y + 1) + 1);
                }
                if (x > 0) {
                    v = std::min(v, at(x - 1, y + 1) + 1);
                }
            }
            at(x, y) = v;
        }
    }
    std::vector<std::uint8_t> out(d.size());
    std::transform(d.begin(), d.end(), out.begin(), [](int v) { return static_cast<std::uint8_t>(std::min(v, 255)); });
    return out;
}

} // namespace

EdgeSnapper::EdgeSnapper(const RoadGraph& graph)
    : m_graph(graph), m_projection(bbox_centre(graph.node_coords())), m_index(std::make_unique<Index>()) {
    const auto& g = graph.arrays();
    m_points_xy = m_projection.forward(g.points);
    Index& ix = *m_index;
    ix.point_edge.assign(g.points.size(), invalid_index);
    // The segments, their box and total length, by blocks of edges on every thread. The blocks
    // are fixed (not one per thread) and merged in order: the same sum, hence the same grid, on
    // any number of threads.
    struct EdgeBlock {
        std::vector<std::uint32_t> segments;  // first shape point of each indexed segment, ascending
        double xmin = std::numeric_limits<double>::max(), ymin = xmin;
        double xmax = std::numeric_limits<double>::lowest(), ymax = xmax;
        double length = 0.0;
    };
    constexpr std::uint32_t edges_per_block = 1U << 16;
    const std::uint32_t edge_count = graph.edge_count();
    std::vector<EdgeBlock> blocks((edge_count + edges_per_block - 1) / edges_per_block);
#pragma omp parallel for schedule(dynamic, 1)
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        EdgeBlock& k = blocks[b];
        const auto first = static_cast<std::uint32_t>(b * edges_per_block);
        const std::uint32_t last = std::min(edge_count, first + edges_per_block);
        for (std::uint32_t e = first; e < last; ++e) {
            if (!graph.snappable(EdgeId{e})) {
                continue;  // a ferry or a car train: trips neither start nor end there
            }
            for (auto p = g.edge_first_point[e]; p + 1 < g.edge_first_point[e + 1]; ++p) {
                ix.point_edge[p] = e;
                k.segments.push_back(p);
                for (const XY& v : {m_points_xy[p], m_points_xy[p + 1]}) {
                    k.xmin = std::min(k.xmin, v.x);
                    k.ymin = std::min(k.ymin, v.y);
                    k.xmax = std::max(k.xmax, v.x);
                    k.ymax = std::max(k.ymax, v.y);
                }
                k.length += std::hypot(m_points_xy[p + 1].x - m_points_xy[p].x, m_points_xy[p + 1].y - m_points_xy[p].y);
            }
        }
    }
    std::vector<std::uint32_t> segments;  // first shape point of each indexed segment, ascending
    double xmin = std::numeric_limits<double>::max(), ymin = xmin;
    double xmax = std::numeric_limits<double>::lowest(), ymax = xmax;
    double length = 0.0;
    std::size_t segment_count = 0;
    for (const EdgeBlock& k : blocks) {
        segment_count += k.segments.size();
    }
    segments.reserve(segment_count);
    for (EdgeBlock& k : blocks) {
        segments.insert(segments.end(), k.segments.begin(), k.segments.end());
        std::vector<std::uint32_t>().swap(k.segments);
        xmin = std::min(xmin, k.xmin);
        ymin = std::min(ymin, k.ymin);
        xmax = std::max(xmax, k.xmax);
        ymax = std::max(ymax, k.ymax);
        length += k.length;
    }
    index_build_count.fetch_add(1, std::memory_order_relaxed);
    if (segments.empty()) {
        ix.cell_first.assign(1, 0);
        return;
    }
    // Cells about four times the mean segment length (at least 20 m), and never many more cells
    // than segments: a few segments per cell where the roads are, whatever the extent.
    const double w = std::max(xmax - xmin, 1.0);
    const double h = std::max(ymax - ymin, 1.0);
    const auto n = static_cast<double>(segments.size());
    double cell = std::max(20.0, 4.0 * length / n);
    cell = std::max(cell, std::sqrt(w * h / (4.0 * n + 1024.0)));
    ix.cell = cell;
    ix.x0 = xmin;
    ix.y0 = ymin;
    ix.nx = static_cast<std::int64_t>(std::floor(w / cell)) + 1;
    ix.ny = static_cast<std::int64_t>(std::floor(h / cell)) + 1;
    const auto cell_x = [&](double x) { return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((x - ix.x0) / cell)), 0, ix.nx - 1); };
    const auto cell_y = [&](double y) { return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((y - ix.y0) / cell)), 0, ix.ny - 1); };

    // A segment goes into every cell its pieces' boxes touch; pieces are at most a cell long, so
    // a long straight segment is not listed in the whole box it spans.
    const auto for_each_cell = [&](std::uint32_t p, std::vector<std::uint32_t>& cells_of, auto&& visit) {
        const XY a = m_points_xy[p];
        const XY b = m_points_xy[p + 1];
        const auto pieces = static_cast<int>(std::max(1.0, std::ceil(std::hypot(b.x - a.x, b.y - a.y) / cell)));
        cells_of.clear();
        for (int k = 0; k < pieces; ++k) {
            const double t0 = static_cast<double>(k) / pieces;
            const double t1 = static_cast<double>(k + 1) / pieces;
            const double ax = a.x + t0 * (b.x - a.x), ay = a.y + t0 * (b.y - a.y);
            const double bx = a.x + t1 * (b.x - a.x), by = a.y + t1 * (b.y - a.y);
            for (auto cy = cell_y(std::min(ay, by)); cy <= cell_y(std::max(ay, by)); ++cy) {
                for (auto cx = cell_x(std::min(ax, bx)); cx <= cell_x(std::max(ax, bx)); ++cx) {
                    cells_of.push_back(static_cast<std::uint32_t>(cy * ix.nx + cx));
                }
            }
        }
        std::sort(cells_of.begin(), cells_of.end());
        cells_of.erase(std::unique(cells_of.begin(), cells_of.end()), cells_of.end());
        for (const std::uint32_t c : cells_of) {
            visit(c);
        }
    };
    // Each thread takes a run of consecutive segments: it counts their cells, then writes them
    // where the runs before it end. Each cell's list stays ascending, as made by one thread.
    // Every run holds a count per cell (4 bytes; 154 M cells for the 100 M segments of an 18 M-node
    // graph): at most 4 runs, not one per core of a large server.
    constexpr std::int64_t max_runs = 4;
    const auto cells = static_cast<std::size_t>(ix.nx * ix.ny);
    const auto runs = static_cast<std::size_t>(std::clamp<std::int64_t>(
        static_cast<std::int64_t>(segments.size() / 100'000), 1, std::min<std::int64_t>(max_runs, omp_get_max_threads())));
    const auto run_of = [&](std::size_t r) {
        return std::make_pair(segments.size() * r / runs, segments.size() * (r + 1) / runs);
    };
    std::vector<std::vector<std::uint32_t>> at(runs);  // per run and cell: its count, then where it writes
#pragma omp parallel for schedule(static, 1) num_threads(static_cast<int>(runs))
    for (std::size_t r = 0; r < runs; ++r) {
        at[r].assign(cells, 0);
        std::vector<std::uint32_t> scratch;
        const auto [from, to] = run_of(r);
        for (std::size_t i = from; i < to; ++i) {
            for_each_cell(segments[i], scratch, [&](std::uint32_t c) { ++at[r][c]; });
        }
    }
    ix.cell_first.assign(cells + 1, 0);
    for (std::size_t c = 0; c < cells; ++c) {
        std::uint32_t next = ix.cell_first[c];
        for (auto& run : at) {
            const std::uint32_t count = run[c];
            run[c] = next;
            next += count;
        }
        ix.cell_first[c + 1] = next;
    }
    ix.entries.resize(ix.cell_first.back());
#pragma omp parallel for schedule(static, 1) num_threads(static_cast<int>(runs))
    for (std::size_t r = 0; r < runs; ++r) {
        std::vector<std::uint32_t> scratch;
        const auto [from, to] = run_of(r);
        for (std::size_t i = from; i < to; ++i) {  // ascending: each cell's list stays sorted
            for_each_cell(segments[i], scratch, [&](std::uint32_t c) { ix.entries[at[r][c]++] = segments[i]; });
        }
        std::vector<std::uint32_t>().swap(at[r]);
    }
    ix.empty_rings = empty_rings_of(ix.cell_first, ix.nx, ix.ny);
}

EdgeSnapper::~EdgeSnapper() = default;

std::size_t EdgeSnapper::index_builds() { return index_build_count.load(std::memory_order_relaxed); }

std::optional<Snap> EdgeSnapper::snap(LonLat p, double max_distance_m) const {
    return snap_projected(m_projection.forward(p), max_distance_m);
}

std::vector<std::optional<Snap>> EdgeSnapper::snap_all(std::span<const LonLat> points, double max_distance_m) const {
    const auto xy = m_projection.forward(points);
    std::vector<std::optional<Snap>> out(points.size());
#pragma omp parallel for schedule(dynamic, 256)
    for (std::size_t i = 0; i < points.size(); ++i) {
        out[i] = snap_projected(xy[i], max_distance_m);
    }
    return out;
}

std::optional<Snap> EdgeSnapper::snap_projected(XY q, double max_distance_m) const {
    const Index& ix = *m_index;
    if (!std::isfinite(q.x) || !std::isfinite(q.y) || ix.entries.empty() || !(max_distance_m >= 0.0)) {
        return std::nullopt;
    }
    // Nothing is nearer than the grid's box.
    const double gx = std::max({ix.x0 - q.x, 0.0, q.x - (ix.x0 + static_cast<double>(ix.nx) * ix.cell)});
    const double gy = std::max({ix.y0 - q.y, 0.0, q.y - (ix.y0 + static_cast<double>(ix.ny) * ix.cell)});
    if (gx * gx + gy * gy > max_distance_m * max_distance_m) {
        return std::nullopt;
    }
    // The cell of q, outside the grid if q is: ring r holds the cells r steps away from it, and
    // any point of a cell of ring r + 1 or beyond is at least r cells' widths from q.
    // (Clamped far outside the grid, where the cell number would not fit an integer; the rings
    // in between hold nothing and are skipped.)
    const double far = 1e15;
    const auto qx = static_cast<std::int64_t>(std::clamp(std::floor((q.x - ix.x0) / ix.cell), -far, far));
    const auto qy = static_cast<std::int64_t>(std::clamp(std::floor((q.y - ix.y0) / ix.cell), -far, far));
    std::int64_t first_ring = std::max({std::int64_t{0}, -qx, qx - (ix.nx - 1), -qy, qy - (ix.ny - 1)});
    if (first_ring == 0) {
        // Rings 0 .. k - 1 around q's cell hold nothing. Ring k's cells are at least k - 1 cells
        // away: beyond the reach, nothing can be found (as the ring-by-ring search would stop).
        const std::int64_t k = ix.empty_rings[static_cast<std::size_t>(qy * ix.nx + qx)];
        if (static_cast<double>(k - 1) * ix.cell > max_distance_m) {
            return std::nullopt;
        }
        first_ring = k;
    }
    double best_d2 = std::numeric_limits<double>::max();
    double best_t = 0.0;
    std::uint32_t best_point = invalid_index;
    const auto visit_cell = [&](std::int64_t cx, std::int64_t cy) {
        const auto c = static_cast<std::size_t>(cy * ix.nx + cx);
        for (auto k = ix.cell_first[c]; k < ix.cell_first[c + 1]; ++k) {
            const std::uint32_t p = ix.entries[k];
            const SegmentDistance d = segment_distance(q, m_points_xy[p], m_points_xy[p + 1]);
            if (d.d2 < best_d2 - tie_d2 || (d.d2 <= best_d2 + tie_d2 && p < best_point)) {
                best_d2 = d.d2;
                best_t = d.t;
                best_point = p;
            }
        }
    };
    const auto visit_row = [&](std::int64_t cy, std::int64_t from, std::int64_t to) {
        if (cy < 0 || cy >= ix.ny) {
            return;
        }
        for (auto cx = std::max<std::int64_t>(from, 0); cx <= std::min(to, ix.nx - 1); ++cx) {
            visit_cell(cx, cy);
        }
    };
    const auto visit_column = [&](std::int64_t cx, std::int64_t from, std::int64_t to) {
        if (cx < 0 || cx >= ix.nx) {
            return;
        }
        for (auto cy = std::max<std::int64_t>(from, 0); cy <= std::min(to, ix.ny - 1); ++cy) {
            visit_cell(cx, cy);
        }
    };
    for (std::int64_t r = first_ring;; ++r) {
        if (r == 0) {
            visit_row(qy, qx, qx);
        } else {
            visit_row(qy - r, qx - r, qx + r);
            visit_row(qy + r, qx - r, qx + r);
            visit_column(qx - r, qy - r + 1, qy + r - 1);
            visit_column(qx + r, qy - r + 1, qy + r - 1);
        }
        // Nothing unvisited is nearer than the nearest side of the visited square that has cells
        // beyond it: at least r cells, and from the point's own place in its cell, often more
        // (a point whose road is nearer than its cell's sides is done after ring 0). Less a
        // micrometre, far above rounding: a segment exactly on that side is not taken as beyond.
        const double beyond = std::numeric_limits<double>::infinity();
        const double left = qx - r > 0 ? q.x - (ix.x0 + static_cast<double>(qx - r) * ix.cell) : beyond;
        const double right = qx + r < ix.nx - 1 ? ix.x0 + static_cast<double>(qx + r + 1) * ix.cell - q.x : beyond;
        const double below = qy - r > 0 ? q.y - (ix.y0 + static_cast<double>(qy - r) * ix.cell) : beyond;
        const double above = qy + r < ix.ny - 1 ? ix.y0 + static_cast<double>(qy + r + 1) * ix.cell - q.y : beyond;
        const double side = std::min({left, right, below, above});
        if (side == beyond) {
            break;  // the square covers the grid
        }
        const double reach = std::max(0.0, side - 1e-6);
        if (best_d2 + tie_d2 < reach * reach || reach > max_distance_m) {
            break;
        }
    }
    if (best_point == invalid_index || std::sqrt(best_d2) > max_distance_m) {
        return std::nullopt;
    }
    const auto& g = m_graph.arrays();
    const std::uint32_t p = best_point;
    const std::uint32_t edge = ix.point_edge[p];
    const double t = best_t;
    Snap s;
    s.edge = EdgeId{edge};
    s.segment = p - g.edge_first_point[edge];
    s.fraction = t;
    const LonLat& la = g.points[p];
    const LonLat& lb = g.points[p + 1];
    s.point = {la.lon + t * (lb.lon - la.lon), la.lat + t * (lb.lat - la.lat)};
    s.distance_m = std::sqrt(best_d2);
    const auto lerp = [&](const std::vector<float>& v) {
        return static_cast<double>(v[p]) + t * (static_cast<double>(v[p + 1]) - static_cast<double>(v[p]));
    };
    s.along_m = lerp(g.point_m);
    s.along_fwd_ds = lerp(g.point_fwd_ds);
    s.along_bwd_ds = lerp(g.point_bwd_ds);
    return s;
}

} // namespace proxima
