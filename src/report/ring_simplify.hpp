#pragma once
// Internal to report/: outlines lightened for drawing.

#include <array>
#include <vector>

namespace proxima::detail {

/// `ring` without the vertices within `tolerance` of the line through their kept neighbours
/// (Douglas-Peucker, in the ring's units); the first and last vertices stay (a closed ring stays
/// closed). A ring that would keep fewer than 4 vertices is returned whole.
[[nodiscard]] std::vector<std::array<double, 2>> simplified_ring(const std::vector<std::array<double, 2>>& ring,
                                                                 double tolerance);

} // namespace proxima::detail
