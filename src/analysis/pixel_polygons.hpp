#pragma once
// Internal to analysis/: polygons made of raster pixels (isochrones, deficit territories). The
// pixels a predicate selects become rectangles whose corners are grid-line coordinates, so
// shared edges coincide and the union has no sliver; specks (tiny parts and holes, noise of the
// resolution) are removed; the result goes to WGS84 densified at one pixel.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "core/geos_context.hpp"
#include "core/proj_to_wgs84.hpp"
#include "proxima/analysis/travel_time_raster.hpp"
#include "proxima/core/error.hpp"

namespace proxima::detail {

/// Planar area of a geometry, in CRS units².
[[nodiscard]] double area_of(const Geos& geos, const GEOSGeometry* g);

/// The selected pixels (`selected(col, row)`) as rectangles in the grid's CRS: maximal runs of a
/// row, and runs repeated exactly in the rows below merged into one taller rectangle (fewer
/// inputs for the union). `pixels` counts the selected pixels.
template <class Selected>
std::vector<Geos::Ptr> pixel_rectangles(const Geos& geos, const RasterGrid& grid, Selected&& selected,
                                        std::size_t& pixels) {
    struct Open {
        int c0, c1, top;
    };
    std::vector<Geos::Ptr> out;
    std::vector<Open> open;  // runs of the previous row, by column
    std::vector<Open> next;
    auto close = [&](const Open& o, int bottom) {
        out.push_back(geos.check(geos.own(GEOSGeom_createRectangle_r(geos.ctx(), grid.line_x(o.c0), grid.line_y(bottom),
                                                                     grid.line_x(o.c1), grid.line_y(o.top))),
                                 "build a pixel rectangle"));
    };
    pixels = 0;
    for (int r = 0; r <= grid.height; ++r) {
        next.clear();
        std::size_t k = 0;  // walks `open`, sorted by column like the runs of this row
        int c = 0;
        while (r < grid.height && c < grid.width) {
            if (!selected(c, r)) {
                ++c;
                continue;
            }
            const int c0 = c;
            while (c < grid.width && selected(c, r)) {
                ++c;
            }
            pixels += static_cast<std::size_t>(c - c0);
            while (k < open.size() && open[k].c0 < c0) {
                close(open[k++], r);
            }
            if (k < open.size() && open[k].c0 == c0 && open[k].c1 == c) {
                next.push_back(open[k++]);  // the same run continues downwards
            } else {
                next.push_back({c0, c, r});
            }
        }
        for (; k < open.size(); ++k) {
            close(open[k], r);
        }
        std::swap(open, next);
    }
    return out;
}

/// Drops parts smaller than `min_part` and fills holes smaller than `min_hole` (areas in CRS
/// units). Returns the remaining polygons; `filled` tells whether a hole was filled (then an
/// island that lay in it now overlaps its part, and the result needs another union).
[[nodiscard]] std::vector<Geos::Ptr> without_specks(const Geos& geos, const GEOSGeometry* g, double min_part,
                                                    double min_hole, bool& filled);

/// The union of the selected pixels in the grid's CRS, specks removed (see without_specks);
/// nullptr when nothing is left.
template <class Selected>
Geos::Ptr pixel_shape(const Geos& geos, const RasterGrid& grid, Selected&& selected, double min_part, double min_hole,
                      std::size_t& pixels) {
    std::vector<Geos::Ptr> rectangles = pixel_rectangles(geos, grid, selected, pixels);
    if (rectangles.empty()) {
        return nullptr;
    }
    const Geos::Ptr all = make_collection(geos, GEOS_GEOMETRYCOLLECTION, std::move(rectangles));
    const Geos::Ptr merged = geos.check(geos.own(GEOSUnaryUnion_r(geos.ctx(), all.get())), "merge the pixels");
    bool filled = false;
    std::vector<Geos::Ptr> parts = without_specks(geos, merged.get(), min_part, min_hole, filled);
    Geos::Ptr shape = polygonal(geos, std::move(parts));
    if (shape && filled && GEOSGeomTypeId_r(geos.ctx(), shape.get()) == GEOS_MULTIPOLYGON) {
        shape = geos.check(geos.own(GEOSUnaryUnion_r(geos.ctx(), shape.get())), "merge filled holes");
    }
    return shape;
}

/// The polygon in WGS84 WKB: densified at `densify_m` so that long straight edges follow the
/// projection, converted, made valid if the conversion broke it, normalised. Empty if nothing
/// polygonal is left. `what` names the layer in messages.
[[nodiscard]] std::vector<unsigned char> to_wgs84_wkb(const Geos& geos, const GEOSGeometry* g, double densify_m,
                                                      const ProjectedToWgs84& projection, const std::string& what);

} // namespace proxima::detail
