#include "proxima/report/map_renderer.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>

#include <cpl_error.h>
#include <fmt/format.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>

#include "core/gdal_handles.hpp"
#include "proxima/core/error.hpp"
#include "proxima/report/map_style.hpp"
#include "proxima/report/time_classes.hpp"
#include "report/cairo_canvas.hpp"
#include "report/map_hatching.hpp"
#include "report/map_labels.hpp"
#include "report/map_painter.hpp"
#include "report/place_squares.hpp"
#include "report/ring_simplify.hpp"
#include "report/road_layer_cache.hpp"

namespace proxima {

namespace {

using detail::QuietGdalErrors;

using detail::PixelBox;
using Point = std::array<double, 2>;

// ---------------------------------------------------------------------------------------------
// Geometry: WKB read once into rings of points (scene CRS), drawn by cairo in pixels.

/// Rings of a polygon layer (outer rings and holes alike: filled with the even-odd rule, which
/// is right for valid polygons), or the parts of a line layer.
struct Shape {
    std::vector<std::vector<Point>> parts;
    bool polygon = true;
};

struct Bounds {
    double minx = std::numeric_limits<double>::infinity();
    double miny = std::numeric_limits<double>::infinity();
    double maxx = -std::numeric_limits<double>::infinity();
    double maxy = -std::numeric_limits<double>::infinity();
    void add(double x, double y) {
        minx = std::min(minx, x);
        miny = std::min(miny, y);
        maxx = std::max(maxx, x);
        maxy = std::max(maxy, y);
    }
    void add(const Shape& s) {
        for (const auto& part : s.parts) {
            for (const auto& p : part) {
                add(p[0], p[1]);
            }
        }
    }
    [[nodiscard]] bool empty() const { return !(minx <= maxx); }
};


void collect(const OGRGeometry& g, bool lines_allowed, const std::string& what, Shape& out) {
    const auto type = wkbFlatten(g.getGeometryType());
    const auto add_ring = [&](const OGRSimpleCurve& curve) {
        std::vector<Point> ring;
        ring.reserve(static_cast<std::size_t>(curve.getNumPoints()));
        for (int i = 0; i < curve.getNumPoints(); ++i) {
            const double x = curve.getX(i);
            const double y = curve.getY(i);
            if (!std::isfinite(x) || !std::isfinite(y)) {
                throw InputError(fmt::format("{}: a coordinate is not a finite number", what));
            }
            ring.push_back({x, y});
        }
        if (!ring.empty()) {
            out.parts.push_back(std::move(ring));
        }
    };
    switch (type) {
    case wkbPolygon: {
        const auto& poly = *g.toPolygon();
        for (const auto* ring : poly) {
            add_ring(*ring);
        }
        return;
    }
    case wkbLineString:
        if (lines_allowed) {
            out.polygon = false;
            add_ring(*g.toLineString());
            return;
        }
        break;
    case wkbMultiPolygon:
    case wkbMultiLineString:
    case wkbGeometryCollection:
        if (type == wkbMultiLineString && !lines_allowed) {
            break;
        }
        for (const auto* part : *g.toGeometryCollection()) {
            collect(*part, lines_allowed, what, out);
        }
        return;
    default:
        break;
    }
    throw InputError(fmt::format("{}: the geometry is a {}, where a {} is expected", what,
                                 OGRGeometryTypeToName(g.getGeometryType()),
                                 lines_allowed ? "polygon or a line" : "polygon or multipolygon"));
}

/// Reads a WKB geometry (any byte order, Z and M dropped). An empty WKB gives an empty shape.
Shape read_shape(const std::vector<unsigned char>& wkb, bool lines_allowed, const std::string& what) {
    Shape shape;
    if (wkb.empty()) {
        return shape;
    }
    QuietGdalErrors quiet;
    OGRGeometry* raw = nullptr;
    const OGRErr err = OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &raw, wkb.size());
    detail::OgrGeometryPtr geometry(raw);
    if (err != OGRERR_NONE || !geometry) {
        throw InputError(fmt::format("{}: malformed WKB ({} bytes); give a Polygon or MultiPolygon in WKB", what,
                                     wkb.size()));
    }
    collect(*geometry, lines_allowed, what, shape);
    return shape;
}

/// Refuses what the scale bar cannot measure: no CRS, an unknown one, or one not in metres.
void check_crs(const std::string& crs) {
    if (crs.empty()) {
        throw ConfigError("the map has no CRS; give a projected CRS in metres, e.g. EPSG:2154 (Lambert-93)");
    }
    QuietGdalErrors quiet;
    OGRSpatialReference srs;
    const char* const options[] = {"ALLOW_NETWORK_ACCESS=NO", "ALLOW_FILE_ACCESS=NO", nullptr};
    CPLErrorReset();
    if (srs.SetFromUserInput(crs.c_str(), options) != OGRERR_NONE) {
        throw ConfigError(fmt::format("map CRS '{}' is not a coordinate reference system GDAL/PROJ knows; give it as "
                                      "EPSG:<code>, e.g. EPSG:2154 for Lambert-93",
                                      crs));
    }
    if (!srs.IsProjected()) {
        throw ConfigError(fmt::format("map CRS '{}' is not projected (coordinates in degrees): maps need metres for "
                                      "their scale bar; use e.g. EPSG:2154 (Lambert-93) as the output CRS",
                                      crs));
    }
    if (std::abs(srs.GetLinearUnits() - 1.0) > 1e-9) {
        throw ConfigError(fmt::format("map CRS '{}' is not in metres; use e.g. EPSG:2154 (Lambert-93)", crs));
    }
}

// ---------------------------------------------------------------------------------------------
// Style: sizes in points (1/72 in) converted at the requested resolution, colours.

struct Style {
    double pt = 200.0 / 72.0;  ///< pixels per point
    [[nodiscard]] double px(double points) const { return points * pt; }
};

constexpr Rgb ink = map_style::ink;
constexpr Rgb muted{0x4d, 0x4d, 0x4d};
constexpr Rgb muted_label{0x73, 0x73, 0x73};
constexpr Rgb commune_line{0x8c, 0x8c, 0x8c};
constexpr Rgb epci_line{0x26, 0x26, 0x26};
constexpr Rgb frame_line{0x99, 0x99, 0x99};
constexpr Rgb no_data_fill{0xff, 0xff, 0xff};
/// Outside the study zones (neighbouring land, sea): a neutral tone the time colours stand out on.
constexpr Rgb surroundings_fill{0xe4, 0xe2, 0xdc};
constexpr Rgb road_line{0xff, 0xff, 0xff};
constexpr Rgb uninhabited_hatch = map_style::uninhabited_hatch;
constexpr Rgb road_casing{0x9a, 0x9a, 0x9a};
/// Radius of the facility symbol, points (about 2 mm across in print).
constexpr double symbol_radius_pt = 5.2;

using detail::set_colour;

/// The fill of a zone that has a value: its time class, or its class of MapScene::value_classes.
Rgb zone_colour(const MapScene& scene, const MapZone& z) {
    if (scene.value_classes.empty() || !z.minutes) {
        return time_classes[time_class_of(z.minutes)].colour;
    }
    return scene.value_classes[value_class_of(scene.value_classes, *z.minutes)].colour;
}

// ---------------------------------------------------------------------------------------------
// The scene read and laid out.

struct Prepared {
    std::vector<Shape> zones;
    std::vector<Shape> communes;
    std::vector<Shape> epcis;
    Shape deficit;
    std::vector<Shape> inhabited;  ///< parts of the deficit where people live
    Shape focus;
    Bounds frame;
    bool any_unreachable = false;
    bool any_no_data = false;
    bool any_cluster = false;  ///< set by plan(): some sites are merged at this scale
    std::vector<MapValuePoint> places;  ///< the scene's, or grouped into squares beyond max_places
    double place_square_m = 0.0;        ///< side of those squares (0: places drawn one by one)
};

/// Whether `squares` were made from these places: the same x, y and population, bit for bit, in
/// order (their minutes aside: the maps that share squares differ only in those).
bool made_from(const PlaceSquares& squares, const std::vector<MapValuePoint>& places) {
    if (squares.made_from.size() != 3 * places.size()) {
        return false;
    }
    const auto bits = [](double v) { return std::bit_cast<std::uint64_t>(v); };
    const double* m = squares.made_from.data();
    std::uint64_t differ = 0;  // no early exit: a run's maps all match, and this vectorises
    for (const MapValuePoint& p : places) {
        differ |= (bits(m[0]) ^ bits(p.x)) | (bits(m[1]) ^ bits(p.y)) | (bits(m[2]) ^ bits(p.population));
        m += 3;
    }
    return differ == 0;
}

/// Up to `max_places` places are drawn one by one. Beyond, a map is a carpet of overlapping dots
/// that hides the hatching under it and takes seconds to draw: the places are grouped into
/// squares of the scene's CRS (the smallest side of detail::square_sides_m that gives at most
/// `max_places`), each drawn at its inhabitants' centre with their summed population and the
/// population-weighted mean of the values of its places that have one (the plain mean if none is
/// inhabited; no value if none has one), as report.html does (same squares). The squares come
/// from the scene when they were made for these places and this cap (a run's maps share them).
std::vector<MapValuePoint> grouped_places(const MapScene& scene, std::size_t max_places, double& side_m) {
    const std::vector<MapValuePoint>& places = scene.places;
    std::shared_ptr<const PlaceSquares> squares = scene.place_squares;
    if (!squares || squares->max_places != max_places || squares->place_count != places.size() ||
        (squares->side_m > 0.0 && !made_from(*squares, places))) {
        squares = make_place_squares(places, max_places);
    }
    side_m = squares->side_m;
    if (side_m == 0.0) {
        return places;
    }
    struct Values {
        double weighted = 0.0, weight = 0.0, sum = 0.0;
        std::size_t count = 0;
    };
    std::vector<Values> values(squares->centres.size());
    for (std::size_t i = 0; i < places.size(); ++i) {
        const MapValuePoint& p = places[i];
        if (p.minutes) {
            Values& v = values[squares->square[i]];
            const double w = std::max(p.population, 0.0);
            v.weighted += w * *p.minutes, v.weight += w;
            v.sum += *p.minutes, ++v.count;
        }
    }
    std::vector<MapValuePoint> out = squares->centres;
    for (std::size_t k = 0; k < out.size(); ++k) {
        if (values[k].weight > 0) {
            out[k].minutes = values[k].weighted / values[k].weight;
        } else if (values[k].count > 0) {
            out[k].minutes = values[k].sum / static_cast<double>(values[k].count);
        }
    }
    return out;
}

Prepared prepare(const MapScene& scene, const MapOptions& options) {
    check_crs(scene.crs);
    Prepared p;
    p.places = grouped_places(scene, options.max_places, p.place_square_m);
    Bounds zones;
    for (std::size_t i = 0; i < scene.zones.size(); ++i) {
        const auto what = fmt::format("map zone {} of {}", i + 1, scene.zones.size());
        if (scene.zones[i].wkb.empty()) {
            throw InputError(fmt::format("{}: no geometry; every zone needs a polygon", what));
        }
        p.zones.push_back(read_shape(scene.zones[i].wkb, false, what));
        zones.add(p.zones.back());
        if (scene.zones[i].no_data) {
            p.any_no_data = true;
        } else if (!scene.zones[i].minutes) {
            p.any_unreachable = true;
        }
    }
    for (const auto& place : p.places) {
        p.any_unreachable = p.any_unreachable || !place.minutes;
    }
    for (std::size_t i = 0; i < scene.commune_borders.size(); ++i) {
        p.communes.push_back(read_shape(scene.commune_borders[i], true,
                                        fmt::format("commune border {} of {}", i + 1, scene.commune_borders.size())));
    }
    for (std::size_t i = 0; i < scene.epci_borders.size(); ++i) {
        p.epcis.push_back(
            read_shape(scene.epci_borders[i], true, fmt::format("EPCI border {} of {}", i + 1, scene.epci_borders.size())));
    }
    p.deficit = read_shape(scene.deficit, false, "deficit zone");
    for (std::size_t i = 0; i < scene.deficit_inhabited.size(); ++i) {
        p.inhabited.push_back(read_shape(scene.deficit_inhabited[i], false,
                                         fmt::format("inhabited deficit part {} of {}", i + 1,
                                                     scene.deficit_inhabited.size())));
    }
    p.focus = read_shape(scene.focus, false, "map focus");
    if (scene.frame) {
        const auto& f = *scene.frame;
        if (!std::isfinite(f[0]) || !std::isfinite(f[1]) || !std::isfinite(f[2]) || !std::isfinite(f[3]) || f[0] > f[2] ||
            f[1] > f[3]) {
            throw InputError(fmt::format("map frame ({}, {}, {}, {}) is not (minx, miny, maxx, maxy)", f[0], f[1], f[2], f[3]));
        }
        p.frame.add(f[0], f[1]);
        p.frame.add(f[2], f[3]);
    } else {
        p.frame = zones;
    }
    if (p.frame.empty()) {
        throw InputError(fmt::format("map '{}' has nothing to frame: no zone with a geometry and no frame", scene.title));
    }
    return p;
}

void check_options(const MapOptions& o) {
    if (o.width_px < 200 || o.width_px > 20000) {
        throw ConfigError(fmt::format("map width {} px: give 200 to 20000 px", o.width_px));
    }
    if (!(o.dpi >= 50 && o.dpi <= 1200)) {
        throw ConfigError(fmt::format("map resolution {} dpi: give 50 to 1200 dpi", o.dpi));
    }
}

// ---------------------------------------------------------------------------------------------
// Symbols, shared by the map and its legend.

/// A facility in the symbol of its family: white shape, black edge and mark, readable on every
/// class colour. Health: disc and cross; education: square and bar; public service: diamond and
/// dot; commerce: triangle; pôle de services: black disc with a white ring; other: disc and dot.
void draw_facility(cairo_t* cr, double x, double y, double r, const Style& st, ServiceFamily family) {
    cairo_new_path(cr);
    switch (family) {
    case ServiceFamily::education: cairo_rectangle(cr, x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8); break;
    case ServiceFamily::public_service:
        cairo_move_to(cr, x, y - r * 1.2);
        cairo_line_to(cr, x + r * 1.2, y);
        cairo_line_to(cr, x, y + r * 1.2);
        cairo_line_to(cr, x - r * 1.2, y);
        cairo_close_path(cr);
        break;
    case ServiceFamily::commerce:
        cairo_move_to(cr, x, y - r * 1.15);
        cairo_line_to(cr, x + r * 1.1, y + r * 0.8);
        cairo_line_to(cr, x - r * 1.1, y + r * 0.8);
        cairo_close_path(cr);
        break;
    default: cairo_arc(cr, x, y, r, 0, 2 * M_PI); break;
    }
    set_colour(cr, family == ServiceFamily::pole ? ink : Rgb{255, 255, 255});
    cairo_fill_preserve(cr);
    set_colour(cr, ink);
    cairo_set_line_width(cr, st.px(1.3));
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
    cairo_stroke(cr);
    const double a = r * 0.55;
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    switch (family) {
    case ServiceFamily::health:
        cairo_set_line_width(cr, st.px(1.5));
        cairo_move_to(cr, x - a, y);
        cairo_line_to(cr, x + a, y);
        cairo_move_to(cr, x, y - a);
        cairo_line_to(cr, x, y + a);
        cairo_stroke(cr);
        break;
    case ServiceFamily::education:
        cairo_set_line_width(cr, st.px(1.5));
        cairo_move_to(cr, x - a, y);
        cairo_line_to(cr, x + a, y);
        cairo_stroke(cr);
        break;
    case ServiceFamily::pole:
        cairo_arc(cr, x, y, r * 0.45, 0, 2 * M_PI);
        set_colour(cr, {255, 255, 255});
        cairo_fill(cr);
        break;
    case ServiceFamily::commerce: break;
    default:
        cairo_arc(cr, x, y, r * 0.28, 0, 2 * M_PI);
        cairo_fill(cr);
        break;
    }
}

/// The number of sites a symbol stands for, on a small black badge at its upper right.
void draw_count_badge(cairo_t* cr, double x, double y, double r, const Style& st, std::size_t count) {
    const std::string text = std::to_string(count);
    detail::set_font(cr, st.px(6.5), true);
    const double w = std::max(detail::text_width(cr, text) + st.px(3), st.px(8));
    const double h = st.px(8);
    const double bx = x + r * 0.55;
    const double by = y - r * 0.55 - h;
    cairo_new_path(cr);
    cairo_rectangle(cr, bx, by, w, h);
    set_colour(cr, ink);
    cairo_fill_preserve(cr);
    set_colour(cr, {255, 255, 255});
    cairo_set_line_width(cr, st.px(0.6));
    cairo_stroke(cr);
    cairo_move_to(cr, bx + (w - detail::text_width(cr, text)) / 2, by + h / 2 + detail::ascent(cr) * 0.36);
    cairo_show_text(cr, text.c_str());
}

/// A populated place: a disc in the colour of its time, its area growing with its population.
double place_radius(double population, const Style& st) {
    return st.px(std::clamp(1.6 + 0.9 * std::sqrt(std::max(population, 0.0) / 1000.0), 1.6, 7.0));
}
void draw_place(cairo_t* cr, double x, double y, double r, Rgb colour, const Style& st) {
    cairo_new_path(cr);
    cairo_arc(cr, x, y, r, 0, 2 * M_PI);
    set_colour(cr, colour);
    cairo_fill_preserve(cr);
    set_colour(cr, ink);
    cairo_set_line_width(cr, st.px(0.7));
    cairo_stroke(cr);
}

/// Sites closer than a symbol at this scale, merged (in scene order: the first one of a group
/// carries it). Returns, per group, its position and how many sites it holds.
struct SymbolGroup {
    double x = 0.0, y = 0.0;
    std::size_t count = 0;
};
std::vector<SymbolGroup> group_symbols(const std::vector<MapPoint>& points, const MapLayout& l, double r) {
    std::vector<SymbolGroup> groups;
    for (const auto& f : points) {
        const auto [x, y] = l.to_pixel(f.x, f.y);
        auto near = std::find_if(groups.begin(), groups.end(), [x = x, y = y, r](const SymbolGroup& g) {
            return std::hypot(g.x - x, g.y - y) < 2.2 * r;
        });
        if (near == groups.end()) {
            groups.push_back({x, y, 1});
        } else {
            ++near->count;
        }
    }
    return groups;
}

/// A highlighted site (e.g. added by a scenario): a white five-pointed star with a black edge,
/// and its number inside when it has one (proposed sites 1, 2, 3...).
void draw_highlight(cairo_t* cr, double x, double y, double r, const Style& st, const std::string& number = {}) {
    cairo_new_path(cr);
    for (int i = 0; i < 10; ++i) {
        const double radius = i % 2 == 0 ? r * 1.25 : r * 0.55;
        const double angle = -M_PI / 2 + i * M_PI / 5;
        const double px = x + radius * std::cos(angle);
        const double py = y + radius * std::sin(angle);
        i == 0 ? cairo_move_to(cr, px, py) : cairo_line_to(cr, px, py);
    }
    cairo_close_path(cr);
    set_colour(cr, {255, 255, 255});
    cairo_fill_preserve(cr);
    set_colour(cr, ink);
    cairo_set_line_width(cr, st.px(1.3));
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
    cairo_stroke(cr);
    if (!number.empty()) {
        detail::set_font(cr, st.px(number.size() > 1 ? 5.5 : 7), true);
        set_colour(cr, ink);
        cairo_move_to(cr, x - detail::text_width(cr, number) / 2, y + detail::ascent(cr) * 0.42);
        cairo_show_text(cr, number.c_str());
    }
}

// ---------------------------------------------------------------------------------------------
// Legend: laid out once to measure it, once to draw it.

struct LegendMetrics {
    double height = 0.0;          ///< everything except the scale block
    double scale_block = 0.0;     ///< north arrow and scale bar, at the bottom of the column
};

/// A round length for the scale bar: 1, 2 or 5 × 10^k metres, the longest not over `max_m`.
double round_length(double max_m) {
    const double p = std::pow(10.0, std::floor(std::log10(max_m)));
    for (double m : {5.0, 2.0, 1.0}) {
        if (m * p <= max_m) {
            return m * p;
        }
    }
    return p;
}

std::string length_text(double metres) {
    return metres >= 1000 ? detail::french_short(metres / 1000) + "\u00a0km" : detail::french_short(metres) + "\u00a0m";
}

class LegendPainter {
public:
    LegendPainter(cairo_t* cr, const MapScene& scene, const Prepared& prepared, const Style& st, double left,
                  double top, double width)
        : m_cr(cr), m_scene(scene), m_prepared(prepared), m_st(st), m_left(left), m_y(top), m_top(top),
          m_width(width) {}

