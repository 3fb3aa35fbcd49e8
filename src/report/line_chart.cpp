// render_line_chart_png(): a plain line chart for reports (e.g. the population covered as sites
// are added one by one). Same typeface, colours and determinism as the maps.

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "proxima/core/error.hpp"
#include "proxima/report/map_renderer.hpp"
#include "proxima/report/time_classes.hpp"
#include "report/cairo_canvas.hpp"

namespace proxima {

namespace {

/// A round step (1, 2, 2.5 or 5 × 10^k) giving about `ticks` intervals over `span`.
double nice_step(double span, int ticks) {
    const double raw = span / ticks;
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (m * p >= raw) {
            return m * p;
        }
    }
    return 10 * p;
}

/// Decimals needed to write multiples of `step` exactly (0 for 1, 1 for 0.5 and 2.5, 2 for 0.25).
int decimals_of(double step) {
    for (int d = 0; d < 6; ++d) {
        const double scaled = step * std::pow(10.0, d);
        if (std::abs(scaled - std::round(scaled)) < 1e-9 * std::max(1.0, scaled)) {
            return d;
        }
    }
    return 6;
}

void check_chart(const LineChart& chart, int width_px, int height_px) {
    if (width_px < 200 || width_px > 20000 || height_px < 200 || height_px > 20000) {
        throw ConfigError(fmt::format("chart size {}×{} px: give 200 to 20000 px each way", width_px, height_px));
    }
    if (chart.x.empty() || chart.x.size() != chart.y.size()) {
        throw ConfigError(fmt::format("chart '{}': {} x values for {} y values; give one y per x, at least one",
                                      chart.title, chart.x.size(), chart.y.size()));
    }
    const auto finite = [](double v) { return std::isfinite(v); };
    if (!std::all_of(chart.x.begin(), chart.x.end(), finite) || !std::all_of(chart.y.begin(), chart.y.end(), finite) ||
        (chart.y_reference && !std::isfinite(*chart.y_reference))) {
        throw ConfigError(fmt::format("chart '{}': a value is not a finite number", chart.title));
    }
}

void set_colour(cairo_t* cr, Rgb c, double alpha = 1.0) {
    cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, alpha);
}

} // namespace

