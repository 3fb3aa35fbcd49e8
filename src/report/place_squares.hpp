#pragma once
// Internal: grouping many places into squares of a projected CRS, the same way on the PNG maps
// and in report.html, so that the two agree on what a square is.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <unordered_set>
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

struct SquareKeyHash {
    std::size_t operator()(const SquareKey& k) const noexcept {
        const auto a = static_cast<std::uint64_t>(k.first);
        const auto b = static_cast<std::uint64_t>(k.second);
        return static_cast<std::size_t>((a * 0x9E3779B97F4A7C15ULL) ^ (b + 0x632BE59BD9B4E019ULL + (a << 6) + (a >> 2)));
    }
};

/// The smallest side of square_sides_m that puts `positions` into at most `max_squares`
/// non-empty squares. The squares are counted in a hash set, and a side is given up as soon as
/// one square too many is found: every map of a région's run asks this of its 100 000 places,
/// and sorting them for each side tried took a second of CPU per ten maps.
inline double choose_square_side(const std::vector<std::pair<double, double>>& positions, std::size_t max_squares) {
    std::unordered_set<SquareKey, SquareKeyHash> seen;
    seen.reserve(std::min(positions.size(), max_squares) + 1);
    for (const double side : square_sides_m) {
        seen.clear();
        bool fits = true;
        for (const auto& p : positions) {
            if (seen.insert(square_of(p, side)).second && seen.size() > max_squares) {
                fits = false;
                break;
            }
        }
        if (fits) {
            return side;
        }
    }
    return square_sides_m.back();
}

} // namespace proxima::detail
