// report.pdf (see report_pdf.hpp): pages laid out top to bottom with a cursor; a block that does
// not fit goes to the next page, a table continues there under its repeated header. The footer
// says "page N / M", so the document is laid out twice: once without the maps (their size is
// known from their layout) to count the pages, once for real.

#include "proxima/report/report_pdf.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <future>
#include <memory>
#include <numeric>
#include <optional>
#include <tuple>

#include <cairo-pdf.h>
#include <cairo.h>
#include <fmt/format.h>

#include "proxima/core/atomic_file.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/threads.hpp"
#include "proxima/report/time_classes.hpp"
#include "report/cairo_canvas.hpp"
#include "report/map_painter.hpp"

namespace proxima {

namespace {

// A4 portrait, in points (1/72 in), cairo's PDF unit.
constexpr double page_width = 595.0;
constexpr double page_height = 842.0;
constexpr double margin_x = 50.0;
constexpr double margin_top = 50.0;
constexpr double content_bottom = page_height - 62.0;  ///< the footer sits under it
constexpr double footer_baseline = page_height - 32.0;
constexpr double content_width = page_width - 2 * margin_x;

/// The maps are laid out at 72 dpi (one layout pixel = one point) for this width, then scaled to
/// the page: 0.8 of their PNG text sizes, which keeps the legend readable on paper.
constexpr int map_layout_width = 620;
constexpr double map_max_height = 540.0;

constexpr Rgb ink{0x1a, 0x1a, 0x1a};
constexpr Rgb muted{0x4d, 0x4d, 0x4d};
constexpr Rgb rule_line{0xb3, 0xb3, 0xb3};
constexpr Rgb header_fill{0xee, 0xee, 0xee};

using detail::set_colour;

std::string people(double v) { return detail::french_number(v); }
std::string percent(std::optional<double> share) {
    return share ? detail::french_number(100.0 * *share, 1) + "\u00a0%" : "–";
}
std::string minutes(double v) { return detail::french_short(v) + "\u00a0min"; }

/// Like detail::wrap_text, but a word wider than the line (a path, a hash) is cut between
/// characters (never inside a UTF-8 sequence) instead of running off the page.
std::vector<std::string> wrap_anywhere(cairo_t* cr, const std::string& text, double width) {
    std::vector<std::string> out;
    for (const auto& line : detail::wrap_text(cr, text, width)) {
        if (detail::text_width(cr, line) <= width) {
            out.push_back(line);
            continue;
        }
        std::string piece;
        for (std::size_t i = 0; i < line.size();) {
            std::size_t n = 1;
            while (i + n < line.size() && (static_cast<unsigned char>(line[i + n]) & 0xC0) == 0x80) {
                ++n;
            }
            const std::string next = piece + line.substr(i, n);
            if (!piece.empty() && detail::text_width(cr, next) > width) {
                out.push_back(piece);
                piece = line.substr(i, n);
            } else {
                piece = next;
            }
            i += n;
        }
        if (!piece.empty()) {
            out.push_back(piece);
        }
    }
    return out;
}

struct Column {
    std::string header;
    double width = 0.0;
    bool right = false;  ///< numbers are right-aligned
};

/// The pages and the cursor on the current one.
class Pages {
public:
    Pages(cairo_t* cr, std::string footer_text, int total_pages)
        : m_cr(cr), m_footer(std::move(footer_text)), m_total(total_pages) {}

    [[nodiscard]] cairo_t* cr() const { return m_cr; }
    [[nodiscard]] int count() const { return m_page; }
    [[nodiscard]] double y() const { return m_y; }
    void advance(double dy) { m_y += dy; }

    void new_page() {
        if (m_page > 0) {
            footer();
            cairo_show_page(m_cr);
        }
        ++m_page;
        m_y = margin_top;
    }
    void finish() {
        footer();
        cairo_show_page(m_cr);
    }
    /// Starts a new page unless `height` fits under the cursor.
    void need(double height) {
        if (m_y + height > content_bottom) {
            new_page();
        }
    }

    /// One line of text at the cursor (no wrapping), its top at the cursor.
    void line(const std::string& text, double size, bool bold, Rgb colour, double x = margin_x) {
        detail::set_font(m_cr, size, bold);
        need(detail::line_height(m_cr));
        draw_text(x, m_y, text, colour);
        m_y += detail::line_height(m_cr);
    }
    /// Wrapped text, continuing on the next page if needed.
    void paragraph(const std::string& text, double size, bool bold, Rgb colour, double indent = 0.0) {
        detail::set_font(m_cr, size, bold);
        for (const auto& l : wrap_anywhere(m_cr, text, content_width - indent)) {
            line(l, size, bold, colour, margin_x + indent);
        }
    }
    void heading(const std::string& text, double size = 15.0) {
        detail::set_font(m_cr, size, true);
        need(detail::line_height(m_cr) * 3);  // never alone at the bottom of a page
        m_y += size * 0.4;
        paragraph(text, size, true, ink);
        m_y += size * 0.35;
    }

