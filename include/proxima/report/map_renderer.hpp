#pragma once
// Static maps (PNG, cairo) that can go into a schéma as they are: a choropleth of travel time in
// the shared time classes, the zones beyond the threshold hatched, facilities as symbols, commune
// and EPCI borders, the main communes labelled without overlaps, title, legend with units, scale
// bar, north arrow and a source line. Map text is French: the readers are French elected
// officials. Rendering is deterministic (same scene, same bytes).

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxima/report/time_classes.hpp"

namespace proxima {

/// A class of a choropleth of another value than a travel time (e.g. the APL): the values in
/// [lower, upper), with its legend text and colour.
struct MapValueClass {
    std::string label;
    std::optional<double> lower;   ///< inclusive (nullopt: no lower bound)
    std::optional<double> upper;   ///< exclusive (nullopt: no upper bound)
    Rgb colour;
};

/// Index of the first class holding `value` (the last class if none does).
[[nodiscard]] std::size_t value_class_of(const std::vector<MapValueClass>& classes, double value);

/// A choropleth unit: a commune or a grid cell, with its time in minutes (nullopt: unreachable,
/// drawn in the "inaccessible" class; `no_data` true: no origin in it, drawn blank).
struct MapZone {
    std::vector<unsigned char> wkb;     ///< Polygon or MultiPolygon, in MapScene::crs
    std::optional<double> minutes;
    bool no_data = false;
};

struct MapPoint {
    double x = 0.0, y = 0.0;            ///< in MapScene::crs
    std::string name;
    std::string number;                 ///< drawn inside a highlighted site (proposed sites 1, 2, 3...)
};

/// The family of a service: one symbol per family, the same on every map (and in the report and
/// the QGIS styles), so that a reader tells a pharmacy from a school at a glance.
enum class ServiceFamily { other, health, education, public_service, commerce, pole };
/// The catalogue's family name ("sante", "education", "services_publics", "commerce", "pole";
/// anything else: other).
[[nodiscard]] ServiceFamily service_family(std::string_view catalogue_family);

/// A populated place (an origin) drawn as a dot in the colour of its own time, its area growing
/// with its population: where the people beyond the threshold live.
struct MapValuePoint {
    double x = 0.0, y = 0.0;            ///< in MapScene::crs
    std::optional<double> minutes;      ///< nullopt: unreachable
    double population = 0.0;
};

/// MapScene::places grouped into squares (see MapOptions::max_places), made once for every map
/// whose places have the same positions and populations: the maps of a run differ only in their
/// places' times. Grouping 2.3 M places took a quarter of a second for each map.
struct PlaceSquares {
    std::size_t max_places = 0;          ///< the cap they were made for
    std::size_t place_count = 0;         ///< how many places they were made from
    /// Those places' x, y and population, three per place in order, when grouped: a map takes the
    /// squares only for places that are these bit for bit, so places with other populations or
    /// positions but the same count are grouped anew, never drawn in another study's squares.
    std::vector<double> made_from;
    double side_m = 0.0;                 ///< side of the squares; 0: not grouped (no more places than the cap)
    std::vector<std::uint32_t> square;   ///< per place: its square, an index into `centres`
    /// Per square, in the order of their keys (x, then y): its inhabitants' centre (the plain
    /// centre of its places if none is inhabited) and their summed population; no value.
    std::vector<MapValuePoint> centres;
};

/// The squares of `places` for at most `max_places` of them: the smallest side of 200 m, 500 m,
/// 1 km... that gives at most that many non-empty squares.
[[nodiscard]] std::shared_ptr<const PlaceSquares> make_place_squares(const std::vector<MapValuePoint>& places,
                                                                     std::size_t max_places);

/// A road of the graph, for context: light lines under the symbols, wider for faster roads.
struct MapLine {
    std::vector<std::array<double, 2>> points;  ///< in MapScene::crs
    int rank = 0;                               ///< 0 local, 1 main (>= 60 km/h), 2 fast (>= 90 km/h)
};

/// A label candidate: the renderer places the highest-priority ones first and drops any that
/// would overlap a label already placed.
struct MapLabel {
    double x = 0.0, y = 0.0;            ///< anchor, in MapScene::crs
    std::string text;
    double priority = 0.0;              ///< e.g. population
};

/// Everything on one map. All geometries are in one projected CRS in metres (x east, y north),
/// which the scale bar relies on.
struct MapScene {
    std::string crs;                    ///< e.g. "EPSG:2154"; must be projected (metres)
    std::string title;                  ///< e.g. "Temps d'accès aux urgences en voiture"
    std::string subtitle;               ///< e.g. the study name, or the EPCI name
    std::string value_caption = "Temps d'accès en voiture, minutes";
    std::vector<MapZone> zones;         ///< choropleth units
    std::vector<std::vector<unsigned char>> commune_borders;  ///< thin outlines (may repeat zones)
    std::vector<std::vector<unsigned char>> epci_borders;     ///< thicker outlines
    std::vector<unsigned char> deficit; ///< zones beyond the threshold, hatched and outlined; empty: none
    /// The parts of `deficit` where people beyond the threshold live: hatched in black with a bold
    /// outline; the rest of `deficit` is then hatched in grey (nobody lives there). Empty: all of
    /// `deficit` in black.
    std::vector<std::vector<unsigned char>> deficit_inhabited;
    std::optional<double> threshold_min;  ///< marked in the legend ("seuil : 30 min")
    std::vector<MapPoint> facilities;   ///< drawn as symbols; sites closer than a symbol merge, with a count
    std::string facility_caption;       ///< legend text for the symbol, e.g. "Service d'urgences"
    ServiceFamily facility_family = ServiceFamily::other;  ///< the symbol's shape
    /// Context, drawn over the fills, under everything else. Shared by every map of a study (a
    /// région's main roads are millions of points: one copy, not one per map); null: none.
    std::shared_ptr<const std::vector<MapLine>> roads;
    std::vector<MapValuePoint> places;  ///< populated places coloured by their own time
    std::string places_caption;         ///< legend text of the dots
    /// make_place_squares() of `places`' positions and populations, shared by the scenes of one
    /// run. Used when made for MapOptions::max_places and the same places' positions and populations;
    /// otherwise (or null) the map groups its places itself, into the same squares.
    std::shared_ptr<const PlaceSquares> place_squares;
    /// Labels of the deficit's inhabited parts (e.g. "3 063 hab."), drawn in bold on a white box.
    std::vector<MapLabel> deficit_labels;
    std::vector<MapPoint> highlights;   ///< e.g. sites added by a scenario, drawn as a distinct symbol
    std::string highlight_caption;
    std::vector<MapLabel> labels;
    std::string source_line;            ///< e.g. "Sources : © OpenStreetMap contributors, INSEE COG 2026 — Proxima 0.1.0"
    /// When set, the map frames these bounds (minx, miny, maxx, maxy) instead of all the zones:
    /// used for one map per EPCI drawn over the whole study's layers.
    std::optional<std::array<double, 4>> frame;
    /// Legend text of the hatching; empty: "Au-delà du seuil de <threshold> min".
    std::string deficit_caption;
    /// Short lines printed under the legend, e.g. the population beyond the threshold.
    std::vector<std::string> notes;
    /// Legend text of commune_borders; empty: "Limite de commune".
    std::string commune_border_caption;
    /// When set (a Polygon or MultiPolygon), everything outside it is washed out under a white
    /// veil: the EPCI of a per-EPCI map stands out from its neighbours, which stay readable.
    std::vector<unsigned char> focus;
    /// When not empty, MapZone::minutes holds another value than a time (e.g. the APL), drawn and
    /// listed in the legend (under value_caption) in these classes instead of the time classes.
    std::vector<MapValueClass> value_classes;

