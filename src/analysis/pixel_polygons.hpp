#pragma once
// Internal to analysis/: polygons made of raster pixels (isochrones, deficit territories). The
// pixels a predicate selects become rectangles whose corners are grid-line coordinates, so
// shared edges coincide and the union has no sliver; specks (tiny parts and holes, noise of the
// resolution) are removed; the result goes to WGS84 densified at one pixel.

#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
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

/// The largest float not above `limit`: for every float x, `x <= float_at_most(limit)` answers
/// `static_cast<double>(x) <= limit` (false for NaN in both), without converting x, so that a loop
/// over a raster's floats compares them on vector registers.
[[nodiscard]] inline float float_at_most(double limit) {
    constexpr float inf = std::numeric_limits<float>::infinity();
    if (std::isnan(limit)) {
        return std::numeric_limits<float>::quiet_NaN();
    }
    if (limit >= static_cast<double>(inf)) {
        return inf;
    }
    if (limit >= static_cast<double>(FLT_MAX)) {
        return FLT_MAX;  // every finite float
    }
    if (limit < -static_cast<double>(FLT_MAX)) {
        return -inf;  // no finite float (the conversion below would be undefined)
    }
    float f = static_cast<float>(limit);  // the nearest: one step down if it is above
    if (static_cast<double>(f) > limit) {
        f = std::nextafter(f, -inf);
    }
    return f;
}

/// Planar area of a geometry, in CRS units².
[[nodiscard]] double area_of(const Geos& geos, const GEOSGeometry* g);

/// The pixels whose `mask` byte (row-major, grid.width × grid.height) is not 0, as polygons in the
/// grid's CRS: one per 4-connected region, with its holes, traced along the pixel edges in one
/// pass (linear in the pixels), corners only, each valid as made: where pixels meet at a corner,
/// parts stay apart and a ring that comes back to the corner is split there (a hole touching its
/// outer ring, or another hole, at one point), so no repair is needed. The tracing marks the mask
/// itself (no scratch array of its size): on return it holds the same pixels, each byte 0 or 1.
/// With `seeds`, it also receives, for each polygon, one of its pixels (row-major index).
[[nodiscard]] std::vector<Geos::Ptr> mask_polygons(const Geos& geos, const RasterGrid& grid,
                                                   std::vector<unsigned char>& mask,
                                                   std::vector<std::size_t>* seeds = nullptr);

/// The 4-connected region of each of `pixels` (row-major indices of selected pixels of `mask`,
/// width × height, bytes 0 or 1): equal numbers, the same region (the numbers mean nothing else).
/// Throws Error for a pixel that is not selected.
[[nodiscard]] std::vector<std::uint32_t> pixel_regions(const std::vector<unsigned char>& mask, int width, int height,
                                                       const std::vector<std::size_t>& pixels);

/// Removes the specks of a pixel mask (row-major, grid.width × grid.height, 1 = selected): 4-connected
/// regions of selected pixels with fewer than `min_part_pixels` pixels are cleared, then
/// 4-connected regions of unselected pixels with fewer than `min_hole_pixels` pixels that do not
/// reach the grid's edge (holes) are filled. 4-connected, like the polygons traced from the mask,
/// whose parts and holes they are (pixels meeting at a corner only belong to different ones).
void remove_specks(std::vector<unsigned char>& mask, int width, int height, double min_part_pixels,
                   double min_hole_pixels);

/// The pixels of `mask` (row-major, grid.width × grid.height; not 0 = selected, `pixels` of them)
/// in the grid's CRS, specks removed (see remove_specks; areas in CRS units), as one Polygon or
/// MultiPolygon; nullptr when nothing is left. The mask is used up (its specks removed): a
/// caller making several shapes of one grid fills the same mask again for each.
[[nodiscard]] Geos::Ptr pixel_shape_of(const Geos& geos, const RasterGrid& grid, std::vector<unsigned char>& mask,
                                       double min_part, double min_hole, std::size_t pixels);

/// The same as its polygons, one per 4-connected region of the mask as it is left (specks
/// removed), with one pixel of each (`seeds`, row-major): what tells which polygon a point
/// inside a pixel lies in without a geometric test.
struct PixelParts {
    std::vector<Geos::Ptr> polygons;
    std::vector<std::size_t> seeds;
};
[[nodiscard]] PixelParts pixel_parts_of(const Geos& geos, const RasterGrid& grid, std::vector<unsigned char>& mask,
                                        double min_part, double min_hole, std::size_t pixels);

/// `g` normalised (in place: same polygons, same bytes) as WKB. `what` names the layer in messages.
[[nodiscard]] std::vector<unsigned char> normalised_wkb(const Geos& geos, GEOSGeometry* g, const std::string& what);

/// The polygon in WGS84 WKB: densified at `densify_m` so that long straight edges follow the
/// projection, converted, made valid if the conversion broke it, normalised. Empty if nothing
/// polygonal is left. `what` names the layer in messages.
[[nodiscard]] std::vector<unsigned char> to_wgs84_wkb(const Geos& geos, const GEOSGeometry* g, double densify_m,
                                                      const ProjectedToWgs84& projection, const std::string& what);
/// The same before normalising and writing: the valid polygon in WGS84, or nullptr.
[[nodiscard]] Geos::Ptr to_wgs84(const Geos& geos, const GEOSGeometry* g, double densify_m,
                                 const ProjectedToWgs84& projection, const std::string& what);

} // namespace proxima::detail
