#pragma once
// Internal: a map painted onto any cairo context (an image for the PNG maps, a PDF page for
// report.pdf), so that both show the same drawing: one code path, vectors stay vectors.

#include <cairo/cairo.h>  // as the tests include it (their include path has no cairo folder)

#include "proxima/report/map_renderer.hpp"

namespace proxima::detail {

/// Paints the whole map of `scene` (title, map, legend, scale bar, north arrow, source) with its
/// top-left corner at the current origin of `cr`, scaled uniformly to fit `width` × `height`
/// user units (its shape is the one of map_layout(scene, options): a box of another shape leaves
/// blank on one side). One layout pixel is one user unit at scale 1; sizes in points follow
/// options.dpi. The context's state is restored afterwards; nothing is painted under the map
/// (a PDF page is white already). Returns the layout used. Throws as render_map_png(), except
/// OutputError; a context in an error state is left to the caller to check.
MapLayout render_map(cairo_t* cr, const MapScene& scene, const MapOptions& options, double width, double height);

} // namespace proxima::detail
