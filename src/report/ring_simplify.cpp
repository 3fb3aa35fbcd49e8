#include "ring_simplify.hpp"

#include <cmath>
#include <utility>

namespace proxima::detail {

std::vector<std::array<double, 2>> simplified_ring(const std::vector<std::array<double, 2>>& ring, double tolerance) {
    const std::size_t n = ring.size();
    if (n < 4) {
        return ring;
    }
    std::vector<bool> keep(n, false);
    keep[0] = keep[n - 1] = true;
    std::vector<std::pair<std::size_t, std::size_t>> spans{{0, n - 1}};
    while (!spans.empty()) {
        const auto [a, b] = spans.back();
        spans.pop_back();
        const double dx = ring[b][0] - ring[a][0];
        const double dy = ring[b][1] - ring[a][1];
        const double length = std::hypot(dx, dy);
        double farthest = -1.0;
        std::size_t at = a;
        for (std::size_t i = a + 1; i < b; ++i) {
            const double ex = ring[i][0] - ring[a][0];
            const double ey = ring[i][1] - ring[a][1];
            // From the chord, or from its start when it has no length (a closed ring's ends).
            const double d = length > 0 ? std::abs(dx * ey - dy * ex) / length : std::hypot(ex, ey);
            if (d > farthest) {
                farthest = d;
                at = i;
            }
        }
        if (farthest > tolerance) {
            keep[at] = true;
            spans.emplace_back(a, at);
            spans.emplace_back(at, b);
        }
    }
    std::vector<std::array<double, 2>> out;
    for (std::size_t i = 0; i < n; ++i) {
        if (keep[i]) {
            out.push_back(ring[i]);
        }
    }
    return out.size() >= 4 ? out : ring;
}

} // namespace proxima::detail
