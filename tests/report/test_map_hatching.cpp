// The maps' hatching made as a layer on images (detail::hatch_path) against the same lines stroked
// through a clip of the path, and the PNG encoder of the maps against cairo's own writer and reader.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <cairo.h>
#include <catch2/catch.hpp>

#include "proxima_test/fixtures.hpp"
#include "report/cairo_canvas.hpp"
#include "report/map_hatching.hpp"
#include "report/png_encoder.hpp"

using namespace proxima;

namespace {

constexpr Rgb ink{0x1a, 0x1a, 0x1a};

/// Two polygons, one with a hole, one with ragged steps: a deficit area in small.
void deficit_path(cairo_t* cr) {
    cairo_new_path(cr);
    cairo_move_to(cr, 20.3, 30.7);
    cairo_line_to(cr, 260.0, 22.1);
    cairo_line_to(cr, 240.4, 210.9);
    cairo_line_to(cr, 35.5, 190.2);
    cairo_close_path(cr);
    cairo_move_to(cr, 90.0, 80.0);  // the hole
    cairo_line_to(cr, 150.0, 80.0);
    cairo_line_to(cr, 150.0, 140.0);
    cairo_line_to(cr, 90.0, 140.0);
    cairo_close_path(cr);
    cairo_move_to(cr, 280.0, 60.0);
    for (int i = 0; i < 12; ++i) {  // a staircase, as the outline of surface pixels
        cairo_line_to(cr, 280.0 + 8.0 * (i + 1), 60.0 + 8.0 * i);
        cairo_line_to(cr, 280.0 + 8.0 * (i + 1), 60.0 + 8.0 * (i + 1));
    }
    cairo_line_to(cr, 280.0, 156.0);
    cairo_close_path(cr);
}

struct Image {
    detail::Canvas canvas;
    [[nodiscard]] std::uint32_t at(int x, int y) const {
        cairo_surface_t* s = canvas.surface.get();
        cairo_surface_flush(s);
        const unsigned char* data = cairo_image_surface_get_data(s);
        return reinterpret_cast<const std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) *
                                                                 cairo_image_surface_get_stride(s))[x];
    }
};

constexpr int width = 420;
constexpr int height = 260;

/// A coloured background (two fills), then the hatching of the deficit by `hatch`.
template <typename F>
Image hatched(double scale, double tx, double ty, F&& hatch) {
    Image img{detail::make_canvas(width, height)};
    cairo_t* cr = img.canvas.cr.get();
    cairo_set_source_rgb(cr, 0.2, 0.6, 0.4);
    cairo_rectangle(cr, 0, 0, width / 2.0, height);
    cairo_fill(cr);
    cairo_translate(cr, tx, ty);
    cairo_scale(cr, scale, scale);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    const detail::PixelBox area{0.0, 0.0, width / scale, height / scale};
    deficit_path(cr);
    hatch(cr, area);
    REQUIRE(cairo_status(cr) == CAIRO_STATUS_SUCCESS);
    return img;
}

int channel_diff(std::uint32_t a, std::uint32_t b) {
    int m = 0;
    for (int k = 0; k < 32; k += 8) {
        m = std::max(m, std::abs(static_cast<int>((a >> k) & 0xFF) - static_cast<int>((b >> k) & 0xFF)));
    }
    return m;
}

Image through_clip(double scale, double tx, double ty, double px_per_pt, Rgb colour) {
    return hatched(scale, tx, ty, [&](cairo_t* cr, const detail::PixelBox& area) {
        cairo_save(cr);
        cairo_clip(cr);
        detail::hatch_clip(cr, area, px_per_pt, colour);
        cairo_restore(cr);
    });
}

Image as_layer(double scale, double tx, double ty, double px_per_pt, Rgb colour) {
    return hatched(scale, tx, ty, [&](cairo_t* cr, const detail::PixelBox& area) {
        REQUIRE(detail::hatch_layer(cr, area, px_per_pt, colour));  // the layer, not the clip
        double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
        cairo_path_extents(cr, &x0, &y0, &x1, &y1);
        CHECK(x1 - x0 == 0.0);  // the path is used up, as a fill does
    });
}

} // namespace