    void draw_text(double x, double top, const std::string& text, Rgb colour) {
        set_colour(m_cr, colour);
        cairo_move_to(m_cr, x, top + detail::ascent(m_cr));
        cairo_show_text(m_cr, text.c_str());
    }

private:
    /// Its own font and colour, restored after: a line that starts a new page (need()) is drawn
    /// in the font it set before, not the footer's.
    void footer() {
        cairo_save(m_cr);
        footer_text();
        cairo_restore(m_cr);
    }
    void footer_text() {
        detail::set_font(m_cr, 7.5);
        set_colour(m_cr, rule_line);
        cairo_set_line_width(m_cr, 0.5);
        cairo_move_to(m_cr, margin_x, footer_baseline - 12);
        cairo_line_to(m_cr, page_width - margin_x, footer_baseline - 12);
        cairo_stroke(m_cr);
        set_colour(m_cr, muted);
        cairo_move_to(m_cr, margin_x, footer_baseline);
        cairo_show_text(m_cr, m_footer.c_str());
        // The total is unknown on the counting pass (0): the text keeps its place.
        const std::string number = fmt::format("page {} / {}", m_page, m_total);
        cairo_move_to(m_cr, page_width - margin_x - detail::text_width(m_cr, number), footer_baseline);
        cairo_show_text(m_cr, number.c_str());
    }

    cairo_t* m_cr;
    std::string m_footer;
    int m_total;
    int m_page = 0;
    double m_y = margin_top;
};

/// A table whose rows may wrap (first column only) and which continues over pages, its header
/// repeated under a "(suite)" title.
class Table {
public:
    Table(Pages& pages, std::string title, std::vector<Column> columns)
        : m_pages(pages), m_title(std::move(title)), m_columns(std::move(columns)) {}

    void start() {
        cairo_t* cr = m_pages.cr();
        detail::set_font(cr, font_size);
        // The title, the header and two rows together: a table never starts on its last line.
        m_pages.need(title_height() + 3 * row_height(1));
        title(false);
        header();
    }

    /// A row of cells; `extra` paints into the row's box after the text (e.g. a bar).
    template <typename Extra>
    void row(const std::vector<std::string>& cells, double min_height, Extra extra) {
        cairo_t* cr = m_pages.cr();
        detail::set_font(cr, font_size);
        const auto first = wrap_anywhere(cr, cells.front(), m_columns.front().width - 2 * pad);
        const double h = std::max(row_height(first.size()), min_height);
        if (m_pages.y() + h > content_bottom) {
            m_pages.new_page();
            title(true);
            header();
            detail::set_font(cr, font_size);
        }
        const double top = m_pages.y();
        double x = margin_x;
        for (std::size_t c = 0; c < m_columns.size() && c < cells.size(); ++c) {
            const Column& col = m_columns[c];
            if (c == 0) {
                double y = top + pad;
                for (const auto& l : first) {
                    m_pages.draw_text(x + pad, y, l, ink);
                    y += detail::line_height(cr);
                }
            } else if (!cells[c].empty()) {
                const double w = detail::text_width(cr, cells[c]);
                m_pages.draw_text(col.right ? x + col.width - pad - w : x + pad, top + pad, cells[c], ink);
            }
            x += col.width;
        }
        extra(top, h);
        set_colour(cr, rule_line);
        cairo_set_line_width(cr, 0.4);
        cairo_move_to(cr, margin_x, top + h);
        cairo_line_to(cr, margin_x + width(), top + h);
        cairo_stroke(cr);
        m_pages.advance(h);
    }
    void row(const std::vector<std::string>& cells) {
        row(cells, 0.0, [](double, double) {});
    }
    void end() { m_pages.advance(14); }

    [[nodiscard]] double column_left(std::size_t c) const {
        double x = margin_x;
        for (std::size_t i = 0; i < c; ++i) {
            x += m_columns[i].width;
        }
        return x;
    }