void render_line_chart_png(const LineChart& chart, const std::filesystem::path& path, int width_px, int height_px) {
    check_chart(chart, width_px, height_px);
    // Sizes in points; the chart is laid out as if printed 6 inches wide.
    const double pt = width_px / (6.0 * 72.0);
    const Rgb ink{0x1a, 0x1a, 0x1a};
    const Rgb grid{0xdd, 0xdd, 0xdd};
    const Rgb line = time_classes[3].colour;  // viridis blue: the maps' palette

    detail::Canvas canvas = detail::make_canvas(width_px, height_px);
    cairo_t* cr = canvas.cr.get();
    const double margin = 12 * pt;

    // Title.
    double y = margin;
    detail::set_font(cr, 12 * pt, true);
    set_colour(cr, ink);
    for (const auto& l : detail::wrap_text(cr, chart.title, width_px - 2 * margin)) {
        cairo_move_to(cr, margin, y + detail::ascent(cr));
        cairo_show_text(cr, l.c_str());
        y += detail::line_height(cr);
    }
    y += 4 * pt;

    // Scales: y from 0 to a round value over the data; x over the data's range.
    double y_max = *std::max_element(chart.y.begin(), chart.y.end());
    double y_min = std::min(0.0, *std::min_element(chart.y.begin(), chart.y.end()));
    if (chart.y_reference) {
        y_max = std::max(y_max, *chart.y_reference);
        y_min = std::min(y_min, *chart.y_reference);
    }
    if (!(y_max > y_min)) {
        y_max = y_min + 1;
    }
    const double y_step = nice_step(y_max - y_min, 5);
    y_min = std::floor(y_min / y_step) * y_step;
    y_max = std::ceil(y_max * 1.0001 / y_step) * y_step;
    const int y_decimals = decimals_of(y_step);

    double x_min = *std::min_element(chart.x.begin(), chart.x.end());
    double x_max = *std::max_element(chart.x.begin(), chart.x.end());
    if (!(x_max > x_min)) {
        x_min -= 1;
        x_max += 1;
    }
    const double x_step = std::max(nice_step(x_max - x_min, 8), 1.0);  // integer steps
    const int x_decimals = decimals_of(x_step);

    // Plot area: room on the left for the widest y label and the caption, below for x.
    detail::set_font(cr, 9 * pt);
    double label_w = 0;
    for (double v = y_min; v <= y_max + y_step / 2; v += y_step) {
        label_w = std::max(label_w, detail::text_width(cr, detail::french_number(v, y_decimals)));
    }
    const double lh = detail::line_height(cr);
    const double left = margin + lh + 6 * pt + label_w + 6 * pt;
    const double right = width_px - margin - 4 * pt;
    const double top = y + lh;  // room for the reference caption
    const double bottom = height_px - margin - lh - 6 * pt - lh - 4 * pt;
    if (right - left < 50 || bottom - top < 50) {
        throw ConfigError(fmt::format("chart size {}×{} px leaves no room to plot; make it larger", width_px, height_px));
    }
    const auto px = [&](double v) { return left + (v - x_min) / (x_max - x_min) * (right - left); };
    const auto py = [&](double v) { return bottom - (v - y_min) / (y_max - y_min) * (bottom - top); };

    // Grid and y labels.
    cairo_set_line_width(cr, std::max(1.0, 0.5 * pt));
    for (double v = y_min; v <= y_max + y_step / 2; v += y_step) {
        set_colour(cr, grid);
        cairo_move_to(cr, left, std::round(py(v)) + 0.5);
        cairo_line_to(cr, right, std::round(py(v)) + 0.5);
        cairo_stroke(cr);
        const std::string s = detail::french_number(v, y_decimals);
        set_colour(cr, ink);
        cairo_move_to(cr, left - 6 * pt - detail::text_width(cr, s), py(v) + detail::ascent(cr) * 0.36);
        cairo_show_text(cr, s.c_str());
    }
    // x ticks and labels.
    for (double v = std::ceil(x_min / x_step) * x_step; v <= x_max + x_step / 1000; v += x_step) {
        set_colour(cr, ink);
        cairo_move_to(cr, px(v), bottom);
        cairo_line_to(cr, px(v), bottom + 4 * pt);
        cairo_stroke(cr);
        const std::string s = detail::french_number(v, x_decimals);
        cairo_move_to(cr, px(v) - detail::text_width(cr, s) / 2, bottom + 6 * pt + detail::ascent(cr));
        cairo_show_text(cr, s.c_str());
    }
    // Axes.
    set_colour(cr, ink);
    cairo_set_line_width(cr, std::max(1.0, 0.8 * pt));
    cairo_move_to(cr, left, top);
    cairo_line_to(cr, left, bottom);
    cairo_line_to(cr, right, bottom);
    cairo_stroke(cr);
    // Captions: x centred under the labels, y turned along the axis.
    detail::set_font(cr, 9.5 * pt, true);
    cairo_move_to(cr, (left + right) / 2 - detail::text_width(cr, chart.x_caption) / 2, height_px - margin);
    cairo_show_text(cr, chart.x_caption.c_str());
    cairo_save(cr);
    cairo_translate(cr, margin + detail::ascent(cr), (top + bottom) / 2 + detail::text_width(cr, chart.y_caption) / 2);
    cairo_rotate(cr, -M_PI / 2);
    cairo_move_to(cr, 0, 0);
    cairo_show_text(cr, chart.y_caption.c_str());
    cairo_restore(cr);

    // Reference line, dashed, with its caption above the end where the data lie farther from it
    // (a coverage curve meets its total on the right: the caption goes left).
    if (chart.y_reference) {
        const double ry = py(*chart.y_reference);
        const double dash[] = {6 * pt, 4 * pt};
        cairo_set_dash(cr, dash, 2, 0);
        set_colour(cr, {0x55, 0x55, 0x55});
        cairo_set_line_width(cr, 1.2 * pt);
        cairo_move_to(cr, left, ry);
        cairo_line_to(cr, right, ry);
        cairo_stroke(cr);
        cairo_set_dash(cr, nullptr, 0, 0);
        detail::set_font(cr, 9 * pt);
        const auto first = std::min_element(chart.x.begin(), chart.x.end()) - chart.x.begin();
        const auto last = std::max_element(chart.x.begin(), chart.x.end()) - chart.x.begin();
        const bool left_side = std::abs(chart.y[static_cast<std::size_t>(first)] - *chart.y_reference) >
                               std::abs(chart.y[static_cast<std::size_t>(last)] - *chart.y_reference);
        const double tx = left_side ? left + 6 * pt : right - detail::text_width(cr, chart.y_reference_caption);
        cairo_move_to(cr, tx, ry - 4 * pt);
        cairo_show_text(cr, chart.y_reference_caption.c_str());
    }

    // The data: a line through the points, a dot on each.
    cairo_save(cr);
    cairo_rectangle(cr, left - 6 * pt, top - 6 * pt, right - left + 12 * pt, bottom - top + 12 * pt);
    cairo_clip(cr);
    set_colour(cr, line);
    cairo_set_line_width(cr, 2.2 * pt);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (std::size_t i = 0; i < chart.x.size(); ++i) {
        i == 0 ? cairo_move_to(cr, px(chart.x[i]), py(chart.y[i])) : cairo_line_to(cr, px(chart.x[i]), py(chart.y[i]));
    }
    cairo_stroke(cr);
    for (std::size_t i = 0; i < chart.x.size(); ++i) {
        cairo_new_path(cr);
        cairo_arc(cr, px(chart.x[i]), py(chart.y[i]), 3.2 * pt, 0, 2 * M_PI);
        set_colour(cr, {255, 255, 255});
        cairo_fill_preserve(cr);
        set_colour(cr, line);
        cairo_set_line_width(cr, 1.6 * pt);
        cairo_stroke(cr);
    }
    cairo_restore(cr);

    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        throw OutputError(
            fmt::format("cannot draw the chart '{}': {}", path.string(), cairo_status_to_string(cairo_status(cr))));
    }
    detail::write_png_atomically(canvas.surface.get(), path);
}

} // namespace proxima
