#pragma once
// Internal: the pixels a deficit area is traced from (analysis/deficit_territory.cpp), apart so
// that tests compare them with the rule they implement.
#include <cstddef>
#include <vector>

namespace proxima::detail {

/// A surface pixel's class for a deficit: outside the study zones, within the threshold, beyond it.
enum DeficitPixelClass : unsigned char { outside = 0, within = 1, beyond = 2 };

/// The pixels the deficit is traced from (1, else 0), of a grid of classes (row-major, width ×
/// height): beyond, or outside next to a pixel beyond (one of its 8 neighbours: the border halo,
/// clipped to the zones later); `count` gets their number. Throws Error when `cls` is not of
/// that size.
[[nodiscard]] std::vector<unsigned char> deficit_selection(const std::vector<unsigned char>& cls, int width,
                                                           int height, std::size_t& count);

} // namespace proxima::detail