    static constexpr double font_size = 8.5;
    static constexpr double pad = 3.5;

private:
    [[nodiscard]] double width() const {
        return std::accumulate(m_columns.begin(), m_columns.end(), 0.0,
                               [](double s, const Column& c) { return s + c.width; });
    }
    [[nodiscard]] double row_height(std::size_t lines) const {
        detail::set_font(m_pages.cr(), font_size);
        return std::max<std::size_t>(lines, 1) * detail::line_height(m_pages.cr()) + 2 * pad;
    }
    [[nodiscard]] double title_height() const {
        detail::set_font(m_pages.cr(), 10.5, true);
        return detail::line_height(m_pages.cr()) + 4;
    }
    void title(bool continued) {
        m_pages.line(continued ? m_title + " (suite)" : m_title, 10.5, true, ink);
        m_pages.advance(4);
    }
    void header() {
        cairo_t* cr = m_pages.cr();
        detail::set_font(cr, font_size, true);
        const double h = detail::line_height(cr) + 2 * pad;
        const double top = m_pages.y();
        cairo_rectangle(cr, margin_x, top, width(), h);
        set_colour(cr, header_fill);
        cairo_fill(cr);
        double x = margin_x;
        for (const Column& col : m_columns) {
            const double w = detail::text_width(cr, col.header);
            m_pages.draw_text(col.right ? x + col.width - pad - w : x + pad, top + pad, col.header, ink);
            x += col.width;
        }
        m_pages.advance(h);
    }