TEST_CASE("hatch_path on an image draws the lines of the hatching through a clip, within antialiasing",
          "[report][maps]") {
    struct Case {
        double scale, tx, ty, px_per_pt;
        Rgb colour;
    };
    // 200 dpi (a PNG map), a drawn page map at another scale and offset, a grey hatching.
    const Case cases[] = {{1.0, 0.0, 0.0, 200.0 / 72.0, ink},
                          {0.73, 13.4, 7.9, 200.0 / 72.0, ink},
                          {1.6, -5.2, 3.3, 150.0 / 72.0, Rgb{0x80, 0x80, 0x80}}};
    for (const Case& c : cases) {
        CAPTURE(c.scale, c.tx, c.ty, c.px_per_pt);
        const Image background = hatched(c.scale, c.tx, c.ty, [](cairo_t* cr, const detail::PixelBox&) {
            cairo_new_path(cr);
        });
        // The path's own coverage: on its antialiased edge the two ways differ more (a clip
        // masks the casing and the line one after the other, the layer both at once).
        detail::SurfacePtr mask(cairo_image_surface_create(CAIRO_FORMAT_A8, width, height));
        {
            detail::ContextPtr mc(cairo_create(mask.get()));
            cairo_translate(mc.get(), c.tx, c.ty);
            cairo_scale(mc.get(), c.scale, c.scale);
            cairo_set_fill_rule(mc.get(), CAIRO_FILL_RULE_EVEN_ODD);
            deficit_path(mc.get());
            cairo_fill(mc.get());
        }
        cairo_surface_flush(mask.get());
        const auto coverage = [&](int x, int y) {
            return cairo_image_surface_get_data(mask.get())[y * cairo_image_surface_get_stride(mask.get()) + x];
        };
        const Image expected = through_clip(c.scale, c.tx, c.ty, c.px_per_pt, c.colour);
        const Image actual = as_layer(c.scale, c.tx, c.ty, c.px_per_pt, c.colour);
        int worst_inside = 0;
        int worst_edge = 0;
        long outside_changed = 0;
        long hatched_expected = 0;
        long hatched_actual = 0;
        for (int y = 0; y < height; ++y) {
            for (int x = 0; x < width; ++x) {
                const std::uint32_t e = expected.at(x, y);
                const std::uint32_t a = actual.at(x, y);
                const int d = channel_diff(e, a);
                if (coverage(x, y) == 0) {
                    outside_changed += a != background.at(x, y) ? 1 : 0;
                } else if (coverage(x, y) == 255) {
                    worst_inside = std::max(worst_inside, d);
                } else {
                    worst_edge = std::max(worst_edge, d);
                }
                hatched_expected += channel_diff(e, background.at(x, y)) > 40 ? 1 : 0;
                hatched_actual += channel_diff(a, background.at(x, y)) > 40 ? 1 : 0;
            }
        }
        INFO("worst difference inside " << worst_inside << ", on the edge " << worst_edge);
        CHECK(outside_changed == 0);  // nothing outside the path
        // A line one pixel off would differ by far more than rounding (the lines are 2-3 px wide).
        CHECK(worst_inside <= 8);
        CHECK(worst_edge <= 40);
        CHECK(hatched_expected > 5000);  // the hatching is there
        CHECK(std::abs(hatched_actual - hatched_expected) <= hatched_expected / 100);
    }
}

TEST_CASE("hatch_layer declines a skewed or stretched drawing, and hatch_path then uses the clip", "[report][maps]") {
    for (const bool skew : {false, true}) {
        detail::Canvas canvas = detail::make_canvas(width, height);
        cairo_t* cr = canvas.cr.get();
        cairo_matrix_t m;
        cairo_matrix_init(&m, 1.0, skew ? 0.3 : 0.0, 0.0, skew ? 1.0 : 1.5, 0.0, 0.0);  // skewed, or x and y apart
        cairo_transform(cr, &m);
        deficit_path(cr);
        CHECK_FALSE(detail::hatch_layer(cr, {0.0, 0.0, width, height}, 200.0 / 72.0, ink));
        double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
        cairo_path_extents(cr, &x0, &y0, &x1, &y1);
        CHECK(x1 - x0 > 100.0);  // the path is left for the clip
        detail::hatch_path(cr, {0.0, 0.0, width, height}, 200.0 / 72.0, ink);
        cairo_surface_flush(canvas.surface.get());
        long dark = 0;
        const unsigned char* data = cairo_image_surface_get_data(canvas.surface.get());
        for (int i = 0; i < width * height; ++i) {
            dark += (reinterpret_cast<const std::uint32_t*>(data)[i] & 0xFF) < 0x60 ? 1 : 0;
        }
        CHECK(dark > 2000);  // hatched through the clip
    }
}

