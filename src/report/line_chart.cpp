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

using detail::set_colour;

constexpr Rgb ink{0x1a, 0x1a, 0x1a};
constexpr Rgb grid_line{0xdd, 0xdd, 0xdd};
constexpr Rgb reference_line{0x55, 0x55, 0x55};
constexpr Rgb data_line = time_classes[3].colour;  // viridis blue: the maps' palette

/// Sizes shared by every part of the chart, in pixels.
struct ChartMetrics {
    double pt = 0.0;      ///< pixels per point: the chart is laid out as if printed 6 inches wide
    double margin = 0.0;  ///< around the whole image
    int width_px = 0;
    int height_px = 0;
};

/// The title, wrapped to the width, from the top margin. Returns the y just under it.
double draw_title(cairo_t* cr, const LineChart& chart, const ChartMetrics& m) {
    double y = m.margin;
    detail::set_font(cr, 12 * m.pt, true);
    set_colour(cr, ink);
    for (const auto& l : detail::wrap_text(cr, chart.title, m.width_px - 2 * m.margin)) {
        cairo_move_to(cr, m.margin, y + detail::ascent(cr));
        cairo_show_text(cr, l.c_str());
        y += detail::line_height(cr);
    }
    return y + 4 * m.pt;
}

/// Both axes' ranges, round steps and the decimals their labels need.
struct ChartScales {
    double y_min = 0, y_max = 0, y_step = 0;
    int y_decimals = 0;
    double x_min = 0, x_max = 0, x_step = 0;
    int x_decimals = 0;
};

/// y from 0 (or the lowest value; or just under it, see LineChart::y_from_zero) to a round value
/// over the data and the reference; x over the
/// data's range, in integer steps. A flat series still gets a span.
ChartScales chart_scales(const LineChart& chart) {
    ChartScales s;
    s.y_max = *std::max_element(chart.y.begin(), chart.y.end());
    const double lowest = *std::min_element(chart.y.begin(), chart.y.end());
    s.y_min = chart.y_from_zero ? std::min(0.0, lowest) : lowest;
    if (!chart.y_from_zero && s.y_max > lowest) {
        s.y_min = lowest - 0.08 * (s.y_max - lowest);  // a margin under the lowest point
        if (lowest >= 0) {
            s.y_min = std::max(0.0, s.y_min);  // counts and times are never negative
        }
    }
    if (chart.y_reference) {
        s.y_max = std::max(s.y_max, *chart.y_reference);
        s.y_min = std::min(s.y_min, *chart.y_reference);
    }
    if (!(s.y_max > s.y_min)) {
        s.y_max = s.y_min + 1;
    }
    s.y_step = nice_step(s.y_max - s.y_min, 5);
    s.y_min = std::floor(s.y_min / s.y_step) * s.y_step;
    s.y_max = std::ceil(s.y_max * 1.0001 / s.y_step) * s.y_step;
    s.y_decimals = decimals_of(s.y_step);

    s.x_min = *std::min_element(chart.x.begin(), chart.x.end());
    s.x_max = *std::max_element(chart.x.begin(), chart.x.end());
    if (!(s.x_max > s.x_min)) {
        s.x_min -= 1;
        s.x_max += 1;
    }
    s.x_step = std::max(nice_step(s.x_max - s.x_min, 8), 1.0);  // integer steps
    s.x_decimals = decimals_of(s.x_step);
    return s;
}

/// The plot's rectangle in pixels and the mapping of data values onto it.
struct PlotArea {
    ChartScales scales;
    double left = 0, right = 0, top = 0, bottom = 0;
    [[nodiscard]] double px(double v) const {
        return left + (v - scales.x_min) / (scales.x_max - scales.x_min) * (right - left);
    }
    [[nodiscard]] double py(double v) const {
        return bottom - (v - scales.y_min) / (scales.y_max - scales.y_min) * (bottom - top);
    }
};

/// Room on the left for the widest y label and the caption, above for the reference caption,
/// below for the x labels and caption; refused when too little is left to plot.
PlotArea plot_area(cairo_t* cr, const ChartScales& scales, const ChartMetrics& m, double title_bottom) {
    const double pt = m.pt;
    detail::set_font(cr, 9 * pt);
    double label_w = 0;
    for (double v = scales.y_min; v <= scales.y_max + scales.y_step / 2; v += scales.y_step) {
        label_w = std::max(label_w, detail::text_width(cr, detail::french_number(v, scales.y_decimals)));
    }
    const double lh = detail::line_height(cr);
    PlotArea a;
    a.scales = scales;
    a.left = m.margin + lh + 6 * pt + label_w + 6 * pt;
    a.right = m.width_px - m.margin - 4 * pt;
    a.top = title_bottom + lh;  // room for the reference caption
    a.bottom = m.height_px - m.margin - lh - 6 * pt - lh - 4 * pt;
    if (a.right - a.left < 50 || a.bottom - a.top < 50) {
        throw ConfigError(
            fmt::format("chart size {}×{} px leaves no room to plot; make it larger", m.width_px, m.height_px));
    }
    return a;
}

