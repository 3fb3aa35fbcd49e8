#pragma once
// Internal: a cairo image as PNG bytes, for the maps and charts.

#include <string>

#include <cairo.h>

namespace proxima::detail {

/// The image surface `surface` (ARGB32 or RGB24) encoded as PNG. An opaque image (every map and
/// chart: they are painted on white) is written as 8-bit RGB with zlib level 3 and the Paeth
/// filter on every row: about 2.5 times faster than cairo's writer (level 6, every filter tried
/// on every row) for files a few per cent larger, the same pixels. An image with any
/// transparency goes to cairo's writer. Throws OutputError naming `what` on failure.
[[nodiscard]] std::string encode_png(cairo_surface_t* surface, const std::string& what);

} // namespace proxima::detail
