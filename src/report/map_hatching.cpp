#include "report/map_hatching.hpp"

#include <cmath>
#include <cstring>

#include "report/cairo_canvas.hpp"

namespace proxima::detail {

namespace {

constexpr double spacing_pt = 7.0;      // along x (5 pt across the lines)
constexpr double casing_width_pt = 1.6;  // the white under each line
constexpr double casing_alpha = 0.55;
constexpr double line_width_pt = 0.8;

/// The hatching's lines over `area` as the offsets c of x + y = c (user space): the same lattice
/// for every way of drawing it.
template <typename F>
void for_each_line(const PixelBox& area, double px_per_pt, F&& f) {
    const double spacing = spacing_pt * px_per_pt;
    const double start = std::floor((area.x0 + area.y0) / spacing) * spacing;
    const double end = area.x1 + area.y1;
    for (double c = start; c <= end + spacing; c += spacing) {
        f(c);
    }
}

/// Both passes (casing, then line) of the lines `segment` draws for each offset c.
template <typename F>
void stroke_lines(cairo_t* cr, const PixelBox& area, double px_per_pt, double width_scale, Rgb colour, F&& segment) {
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    for (int pass = 0; pass < 2; ++pass) {
        if (pass == 0) {
            set_colour(cr, {255, 255, 255}, casing_alpha);
            cairo_set_line_width(cr, width_scale * casing_width_pt * px_per_pt);
        } else {
            set_colour(cr, colour);
            cairo_set_line_width(cr, width_scale * line_width_pt * px_per_pt);
        }
        for_each_line(area, px_per_pt, segment);
        cairo_stroke(cr);
    }
}

} // namespace

/// On an image, lines x + y = c cover device pixel (X, Y) by an amount that depends on X + Y
/// alone. So the lines are drawn once into a strip of one pixel row indexed by X + Y, the layer
/// of the area's pixels is that strip shifted by one pixel a row (memcpy), and the path is filled
/// with the layer: no clip of the path for ~300 long strokes, no transformation per pixel.
bool hatch_layer(cairo_t* cr, const PixelBox& area, double px_per_pt, Rgb colour) {
    if (cairo_surface_get_type(cairo_get_target(cr)) != CAIRO_SURFACE_TYPE_IMAGE) {
        return false;
    }
    cairo_matrix_t ctm;
    cairo_get_matrix(cr, &ctm);
    if (ctm.xy != 0.0 || ctm.yx != 0.0 || ctm.xx != ctm.yy || !(ctm.xx > 0.0)) {
        return false;
    }
    const double scale = ctm.xx;
    const double shift = ctm.x0 + ctm.y0;  // user x + y = c is device X + Y = scale c + shift

    // The area's device pixels: columns x0 .. x0 + w - 1, rows y0 .. y0 + h - 1.
    const double dx0 = std::floor(scale * area.x0 + ctm.x0);
    const double dy0 = std::floor(scale * area.y0 + ctm.y0);
    const double dx1 = std::ceil(scale * area.x1 + ctm.x0);
    const double dy1 = std::ceil(scale * area.y1 + ctm.y0);
    if (!(dx1 > dx0 && dy1 > dy0) || (dx1 - dx0) * (dy1 - dy0) > 1e9) {
        return false;
    }
    const auto x0 = static_cast<long>(dx0);
    const auto y0 = static_cast<long>(dy0);
    const auto w = static_cast<long>(dx1 - dx0);
    const auto h = static_cast<long>(dy1 - dy0);

    // Strip pixel i is device pixel (k_min + i, 0), for every X + Y of the area.
    const long k_min = x0 + y0;
    const long strip_width = w + h - 1;
    SurfacePtr strip(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, static_cast<int>(strip_width), 1));
    SurfacePtr layer(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, static_cast<int>(w), static_cast<int>(h)));
    if (cairo_surface_status(strip.get()) != CAIRO_STATUS_SUCCESS ||
        cairo_surface_status(layer.get()) != CAIRO_STATUS_SUCCESS) {
        return false;
    }
    {
        ContextPtr sc(cairo_create(strip.get()));
        // Each line long enough that its butt ends stay far off the row.
        const double reach = scale * casing_width_pt * px_per_pt + 4.0;
        stroke_lines(sc.get(), area, px_per_pt, scale, colour, [&](double c) {
            const double k = scale * c + shift - static_cast<double>(k_min);
            cairo_move_to(sc.get(), k + reach, -reach);
            cairo_line_to(sc.get(), k - reach - 1.0, reach + 1.0);
        });
        if (cairo_status(sc.get()) != CAIRO_STATUS_SUCCESS) {
            return false;
        }
    }
    cairo_surface_flush(strip.get());
    cairo_surface_flush(layer.get());
    const unsigned char* from = cairo_image_surface_get_data(strip.get());
    unsigned char* to = cairo_image_surface_get_data(layer.get());
    const int stride = cairo_image_surface_get_stride(layer.get());
    for (long row = 0; row < h; ++row) {
        // Row y0 + row starts at X + Y = x0 + y0 + row: strip pixel `row`.
        std::memcpy(to + row * stride, from + row * 4, static_cast<std::size_t>(w) * 4);
    }
    cairo_surface_mark_dirty(layer.get());

    cairo_save(cr);
    cairo_identity_matrix(cr);  // the path stays put: cairo keeps it in device space
    cairo_set_source_surface(cr, layer.get(), dx0, dy0);
    cairo_fill(cr);
    cairo_restore(cr);
    return true;
}

void hatch_clip(cairo_t* cr, const PixelBox& area, double px_per_pt, Rgb colour) {
    stroke_lines(cr, area, px_per_pt, 1.0, colour, [&](double c) {
        // x + y = c, from the bottom-left to the top-right of the area
        cairo_move_to(cr, c - area.y1, area.y1);
        cairo_line_to(cr, c - area.y0, area.y0);
    });
}

void hatch_path(cairo_t* cr, const PixelBox& area, double px_per_pt, Rgb colour) {
    if (hatch_layer(cr, area, px_per_pt, colour)) {
        return;
    }
    cairo_save(cr);
    cairo_clip(cr);
    hatch_clip(cr, area, px_per_pt, colour);
    cairo_restore(cr);
}

} // namespace proxima::detail
