#pragma once
// Internal: grouping many places into squares of a projected CRS, the same way on the PNG maps
// and in report.html, so that the two agree on what a square is.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace proxima::detail {

/// Sides tried for the squares, metres: the first that brings the count under the cap.
inline constexpr std::array<double, 11> square_sides_m = {200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000,
                                                          200000, 1e12};

using SquareKey = std::pair<std::int64_t, std::int64_t>;

/// The square of side `side` holding `p` (x, y in metres); a point without coordinates is a
/// group of its own.
inline SquareKey square_of(std::pair<double, double> p, double side) {
    if (!std::isfinite(p.first) || !std::isfinite(p.second)) {
        return {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::min()};
    }
    return {static_cast<std::int64_t>(std::floor(p.first / side)), static_cast<std::int64_t>(std::floor(p.second / side))};
}

/// The smallest side of square_sides_m that puts `positions` into at most `max_squares`
/// non-empty squares.
inline double choose_square_side(const std::vector<std::pair<double, double>>& positions, std::size_t max_squares) {
    std::vector<SquareKey> keys(positions.size());
    for (const double side : square_sides_m) {
        std::transform(positions.begin(), positions.end(), keys.begin(), [&](const auto& p) { return square_of(p, side); });
        std::sort(keys.begin(), keys.end());
        if (static_cast<std::size_t>(std::unique(keys.begin(), keys.end()) - keys.begin()) <= max_squares) {
            return side;
        }
    }
    return square_sides_m.back();
}

} // namespace proxima::detail
