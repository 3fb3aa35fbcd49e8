#include "pixel_polygons.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <unordered_map>

#include "core/geos_reproject.hpp"

namespace proxima::detail {

double area_of(const Geos& geos, const GEOSGeometry* g) {
    double area = 0.0;
    if (GEOSArea_r(geos.ctx(), g, &area) == 0) {
        throw Error(fmt::format("GEOS failed to measure an area: {}", geos.last_error()));
    }
    return area;
}

namespace {

/// Walking directions along the grid lines, in turn order: a left turn is the next one.
enum Direction : unsigned char { east = 0, north = 1, west = 2, south = 3 };

constexpr Direction left_of(Direction d) { return static_cast<Direction>((d + 1) & 3); }
constexpr Direction right_of(Direction d) { return static_cast<Direction>((d + 3) & 3); }

/// The boundary of the selected pixels as rings on the grid lines, the selected side always on
/// the left (so an outer ring runs counter-clockwise, y up, and a hole clockwise), corners only.
class RingTracer {
public:
    /// `mask`: 0 or 1 per pixel. While tracing, a selected pixel whose top edge is on a traced
    /// ring is marked in the mask itself (bit `top_done`, the pixel stays non-zero): an array of
    /// its own was 8 MB to allocate and clear for each isochrone of a 1 M-node run, about 40 % of
    /// the isochrones' time in page faults and memset. The caller clears the marks.
    RingTracer(std::vector<unsigned char>& mask, int width, int height) : m_mask(mask), m_w(width), m_h(height) {}

    static constexpr unsigned char top_done = 2;

    struct Ring {
        std::vector<std::pair<int, int>> corners;  ///< grid-line vertices (column, row), not closed
        std::size_t pixel = 0;                     ///< a selected pixel on the ring's left
        double twice_area = 0;                     ///< in pixels², > 0 for an outer ring
    };

    /// Every ring, in the order of their first top edge in the raster (row by row).
    std::vector<Ring> trace() {
        std::vector<Ring> rings;
        const auto w = static_cast<std::size_t>(m_w);
        for (int r = 0; r < m_h; ++r) {
            unsigned char* row = m_mask.data() + static_cast<std::size_t>(r) * w;
            const unsigned char* above = r == 0 ? nullptr : row - w;
            // Eight pixels at a time: most of a surface's rows are long runs with no edge to start
            // from (the scan pixel by pixel was a quarter of the isochrones' time at 8 M pixels).
            // A ring traced from one pixel can mark the next ones: the word is read again after.
            std::size_t c = 0;
            if constexpr (std::endian::native == std::endian::little) {
                const auto word = [&](std::size_t at) {
                    for (std::uint64_t starts = start_bytes(row + at, above == nullptr ? nullptr : above + at);
                         starts != 0;) {
                        const auto k = static_cast<std::size_t>(std::countr_zero(starts) / 8);
                        trace_from(static_cast<int>(at + k) + 1, r, rings);  // along the pixel's top edge, westward
                        starts = start_bytes(row + at, above == nullptr ? nullptr : above + at) &
                                 ~((std::uint64_t{2} << (8 * k + 7)) - 1);  // the bytes after k
                    }
                };
                // 32 pixels at a time where none starts a ring (the word by word scan, with the
                // tracing call in its loop, kept little in registers: half of the tracing's time).
                for (; c + 32 <= w; c += 32) {
                    std::uint64_t any = 0;
                    for (std::size_t q = c; q < c + 32; q += 8) {
                        any |= start_bytes(row + q, above == nullptr ? nullptr : above + q);
                    }
                    if (any != 0) {
                        for (std::size_t q = c; q < c + 32; q += 8) {
                            word(q);
                        }
                    }
                }
                for (; c + 8 <= w; c += 8) {
                    word(c);
                }
            }
            for (; c < w; ++c) {
                if (row[c] == 1 && (above == nullptr || above[c] == 0)) {  // selected, top edge not traced yet
                    trace_from(static_cast<int>(c) + 1, r, rings);
                }
            }
        }
        return rings;
    }

private:
    /// Of 8 pixels from `row` (bytes 0, 1 or 1 | top_done) under `above` (nullptr: the first row),
    /// those a ring starts from, as the low bit of their byte: selected, top edge not traced yet,
    /// and the pixel above not selected.
    static std::uint64_t start_bytes(const unsigned char* row, const unsigned char* above) {
        constexpr std::uint64_t low_bits = 0x0101010101010101ULL;
        std::uint64_t v = 0;
        std::memcpy(&v, row, 8);
        std::uint64_t a = 0;
        if (above != nullptr) {
            std::memcpy(&a, above, 8);
        }
        return v & ~(v >> 1) & ~a & low_bits;
    }