    Pages& m_pages;
    std::string m_title;
    std::vector<Column> m_columns;
};

/// The population by time band as one bar, each band in its class colour, in proportion.
void band_bar(cairo_t* cr, const Bands& bands, double x, double y, double w, double h) {
    const double total = std::accumulate(bands.population.begin(), bands.population.end(), 0.0);
    if (total <= 0) {
        return;
    }
    double left = x;
    for (std::size_t b = 0; b < bands.population.size(); ++b) {
        const double bw = w * bands.population[b] / total;
        if (bw <= 0) {
            continue;
        }
        cairo_rectangle(cr, left, y, bw, h);
        set_colour(cr, time_classes[b].colour);
        cairo_fill(cr);
        left += bw;
    }
    cairo_rectangle(cr, x, y, w, h);
    set_colour(cr, muted);
    cairo_set_line_width(cr, 0.5);
    cairo_stroke(cr);
}

std::string file_name(const std::string& path) {
    const std::string name = std::filesystem::path(path).filename().string();
    return name.empty() ? path : name;
}

// ---------------------------------------------------------------------------------------------
// The pages.

/// Input files named on the cover, beyond the road network (the rest are counted).
constexpr std::size_t cover_files = 12;

void cover_page(Pages& pages, const PdfReport& report) {
    const RunManifest& m = report.manifest;
    pages.new_page();
    pages.advance(150);
    pages.paragraph(m.study.name, 26, true, ink);
    pages.advance(8);
    pages.line("Accessibilité aux services", 17, false, muted);
    pages.advance(10);
    cairo_t* cr = pages.cr();
    set_colour(cr, time_classes[2].colour);
    cairo_rectangle(cr, margin_x, pages.y(), 120, 4);
    cairo_fill(cr);
    pages.advance(30);
    pages.line(fmt::format("{} service{} : temps d'accès en voiture, population au-delà des seuils", m.services.size(),
                           m.services.size() == 1 ? "" : "s"),
               10.5, false, ink);
    pages.advance(40);

    // The data and, where run.json knows it, their year. No date of the run is printed: run.json
    // records none apart from the timings, and the clock would make two runs of the same inputs
    // differ; the inputs are identified by their SHA-256 on the provenance page instead.
    pages.line("Sources des données", 11, true, ink);
    pages.advance(4);
    if (!m.inputs.empty()) {
        pages.paragraph("Réseau routier : © les contributeurs d'OpenStreetMap, extrait " + file_name(m.inputs.front().path),
                        9.5, false, ink);
    }
    if (m.study.cog_year > 0) {
        pages.paragraph(fmt::format("Communes : INSEE, Code officiel géographique {}", m.study.cog_year), 9.5, false, ink);
    }
    // A région's study reads a file per service: the cover names the first few and counts the
    // rest, which the provenance page lists with their fingerprints.
    const std::size_t files = m.inputs.size() > 1 ? m.inputs.size() - 1 : 0;
    const std::size_t named = files <= cover_files ? files : cover_files - 1;
    for (std::size_t i = 1; i <= named; ++i) {
        pages.paragraph("Fichier : " + file_name(m.inputs[i].path), 9.5, false, ink);
    }
    if (named < files) {
        pages.paragraph(fmt::format("… et {} autres fichiers (liste et empreintes : page « Provenance »)", files - named),
                        9.5, false, ink);
    }
    pages.advance(30);
    pages.paragraph(fmt::format("Calculé avec Proxima {}. Temps en voiture sans trafic. Empreintes des fichiers, "
                                "paramètres et avertissements : page « Provenance ».",
                                m.proxima_version),
                    9, false, muted);
}

void summary_page(Pages& pages, const PdfReport& report) {
    const RunManifest& m = report.manifest;
    pages.new_page();
    pages.heading("Synthèse par service");
    pages.paragraph("Population au-delà du seuil de chaque service (plus loin que le seuil, ou sans accès), et "
                    "répartition de la population par temps d'accès.",
                    9, false, muted);
    pages.advance(8);
    Table table(pages, "Services",
                {{"Service", 122, false},
                 {"Seuil", 42, true},
                 {"Sites", 34, true},
                 {"Population", 60, true},
                 {"Au-delà", 56, true},
                 {"Part", 41, true},
                 {"Par temps d'accès", 140, false}});
    table.start();
    const double bar_left = table.column_left(6) + Table::pad;
    for (const PdfServicePage& s : report.services) {
        const ManifestService& sv = s.service;
        table.row({sv.label, minutes(sv.threshold_min), std::to_string(sv.facilities), people(sv.population),
                   people(sv.population_over), percent(sv.share_over), ""},
                  18.0, [&](double top, double h) {
                      band_bar(pages.cr(), s.bands, bar_left, top + (h - 9) / 2, 140 - 2 * Table::pad, 9);
                  });
    }
    table.end();

    // The key of the bars: the shared time classes.
    cairo_t* cr = pages.cr();
    pages.need(40);
    pages.line("Temps d'accès", 8.5, true, ink);
    pages.advance(3);
    detail::set_font(cr, 8);
    double x = margin_x;
    double top = pages.y();
    for (const TimeClass& tc : time_classes) {
        const std::string label(tc.label);
        const double w = 12 + 4 + detail::text_width(cr, label) + 12;
        if (x + w > margin_x + content_width) {  // on a second line
            x = margin_x;
            top += 14;
            pages.advance(14);
        }
        cairo_rectangle(cr, x, top, 12, 9);
        set_colour(cr, tc.colour);
        cairo_fill_preserve(cr);
        set_colour(cr, muted);
        cairo_set_line_width(cr, 0.4);
        cairo_stroke(cr);
        pages.draw_text(x + 16, top, label, ink);
        x += w;
    }
    pages.advance(22);
    if (m.population.unplaced > 0) {
        pages.paragraph(fmt::format("{} habitants n'ont pu être placés sur le réseau et ne sont pas comptés ci-dessus "
                                    "(voir « Provenance »).",
                                    people(m.population.unplaced)),
                        9, false, muted);
    }
}

void area_table(Pages& pages, const std::string& title, const std::string& word, const std::string& code_word,
                const std::vector<PdfAreaRow>& rows, const std::string& none) {
    if (rows.empty()) {
        pages.paragraph(none, 9, false, muted);
        pages.advance(10);
        return;
    }
    Table table(pages, title,
                {{word, 205, false},
                 {code_word, 70, false},
                 {"Population", 75, true},
                 {"Au-delà du seuil", 85, true},
                 {"Part", 60, true}});
    table.start();
    for (const PdfAreaRow& r : rows) {
        table.row({r.name.empty() ? r.code : r.name, r.code, people(r.population), people(r.population_over),
                   percent(r.share_over)});
    }
    table.end();
}

/// Drawn as vectors, a map with this many populated places or road vertices makes a page of tens
/// of megabytes that a viewer takes seconds to show (a région: 100 000 places, 1 M road vertices):
/// beyond it the map goes into the page as an image of `heavy_map_dpi`.
constexpr std::size_t heavy_map_places = 5'000;
constexpr std::size_t heavy_map_road_points = 200'000;
constexpr double heavy_map_dpi = 200.0;

bool heavy_map(const MapScene& scene) {
    std::size_t road_points = 0;
    for (const auto& road : scene.road_lines()) {
        road_points += road.points.size();
    }
    return scene.places.size() > heavy_map_places || road_points > heavy_map_road_points;
}

using ImagePtr = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;

/// A map's PNG file, read.
ImagePtr read_png(const std::filesystem::path& png) {
    ImagePtr image(cairo_image_surface_create_from_png(png.c_str()), &cairo_surface_destroy);
    if (cairo_surface_status(image.get()) != CAIRO_STATUS_SUCCESS) {
        throw OutputError(fmt::format("cannot read the map '{}' for the PDF report: {}", png.string(),
                                      cairo_status_to_string(cairo_surface_status(image.get()))));
    }
    return image;
}

/// A PNG file's width and height in pixels, from its header (the page count needs no more).
std::pair<double, double> png_size(const std::filesystem::path& png) {
    std::ifstream in(png, std::ios::binary);
    unsigned char head[24] = {};
    static const unsigned char signature[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (!in.read(reinterpret_cast<char*>(head), sizeof head) || std::memcmp(head, signature, 8) != 0 ||
        std::memcmp(head + 12, "IHDR", 4) != 0) {
        throw OutputError(fmt::format("cannot read the map '{}' for the PDF report: not a PNG file", png.string()));
    }
    const auto be32 = [&](int at) {
        return static_cast<double>((std::uint32_t{head[at]} << 24) | (std::uint32_t{head[at + 1]} << 16) |
                                   (std::uint32_t{head[at + 2]} << 8) | std::uint32_t{head[at + 3]});
    };
    if (be32(16) == 0 || be32(20) == 0) {
        throw OutputError(fmt::format("cannot read the map '{}' for the PDF report: an empty image", png.string()));
    }
    return {be32(16), be32(20)};
}

/// A map's PNG scaled for a place of w x h points on the page. The PNG maps are drawn for
/// screens and posters (2 000 px): on the page they go in at heavy_map_dpi, like the maps drawn
/// for it, which halves what the PDF compresses and holds.
ImagePtr scaled_png(const std::filesystem::path& png, double w, double h) {
    const ImagePtr image = read_png(png);
    const double iw = cairo_image_surface_get_width(image.get());
    const double ih = cairo_image_surface_get_height(image.get());
    const double k = heavy_map_dpi / 72.0;
    const int width = std::max(1, static_cast<int>(std::ceil(w * k)));
    const int height = std::max(1, static_cast<int>(std::ceil(h * k)));
    ImagePtr smaller(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height), &cairo_surface_destroy);
    std::unique_ptr<cairo_t, decltype(&cairo_destroy)> scr(cairo_create(smaller.get()), &cairo_destroy);
    cairo_scale(scr.get(), width / iw, height / ih);
    cairo_set_source_surface(scr.get(), image.get(), 0, 0);
    cairo_pattern_set_filter(cairo_get_source(scr.get()), CAIRO_FILTER_GOOD);
    cairo_paint(scr.get());
    if (cairo_status(scr.get()) != CAIRO_STATUS_SUCCESS) {
        throw OutputError(fmt::format("cannot scale a map for the PDF report: {}",
                                      cairo_status_to_string(cairo_status(scr.get()))));
    }
    cairo_surface_flush(smaller.get());
    return smaller;
}

/// A heavy map without its PNG, drawn as an image at heavy_map_dpi for a place of w x h points.
ImagePtr drawn_map(const MapScene& scene, const MapOptions& options, double w, double h) {
    const double k = heavy_map_dpi / 72.0;
    const int width = static_cast<int>(std::ceil(w * k));
    const int height = static_cast<int>(std::ceil(h * k));
    ImagePtr image(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height), &cairo_surface_destroy);
    std::unique_ptr<cairo_t, decltype(&cairo_destroy)> icr(cairo_create(image.get()), &cairo_destroy);
    cairo_set_source_rgb(icr.get(), 1, 1, 1);
    cairo_paint(icr.get());
    detail::render_map(icr.get(), scene, options, w * k, h * k);
    if (cairo_status(icr.get()) != CAIRO_STATUS_SUCCESS) {
        throw OutputError(fmt::format("cannot draw the map of the PDF report: {}", cairo_status_to_string(cairo_status(icr.get()))));
    }
    cairo_surface_flush(image.get());
    return image;
}

/// An image from drawn_map() painted at the current origin (at heavy_map_dpi).
void paint_drawn(cairo_t* cr, cairo_surface_t* image) {
    const double k = heavy_map_dpi / 72.0;
    cairo_save(cr);
    cairo_scale(cr, 1.0 / k, 1.0 / k);
    cairo_set_source_surface(cr, image, 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
}

/// An image from scaled_png() painted at the current origin over w x h points.
void paint_scaled(cairo_t* cr, cairo_surface_t* smaller, double w, double h) {
    cairo_save(cr);
    cairo_scale(cr, w / cairo_image_surface_get_width(smaller), h / cairo_image_surface_get_height(smaller));
    cairo_set_source_surface(cr, smaller, 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
}

/// The layout options of a page's map: one layout pixel = one point.
MapOptions page_map_options() {
    MapOptions options;
    options.width_px = map_layout_width;
    options.dpi = 72.0;
    return options;
}

/// Where a service page's map goes: taken from its PNG (heavy maps), or drawn (as an image if heavy).
struct MapPlace {
    bool from_png = false;
    double w = 0;  ///< points on the page
    double h = 0;
};

/// f(the page's map): its scene, or one made for the occasion (PdfServicePage::make_map).
template <class F>
auto with_map(const PdfServicePage& s, F&& f) {
    if (s.make_map) {
        const MapScene scene = s.make_map();
        return f(scene);
    }
    return f(s.map);
}

/// `map` is the page's scene (see with_map).
MapPlace map_place(const PdfServicePage& s, const MapScene& map) {
    const MapOptions options = page_map_options();
    // A heavy map with its PNG goes in as that PNG, in its own shape (no layout to work out: at
    // a région's size that means grouping 100 000 places again for every page).
    MapPlace place;
    place.from_png = heavy_map(map) && !s.map_png.empty();
    double width = 0;
    double height = 0;
    if (place.from_png) {
        std::tie(width, height) = png_size(s.map_png);
    } else {
        const MapLayout layout = map_layout(map, options);
        width = layout.width_px;
        height = layout.height_px;
    }
    const double scale = std::min(content_width / width, map_max_height / height);
    place.w = width * scale;
    place.h = height * scale;
    return place;
}

/// What the counting pass learns of a page's map, for the drawing pass: whether it goes in as an
/// image, and its place. At a national size each scene holds millions of places: made once per
/// pass, not again to ask the same questions.
struct PageMapPlan {
    bool heavy = false;
    MapPlace place;
};

/// A heavy map's image and where it goes on its page.
struct PageImage {
    ImagePtr image;
    MapPlace place;
};

/// The images of the pages' heavy maps, made on other threads ahead of the page that paints
/// them: a map's PNG read and scaled, or, without its PNG (`run --no-maps`, `proxima report`
/// without maps), the map drawn. While the PDF surface compresses a page, the next pages'
/// images are made on the other cores (half of report.pdf's time on a région's 100 PNG maps;
/// drawing is the larger cost without them).
class PageMaps {
public:
    /// `plans`: the counting pass's, one per service page. One thread (`threads` 1): each image is
    /// made when its page needs it, on the caller's thread.
    PageMaps(const PdfReport& report, const std::vector<PageMapPlan>& plans, int threads)
        : m_report(report), m_plans(plans), m_next(report.services.size()),
          m_policy(thread_count(threads) > 1 ? std::launch::async : std::launch::deferred),
          m_ahead(static_cast<std::size_t>(thread_count(threads))) {
        if (plans.size() != report.services.size()) {
            throw Error(fmt::format("report.pdf: {} map plans for {} service pages", plans.size(),
                                    report.services.size()));
        }
    }
    PageMaps(const PageMaps&) = delete;
    PageMaps& operator=(const PageMaps&) = delete;

    /// Whether service page `k`'s map goes in as an image.
    [[nodiscard]] bool heavy(std::size_t k) const { return m_plans[k].heavy; }

    /// The image of service page `k` (a heavy map) and its place; starts the images of the next
    /// pages that have one (as many as threads) before waiting for this one.
    PageImage take(std::size_t k) {
        start(k);
        std::size_t started = 0;
        for (std::size_t j = k + 1; j < m_next.size() && started < m_ahead; ++j) {
            if (m_plans[j].heavy) {
                start(j);  // made while page k is painted and compressed
                ++started;
            }
        }
        return m_next[k].get();
    }

private:
    void start(std::size_t k) {
        if (!m_next[k].valid()) {
            const PdfServicePage* page = &m_report.services[k];
            const MapPlace place = m_plans[k].place;
            m_next[k] = std::async(m_policy, [page, place, roads = m_roads] {
                if (place.from_png) {  // no scene needed
                    return PageImage{scaled_png(page->map_png, place.w, place.h), place};
                }
                return with_map(*page, [&place, &roads](const MapScene& map) {
                    MapOptions options = page_map_options();
                    options.road_layers = roads;
                    return PageImage{drawn_map(map, options, place.w, place.h), place};
                });
            });
        }
    }

    const PdfReport& m_report;
    const std::vector<PageMapPlan>& m_plans;
    std::vector<std::future<PageImage>> m_next;
    std::launch m_policy;
    std::size_t m_ahead;
    /// The maps drawn as images share their roads: every service's map of a study shows the same
    /// roads in the same frame (at a région's size, stroking them was most of a page's time).
    std::shared_ptr<RoadLayerCache> m_roads = make_road_layer_cache();
};

/// `maps`: null in the counting pass, which fills `plan` (the map's size and kind); else where the
/// heavy maps' images come from, `plan` as the counting pass left it.
void service_page(Pages& pages, const PdfServicePage& s, std::size_t k, PageMaps* maps, PageMapPlan& plan) {
    pages.new_page();
    if (maps == nullptr) {
        // The counting pass: the map's kind and place, from its scene (made once here).
        plan = with_map(s, [&s](const MapScene& map) { return PageMapPlan{heavy_map(map), map_place(s, map)}; });
    } else {
        const MapPlace& place = plan.place;
        cairo_t* cr = pages.cr();
        cairo_save(cr);
        cairo_translate(cr, margin_x + (content_width - place.w) / 2, pages.y());
        if (plan.heavy) {
            // Its image, made on another thread ahead of the page (PageMaps).
            const PageImage image = maps->take(k);
            if (place.from_png) {
                paint_scaled(cr, image.image.get(), place.w, place.h);
            } else {
                paint_drawn(cr, image.image.get());
            }
        } else {
            // A light map, drawn as vectors from its scene (made once when the page makes its own).
            with_map(s, [&](const MapScene& map) { detail::render_map(cr, map, page_map_options(), place.w, place.h); });
        }
        cairo_restore(cr);
    }
    pages.advance(plan.place.h + 12);

    const ManifestService& sv = s.service;
    const std::string threshold = minutes(sv.threshold_min);
    const bool communes = s.zone_word == "Commune";
    area_table(pages, (communes ? "Communes" : "Zones") + std::string(" dont des habitants sont au-delà de ") + threshold,
               s.zone_word, communes ? "Code INSEE" : "Code", s.zones_over,
               (communes ? "Aucune commune" : "Aucune zone") + std::string(" n'a d'habitant au-delà de ") + threshold + ".");
    if (!s.epci_over.empty()) {
        area_table(pages, "EPCI dont des habitants sont au-delà de " + threshold, "EPCI", "SIREN", s.epci_over, "");
    }
}

void provenance_page(Pages& pages, const PdfReport& report) {
    const RunManifest& m = report.manifest;
    pages.new_page();
    pages.heading("Provenance");
    pages.paragraph("Ce qui a produit ces résultats, d'après run.json : les mêmes fichiers (même empreinte SHA-256) et "
                    "les mêmes paramètres donnent les mêmes résultats.",
                    9, false, muted);
    pages.advance(6);

    pages.line("Étude", 10.5, true, ink);
    pages.paragraph(fmt::format("{} — {}", m.study.name, m.study.file), 8.5, false, ink);
    pages.paragraph("SHA-256 " + m.study.sha256, 7.5, false, muted, 10);
    pages.paragraph(fmt::format("Proxima {} ; système de coordonnées des sorties {}{}", m.proxima_version,
                                m.study.output_crs,
                                m.study.cog_year > 0 ? fmt::format(" ; COG {}", m.study.cog_year) : std::string()),
                    8.5, false, ink);
    pages.advance(8);

    pages.line("Fichiers lus", 10.5, true, ink);
    for (const ManifestFile& f : m.inputs) {
        pages.paragraph(f.path, 8.5, false, ink);
        pages.paragraph("SHA-256 " + f.sha256, 7.5, false, muted, 10);
    }
    pages.advance(8);

    // The graph's origin (built or read from its cache) and the thread count are left out: they
    // change between two runs of the same inputs, the results do not.
    pages.line("Réseau", 10.5, true, ink);
    pages.paragraph(fmt::format("{} nœuds, {} arcs ; profil {}", people(static_cast<double>(m.graph.nodes)),
                                people(static_cast<double>(m.graph.arcs)), m.graph.profile),
                    8.5, false, ink);
    pages.paragraph("profil : SHA-256 " + m.graph.profile_sha256, 7.5, false, muted, 10);
    pages.paragraph("extrait : SHA-256 " + m.graph.extract_sha256, 7.5, false, muted, 10);
    pages.advance(8);

    const auto& p = m.parameters;
    std::string bands;
    for (double b : p.bands_min) {
        bands += (bands.empty() ? "" : ", ") + detail::french_short(b);
    }
    pages.line("Paramètres", 10.5, true, ink);
    pages.paragraph(fmt::format("vitesse hors réseau {} km/h ; rattachement au réseau jusqu'à {} m (signalé au-delà de "
                                "{} m) ; bandes de temps {} min ; au-delà du seuil : {} ; surface des temps au pas de "
                                "{} m ; CSV {}",
                                detail::french_short(p.access_speed_kmh), detail::french_short(p.max_snap_m),
                                detail::french_short(p.warn_snap_m), bands, p.over_threshold,
                                detail::french_short(p.surface_resolution_m), p.csv_dialect),
                    8.5, false, ink);
    pages.advance(8);

    pages.line("Population", 10.5, true, ink);
    pages.paragraph(fmt::format("{} habitants lus, {} origines ; {} non placés", people(m.population.read),
                                people(static_cast<double>(m.population.origins)), people(m.population.unplaced)),
                    8.5, false, ink);
    for (const auto& [what, population] : m.population.unplaced_detail) {
        pages.paragraph(fmt::format("{} : {} habitants", what, people(population)), 8, false, muted, 10);
    }
    pages.advance(8);

    pages.line(fmt::format("Avertissements ({})", m.warnings.size()), 10.5, true, ink);
    if (m.warnings.empty()) {
        pages.paragraph("aucun", 8.5, false, muted);
    }
    for (const std::string& w : m.warnings) {
        pages.paragraph("– " + w, 8, false, ink);
        pages.advance(2);
    }
}

/// Lays out and draws every page; returns the number of pages. `total_pages` goes into the
/// footers; the maps are drawn only when `paint_maps` (the counting pass needs their size only,
/// and leaves in `plans` what the drawing pass needs of them).
int paint_document(cairo_t* cr, const PdfReport& report, int total_pages, bool paint_maps,
                   std::vector<PageMapPlan>& plans, int threads) {
    Pages pages(cr, report.manifest.study.name + " — Accessibilité aux services", total_pages);
    cover_page(pages, report);
    summary_page(pages, report);
    std::optional<PageMaps> maps;
    if (paint_maps) {
        maps.emplace(report, plans, threads);
    } else {
        plans.assign(report.services.size(), PageMapPlan{});
    }
    for (std::size_t k = 0; k < report.services.size(); ++k) {
        service_page(pages, report.services[k], k, maps ? &*maps : nullptr, plans[k]);
    }
    provenance_page(pages, report);
    pages.finish();
    return pages.count();
}

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}
cairo_status_t discard(void*, const unsigned char*, unsigned int) { return CAIRO_STATUS_SUCCESS; }

/// The document drawn on a PDF surface writing through `write`; returns the page count.
int draw_pdf(const PdfReport& report, cairo_write_func_t write, void* closure, int total_pages, bool paint_maps,
             std::vector<PageMapPlan>& plans, const std::filesystem::path& path, int threads) {
    detail::SurfacePtr surface(cairo_pdf_surface_create_for_stream(write, closure, page_width, page_height));
    // No creation date (cairo 1.16 writes the clock's otherwise): the same run, the same bytes.
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, "");
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                   (report.manifest.study.name + " — Accessibilité aux services").c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR,
                                   ("Proxima " + report.manifest.proxima_version).c_str());
    detail::ContextPtr cr(cairo_create(surface.get()));
    detail::set_text_options(cr.get());
    const int pages = paint_document(cr.get(), report, total_pages, paint_maps, plans, threads);
    const cairo_status_t drawn = cairo_status(cr.get());
    cr.reset();
    cairo_surface_finish(surface.get());
    const cairo_status_t status = drawn != CAIRO_STATUS_SUCCESS ? drawn : cairo_surface_status(surface.get());
    if (status != CAIRO_STATUS_SUCCESS) {
        throw OutputError(fmt::format("cannot draw '{}': {}", path.string(), cairo_status_to_string(status)));
    }
    return pages;
}

