#include "report/map_labels.hpp"

#include <algorithm>
#include <array>
#include <numeric>

namespace proxima::detail {

std::vector<PlacedLabel> place_labels(const std::vector<LabelRequest>& requests, const PixelBox& bounds,
                                      const std::vector<PixelBox>& obstacles, double gap, int rings) {
    std::vector<std::size_t> order(requests.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    // stable_sort: equal priorities keep the input order, whatever the standard library.
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return requests[a].priority > requests[b].priority; });

    std::vector<PlacedLabel> placed;
    for (std::size_t i : order) {
        const LabelRequest& r = requests[i];
        const double w = r.width;
        const double h = r.height;
        // Top-left corners of the candidate boxes: centred, then each ring of eight positions
        // at a growing distance from the anchor.
        std::vector<std::array<double, 2>> candidates = {{r.anchor_x - w / 2, r.anchor_y - h / 2}};
        for (int ring = 1; ring <= std::max(rings, 1); ++ring) {
            const double d = gap * (ring == 1 ? 1.0 : 3.0 * (ring - 1));
            candidates.insert(candidates.end(), {
                {r.anchor_x - w / 2, r.anchor_y - d - h},      // above
                {r.anchor_x - w / 2, r.anchor_y + d},          // below
                {r.anchor_x + d, r.anchor_y - h / 2},          // right
                {r.anchor_x - d - w, r.anchor_y - h / 2},      // left
                {r.anchor_x + d, r.anchor_y - d - h},          // above right
                {r.anchor_x - d - w, r.anchor_y - d - h},      // above left
                {r.anchor_x + d, r.anchor_y + d},              // below right
                {r.anchor_x - d - w, r.anchor_y + d},          // below left
            });
        }
        for (const auto& [x, y] : candidates) {
            const PixelBox box{x, y, x + w, y + h};
            if (!box.inside(bounds)) {
                continue;
            }
            // The gap is kept between labels, not towards the bounds.
            const PixelBox padded{x - gap / 2, y - gap / 2, x + w + gap / 2, y + h + gap / 2};
            const auto hits = [&](const PixelBox& o) { return padded.overlaps(o); };
            if (std::any_of(obstacles.begin(), obstacles.end(), hits)) {
                continue;
            }
            if (std::any_of(placed.begin(), placed.end(), [&](const PlacedLabel& p) {
                    const PixelBox q{p.box.x0 - gap / 2, p.box.y0 - gap / 2, p.box.x1 + gap / 2, p.box.y1 + gap / 2};
                    return padded.overlaps(q);
                })) {
                continue;
            }
            placed.push_back({i, box});
            break;
        }
    }
    return placed;
}

} // namespace proxima::detail