    [[nodiscard]] std::size_t index(int c, int r) const {
        return static_cast<std::size_t>(r) * static_cast<std::size_t>(m_w) + static_cast<std::size_t>(c);
    }
    [[nodiscard]] bool selected(int c, int r) const {
        return c >= 0 && r >= 0 && c < m_w && r < m_h && m_mask[index(c, r)] != 0;
    }
    /// The pixels on the left and on the right of the grid-line edge leaving vertex (c, r) in `d`.
    static void sides(int c, int r, Direction d, int& lc, int& lr, int& rc, int& rr) {
        switch (d) {
        case east: lc = c, lr = r - 1, rc = c, rr = r; break;
        case north: lc = c - 1, lr = r - 1, rc = c, rr = r - 1; break;
        case west: lc = c - 1, lr = r, rc = c - 1, rr = r - 1; break;
        case south: lc = c, lr = r, rc = c - 1, rr = r; break;
        }
    }
    [[nodiscard]] bool is_boundary(int c, int r, Direction d) const {
        int lc = 0, lr = 0, rc = 0, rr = 0;
        sides(c, r, d, lc, lr, rc, rr);
        return selected(lc, lr) && !selected(rc, rr);
    }
    /// Two selected pixels meet at vertex (c, r) by a corner only: a ring can come back to it.
    [[nodiscard]] bool diagonal(int c, int r) const {
        const bool a = selected(c - 1, r - 1);
        const bool b = selected(c, r - 1);
        const bool d = selected(c - 1, r);
        const bool e = selected(c, r);
        return a == e && b == d && a != b;
    }
    static void step(int& c, int& r, Direction d) {
        c += d == east ? 1 : d == west ? -1 : 0;
        r += d == south ? 1 : d == north ? -1 : 0;
    }

    /// Follows the boundary from vertex (c, r) westward until it closes. At a vertex where two
    /// selected pixels meet by a corner, it turns around the pixel it is following (left first),
    /// so parts meeting at a corner stay apart; a ring that comes back to such a vertex (a hole
    /// meeting its outer ring, or two holes meeting, at a corner) is split there, so that no ring
    /// touches itself and every ring is valid as traced.
    void trace_from(int c0, int r0, std::vector<Ring>& rings) {
        std::vector<std::pair<int, int>> path;  // vertices, a corner at every turn
        // The corners where pixels meet diagonally on the path, in path order, and where each is
        // (a noisy région's ring has tens of thousands: a lookup must not scan them).
        std::vector<std::uint64_t> open;
        std::unordered_map<std::uint64_t, std::size_t> open_at;
        const auto key_of = [&](int vc, int vr) {
            return static_cast<std::uint64_t>(vr) * (static_cast<std::uint64_t>(m_w) + 1) + static_cast<std::uint64_t>(vc);
        };
        int c = c0;
        int r = r0;
        Direction d = west;
        if (diagonal(c, r)) {
            open.push_back(key_of(c, r));
            open_at.emplace(open.back(), 0);
        }
        path.emplace_back(c, r);
        do {
            if (d == west) {
                m_mask[index(c - 1, r)] |= top_done;
            }
            step(c, r, d);
            Direction next = left_of(d);
            if (!is_boundary(c, r, next)) {
                next = is_boundary(c, r, d) ? d : right_of(d);
            }
            if (next != d && (c != c0 || r != r0 || next != west)) {
                if (diagonal(c, r)) {
                    const std::uint64_t key = key_of(c, r);
                    const auto seen = open_at.find(key);
                    if (seen != open_at.end()) {
                        // Back at a corner already on the path: the loop since then is a ring.
                        const std::size_t from = seen->second;
                        add_ring(std::vector<std::pair<int, int>>(path.begin() + static_cast<std::ptrdiff_t>(from), path.end()),
                                 rings);
                        path.resize(from + 1);
                        while (open_at.at(open.back()) > from) {  // the loop's own corners
                            open_at.erase(open.back());
                            open.pop_back();
                        }
                    } else {
                        open.push_back(key);
                        open_at.emplace(key, path.size());
                        path.emplace_back(c, r);
                    }
                } else {
                    path.emplace_back(c, r);
                }
            }
            d = next;
        } while (c != c0 || r != r0 || d != west);
        add_ring(std::move(path), rings);
    }