    /// Lays out (and draws when `draw`) the legend; returns its height.
    double run(bool draw) {
        m_draw = draw;
        cairo_t* cr = m_cr;
        // Caption of the colours, with its unit.
        detail::set_font(cr, m_st.px(10.5), true);
        text_block(m_scene.value_caption, ink, 0);
        m_y += m_st.px(5);

        const double box_w = m_st.px(20);
        const double box_h = m_st.px(12.5);
        const double text_x = m_left + box_w + m_st.px(7);
        detail::set_font(cr, m_st.px(9.5));

        const std::optional<double> t = m_scene.threshold_min;
        const bool on_boundary =
            t && std::find(band_upper_min.begin(), band_upper_min.end(), *t) != band_upper_min.end();
        for (const MapValueClass& vc : m_scene.value_classes) {  // another value than a time (APL)
            swatch_row(vc.colour, vc.label, box_w, box_h, text_x, std::nullopt);
        }
        for (std::size_t k = 0; m_scene.value_classes.empty() && k + 1 < time_classes.size(); ++k) {
            const TimeClass& tc = time_classes[k];
            std::string label(tc.label);
            std::optional<double> inner;  // position of a threshold inside this class, 0..1 from the top
            if (t && !on_boundary && time_class_of(*t) == k) {
                inner = tc.upper ? (*t - tc.lower.value_or(0.0)) / (*tc.upper - tc.lower.value_or(0.0)) : 0.5;
                label += "  (seuil\u00a0: " + detail::french_short(*t) + "\u00a0min)";
            }
            swatch_row(tc.colour, label, box_w, box_h, text_x, inner);
            if (t && on_boundary && tc.upper && *tc.upper == *t) {
                threshold_row(*t, box_w, text_x);
            }
        }
        if (m_prepared.any_unreachable) {
            m_y += m_st.px(4);
            swatch_row(time_classes[unreachable_class].colour, "inaccessible (aucun site atteint)", box_w, box_h, text_x,
                       std::nullopt);
        }
        if (m_prepared.any_no_data) {
            m_y += m_st.px(4);
            swatch_row(no_data_fill, "sans habitant", box_w, box_h, text_x, std::nullopt);
        }

        m_y += m_st.px(10);
        if (!m_scene.places.empty()) {
            std::string caption = m_scene.places_caption.empty()
                                      ? "Lieu habité : couleur de son temps, taille selon sa population"
                                      : m_scene.places_caption;
            if (m_prepared.place_square_m > 0) {
                caption = fmt::format("{} lieux habités regroupés en carrés de {} : couleur {} de leurs habitants, "
                                      "taille selon leur population",
                                      detail::french_number(static_cast<double>(m_scene.places.size())),
                                      length_text(m_prepared.place_square_m),
                                      m_scene.value_classes.empty() ? "du temps moyen" : "de la valeur moyenne");
            }
            symbol_row(caption, box_h, text_x, [&](double x, double y) {
                const auto& vc = m_scene.value_classes;
                const Rgb small = vc.size() > 2 ? vc[vc.size() / 2 - 1].colour : time_classes[1].colour;
                const Rgb large = vc.size() > 2 ? vc[vc.size() - 2].colour : time_classes[3].colour;
                draw_place(cr, x + box_w * 0.25, y + box_h / 2, place_radius(100, m_st), small, m_st);
                draw_place(cr, x + box_w * 0.7, y + box_h / 2, place_radius(5000, m_st), large, m_st);
            });
        }
        if (!m_prepared.deficit.parts.empty()) {
            std::string caption = m_scene.deficit_caption;
            if (caption.empty()) {
                caption = t ? "Au-delà du seuil de " + detail::french_short(*t) + "\u00a0min" : "Au-delà du seuil";
            }
            const bool split = !m_prepared.inhabited.empty();
            const auto hatch_box = [&](double x, double y, Rgb colour, double edge_pt) {
                cairo_rectangle(cr, x, y, box_w, box_h);
                set_colour(cr, {255, 255, 255});
                cairo_fill(cr);
                cairo_save(cr);
                cairo_rectangle(cr, x, y, box_w, box_h);
                cairo_clip(cr);
                detail::hatch_clip(cr, {x, y, x + box_w, y + box_h}, m_st.pt, colour);
                cairo_restore(cr);
                cairo_rectangle(cr, x, y, box_w, box_h);
                set_colour(cr, colour);
                cairo_set_line_width(cr, m_st.px(edge_pt));
                cairo_stroke(cr);
            };
            if (split) {
                symbol_row(caption + ", où vivent des habitants", box_h, text_x,
                           [&](double x, double y) { hatch_box(x, y, ink, 1.8); });
                symbol_row("… et sans habitant", box_h, text_x,
                           [&](double x, double y) { hatch_box(x, y, uninhabited_hatch, 1.1); });
            } else {
                symbol_row(caption, box_h, text_x, [&](double x, double y) { hatch_box(x, y, ink, 1.2); });
            }
        }
        if (!m_scene.facilities.empty()) {
            const std::string caption = m_scene.facility_caption.empty() ? "Site du service" : m_scene.facility_caption;
            symbol_row(caption, box_h, text_x, [&](double x, double y) {
                draw_facility(cr, x + box_w / 2, y + box_h / 2, m_st.px(symbol_radius_pt), m_st,
                              m_scene.facility_family);
            });
            if (m_prepared.any_cluster) {
                symbol_row("Sites voisins regroupés (leur nombre)", box_h, text_x, [&](double x, double y) {
                    const double r = m_st.px(symbol_radius_pt);
                    draw_facility(cr, x + box_w / 2 - r * 0.3, y + box_h / 2 + r * 0.3, r, m_st,
                                  m_scene.facility_family);
                    draw_count_badge(cr, x + box_w / 2 - r * 0.3, y + box_h / 2 + r * 0.3, r, m_st, 2);
                });
            }
        }
        if (!m_scene.highlights.empty()) {
            const std::string caption = m_scene.highlight_caption.empty() ? "Site ajouté" : m_scene.highlight_caption;
            const bool numbered = !m_scene.highlights.front().number.empty();
            symbol_row(caption, box_h, text_x, [&](double x, double y) {
                draw_highlight(cr, x + box_w / 2, y + box_h / 2, m_st.px(symbol_radius_pt) * (numbered ? 1.35 : 1.0),
                               m_st, numbered ? "1" : "");
            });
        }
        if (!m_scene.road_lines().empty()) {
            symbol_row("Route (plus large si rapide)", box_h, text_x, [&](double x, double y) {
                cairo_rectangle(cr, x, y, box_w, box_h);
                set_colour(cr, surroundings_fill);
                cairo_fill(cr);
                cairo_move_to(cr, x, y + box_h / 2);
                cairo_line_to(cr, x + box_w, y + box_h / 2);
                set_colour(cr, road_casing);
                cairo_set_line_width(cr, m_st.px(2.2));
                cairo_stroke_preserve(cr);
                set_colour(cr, road_line);
                cairo_set_line_width(cr, m_st.px(1.3));
                cairo_stroke(cr);
            });
        }
        if (!m_scene.commune_borders.empty()) {
            const std::string caption =
                m_scene.commune_border_caption.empty() ? "Limite de commune" : m_scene.commune_border_caption;
            symbol_row(caption, box_h, text_x, [&](double x, double y) {
                cairo_move_to(cr, x, y + box_h / 2);
                cairo_line_to(cr, x + box_w, y + box_h / 2);
                set_colour(cr, commune_line);
                cairo_set_line_width(cr, m_st.px(0.6));
                cairo_stroke(cr);
            });
        }
        if (!m_scene.epci_borders.empty()) {
            symbol_row("Limite d'EPCI", box_h, text_x, [&](double x, double y) {
                cairo_move_to(cr, x, y + box_h / 2);
                cairo_line_to(cr, x + box_w, y + box_h / 2);
                set_colour(cr, epci_line);
                cairo_set_line_width(cr, m_st.px(1.6));
                cairo_stroke(cr);
            });
        }
        if (!m_scene.notes.empty()) {
            m_y += m_st.px(8);
            for (std::size_t i = 0; i < m_scene.notes.size(); ++i) {
                // The first note is the key figure, in bold; the others explain it.
                detail::set_font(cr, m_st.px(9.5), i == 0);
                text_block(m_scene.notes[i], i == 0 ? ink : muted, 0);
                m_y += m_st.px(3);
            }
        }
        return m_y - m_top;
    }

private:
    /// Wrapped text in the current font at the cursor, indented by `indent`.
    void text_block(const std::string& text, Rgb colour, double indent) {
        for (const auto& line : detail::wrap_text(m_cr, text, m_width - indent)) {
            if (m_draw) {
                set_colour(m_cr, colour);
                cairo_move_to(m_cr, m_left + indent, m_y + detail::ascent(m_cr));
                cairo_show_text(m_cr, line.c_str());
            }
            m_y += detail::line_height(m_cr);
        }
    }