TEST_CASE("hatch_path keeps vector lines where the target is not an image", "[report][maps]") {
    // A recording surface (as a PDF page): the clip and strokes are kept, and replayed onto an
    // image they give the hatching through the clip exactly.
    cairo_surface_t* recording = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, nullptr);
    cairo_t* cr = cairo_create(recording);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    deficit_path(cr);
    detail::hatch_path(cr, {0.0, 0.0, width, height}, 200.0 / 72.0, ink);
    REQUIRE(cairo_status(cr) == CAIRO_STATUS_SUCCESS);
    cairo_destroy(cr);

    Image replayed{detail::make_canvas(width, height)};
    cairo_t* rc = replayed.canvas.cr.get();
    cairo_set_source_rgb(rc, 0.2, 0.6, 0.4);
    cairo_rectangle(rc, 0, 0, width / 2.0, height);
    cairo_fill(rc);
    cairo_set_source_surface(rc, recording, 0, 0);
    cairo_paint(rc);
    cairo_surface_destroy(recording);

    const Image expected = through_clip(1.0, 0.0, 0.0, 200.0 / 72.0, ink);
    long differing = 0;
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            differing += channel_diff(expected.at(x, y), replayed.at(x, y)) > 1 ? 1 : 0;
        }
    }
    CHECK(differing == 0);
}

namespace {

std::vector<std::uint32_t> decoded(const std::string& png) {
    const test::TempDir dir("png");
    const auto path = dir.path() / "image.png";
    {
        std::FILE* f = std::fopen(path.c_str(), "wb");
        REQUIRE(f != nullptr);
        REQUIRE(std::fwrite(png.data(), 1, png.size(), f) == png.size());
        std::fclose(f);
    }
    cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
    REQUIRE(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS);
    const int w = cairo_image_surface_get_width(s);
    const int h = cairo_image_surface_get_height(s);
    std::vector<std::uint32_t> out;
    for (int y = 0; y < h; ++y) {
        const auto* row = reinterpret_cast<const std::uint32_t*>(cairo_image_surface_get_data(s) +
                                                                  static_cast<std::ptrdiff_t>(y) *
                                                                      cairo_image_surface_get_stride(s));
        out.insert(out.end(), row, row + w);
    }
    cairo_surface_destroy(s);
    return out;
}

std::string cairo_written(cairo_surface_t* surface) {
    std::string png;
    const auto append = [](void* closure, const unsigned char* data, unsigned int length) -> cairo_status_t {
        static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
        return CAIRO_STATUS_SUCCESS;
    };
    REQUIRE(cairo_surface_write_to_png_stream(surface, append, &png) == CAIRO_STATUS_SUCCESS);
    return png;
}

} // namespace

TEST_CASE("encode_png gives the pixels cairo's own writer gives, opaque or not", "[report][maps]") {
    const Image opaque = hatched(1.0, 0.0, 0.0, [](cairo_t* cr, const detail::PixelBox& area) {
        detail::hatch_path(cr, area, 200.0 / 72.0, ink);
    });
    cairo_surface_t* surface = opaque.canvas.surface.get();
    const std::string ours = detail::encode_png(surface, "opaque.png");
    REQUIRE(ours.substr(1, 3) == "PNG");
    CHECK(static_cast<unsigned char>(ours[25]) == 2);  // IHDR colour type: RGB, no alpha
    const auto pixels = decoded(ours);
    CHECK(pixels.size() == static_cast<std::size_t>(width) * height);
    CHECK(pixels == decoded(cairo_written(surface)));
    CHECK(pixels.at(5 * width + 7) == opaque.at(7, 5));
    // The row filter changes the bytes, never the pixels (Paeth: the benchmarks' baseline).
    const std::string paeth = detail::encode_png(surface, "opaque.png", detail::PngRowFilter::paeth);
    CHECK(paeth != ours);
    CHECK(decoded(paeth) == pixels);

    // With transparency (premultiplied), cairo's writer does it: the same pixels back.
    detail::SurfacePtr clear(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 64, 32));
    {
        detail::ContextPtr cr(cairo_create(clear.get()));
        cairo_set_source_rgba(cr.get(), 0.9, 0.1, 0.3, 0.4);
        cairo_arc(cr.get(), 30, 16, 12, 0, 6.3);
        cairo_fill(cr.get());
    }
    const std::string transparent = detail::encode_png(clear.get(), "clear.png");
    CHECK(static_cast<unsigned char>(transparent[25]) == 6);  // RGBA
    CHECK(decoded(transparent) == decoded(cairo_written(clear.get())));

    // RGB24: its unused byte is whatever cairo left there; the colours alone are written.
    detail::SurfacePtr rgb(cairo_image_surface_create(CAIRO_FORMAT_RGB24, 40, 20));
    {
        detail::ContextPtr cr(cairo_create(rgb.get()));
        cairo_set_source_rgb(cr.get(), 0.2, 0.5, 0.7);
        cairo_paint(cr.get());
        cairo_set_source_rgb(cr.get(), 0.9, 0.8, 0.1);
        cairo_rectangle(cr.get(), 5.5, 3.25, 20, 9);
        cairo_fill(cr.get());
    }
    const std::string rgb_png = detail::encode_png(rgb.get(), "rgb.png");
    CHECK(static_cast<unsigned char>(rgb_png[25]) == 2);
    CHECK(decoded(rgb_png) == decoded(cairo_written(rgb.get())));
}