    /// A closed ring from its vertices: collinear ones (where a split joined two straight runs)
    /// dropped, its area and a pixel on its left noted.
    void add_ring(std::vector<std::pair<int, int>> v, std::vector<Ring>& rings) const {
        std::vector<std::pair<int, int>> corners;
        const std::size_t n = v.size();
        for (std::size_t k = 0; k < n; ++k) {
            const auto& a = v[(k + n - 1) % n];
            const auto& b = v[k];
            const auto& e = v[(k + 1) % n];
            const long cross = static_cast<long>(b.first - a.first) * (e.second - b.second) -
                               static_cast<long>(b.second - a.second) * (e.first - b.first);
            if (cross != 0) {
                corners.push_back(b);
            }
        }
        Ring ring;
        const std::size_t m = corners.size();
        for (std::size_t k = 0; k < m; ++k) {
            const auto& a = corners[k];
            const auto& b = corners[(k + 1) % m];
            // Shoelace in (column, -row): y grows northward, as in the CRS.
            ring.twice_area += static_cast<double>(a.first) * -b.second - static_cast<double>(b.first) * -a.second;
        }
        const auto& a = corners[0];
        const auto& b = corners[1];
        const Direction d = b.first > a.first ? east : b.first < a.first ? west : b.second < a.second ? north : south;
        int lc = 0, lr = 0, rc = 0, rr = 0;
        sides(a.first, a.second, d, lc, lr, rc, rr);
        ring.pixel = index(lc, lr);
        ring.corners = std::move(corners);
        rings.push_back(std::move(ring));
    }