    /// A colour box (boxes of consecutive rows touch: they read as one ramp) and its label.
    void swatch_row(Rgb colour, const std::string& label, double box_w, double box_h, double text_x,
                    std::optional<double> threshold_inside) {
        cairo_t* cr = m_cr;
        if (m_draw) {
            cairo_rectangle(cr, m_left, m_y, box_w, box_h);
            set_colour(cr, colour);
            cairo_fill_preserve(cr);
            set_colour(cr, frame_line);
            cairo_set_line_width(cr, m_st.px(0.5));
            cairo_stroke(cr);
            if (threshold_inside) {
                threshold_line(m_y + *threshold_inside * box_h, box_w);
            }
            detail::set_font(cr, m_st.px(9.5));
            set_colour(cr, ink);
            cairo_move_to(cr, text_x, m_y + box_h / 2 + detail::ascent(cr) * 0.36);
            cairo_show_text(cr, label.c_str());
        }
        m_y += box_h;
    }

    void threshold_line(double y, double box_w) {
        cairo_t* cr = m_cr;
        cairo_move_to(cr, m_left - m_st.px(3), y);
        cairo_line_to(cr, m_left + box_w + m_st.px(3), y);
        set_colour(cr, ink);
        cairo_set_line_width(cr, m_st.px(2.2));
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
        cairo_stroke(cr);
    }