/// Rows with inhabitants beyond the threshold, most affected first (ties by code: stable bytes).
std::vector<PdfAreaRow> rows_over(const StudyResults& results, const std::string& service,
                                  std::initializer_list<std::string_view> scopes) {
    std::vector<PdfAreaRow> rows;
    for (const AreaSummary& a : results.summary) {
        if (a.service == service && a.population_over > 0 &&
            std::find(scopes.begin(), scopes.end(), a.scope) != scopes.end()) {
            rows.push_back({a.code, a.name, a.population, a.population_over, a.share_over});
        }
    }
    std::sort(rows.begin(), rows.end(), [](const PdfAreaRow& a, const PdfAreaRow& b) {
        return a.population_over != b.population_over ? a.population_over > b.population_over : a.code < b.code;
    });
    return rows;
}

} // namespace

PdfReport pdf_report_content(RunManifest manifest, const StudyResults& results, std::vector<MapScene> maps) {
    if (maps.size() != manifest.services.size()) {
        throw Error(fmt::format("report.pdf: {} maps for {} services", maps.size(), manifest.services.size()));
    }
    PdfReport report;
    for (std::size_t s = 0; s < manifest.services.size(); ++s) {
        PdfServicePage page;
        page.service = manifest.services[s];
        const auto study_row = std::find_if(results.summary.begin(), results.summary.end(), [&](const AreaSummary& a) {
            return a.scope == "study" && a.service == page.service.id;
        });
        if (study_row == results.summary.end()) {
            throw Error(fmt::format("report.pdf: no results for service '{}'", page.service.id));
        }
        page.bands = study_row->bands;
        page.map = std::move(maps[s]);
        const bool communes = std::any_of(results.summary.begin(), results.summary.end(),
                                          [](const AreaSummary& a) { return a.scope == "commune"; });
        page.zone_word = communes ? "Commune" : "Zone";
        page.zones_over = rows_over(results, page.service.id, {"commune", "zone"});
        page.epci_over = rows_over(results, page.service.id, {"epci"});
        report.services.push_back(std::move(page));
    }
    report.manifest = std::move(manifest);
    return report;
}

void write_report_pdf(const PdfReport& report, const std::filesystem::path& path, int threads) {
    std::vector<PageMapPlan> plans;  // the maps' kind and place, from the counting pass
    const int pages = draw_pdf(report, discard, nullptr, 0, false, plans, path, threads);
    std::string pdf;
    const int drawn = draw_pdf(report, append_to_string, &pdf, pages, true, plans, path, threads);
    if (drawn != pages) {
        throw Error(fmt::format("report.pdf: {} pages counted, {} drawn", pages, drawn));
    }
    AtomicFile file(path);
    file.stream().write(pdf.data(), static_cast<std::streamsize>(pdf.size()));
    if (!file.stream()) {
        throw OutputError(fmt::format("cannot write '{}' (disk full?)", path.string()));
    }
    file.commit();
}

} // namespace proxima