    std::vector<unsigned char>& m_mask;
    int m_w;
    int m_h;
};

/// The index of the first byte (in memory order) of a word read from memory whose low bit is set,
/// of `bits` (only low bits of bytes set, not 0).
std::size_t first_byte(std::uint64_t bits) {
    if constexpr (std::endian::native == std::endian::little) {
        return static_cast<std::size_t>(std::countr_zero(bits) / 8);
    } else {
        return static_cast<std::size_t>(std::countl_zero(bits) / 8);
    }
}

constexpr std::uint64_t low_bits = 0x0101010101010101ULL;

/// The first column from `c` on of `row` (bytes 0 or 1, `w` of them) whose byte is 1, or `w`:
/// eight at a time, across the long runs of a surface's rows (byte by byte, finding the runs was
/// most of regions_of's time).
std::size_t next_selected(const unsigned char* row, std::size_t c, std::size_t w) {
    for (; c + 8 <= w; c += 8) {
        std::uint64_t v = 0;
        std::memcpy(&v, row + c, 8);
        if (v != 0) {
            return c + first_byte(v & low_bits);
        }
    }
    while (c < w && row[c] == 0) {
        ++c;
    }
    return c;
}

/// The first column from `c` on of `row` (bytes 0 or 1) whose byte is 0, or `w`.
std::size_t next_unselected(const unsigned char* row, std::size_t c, std::size_t w) {
    for (; c + 8 <= w; c += 8) {
        std::uint64_t v = 0;
        std::memcpy(&v, row + c, 8);
        if (const std::uint64_t zeros = ~v & low_bits; zeros != 0) {
            return c + first_byte(zeros);
        }
    }
    while (c < w && row[c] != 0) {
        ++c;
    }
    return c;
}

/// The 4-connected region of each of `pixels` (selected pixels; equal numbers: the same region);
/// `mask` bytes are 0 or 1.
/// Union-find over the runs of selected pixels of each row, two runs joined where they overlap
/// the row above: linear in the pixels with a tight scan, where labelling every pixel by a flood
/// fill took 35 ms per isochrone of a 1 M-node network's 8 M pixels (half of its time).
std::vector<std::uint32_t> regions_of(const std::vector<unsigned char>& mask, std::size_t w, std::size_t h,
                                      const std::vector<std::size_t>& pixels) {
    struct Run {
        std::uint32_t first;  ///< column of its first pixel
        std::uint32_t end;    ///< one past its last
    };
    std::vector<Run> runs;
    std::vector<std::size_t> row_first(h + 1, 0);  // runs of row r: [row_first[r], row_first[r + 1])
    std::vector<std::uint32_t> parent;
    const auto find = [&](std::uint32_t x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];  // path halving
            x = parent[x];
        }
        return x;
    };
    for (std::size_t r = 0; r < h; ++r) {
        row_first[r] = runs.size();
        const unsigned char* row = mask.data() + r * w;
        for (std::size_t c = next_selected(row, 0, w); c < w; c = next_selected(row, c, w)) {
            const std::size_t first = c;
            c = next_unselected(row, c, w);
            parent.push_back(static_cast<std::uint32_t>(runs.size()));
            runs.push_back({static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(c)});
        }
        if (r == 0) {
            continue;
        }
        // Runs of this row and the row above, both sorted by column: join those that overlap.
        std::size_t i = row_first[r - 1];
        std::size_t j = row_first[r];
        while (i < row_first[r] && j < runs.size()) {
            if (runs[i].first < runs[j].end && runs[j].first < runs[i].end) {
                const std::uint32_t a = find(static_cast<std::uint32_t>(i));
                const std::uint32_t b = find(static_cast<std::uint32_t>(j));
                if (a != b) {
                    parent[std::max(a, b)] = std::min(a, b);
                }
            }
            if (runs[i].end < runs[j].end) {
                ++i;
            } else {
                ++j;
            }
        }
    }
    row_first[h] = runs.size();
    std::vector<std::uint32_t> out;
    out.reserve(pixels.size());
    for (const std::size_t p : pixels) {
        const std::size_t r = p / w;
        const auto c = static_cast<std::uint32_t>(p % w);
        // The run of row r holding column c: the last one starting at or before it.
        const auto begin = runs.begin() + static_cast<std::ptrdiff_t>(row_first[r]);
        const auto end = runs.begin() + static_cast<std::ptrdiff_t>(row_first[r + 1]);
        const auto it = std::upper_bound(begin, end, c, [](std::uint32_t col, const Run& run) { return col < run.first; });
        if (it == begin || c >= (it - 1)->end) {
            throw Error(fmt::format("pixel polygons: pixel {} of a ring is not selected (an internal error; please "
                                    "report it)",
                                    p));
        }
        out.push_back(find(static_cast<std::uint32_t>(it - 1 - runs.begin())));
    }
    return out;
}

} // namespace