    /// The threshold between two classes: a thick line across the ramp and its value, on a row
    /// of its own so that it splits the ramp into "within" and "beyond".
    void threshold_row(double t, double box_w, double text_x) {
        const double h = m_st.px(13);
        if (m_draw) {
            threshold_line(m_y + h / 2, box_w);
            detail::set_font(m_cr, m_st.px(9.5), true);
            set_colour(m_cr, ink);
            cairo_move_to(m_cr, text_x, m_y + h / 2 + detail::ascent(m_cr) * 0.36);
            const std::string text = "seuil\u00a0: " + detail::french_short(t) + "\u00a0min";
            cairo_show_text(m_cr, text.c_str());
            detail::set_font(m_cr, m_st.px(9.5));
        }
        m_y += h;
    }

    template <typename Symbol>
    void symbol_row(const std::string& caption, double box_h, double text_x, Symbol symbol) {
        detail::set_font(m_cr, m_st.px(9.5));
        const auto lines = detail::wrap_text(m_cr, caption, m_left + m_width - text_x);
        const double lh = detail::line_height(m_cr);
        const double text_h = lines.size() * lh;
        const double row_h = std::max(box_h, text_h) + m_st.px(5);
        if (m_draw) {
            cairo_save(m_cr);
            symbol(m_left, m_y + (std::max(box_h, lh) - box_h) / 2);
            cairo_restore(m_cr);
            detail::set_font(m_cr, m_st.px(9.5));
            set_colour(m_cr, ink);
            double y = m_y + (std::max(box_h, lh) - lh) / 2;
            for (const auto& line : lines) {
                cairo_move_to(m_cr, text_x, y + detail::ascent(m_cr));
                cairo_show_text(m_cr, line.c_str());
                y += lh;
            }
        }
        m_y += row_h;
    }

