#pragma once
// Internal: what the PNG maps and charts share on top of cairo: owning handles, text set in
// DejaVu Sans with fixed font options (no hinting, grey antialiasing: the same bytes on every
// machine with the same cairo and font), word wrapping, French number formatting, and writing
// a surface as a PNG under its final name only when complete.

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <cairo.h>
#include <fmt/format.h>

#include "proxima/core/atomic_file.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/number_format.hpp"
#include "proxima/report/time_classes.hpp"
#include "report/png_encoder.hpp"

namespace proxima::detail {

struct SurfaceDestroyer {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDestroyer {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceDestroyer>;
using ContextPtr = std::unique_ptr<cairo_t, ContextDestroyer>;

/// Paints with `c` (0–255 per channel) at `alpha`.
inline void set_colour(cairo_t* cr, Rgb c, double alpha = 1.0) {
    cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, alpha);
}

/// The typeface of every map and chart (Debian fonts-dejavu-core).
inline constexpr const char* map_font_family = "DejaVu Sans";

/// The text options of every map and chart, on any surface (an image, a PDF page): unhinted
/// metrics, so that text measures the same at every size and the layout does not depend on
/// the surface.
inline void set_text_options(cairo_t* cr) {
    cairo_font_options_t* fo = cairo_font_options_create();
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_set_font_options(cr, fo);
    cairo_font_options_destroy(fo);
}

/// A white ARGB image and its context, with the text options set. Throws OutputError if cairo
/// cannot allocate it (e.g. out of memory).
struct Canvas {
    SurfacePtr surface;
    ContextPtr cr;
};
inline Canvas make_canvas(int width, int height) {
    Canvas c;
    c.surface.reset(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height));
    if (cairo_surface_status(c.surface.get()) != CAIRO_STATUS_SUCCESS) {
        throw OutputError(fmt::format("cannot create a {}×{} px image: {}", width, height,
                                      cairo_status_to_string(cairo_surface_status(c.surface.get()))));
    }
    c.cr.reset(cairo_create(c.surface.get()));
    set_text_options(c.cr.get());
    cairo_set_source_rgb(c.cr.get(), 1, 1, 1);
    cairo_paint(c.cr.get());
    return c;
}

inline void set_font(cairo_t* cr, double size_px, bool bold = false) {
    cairo_select_font_face(cr, map_font_family, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size_px);
}

/// Advance width of `text` in the current font, pixels.
inline double text_width(cairo_t* cr, const std::string& text) {
    cairo_text_extents_t e;
    cairo_text_extents(cr, text.c_str(), &e);
    return e.x_advance;
}

/// Distance between baselines of the current font, pixels.
inline double line_height(cairo_t* cr) {
    cairo_font_extents_t e;
    cairo_font_extents(cr, &e);
    return e.height;
}

inline double ascent(cairo_t* cr) {
    cairo_font_extents_t e;
    cairo_font_extents(cr, &e);
    return e.ascent;
}

/// Splits `text` at spaces into lines no wider than `max_width` in the current font (a single
/// word wider than that gets a line of its own). An empty text gives no line.
inline std::vector<std::string> wrap_text(cairo_t* cr, const std::string& text, double max_width) {
    std::vector<std::string> lines;
    std::string line;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        const std::string word = text.substr(start, end - start);
        if (!word.empty()) {
            const std::string candidate = line.empty() ? word : line + " " + word;
            if (!line.empty() && text_width(cr, candidate) > max_width) {
                lines.push_back(line);
                line = word;
            } else {
                line = candidate;
            }
        }
        start = end + 1;
    }
    if (!line.empty()) {
        lines.push_back(line);
    }
    return lines;
}

/// A number the French way: decimal comma, digits grouped by three with a no-break space
/// (U+00A0), `decimals` digits after the comma ("12 345", "3,4").
inline std::string french_number(double value, int decimals = 0) { return format_number(value, decimals, map_numbers); }

/// A value with as few decimals as it needs, up to two ("30", "7,5").
inline std::string french_short(double value) {
    for (int d = 0; d <= 2; ++d) {
        const double scale = std::pow(10.0, d);
        if (std::abs(std::round(value * scale) - value * scale) < 1e-6) {
            return french_number(value, d);
        }
    }
    return french_number(value, 2);
}

/// Writes the surface as a PNG at `path`: encoded in memory, then written to a temporary name
/// and renamed, so that `path` never holds a partial image. Throws OutputError naming the file.
inline void write_png_atomically(cairo_surface_t* surface, const std::filesystem::path& path) {
    const std::string png = encode_png(surface, path.string());
    AtomicFile file(path);
    file.stream().write(png.data(), static_cast<std::streamsize>(png.size()));
    if (!file.stream()) {
        throw OutputError(fmt::format("cannot write '{}' (disk full?)", path.string()));
    }
    file.commit();
}

} // namespace proxima::detail