/// Horizontal grid lines with their y labels, then the x ticks with their labels.
void draw_grid_and_ticks(cairo_t* cr, const PlotArea& a, double pt) {
    const ChartScales& s = a.scales;
    cairo_set_line_width(cr, std::max(1.0, 0.5 * pt));
    for (double v = s.y_min; v <= s.y_max + s.y_step / 2; v += s.y_step) {
        set_colour(cr, grid_line);
        cairo_move_to(cr, a.left, std::round(a.py(v)) + 0.5);
        cairo_line_to(cr, a.right, std::round(a.py(v)) + 0.5);
        cairo_stroke(cr);
        const std::string text = detail::french_number(v, s.y_decimals);
        set_colour(cr, ink);
        cairo_move_to(cr, a.left - 6 * pt - detail::text_width(cr, text), a.py(v) + detail::ascent(cr) * 0.36);
        cairo_show_text(cr, text.c_str());
    }
    for (double v = std::ceil(s.x_min / s.x_step) * s.x_step; v <= s.x_max + s.x_step / 1000; v += s.x_step) {
        set_colour(cr, ink);
        cairo_move_to(cr, a.px(v), a.bottom);
        cairo_line_to(cr, a.px(v), a.bottom + 4 * pt);
        cairo_stroke(cr);
        const std::string text = detail::french_number(v, s.x_decimals);
        cairo_move_to(cr, a.px(v) - detail::text_width(cr, text) / 2, a.bottom + 6 * pt + detail::ascent(cr));
        cairo_show_text(cr, text.c_str());
    }
}

/// The two axes, then the captions: x centred under the labels, y turned along the axis.
void draw_axes_and_captions(cairo_t* cr, const LineChart& chart, const PlotArea& a, const ChartMetrics& m) {
    set_colour(cr, ink);
    cairo_set_line_width(cr, std::max(1.0, 0.8 * m.pt));
    cairo_move_to(cr, a.left, a.top);
    cairo_line_to(cr, a.left, a.bottom);
    cairo_line_to(cr, a.right, a.bottom);
    cairo_stroke(cr);
    detail::set_font(cr, 9.5 * m.pt, true);
    cairo_move_to(cr, (a.left + a.right) / 2 - detail::text_width(cr, chart.x_caption) / 2, m.height_px - m.margin);
    cairo_show_text(cr, chart.x_caption.c_str());
    cairo_save(cr);
    cairo_translate(cr, m.margin + detail::ascent(cr),
                    (a.top + a.bottom) / 2 + detail::text_width(cr, chart.y_caption) / 2);
    cairo_rotate(cr, -M_PI / 2);
    cairo_move_to(cr, 0, 0);
    cairo_show_text(cr, chart.y_caption.c_str());
    cairo_restore(cr);
}

/// Reference line, dashed, with its caption above the end where the data lie farther from it
/// (a coverage curve meets its total on the right: the caption goes left).
void draw_reference(cairo_t* cr, const LineChart& chart, const PlotArea& a, double pt) {
    const double ry = a.py(*chart.y_reference);
    const double dash[] = {6 * pt, 4 * pt};
    cairo_set_dash(cr, dash, 2, 0);
    set_colour(cr, reference_line);
    cairo_set_line_width(cr, 1.2 * pt);
    cairo_move_to(cr, a.left, ry);
    cairo_line_to(cr, a.right, ry);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    detail::set_font(cr, 9 * pt);
    const auto first = std::min_element(chart.x.begin(), chart.x.end()) - chart.x.begin();
    const auto last = std::max_element(chart.x.begin(), chart.x.end()) - chart.x.begin();
    const bool left_side = std::abs(chart.y[static_cast<std::size_t>(first)] - *chart.y_reference) >
                           std::abs(chart.y[static_cast<std::size_t>(last)] - *chart.y_reference);
    const double tx = left_side ? a.left + 6 * pt : a.right - detail::text_width(cr, chart.y_reference_caption);
    cairo_move_to(cr, tx, ry - 4 * pt);
    cairo_show_text(cr, chart.y_reference_caption.c_str());
}

/// The data: a line through the points, a dot on each; clipped a little outside the plot.
void draw_series(cairo_t* cr, const LineChart& chart, const PlotArea& a, double pt) {
    cairo_save(cr);
    cairo_rectangle(cr, a.left - 6 * pt, a.top - 6 * pt, a.right - a.left + 12 * pt, a.bottom - a.top + 12 * pt);
    cairo_clip(cr);
    set_colour(cr, data_line);
    cairo_set_line_width(cr, 2.2 * pt);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (std::size_t i = 0; i < chart.x.size(); ++i) {
        const double x = a.px(chart.x[i]);
        const double y = a.py(chart.y[i]);
        i == 0 ? cairo_move_to(cr, x, y) : cairo_line_to(cr, x, y);
    }
    cairo_stroke(cr);
    for (std::size_t i = 0; i < chart.x.size(); ++i) {
        cairo_new_path(cr);
        cairo_arc(cr, a.px(chart.x[i]), a.py(chart.y[i]), 3.2 * pt, 0, 2 * M_PI);
        set_colour(cr, {255, 255, 255});
        cairo_fill_preserve(cr);
        set_colour(cr, data_line);
        cairo_set_line_width(cr, 1.6 * pt);
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}

} // namespace

void render_line_chart_png(const LineChart& chart, const std::filesystem::path& path, int width_px, int height_px) {
    check_chart(chart, width_px, height_px);
    const double pt = width_px / (6.0 * 72.0);
    const ChartMetrics metrics{pt, 12 * pt, width_px, height_px};

    detail::Canvas canvas = detail::make_canvas(width_px, height_px);
    cairo_t* cr = canvas.cr.get();
    const double title_bottom = draw_title(cr, chart, metrics);
    const PlotArea area = plot_area(cr, chart_scales(chart), metrics, title_bottom);
    draw_grid_and_ticks(cr, area, pt);
    draw_axes_and_captions(cr, chart, area, metrics);
    if (chart.y_reference) {
        draw_reference(cr, chart, area, pt);
    }
    draw_series(cr, chart, area, pt);

    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        throw OutputError(
            fmt::format("cannot draw the chart '{}': {}", path.string(), cairo_status_to_string(cairo_status(cr))));
    }
    detail::write_png_atomically(canvas.surface.get(), path);
}

} // namespace proxima