    cairo_t* m_cr;
    const MapScene& m_scene;
    const Prepared& m_prepared;
    const Style& m_st;
    double m_left;
    double m_y;
    double m_top;
    double m_width;
    bool m_draw = false;
};

/// North arrow and scale bar, side by side, with their top at `top`. Returns the height.
double draw_scale_block(cairo_t* cr, const MapLayout& layout, const Style& st, double left, double top, bool draw) {
    const double arrow_w = st.px(10);
    const double arrow_h = st.px(22);
    detail::set_font(cr, st.px(9), true);
    const double n_h = detail::ascent(cr);
    const double height = n_h + st.px(3) + arrow_h;
    if (!draw) {
        return height;
    }
    // North arrow: "N" over a split arrowhead (half black, half white), grid north of the CRS.
    const double ax = left + arrow_w / 2 + st.px(2);
    set_colour(cr, ink);
    const double nw = detail::text_width(cr, "N");
    cairo_move_to(cr, ax - nw / 2, top + n_h);
    cairo_show_text(cr, "N");
    const double at = top + n_h + st.px(3);
    cairo_move_to(cr, ax, at);
    cairo_line_to(cr, ax - arrow_w / 2, at + arrow_h);
    cairo_line_to(cr, ax, at + arrow_h * 0.72);
    cairo_close_path(cr);
    set_colour(cr, ink);
    cairo_fill_preserve(cr);
    cairo_set_line_width(cr, st.px(0.8));
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
    cairo_stroke(cr);
    cairo_move_to(cr, ax, at);
    cairo_line_to(cr, ax + arrow_w / 2, at + arrow_h);
    cairo_line_to(cr, ax, at + arrow_h * 0.72);
    cairo_close_path(cr);
    set_colour(cr, {255, 255, 255});
    cairo_fill_preserve(cr);
    set_colour(cr, ink);
    cairo_stroke(cr);

    // Scale bar: two halves, black and white, "0", half and full length.
    const double bar_left = left + arrow_w + st.px(18);
    const double max_px = layout.legend_width - (bar_left - left) - st.px(18);
    const double metres = round_length(max_px / layout.px_per_m);
    const double bar_px = metres * layout.px_per_m;
    const double bar_h = st.px(4);
    const double bar_top = at + arrow_h - bar_h;
    for (int half = 0; half < 2; ++half) {
        cairo_rectangle(cr, bar_left + half * bar_px / 2, bar_top, bar_px / 2, bar_h);
        set_colour(cr, half == 0 ? ink : Rgb{255, 255, 255});
        cairo_fill_preserve(cr);
        set_colour(cr, ink);
        cairo_set_line_width(cr, st.px(0.8));
        cairo_stroke(cr);
    }
    detail::set_font(cr, st.px(8.5));
    const double label_y = bar_top - st.px(3);
    const auto centred = [&](const std::string& s, double x) {
        cairo_move_to(cr, x - detail::text_width(cr, s) / 2, label_y);
        cairo_show_text(cr, s.c_str());
    };
    set_colour(cr, ink);
    centred("0", bar_left);
    centred(detail::french_short(metres >= 1000 ? metres / 2000 : metres / 2), bar_left + bar_px / 2);
    const std::string full = length_text(metres);
    cairo_move_to(cr, bar_left + bar_px - detail::text_width(cr, full.substr(0, full.find("\u00a0"))) / 2, label_y);
    cairo_show_text(cr, full.c_str());
    return height;
}

// ---------------------------------------------------------------------------------------------
// Layout of the whole image.

struct Header {
    std::vector<std::string> title;
    std::vector<std::string> subtitle;
    std::vector<std::string> source;
    double title_lh = 0, subtitle_lh = 0, source_lh = 0;
};

struct Plan {
    MapLayout layout;
    Header header;
    double legend_height = 0.0;
    double scale_height = 0.0;
};

Plan plan(const MapScene& scene, const Prepared& prepared, const MapOptions& options) {
    const Style st{options.dpi / 72.0};
    Plan plan;
    MapLayout& l = plan.layout;
    l.width_px = options.width_px;
    const double margin = std::round(st.px(14));
    const double gutter = std::round(st.px(14));
    // A measuring surface: text extents need a context, not pixels.
    detail::Canvas measure = detail::make_canvas(1, 1);
    cairo_t* cr = measure.cr.get();

    const double text_w = l.width_px - 2 * margin;
    detail::set_font(cr, st.px(16), true);
    plan.header.title = detail::wrap_text(cr, scene.title, text_w);
    plan.header.title_lh = detail::line_height(cr);
    detail::set_font(cr, st.px(10.5));
    plan.header.subtitle = detail::wrap_text(cr, scene.subtitle, text_w);
    plan.header.subtitle_lh = detail::line_height(cr);
    detail::set_font(cr, st.px(7.5));
    plan.header.source = detail::wrap_text(cr, scene.source_line, text_w);
    plan.header.source_lh = detail::line_height(cr);

    l.legend_width = std::round(std::max(st.px(150), l.width_px * 0.27));
    l.map_left = margin;
    l.map_width = std::round(l.width_px - 2 * margin - gutter - l.legend_width);
    if (l.map_width < l.width_px * 0.4) {
        throw ConfigError(fmt::format("map width {} px is too small for text at {} dpi; give a larger width or a "
                                      "lower dpi",
                                      options.width_px, options.dpi));
    }
    l.legend_left = l.map_left + l.map_width + gutter;
    l.map_top = std::round(margin + plan.header.title.size() * plan.header.title_lh +
                           plan.header.subtitle.size() * plan.header.subtitle_lh + st.px(10));
    l.legend_top = l.map_top;

    LegendPainter legend(cr, scene, prepared, st, l.legend_left, l.legend_top, l.legend_width);
    plan.legend_height = legend.run(false);
    plan.scale_height = draw_scale_block(cr, l, st, l.legend_left, 0, false);

    // The frame with a margin of 4 % of its larger side, at least 250 m each way.
    const Bounds& f = prepared.frame;
    const double pad = std::max(250.0, 0.04 * std::max(f.maxx - f.minx, f.maxy - f.miny));
    const double fw = f.maxx - f.minx + 2 * pad;
    const double fh = f.maxy - f.miny + 2 * pad;
    const double aspect = std::clamp(fh / fw, 0.6, 1.35);
    l.map_height = std::round(std::max(l.map_width * aspect, plan.legend_height + plan.scale_height + st.px(16)));
    l.px_per_m = std::min(l.map_width / fw, l.map_height / fh);
    const double cx = (f.minx + f.maxx) / 2;
    const double cy = (f.miny + f.maxy) / 2;
    const double half_w = l.map_width / l.px_per_m / 2;
    const double half_h = l.map_height / l.px_per_m / 2;
    l.world = {cx - half_w, cy - half_h, cx + half_w, cy + half_h};

    l.height_px = static_cast<int>(std::ceil(l.map_top + l.map_height + st.px(8) +
                                             plan.header.source.size() * plan.header.source_lh + margin));
    return plan;
}

/// A deficit is a union of surface pixels: at a région's scale its staircase outline has
/// several vertices per map pixel, which cost most of a map's drawing (clip, hatching, four
/// strokes). Within half a pixel of the map (under the antialiasing), it looks the same with far
/// fewer: the steps of pixels smaller than the map's become the lines they draw.
void simplify_deficit(Prepared& prepared, const MapLayout& layout) {
    const double tolerance = 0.5 / layout.px_per_m;
    const auto simplify = [&](Shape& shape) {
        for (auto& ring : shape.parts) {
            ring = detail::simplified_ring(ring, tolerance);
        }
    };
    simplify(prepared.deficit);
    for (Shape& part : prepared.inhabited) {
        simplify(part);
    }
}

/// The plan, with the legend row of merged sites when some merge at the planned scale (the
/// scale depends a little on the legend's height: planned again with the row).
/// The deficit's outlines are simplified for that scale (simplify_deficit).
Plan plan_with_groups(const MapScene& scene, Prepared& prepared, const MapOptions& options) {
    Plan p = plan(scene, prepared, options);
    const Style st{options.dpi / 72.0};
    const auto groups = group_symbols(scene.facilities, p.layout, st.px(symbol_radius_pt));
    if (groups.size() < scene.facilities.size()) {
        prepared.any_cluster = true;
        p = plan(scene, prepared, options);
    }
    simplify_deficit(prepared, p.layout);
    return p;
}

// ---------------------------------------------------------------------------------------------
// Drawing.

/// Adds the rings of `s` to the current path.
void append_shape_path(cairo_t* cr, const Shape& s, const MapLayout& l) {
    for (const auto& part : s.parts) {
        for (std::size_t i = 0; i < part.size(); ++i) {
            const auto [x, y] = l.to_pixel(part[i][0], part[i][1]);
            i == 0 ? cairo_move_to(cr, x, y) : cairo_line_to(cr, x, y);
        }
        if (s.polygon) {
            cairo_close_path(cr);
        }
    }
}

void shape_path(cairo_t* cr, const Shape& s, const MapLayout& l) {
    cairo_new_path(cr);
    append_shape_path(cr, s, l);
}

/// The deficit's inhabited parts as one path: they are disjoint, so one clip hatches them all
/// and one stroke outlines them all (a clip and a hatching of the whole map per part cost most
/// of a région's map; one stroke also keeps a part's casing off its neighbour's line).
void inhabited_path(cairo_t* cr, const Prepared& p, const MapLayout& l) {
    cairo_new_path(cr);
    for (const Shape& part : p.inhabited) {
        append_shape_path(cr, part, l);
    }
}

/// The choropleth. Each zone is also stroked in its own colour (a hairline) so that neighbours
/// meet without the antialiasing seam of white between them.
void draw_zones(cairo_t* cr, const MapScene& scene, const Prepared& p, const MapLayout& l, const Style& st) {
    for (std::size_t i = 0; i < p.zones.size(); ++i) {
        const MapZone& z = scene.zones[i];
        const Rgb colour = z.no_data ? no_data_fill : zone_colour(scene, z);
        shape_path(cr, p.zones[i], l);
        set_colour(cr, colour);
        cairo_fill_preserve(cr);
        cairo_set_line_width(cr, st.px(0.35));
        cairo_stroke(cr);
    }
}

/// Deficit: hatched inside (its outline comes with the borders, over the veil); in grey where
/// nobody lives when the inhabited parts are known, in black where people beyond live.
void draw_deficit_hatching(cairo_t* cr, const Prepared& p, const MapLayout& l, const PixelBox& area,
                           const Style& st) {
    if (p.deficit.parts.empty()) {
        return;
    }
    shape_path(cr, p.deficit, l);
    detail::hatch_path(cr, area, st.pt, p.inhabited.empty() ? ink : uninhabited_hatch);
    if (!p.inhabited.empty()) {
        inhabited_path(cr, p, l);
        detail::hatch_path(cr, area, st.pt, ink);
    }
}

/// The veil washes out the fills outside the focus; the borders drawn next stay crisp.
void draw_focus_veil(cairo_t* cr, const Prepared& p, const MapLayout& l, const PixelBox& area) {
    if (!p.focus.parts.empty()) {
        // The map area minus the focus (even-odd: the focus is a hole in the area).
        shape_path(cr, p.focus, l);
        cairo_rectangle(cr, area.x0, area.y0, l.map_width, l.map_height);
        set_colour(cr, {255, 255, 255}, 0.6);
        cairo_fill(cr);
    }
}

/// Cairo's image antialiasing samples 15 × 256 points per pixel; the deficit's outlines and the
/// population's discs, which cross every row of a région's map hundreds of times, cost most of
/// its drawing there (0.12 s of strokes per map for a 9 600-vertex outline, 1 M-node study).
/// Its coarser grid (4 × 4: 16 levels of coverage) is twice as fast and, at a map's 2 000 px,
/// shows no difference on edges 1 to 3 px wide. Only on images: text and the other layers keep
/// the fine grid, and a page of vectors is not rasterised by cairo at all.
class CoarseAntialias {
public:
    explicit CoarseAntialias(cairo_t* cr) : m_cr(cr), m_was(cairo_get_antialias(cr)) {
        if (cairo_surface_get_type(cairo_get_target(cr)) == CAIRO_SURFACE_TYPE_IMAGE) {
            cairo_set_antialias(cr, CAIRO_ANTIALIAS_FAST);
        }
    }
    ~CoarseAntialias() { cairo_set_antialias(m_cr, m_was); }
    CoarseAntialias(const CoarseAntialias&) = delete;
    CoarseAntialias& operator=(const CoarseAntialias&) = delete;

private:
    cairo_t* m_cr;
    cairo_antialias_t m_was;
};

/// Commune borders, then the deficit's outline (cased in white), then the EPCI borders on top.
void draw_borders(cairo_t* cr, const Prepared& p, const MapLayout& l, const Style& st) {
    const CoarseAntialias coarse(cr);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    for (const auto& s : p.communes) {
        shape_path(cr, s, l);
        set_colour(cr, commune_line);
        cairo_set_line_width(cr, st.px(0.6));
        cairo_stroke(cr);
    }
    if (!p.deficit.parts.empty()) {
        shape_path(cr, p.deficit, l);
        set_colour(cr, {255, 255, 255}, 0.8);
        cairo_set_line_width(cr, st.px(2.4));
        cairo_stroke_preserve(cr);
        set_colour(cr, p.inhabited.empty() ? ink : uninhabited_hatch);
        cairo_set_line_width(cr, st.px(1.1));
        cairo_stroke(cr);
    }
    if (!p.inhabited.empty()) {
        inhabited_path(cr, p, l);
        set_colour(cr, {255, 255, 255}, 0.8);
        cairo_set_line_width(cr, st.px(3.2));
        cairo_stroke_preserve(cr);
        set_colour(cr, ink);
        cairo_set_line_width(cr, st.px(1.8));
        cairo_stroke(cr);
    }
    for (const auto& s : p.epcis) {
        shape_path(cr, s, l);
        set_colour(cr, epci_line);
        cairo_set_line_width(cr, st.px(1.6));
        cairo_stroke(cr);
    }
}

/// The map area in the neutral tone of the surroundings; the zones are painted over it.
void draw_surroundings(cairo_t* cr, const PixelBox& area) {
    cairo_rectangle(cr, area.x0, area.y0, area.x1 - area.x0, area.y1 - area.y0);
    set_colour(cr, surroundings_fill);
    cairo_fill(cr);
}

/// The roads: a grey casing under a white line, local roads first so that fast ones stay on top.
void stroke_roads(cairo_t* cr, const MapScene& scene, const MapLayout& l, const Style& st) {
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    const double width[3] = {0.5, 1.0, 1.6};
    // Roads wholly outside the map (a per-EPCI map) are not drawn at all (found once for both passes).
    const double margin = 10.0 / l.px_per_m;
    const std::vector<MapLine>& roads = scene.road_lines();
    std::vector<bool> in_view(roads.size());
    for (std::size_t k = 0; k < roads.size(); ++k) {
        double x0 = std::numeric_limits<double>::max(), y0 = x0;
        double x1 = std::numeric_limits<double>::lowest(), y1 = x1;
        for (const auto& p : roads[k].points) {
            x0 = std::min(x0, p[0]);
            y0 = std::min(y0, p[1]);
            x1 = std::max(x1, p[0]);
            y1 = std::max(y1, p[1]);
        }
        in_view[k] = x1 >= l.world[0] - margin && x0 <= l.world[2] + margin && y1 >= l.world[1] - margin &&
                     y0 <= l.world[3] + margin;
    }
    for (int pass = 0; pass < 2; ++pass) {
        for (int rank = 0; rank < 3; ++rank) {
            cairo_new_path(cr);
            for (std::size_t k = 0; k < roads.size(); ++k) {
                const MapLine& road = roads[k];
                if (std::clamp(road.rank, 0, 2) != rank || !in_view[k]) {
                    continue;
                }
                // A region's roads have millions of shape points, most of them closer together
                // than a pixel: only vertices at least a third of a pixel from the last one drawn
                // are kept (and the last one), which looks the same and strokes many times faster.
                double last_x = 0.0, last_y = 0.0;
                for (std::size_t i = 0; i < road.points.size(); ++i) {
                    const auto [x, y] = l.to_pixel(road.points[i][0], road.points[i][1]);
                    if (i == 0) {
                        cairo_move_to(cr, x, y);
                    } else if (i + 1 == road.points.size() || std::hypot(x - last_x, y - last_y) >= 1.0 / 3.0) {
                        cairo_line_to(cr, x, y);
                    } else {
                        continue;
                    }
                    last_x = x;
                    last_y = y;
                }
            }
            if (pass == 0) {
                set_colour(cr, road_casing, 0.55);
                cairo_set_line_width(cr, st.px(width[rank] + 0.7));
            } else {
                set_colour(cr, road_line, 0.85);
                cairo_set_line_width(cr, st.px(width[rank]));
            }
            cairo_stroke(cr);
        }
    }
}

/// The roads, stroked here or laid over from the run's cache (see RoadLayerCache). A layer is
/// made in device pixels, so only where user units reach them by a plain scale from the image's
/// corner: 1 on a PNG map, the page's resolution on a heavy map of report.pdf drawn as an image.
void draw_roads(cairo_t* cr, const MapScene& scene, const MapLayout& l, const Style& st, const MapOptions& options) {
    if (scene.road_lines().empty()) {
        return;
    }
    cairo_matrix_t m;
    cairo_get_matrix(cr, &m);
    const bool plain_scale = m.xy == 0.0 && m.yx == 0.0 && m.xx == m.yy && m.xx > 0.0 && m.x0 == 0.0 && m.y0 == 0.0;
    if (!options.road_layers || !plain_scale) {
        stroke_roads(cr, scene, l, st);
        return;
    }
    const double scale = m.xx;
    RoadLayerCache::Key key;
    key.roads = roads_digest(scene.road_lines());
    key.placement = {l.world[0],   l.world[1], l.world[2],  l.world[3],   l.px_per_m, l.map_left,
                     l.map_top,    l.map_width, l.map_height, st.pt,      scale};
    const int width = static_cast<int>(std::ceil(l.width_px * scale));
    const int height = static_cast<int>(std::ceil(l.height_px * scale));
    const RoadLayerCache::Layer layer = options.road_layers->layer(key, width, height, [&](cairo_t* layer_cr) {
        cairo_scale(layer_cr, scale, scale);
        cairo_rectangle(layer_cr, l.map_left, l.map_top, l.map_width, l.map_height);
        cairo_clip(layer_cr);
        cairo_set_line_join(layer_cr, CAIRO_LINE_JOIN_ROUND);
        stroke_roads(layer_cr, scene, l, st);
    });
    cairo_save(cr);
    cairo_identity_matrix(cr);  // the layer's pixels onto the image's, one for one
    cairo_set_source_surface(cr, layer.get(), 0.0, 0.0);
    cairo_paint(cr);
    cairo_restore(cr);
}

/// Populated places, largest first so that small ones stay visible on top. Returns their boxes:
/// the labels must not cover them.
std::vector<PixelBox> draw_places(cairo_t* cr, const MapScene& scene, const Prepared& prepared, const MapLayout& l,
                                  const Style& st) {
    const CoarseAntialias coarse(cr);
    const std::vector<MapValuePoint>& places = prepared.places;
    std::vector<PixelBox> boxes;
    std::vector<std::size_t> order(places.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return places[a].population > places[b].population;
    });
    for (const std::size_t i : order) {
        const MapValuePoint& p = places[i];
        const auto [x, y] = l.to_pixel(p.x, p.y);
        // A square's disc stays inside a square (four tenths of its side): where every square is
        // inhabited, discs sized by population alone would join into a carpet over the zones.
        const double r = prepared.place_square_m > 0
                             ? std::min(place_radius(p.population, st),
                                        std::max(0.4 * prepared.place_square_m * l.px_per_m, st.px(1.0)))
                             : place_radius(p.population, st);
        const Rgb colour = scene.value_classes.empty() || !p.minutes
                               ? time_classes[time_class_of(p.minutes)].colour
                               : scene.value_classes[value_class_of(scene.value_classes, *p.minutes)].colour;
        draw_place(cr, x, y, r, colour, st);
        boxes.push_back({x - r, y - r, x + r, y + r});
    }
    return boxes;
}

