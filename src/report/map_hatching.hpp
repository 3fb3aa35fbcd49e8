#pragma once
// Internal: the diagonal hatching of the maps (deficit areas, their legend boxes): black or grey
// lines "/" with a thin white casing, so that they show on light and dark fills alike, on a
// lattice fixed by the drawing's coordinates (5 pt between lines along x).

#include <cairo.h>

#include "proxima/report/time_classes.hpp"
#include "report/map_labels.hpp"

namespace proxima::detail {

/// Strokes the hatching over `area` (user space), through whatever clip is set. `px_per_pt`:
/// pixels per point of the drawing.
void hatch_clip(cairo_t* cr, const PixelBox& area, double px_per_pt, Rgb colour);

/// Hatches the inside of the current path (fill rule of `cr`) as hatch_clip() would through a
/// clip of that path, and clears the path. On an image surface drawn at a uniform scale the
/// hatching is made once as a layer and the path filled with it (~10 times faster on a région's
/// deficit, whose clip has thousands of rings; the same lines within antialiasing); elsewhere (a
/// PDF page, which keeps vector lines) through a clip.
void hatch_path(cairo_t* cr, const PixelBox& area, double px_per_pt, Rgb colour);

/// hatch_path()'s way on images: returns false, the path kept, where it does not apply (not an
/// image, a transformation other than a uniform scale and a translation, a cairo failure).
/// The layer covers `area`'s pixels: what the path holds beyond `area` is not hatched (the maps
/// clip to it anyway).
[[nodiscard]] bool hatch_layer(cairo_t* cr, const PixelBox& area, double px_per_pt, Rgb colour);

} // namespace proxima::detail