std::vector<Geos::Ptr> mask_polygons(const Geos& geos, const RasterGrid& grid, std::vector<unsigned char>& mask,
                                     std::vector<std::size_t>* seeds) {
    if (grid.width <= 0 || grid.height <= 0 || mask.size() != grid.pixel_count()) {
        throw Error(fmt::format("pixel polygons: {} mask bytes for {} x {} pixels", mask.size(), grid.width, grid.height));
    }
    for (unsigned char& v : mask) {
        v = v != 0 ? 1 : 0;  // the tracer marks bit RingTracer::top_done
    }
    std::vector<RingTracer::Ring> rings = RingTracer(mask, grid.width, grid.height).trace();
    for (unsigned char& v : mask) {
        v &= 1;
    }
    // Each region has one outer ring, traced before its holes; a hole belongs to the region of
    // the pixels on its left.
    std::vector<std::size_t> outer_of_ring(rings.size(), rings.size());
    std::size_t outers = 0;
    std::size_t holes = 0;
    for (const auto& ring : rings) {
        (ring.twice_area > 0 ? outers : holes) += 1;
    }
    if (holes > 0) {
        std::vector<std::uint32_t> region(rings.size(), 0);  // one region: all 0
        if (outers > 1) {
            std::vector<std::size_t> pixels;
            pixels.reserve(rings.size());
            for (const auto& ring : rings) {
                pixels.push_back(ring.pixel);
            }
            region = regions_of(mask, static_cast<std::size_t>(grid.width), static_cast<std::size_t>(grid.height), pixels);
        }
        std::vector<std::pair<std::uint32_t, std::size_t>> outer_by_region;  // (region, ring), sorted
        for (std::size_t k = 0; k < rings.size(); ++k) {
            if (rings[k].twice_area > 0) {
                outer_by_region.emplace_back(region[k], k);
            }
        }
        std::sort(outer_by_region.begin(), outer_by_region.end());
        for (std::size_t k = 0; k < rings.size(); ++k) {
            if (rings[k].twice_area < 0) {
                const std::uint32_t r = region[k];
                const auto it = std::lower_bound(outer_by_region.begin(), outer_by_region.end(),
                                                 std::make_pair(r, std::size_t{0}));
                if (it == outer_by_region.end() || it->first != r ||
                    (it + 1 != outer_by_region.end() && (it + 1)->first == r)) {
                    throw Error(fmt::format("pixel polygons: a hole of region {} has no single outer ring "
                                            "(an internal error; please report it)", r));
                }
                outer_of_ring[k] = it->second;
            }
        }
    }
    const auto as_ring = [&](const RingTracer::Ring& ring) {
        std::vector<double> xy;
        xy.reserve(2 * (ring.corners.size() + 1));
        for (const auto& [c, r] : ring.corners) {
            xy.push_back(grid.line_x(c));
            xy.push_back(grid.line_y(r));
        }
        xy.push_back(xy[0]);
        xy.push_back(xy[1]);
        GEOSCoordSequence* seq =
            GEOSCoordSeq_copyFromBuffer_r(geos.ctx(), xy.data(), static_cast<unsigned>(xy.size() / 2), 0, 0);
        GEOSGeometry* made = seq == nullptr ? nullptr : GEOSGeom_createLinearRing_r(geos.ctx(), seq);
        if (made == nullptr) {
            throw Error(fmt::format("GEOS could not make a ring of pixel edges: {}", geos.last_error()));
        }
        return made;
    };
    std::vector<std::vector<std::size_t>> holes_of(rings.size());
    for (std::size_t k = 0; k < rings.size(); ++k) {
        if (outer_of_ring[k] < rings.size()) {
            holes_of[outer_of_ring[k]].push_back(k);
        }
    }
    std::vector<Geos::Ptr> out;
    if (seeds != nullptr) {
        seeds->clear();
    }
    for (std::size_t k = 0; k < rings.size(); ++k) {
        if (rings[k].twice_area <= 0) {
            continue;
        }
        if (seeds != nullptr) {
            seeds->push_back(rings[k].pixel);  // a pixel of the region, on the outer ring's left
        }
        GEOSGeometry* shell = as_ring(rings[k]);
        std::vector<GEOSGeometry*> inner;
        for (const std::size_t h : holes_of[k]) {
            inner.push_back(as_ring(rings[h]));
        }
        GEOSGeometry* polygon = GEOSGeom_createPolygon_r(geos.ctx(), shell, inner.data(), static_cast<unsigned>(inner.size()));
        out.push_back(geos.check(geos.own(polygon), "make a polygon of pixel edges"));
    }
    return out;
}

