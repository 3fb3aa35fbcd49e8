#pragma once
// Internal: the pixels a deficit area is traced from (analysis/deficit_territory.cpp), apart so
// that tests compare them with the rule they implement.
#include <array>
#include <cstddef>
#include <optional>
#include <vector>

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

#include "core/geos_context.hpp"
#include "proxima/analysis/travel_time_raster.hpp"

namespace proxima::detail {

/// A surface pixel's class for a deficit: outside the study zones, within the threshold, beyond it.
enum DeficitPixelClass : unsigned char { outside = 0, within = 1, beyond = 2 };

/// The pixels the deficit is traced from (1, else 0), of a grid of classes (row-major, width ×
/// height): beyond, or outside next to a pixel beyond (one of its 8 neighbours: the border halo,
/// clipped to the zones later); `count` gets their number. Throws Error when `cls` is not of
/// that size.
[[nodiscard]] std::vector<unsigned char> deficit_selection(const std::vector<unsigned char>& cls, int width,
                                                           int height, std::size_t& count);

/// The pixel (row-major) whose square holds `xy` strictly inside, not on a grid line (the lines
/// as RasterGrid places them, where the pixel polygons have their corners), if any.
[[nodiscard]] std::optional<std::size_t> strict_pixel(const RasterGrid& grid, const std::array<double, 2>& xy);

/// Whether the square of pixel (`col`, `row`) lies inside `zones` (prepared), not touching its
/// edge. Throws Error when GEOS fails.
[[nodiscard]] bool square_inside(const Geos& geos, const GEOSPreparedGeometry* zones, const RasterGrid& grid, int col,
                                 int row);

} // namespace proxima::detail
