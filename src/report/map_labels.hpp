#pragma once
// Internal: greedy placement of map labels without overlaps. Labels are taken by decreasing
// priority (input order breaks ties, so the result is deterministic); each tries a few positions
// around its anchor and takes the first that stays inside the bounds and overlaps neither a
// label already placed nor an obstacle (e.g. a facility symbol). A label that fits nowhere is
// dropped: on a crowded map the small communes go unlabelled, the large ones keep their names.
// All coordinates are image pixels (y down).

#include <cstddef>
#include <vector>

namespace proxima::detail {

struct PixelBox {
    double x0 = 0.0, y0 = 0.0, x1 = 0.0, y1 = 0.0;  ///< left, top, right, bottom
    [[nodiscard]] bool overlaps(const PixelBox& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
    [[nodiscard]] bool inside(const PixelBox& o) const { return x0 >= o.x0 && y0 >= o.y0 && x1 <= o.x1 && y1 <= o.y1; }
};

struct LabelRequest {
    double anchor_x = 0.0, anchor_y = 0.0;  ///< the point the label names
    double width = 0.0, height = 0.0;       ///< of the text, halo included
    double priority = 0.0;                  ///< higher first
};

struct PlacedLabel {
    std::size_t request = 0;  ///< index into the requests
    PixelBox box;             ///< where the text goes (halo included)
};

/// Places what fits. `gap` is the free space kept around each label (pixels) and the distance
/// from the anchor for the off-centre positions. Candidates, in order: centred on the anchor,
/// above, below, right, left, then the four diagonals; with `rings` > 1, the same eight again at
/// 3, 6, 9... gaps (labels that must find a place, e.g. the population of a deficit area).
/// Returns the placed labels in placement order (highest priority first).
[[nodiscard]] std::vector<PlacedLabel> place_labels(const std::vector<LabelRequest>& requests, const PixelBox& bounds,
                                                    const std::vector<PixelBox>& obstacles, double gap, int rings = 1);

} // namespace proxima::detail