namespace {

/// remove_specks() when a speck can only be one pixel (the default sizes, 2 pixels): a pixel
/// none of whose 4 neighbours has its value. Flipping one never makes or unmakes another (its
/// neighbours all have the other value), so one pass per value does it, with no flood fill.
void remove_lone_pixels(std::vector<unsigned char>& mask, std::size_t w, std::size_t h, bool parts, bool holes) {
    // Row by row: the flips of a row are found first (a loop the compiler vectorises, on 0/1
    // bytes), then made; a flip never changes another's decision, so the order does not matter.
    const std::vector<unsigned char> zeros(w, 0);
    std::vector<unsigned char> flip(w, 0);
    for (unsigned char& v : mask) {
        v = v != 0 ? 1 : 0;  // 0/1 bytes for the bitwise tests below
    }
    if (parts) {  // a 1 none of whose 4 neighbours is 1 (outside the grid counts as 0)
        for (std::size_t r = 0; r < h; ++r) {
            unsigned char* row = mask.data() + r * w;
            const unsigned char* up = r == 0 ? zeros.data() : row - w;
            const unsigned char* down = r + 1 == h ? zeros.data() : row + w;
            const auto lone = [&](std::size_t c, unsigned char left, unsigned char right) {
                return static_cast<unsigned char>(row[c] & ~(left | right | up[c] | down[c]) & 1);
            };
            if (w == 1) {
                flip[0] = lone(0, 0, 0);
            } else {
                flip[0] = lone(0, 0, row[1]);
                for (std::size_t c = 1; c + 1 < w; ++c) {
                    flip[c] = static_cast<unsigned char>(row[c] & ~(row[c - 1] | row[c + 1] | up[c] | down[c]) & 1);
                }
                flip[w - 1] = lone(w - 1, row[w - 2], 0);
            }
            for (std::size_t c = 0; c < w; ++c) {
                row[c] = static_cast<unsigned char>(row[c] & ~flip[c]);
            }
        }
    }
    if (holes && w > 2 && h > 2) {  // a 0 all of whose 4 neighbours are 1; a hole does not reach the edge
        for (std::size_t r = 1; r + 1 < h; ++r) {
            unsigned char* row = mask.data() + r * w;
            const unsigned char* up = row - w;
            const unsigned char* down = row + w;
            flip[0] = 0;
            flip[w - 1] = 0;
            for (std::size_t c = 1; c + 1 < w; ++c) {
                flip[c] = static_cast<unsigned char>((row[c] ^ 1) & row[c - 1] & row[c + 1] & up[c] & down[c]);
            }
            for (std::size_t c = 0; c < w; ++c) {
                row[c] = static_cast<unsigned char>(row[c] | flip[c]);
            }
        }
    }
}

} // namespace

Geos::Ptr pixel_shape_of(const Geos& geos, const RasterGrid& grid, std::vector<unsigned char>& mask, double min_part,
                         double min_hole, std::size_t pixels) {
    return polygonal(geos, std::move(pixel_parts_of(geos, grid, mask, min_part, min_hole, pixels).polygons));
}

PixelParts pixel_parts_of(const Geos& geos, const RasterGrid& grid, std::vector<unsigned char>& mask, double min_part,
                          double min_hole, std::size_t pixels) {
    PixelParts out;
    if (pixels == 0) {
        return out;
    }
    const double pixel_area = grid.resolution_m * grid.resolution_m;
    remove_specks(mask, grid.width, grid.height, min_part / pixel_area, min_hole / pixel_area);
    out.polygons = mask_polygons(geos, grid, mask, &out.seeds);
    return out;
}

std::vector<std::uint32_t> pixel_regions(const std::vector<unsigned char>& mask, int width, int height,
                                         const std::vector<std::size_t>& pixels) {
    if (width <= 0 || height <= 0 ||
        mask.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height)) {
        throw Error(fmt::format("pixel regions: {} mask bytes for {} x {} pixels", mask.size(), width, height));
    }
    for (const std::size_t p : pixels) {
        if (p >= mask.size()) {
            throw Error(fmt::format("pixel regions: pixel {} is outside the {} x {} grid", p, width, height));
        }
    }
    return regions_of(mask, static_cast<std::size_t>(width), static_cast<std::size_t>(height), pixels);
}