/// Facilities (grouped where they overlap), then highlighted sites. Returns their boxes: the
/// labels must not cover them.
std::vector<PixelBox> draw_symbols(cairo_t* cr, const MapScene& scene, const MapLayout& l, const Style& st) {
    const double r = st.px(symbol_radius_pt);
    std::vector<PixelBox> obstacles;
    for (const auto& g : group_symbols(scene.facilities, l, r)) {
        draw_facility(cr, g.x, g.y, r, st, scene.facility_family);
        if (g.count > 1) {
            draw_count_badge(cr, g.x, g.y, r, st, g.count);
        }
        obstacles.push_back({g.x - r, g.y - r - (g.count > 1 ? st.px(8) : 0.0), g.x + r + (g.count > 1 ? st.px(8) : 0.0),
                             g.y + r});
    }
    for (const auto& h : scene.highlights) {
        const auto [x, y] = l.to_pixel(h.x, h.y);
        const double rh = h.number.empty() ? r : r * 1.35;
        draw_highlight(cr, x, y, rh, st, h.number);
        obstacles.push_back({x - 1.25 * rh, y - 1.25 * rh, x + 1.25 * rh, y + 1.25 * rh});
    }
    return obstacles;
}

/// The population of the deficit's inhabited parts, in bold on a white box, placed first.
void draw_deficit_labels(cairo_t* cr, const MapScene& scene, const MapLayout& l, const Style& st,
                         const PixelBox& area, std::vector<PixelBox>& obstacles) {
    if (scene.deficit_labels.empty()) {
        return;
    }
    detail::set_font(cr, st.px(8.5), true);
    const double pad = st.px(2);
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    std::vector<detail::LabelRequest> requests;
    for (const auto& lab : scene.deficit_labels) {
        const auto [x, y] = l.to_pixel(lab.x, lab.y);
        requests.push_back({x, y, detail::text_width(cr, lab.text) + 2 * pad, fe.ascent + fe.descent + 2 * pad,
                            lab.priority});
    }
    for (const auto& placed : detail::place_labels(requests, area, obstacles, st.px(2), 6)) {
        const MapLabel& lab = scene.deficit_labels[placed.request];
        const PixelBox& b = placed.box;
        cairo_new_path(cr);
        cairo_rectangle(cr, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0);
        set_colour(cr, {255, 255, 255}, 0.92);
        cairo_fill_preserve(cr);
        set_colour(cr, ink);
        cairo_set_line_width(cr, st.px(0.8));
        cairo_stroke(cr);
        cairo_move_to(cr, b.x0 + pad, b.y0 + pad + fe.ascent);
        cairo_show_text(cr, lab.text.c_str());
        obstacles.push_back(b);
    }
}