    [[nodiscard]] const std::vector<MapLine>& road_lines() const {
        static const std::vector<MapLine> none;
        return roads ? *roads : none;
    }
};

class RoadLayerCache;  // report/road_layer_cache.hpp

/// A cache of road layers for the maps of one run (see MapOptions::road_layers), keeping the
/// `capacity` most recently used frames.
[[nodiscard]] std::shared_ptr<RoadLayerCache> make_road_layer_cache(std::size_t capacity = 4);

struct MapOptions {
    int width_px = 2000;                ///< the height follows the frame's shape, plus the legend
    double dpi = 200.0;                 ///< text and line sizes are set in points at this resolution
    bool labels = true;                 ///< false: no commune names (e.g. to read zone colours back)
    /// Up to this many MapScene::places are drawn one by one; beyond, they are grouped into
    /// squares of 200 m, 500 m, 1 km... (the smallest that gives at most this many), each in the
    /// colour of its inhabitants' population-weighted mean value, and the legend says so.
    std::size_t max_places = 5000;
    /// Shared by the PNG maps of one run (and by report.pdf's maps drawn as images): the roads of
    /// a frame are stroked once and laid over every map of that frame. Null: each map strokes its
    /// roads (vector output always does).
    std::shared_ptr<RoadLayerCache> road_layers;
};

/// Where things land in the image. The map area shows `world` (minx, miny, maxx, maxy in the
/// scene's CRS: the frame, widened to the area's shape plus a margin) at `px_per_m` pixels per
/// metre, the same in x and y; the legend column is on its right, title above, source below.
struct MapLayout {
    int width_px = 0, height_px = 0;                 ///< whole image
    double map_left = 0.0, map_top = 0.0;            ///< map area, pixels from the top-left corner
    double map_width = 0.0, map_height = 0.0;
    double legend_left = 0.0, legend_top = 0.0, legend_width = 0.0;  ///< legend column
    std::array<double, 4> world{};
    double px_per_m = 0.0;
    /// Pixel (column, row; y down, fractional) of a point of the scene's CRS.
    [[nodiscard]] std::array<double, 2> to_pixel(double x, double y) const {
        return {map_left + (x - world[0]) * px_per_m, map_top + (world[3] - y) * px_per_m};
    }
};

/// The layout render_map_png() uses for this scene (it depends on the zones' extent and on the
/// legend's length). Throws as render_map_png(), except OutputError.
[[nodiscard]] MapLayout map_layout(const MapScene& scene, const MapOptions& options = {});

/// Renders the scene as a PNG at `path` (temporary name, then rename: no partial file is ever
/// left under `path`). Throws ConfigError for a geographic or unknown CRS, or options out of
/// range (width 200 to 20000 px, dpi 50 to 1200); InputError for a malformed WKB (naming the
/// layer and the position) or a scene with nothing to frame (no zone and no frame); OutputError
/// if the file cannot be written.
void render_map_png(const MapScene& scene, const std::filesystem::path& path, const MapOptions& options = {});

/// A small line chart (e.g. the cumulative coverage curve of a siting run): x integer steps,
/// one y value per step, axis captions, PNG at `path` (temporary name, then rename). The y axis
/// starts at 0 and ends at a round value above max(y, y_reference). Throws ConfigError if x and
/// y differ in length, are empty or hold a non-finite value, or for a size outside 200 to 20000
/// px; OutputError if the file cannot be written.
struct LineChart {
    std::string title;
    std::string x_caption;
    std::string y_caption;
    std::vector<double> x;
    std::vector<double> y;
    std::optional<double> y_reference;  ///< a horizontal dashed line (e.g. the total population)
    std::string y_reference_caption;
    /// true: the y axis starts at 0 (or the lowest value); false: it starts just under the lowest
    /// value, so that small changes near a high baseline (a siting curve) stay visible.
    bool y_from_zero = true;
};
void render_line_chart_png(const LineChart& chart, const std::filesystem::path& path, int width_px = 1200,
                           int height_px = 750);

} // namespace proxima