void remove_specks(std::vector<unsigned char>& mask, int width, int height, double min_part_pixels,
                   double min_hole_pixels) {
    const auto w = static_cast<std::size_t>(width);
    const auto h = static_cast<std::size_t>(height);
    if (mask.size() != w * h) {
        throw Error(fmt::format("pixel specks: {} mask bytes for {} x {} pixels", mask.size(), width, height));
    }
    if (min_part_pixels <= 2 && min_hole_pixels <= 2) {
        remove_lone_pixels(mask, w, h, min_part_pixels > 1, min_hole_pixels > 1);
        return;
    }
    std::vector<unsigned char> seen(mask.size(), 0);
    std::vector<std::size_t> stack;
    std::vector<std::size_t> region;
    // Every 4-connected region of `value`: those smaller than `limit` (and, for holes, not on
    // the edge) take the other value. Parts first, so that a dropped island becomes hole.
    const auto sweep = [&](unsigned char value, double limit, bool holes) {
        std::fill(seen.begin(), seen.end(), 0);
        for (std::size_t start = 0; start < mask.size(); ++start) {
            if (mask[start] != value || seen[start] != 0) {
                continue;
            }
            region.clear();
            std::size_t size = 0;
            bool on_edge = false;
            stack.assign(1, start);
            seen[start] = 1;
            while (!stack.empty()) {
                const std::size_t i = stack.back();
                stack.pop_back();
                if (static_cast<double>(++size) < limit) {
                    region.push_back(i);  // only a region that may be small needs its pixels again
                }
                const std::size_t r = i / w;
                const std::size_t c = i % w;
                on_edge = on_edge || r == 0 || c == 0 || r + 1 == h || c + 1 == w;
                const auto visit = [&](std::size_t j) {
                    if (mask[j] == value && seen[j] == 0) {
                        seen[j] = 1;
                        stack.push_back(j);
                    }
                };
                if (c > 0) visit(i - 1);
                if (c + 1 < w) visit(i + 1);
                if (r > 0) visit(i - w);
                if (r + 1 < h) visit(i + w);
            }
            if (static_cast<double>(size) < limit && !(holes && on_edge)) {
                for (const std::size_t i : region) {
                    mask[i] = value == 0 ? 1 : 0;
                }
            }
        }
    };
    if (min_part_pixels > 1) {
        sweep(1, min_part_pixels, false);
    }
    if (min_hole_pixels > 1) {
        sweep(0, min_hole_pixels, true);
    }
}

std::vector<unsigned char> to_wgs84_wkb(const Geos& geos, const GEOSGeometry* g, double densify_m,
                                        const ProjectedToWgs84& projection, const std::string& what) {
    const Geos::Ptr lonlat = to_wgs84(geos, g, densify_m, projection, what);
    return lonlat ? normalised_wkb(geos, lonlat.get(), what) : std::vector<unsigned char>{};
}

Geos::Ptr to_wgs84(const Geos& geos, const GEOSGeometry* g, double densify_m, const ProjectedToWgs84& projection,
                   const std::string& what) {
    const Geos::Ptr dense = geos.check(geos.own(GEOSDensify_r(geos.ctx(), g, densify_m)), ("densify " + what).c_str());
    Geos::Ptr lonlat = reproject_to_wgs84(geos, dense.get(), projection, what);
    if (GEOSisValid_r(geos.ctx(), lonlat.get()) != 1) {
        const Geos::Ptr repaired = geos.check(geos.own(GEOSMakeValid_r(geos.ctx(), lonlat.get())), ("repair " + what).c_str());
        std::vector<Geos::Ptr> parts;
        collect_polygons(geos, repaired.get(), parts);  // a repair can leave lines where areas collapsed
        lonlat = polygonal(geos, std::move(parts));
    }
    return lonlat;
}

std::vector<unsigned char> normalised_wkb(const Geos& geos, GEOSGeometry* g, const std::string& what) {
    if (GEOSNormalize_r(geos.ctx(), g) != 0) {
        throw Error(fmt::format("GEOS failed to normalise {}: {}", what, geos.last_error()));
    }
    return geos.write_wkb(g);
}

} // namespace proxima::detail