/// The labels to place, in scene order, with the scene label each comes from.
struct LabelCandidates {
    std::vector<detail::LabelRequest> requests;
    std::vector<std::size_t> source;
    std::vector<bool> outside;  ///< per request: anchor outside the focus (named in grey, placed last)
};

/// One request per named label, sized for the current font with its halo. Uses the current path
/// (the focus, when there is one) to tell whether an anchor lies outside the focus.
LabelCandidates label_candidates(cairo_t* cr, const MapScene& scene, const Prepared& p, const MapLayout& l,
                                 double halo, const cairo_font_extents_t& fe) {
    LabelCandidates c;
    for (std::size_t i = 0; i < scene.highlights.size(); ++i) {
        const MapPoint& h = scene.highlights[i];
        if (h.name.empty()) {
            continue;
        }
        const auto [x, y] = l.to_pixel(h.x, h.y);
        const std::string text = h.number.empty() ? h.name : h.number + ". " + h.name;
        c.requests.push_back({x, y, detail::text_width(cr, text) + 2 * halo, fe.ascent + fe.descent + 2 * halo, 2e15});
        c.source.push_back(scene.labels.size() + i);  // past the scene labels: a highlight
        c.outside.push_back(false);
    }
    for (std::size_t i = 0; i < scene.labels.size(); ++i) {
        const MapLabel& lab = scene.labels[i];
        if (lab.text.empty()) {
            continue;
        }
        const auto [x, y] = l.to_pixel(lab.x, lab.y);
        const bool out = !p.focus.parts.empty() && cairo_in_fill(cr, x, y) == 0;
        // Names inside the focus come first whatever their priority: the offset is far above
        // any population.
        c.requests.push_back({x, y, detail::text_width(cr, lab.text) + 2 * halo, fe.ascent + fe.descent + 2 * halo,
                              lab.priority + (out ? 0.0 : 1e15)});
        c.source.push_back(i);
        c.outside.push_back(out);
    }
    return c;
}

/// Place names where they fit, clear of the symbols and of each other, each on a white halo.
void draw_labels(cairo_t* cr, const MapScene& scene, const Prepared& p, const MapLayout& l, const Style& st,
                 const PixelBox& area, const std::vector<PixelBox>& obstacles) {
    detail::set_font(cr, st.px(8.5), true);
    const double halo = st.px(1.6);
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    if (!p.focus.parts.empty()) {
        shape_path(cr, p.focus, l);  // for cairo_in_fill
    }
    const LabelCandidates candidates = label_candidates(cr, scene, p, l, halo, fe);
    cairo_new_path(cr);
    const PixelBox inner{area.x0 + st.px(2), area.y0 + st.px(2), area.x1 - st.px(2), area.y1 - st.px(2)};
    // The names of highlighted sites first, searched farther out (their own symbol is an
    // obstacle next to the anchor): they must be read. Then the place names around them.
    std::vector<detail::LabelRequest> first;
    std::vector<detail::LabelRequest> rest;
    std::vector<std::size_t> first_index;
    std::vector<std::size_t> rest_index;
    for (std::size_t k = 0; k < candidates.requests.size(); ++k) {
        const bool highlight = candidates.source[k] >= scene.labels.size();
        (highlight ? first : rest).push_back(candidates.requests[k]);
        (highlight ? first_index : rest_index).push_back(k);
    }
    std::vector<detail::PlacedLabel> placed_labels;
    std::vector<PixelBox> around = obstacles;
    for (auto placed : detail::place_labels(first, inner, obstacles, st.px(2), 4)) {
        around.push_back(placed.box);
        placed.request = first_index[placed.request];
        placed_labels.push_back(placed);
    }
    for (auto placed : detail::place_labels(rest, inner, around, st.px(2))) {
        placed.request = rest_index[placed.request];
        placed_labels.push_back(placed);
    }
    for (const auto& placed : placed_labels) {
        const std::size_t source = candidates.source[placed.request];
        std::string text;
        if (source < scene.labels.size()) {
            text = scene.labels[source].text;
        } else {
            const MapPoint& h = scene.highlights[source - scene.labels.size()];
            text = h.number.empty() ? h.name : h.number + ". " + h.name;
        }
        cairo_new_path(cr);
        cairo_move_to(cr, placed.box.x0 + halo, placed.box.y0 + halo + fe.ascent);
        cairo_text_path(cr, text.c_str());
        set_colour(cr, {255, 255, 255}, 0.9);
        cairo_set_line_width(cr, 2 * halo);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke_preserve(cr);
        set_colour(cr, candidates.outside[placed.request] ? muted_label : ink);
        cairo_fill(cr);
    }
}

