#pragma once
// Internal: a cairo image as PNG bytes, for the maps and charts.

#include <string>

#include <cairo.h>

namespace proxima::detail {

/// The image surface `surface` (ARGB32 or RGB24) encoded as PNG. An opaque image (every map and
/// chart: they are painted on white) is written as 8-bit RGB with zlib level 3 and no filter
/// (PNG's filter type None on every row): several times faster than cairo's writer (level 6,
/// every filter tried on every row) and than level 3 with the Paeth filter, for smaller files
/// on real maps (`bench_maps`), the same pixels. An image with any transparency goes to
/// cairo's writer. Throws OutputError naming `what` on failure.
/// `filter`: PNG's row filter; None for every map and chart (the encoding of 27 to 29 November
/// 2026, Paeth, is kept for bench_maps to measure against).
enum class PngRowFilter { none, paeth };
[[nodiscard]] std::string encode_png(cairo_surface_t* surface, const std::string& what,
                                     PngRowFilter filter = PngRowFilter::none);

} // namespace proxima::detail
