#pragma once
// A PNG map read back with cairo, pixel by pixel, independently of the code that drew it.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include <cairo/cairo.h>
#include <catch2/catch.hpp>

#include "proxima/report/time_classes.hpp"

namespace proxima::test {

struct Png {
    int width = 0, height = 0;
    std::vector<Rgb> pixels;
    [[nodiscard]] Rgb at(int x, int y) const { return pixels[static_cast<std::size_t>(y) * width + x]; }
};

/// ARGB32; the maps are opaque, so no un-premultiplying.
inline Png read_png(const std::filesystem::path& path) {
    cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
    REQUIRE(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS);
    Png png;
    png.width = cairo_image_surface_get_width(s);
    png.height = cairo_image_surface_get_height(s);
    const int stride = cairo_image_surface_get_stride(s);
    const unsigned char* data = cairo_image_surface_get_data(s);
    for (int y = 0; y < png.height; ++y) {
        const auto* row = reinterpret_cast<const std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
        for (int x = 0; x < png.width; ++x) {
            png.pixels.push_back({static_cast<std::uint8_t>(row[x] >> 16), static_cast<std::uint8_t>(row[x] >> 8),
                                  static_cast<std::uint8_t>(row[x])});
        }
    }
    cairo_surface_destroy(s);
    return png;
}

inline bool same(Rgb a, Rgb b) { return a.r == b.r && a.g == b.g && a.b == b.b; }

} // namespace proxima::test