/// Everything inside the map frame, clipped to it, in drawing order; then the frame itself.
void draw_map(cairo_t* cr, const MapScene& scene, const Prepared& p, const MapLayout& l, const Style& st,
              const MapOptions& options) {
    const PixelBox area{l.map_left, l.map_top, l.map_left + l.map_width, l.map_top + l.map_height};
    cairo_save(cr);
    cairo_rectangle(cr, area.x0, area.y0, l.map_width, l.map_height);
    cairo_clip(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);

    draw_surroundings(cr, area);
    draw_zones(cr, scene, p, l, st);
    draw_roads(cr, scene, l, st, options);
    draw_deficit_hatching(cr, p, l, area, st);
    draw_focus_veil(cr, p, l, area);
    draw_borders(cr, p, l, st);
    const std::vector<PixelBox> places = draw_places(cr, scene, p, l, st);
    // Symbols, then the labels around them: the deficit's population first.
    std::vector<PixelBox> obstacles = draw_symbols(cr, scene, l, st);
    obstacles.insert(obstacles.end(), places.begin(), places.end());
    draw_deficit_labels(cr, scene, l, st, area, obstacles);
    if (options.labels && (!scene.labels.empty() || !scene.highlights.empty())) {
        draw_labels(cr, scene, p, l, st, area, obstacles);
    }
    cairo_restore(cr);

    cairo_rectangle(cr, area.x0 + 0.5, area.y0 + 0.5, l.map_width - 1, l.map_height - 1);
    set_colour(cr, frame_line);
    cairo_set_line_width(cr, 1.0);
    cairo_stroke(cr);
}

} // namespace

ServiceFamily service_family(std::string_view f) {
    if (f == "sante") {
        return ServiceFamily::health;
    }
    if (f == "education") {
        return ServiceFamily::education;
    }
    if (f == "services_publics") {
        return ServiceFamily::public_service;
    }
    if (f == "commerce") {
        return ServiceFamily::commerce;
    }
    if (f == "pole") {
        return ServiceFamily::pole;
    }
    return ServiceFamily::other;
}

std::shared_ptr<const PlaceSquares> make_place_squares(const std::vector<MapValuePoint>& places, std::size_t max_places) {
    auto out = std::make_shared<PlaceSquares>();
    out->max_places = max_places;
    out->place_count = places.size();
    if (places.size() <= max_places) {
        return out;
    }
    if (places.size() > std::numeric_limits<std::uint32_t>::max()) {
        throw Error(fmt::format("map: {} places, more than a map can group", places.size()));
    }
    std::vector<std::pair<double, double>> positions(places.size());
    std::transform(places.begin(), places.end(), positions.begin(), [](const auto& p) { return std::pair{p.x, p.y}; });
    out->side_m = detail::choose_square_side(positions, std::max<std::size_t>(max_places, 1));
    out->made_from.reserve(3 * places.size());
    for (const MapValuePoint& p : places) {
        out->made_from.insert(out->made_from.end(), {p.x, p.y, p.population});
    }
    std::vector<detail::SquareKey> keys(places.size());
    std::transform(positions.begin(), positions.end(), keys.begin(),
                   [&](const auto& p) { return detail::square_of(p, out->side_m); });
    std::vector<detail::SquareKey> ordered = keys;  // the squares in key order: the same scene draws the same image
    std::sort(ordered.begin(), ordered.end());
    ordered.erase(std::unique(ordered.begin(), ordered.end()), ordered.end());
    struct Sums {
        double population = 0.0, x_weighted = 0.0, y_weighted = 0.0, x_sum = 0.0, y_sum = 0.0;
        std::size_t places = 0;
    };
    std::vector<Sums> sums(ordered.size());
    out->square.resize(places.size());
    for (std::size_t i = 0; i < places.size(); ++i) {
        const auto k = static_cast<std::uint32_t>(std::lower_bound(ordered.begin(), ordered.end(), keys[i]) - ordered.begin());
        out->square[i] = k;
        const MapValuePoint& p = places[i];
        Sums& q = sums[k];
        const double w = std::max(p.population, 0.0);
        ++q.places;
        q.population += w;
        q.x_weighted += w * p.x, q.y_weighted += w * p.y;
        q.x_sum += p.x, q.y_sum += p.y;
    }
    out->centres.resize(ordered.size());
    for (std::size_t k = 0; k < ordered.size(); ++k) {
        const Sums& q = sums[k];
        const auto n = static_cast<double>(q.places);
        MapValuePoint& c = out->centres[k];
        c.x = q.population > 0 ? q.x_weighted / q.population : q.x_sum / n;
        c.y = q.population > 0 ? q.y_weighted / q.population : q.y_sum / n;
        c.population = q.population;
    }
    return out;
}

MapLayout map_layout(const MapScene& scene, const MapOptions& options) {
    check_options(options);
    Prepared prepared = prepare(scene, options);
    return plan_with_groups(scene, prepared, options).layout;
}

namespace {

/// Everything of the map on `cr`, in layout pixels from the current origin: the map, its title
/// and subtitle over it, the source under it, the legend column and the scale block.
void paint_map(cairo_t* cr, const MapScene& scene, const Prepared& prepared, const Plan& p, const MapOptions& options) {
    const MapLayout& l = p.layout;
    const Style st{options.dpi / 72.0};
    draw_map(cr, scene, prepared, l, st, options);

    // Title and subtitle over the map, source under it.
    const double margin = l.map_left;
    double y = margin;
    detail::set_font(cr, st.px(16), true);
    set_colour(cr, ink);
    for (const auto& line : p.header.title) {
        cairo_move_to(cr, margin, y + detail::ascent(cr));
        cairo_show_text(cr, line.c_str());
        y += p.header.title_lh;
    }
    detail::set_font(cr, st.px(10.5));
    set_colour(cr, muted);
    for (const auto& line : p.header.subtitle) {
        cairo_move_to(cr, margin, y + detail::ascent(cr));
        cairo_show_text(cr, line.c_str());
        y += p.header.subtitle_lh;
    }
    y = l.map_top + l.map_height + st.px(8);
    detail::set_font(cr, st.px(7.5));
    set_colour(cr, muted);
    for (const auto& line : p.header.source) {
        cairo_move_to(cr, margin, y + detail::ascent(cr));
        cairo_show_text(cr, line.c_str());
        y += p.header.source_lh;
    }

    LegendPainter legend(cr, scene, prepared, st, l.legend_left, l.legend_top, l.legend_width);
    legend.run(true);
    draw_scale_block(cr, l, st, l.legend_left, l.map_top + l.map_height - p.scale_height, true);
}

} // namespace

MapLayout detail::render_map(cairo_t* cr, const MapScene& scene, const MapOptions& options, double width,
                             double height) {
    check_options(options);
    Prepared prepared = prepare(scene, options);
    const Plan p = plan_with_groups(scene, prepared, options);
    const MapLayout& l = p.layout;
    cairo_save(cr);
    detail::set_text_options(cr);
    const double scale = std::min(width / l.width_px, height / l.height_px);
    if (scale != 1.0) {
        cairo_scale(cr, scale, scale);
    }
    MapOptions drawn = options;
    if (cairo_surface_get_type(cairo_get_target(cr)) != CAIRO_SURFACE_TYPE_IMAGE) {
        drawn.road_layers.reset();  // a page of vectors gets the roads as vectors, not as an image
    }
    paint_map(cr, scene, prepared, p, drawn);
    cairo_restore(cr);
    return l;
}

void render_map_png(const MapScene& scene, const std::filesystem::path& path, const MapOptions& options) {
    check_options(options);
    Prepared prepared = prepare(scene, options);
    const Plan p = plan_with_groups(scene, prepared, options);
    detail::Canvas canvas = detail::make_canvas(p.layout.width_px, p.layout.height_px);
    cairo_t* cr = canvas.cr.get();
    paint_map(cr, scene, prepared, p, options);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        throw OutputError(fmt::format("cannot draw the map '{}': {}", path.string(), cairo_status_to_string(cairo_status(cr))));
    }
    detail::write_png_atomically(canvas.surface.get(), path);
}

std::size_t value_class_of(const std::vector<MapValueClass>& classes, double value) {
    for (std::size_t k = 0; k < classes.size(); ++k) {
        if ((!classes[k].lower || value >= *classes[k].lower) && (!classes[k].upper || value < *classes[k].upper)) {
            return k;
        }
    }
    return classes.empty() ? 0 : classes.size() - 1;
}

} // namespace proxima
