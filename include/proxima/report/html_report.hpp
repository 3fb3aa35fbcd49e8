#pragma once
// The offline HTML report of a run (`report.html`): one self-contained file for working meetings,
// readable by French planners without network or GIS. It holds summary tables by service and by
// EPCI (or by zone when the study has no commune table), an interactive map (Leaflet from
// Debian's libjs-leaflet, inlined; the communes themselves are the base map, no tile server) with
// one layer per service, and the provenance of the run (run.json). Colours and classes are the
// shared ones of time_classes.hpp, as on the PNG maps and in QGIS.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace proxima {

namespace detail {
struct OriginSquares;  // report/report_origins.hpp
}

struct HtmlReportOptions {
    /// Where leaflet.min.js and leaflet.css are read (Debian package libjs-leaflet).
    std::filesystem::path leaflet_dir = "/usr/share/javascript/leaflet";
    /// Static maps (maps/*.png) are embedded up to this many bytes in all; the rest is linked.
    std::size_t static_maps_embed_budget = 40u * 1024u * 1024u;
    /// Origins (or cells) embedded one by one up to this many; beyond, grouped into squares (see
    /// write_html_report). 0: none embedded (the lightest page: communes only).
    std::size_t max_origins = default_max_origins;
    /// 20 000: measured on a 100-service study, 20 000 origins make a page of about 25 MB that a
    /// browser opens in seconds; 100 000 made 68 MB and took 975 MB to write (issue 14).
    static constexpr std::size_t default_max_origins = 20000;
    /// Isochrones (all isochrones_<id> layers together) embedded up to this many vertices; beyond,
    /// none is embedded and the page says so (they stay in access.gpkg). 2 M vertices make about
    /// 40 MB of page; a région's 100 services (600 isochrones of 100 m pixels) had 1.6 GB of them.
    std::uint64_t max_isochrone_vertices = default_max_isochrone_vertices;
    static constexpr std::uint64_t default_max_isochrone_vertices = 2'000'000;
    /// Threads reading the layers of access.gpkg side by side (0: all processors).
    int threads = 0;
    /// The origins grouped into squares by `proxima run` from its memory, with the values it
    /// wrote (run/report_squares.hpp): beyond max_origins, the page takes them instead of reading
    /// the origins layer back (twice: 12 GB at 20 M nodes). Taken only when made for this layer,
    /// its number of features, the run's services and max_origins; otherwise the layer is read.
    const detail::OriginSquares* origin_squares = nullptr;
};

/// What report.html shows of the origins layer.
struct HtmlReportOrigins {
    std::size_t origins = 0;      ///< in access.gpkg
    std::size_t shown = 0;        ///< features on the page
    double square_m = 0.0;        ///< side of the squares they were grouped into (0: one by one)
    bool squares_from_run = false;  ///< the squares were HtmlReportOptions::origin_squares
    /// Of every isochrones_<id> layer in access.gpkg; counted up to the first feature that takes
    /// it beyond max_isochrone_vertices (then a lower bound of the total).
    std::uint64_t isochrone_vertices = 0;
    bool isochrones_left_out = false;      ///< beyond HtmlReportOptions::max_isochrone_vertices
    std::uint64_t max_isochrone_vertices = 0;  ///< the budget it was compared with
};

/// One English sentence for the console when the report grouped or left out origins (and one more
/// when it left out the isochrones); empty when every origin and isochrone is on the page.
[[nodiscard]] std::string describe_report_origins(const HtmlReportOrigins& origins, std::size_t max_origins);

/// Reads the finished run folder `run_dir` (access.gpkg and run.json, as written by `proxima
/// run`) and writes `run_dir/report.html` atomically (temporary name, then rename); returns its
/// path. Same folder, same bytes: nothing in the file depends on the clock or the machine.
///
/// Data: the GeoPackage layers communes, origins or cells, services, deficit_<id> and, when
/// present, isochrones_<id>, are embedded in WGS84 in one <script type="application/json"
/// id="proxima-data"> block. Communes and services are GeoJSON with 6 decimals (about 0.1 m) and
/// the GeoPackage values unchanged (times in minutes, NULL stays null: shown "inaccessible" or "—",
/// never 0), each commune with its time class per service (index into time_classes, null for a
/// commune without population) in a "classes" member. The origins (cells) carry what the map shows,
/// id, zone and population; their minutes per service are the columns "origin_minutes" (one value
/// or null per feature, in feature order) and their time classes "origin_classes" (one digit per
/// feature). Deficit areas (simplified within a surface pixel; part, area_km2, inhabited,
/// population_over and origins_over) and isochrones have their polygons delta-encoded
/// (detail::delta_encoded_polygons: integers in 1e-5 degree, decoded by the page's script). The
/// summary is the page's tables, not embedded as data. Beyond options.max_origins origins, they are
/// grouped into squares (report/report_origins.hpp: population summed, times population-weighted
/// means) and the page says so above the map; likewise isochrones beyond
/// options.max_isochrone_vertices are left off the page, which says so; `origins` (if given)
/// receives what was shown. Other layers (e.g.
/// layer_styles) are not embedded. The static maps found in run_dir/maps (and maps/epci) are
/// embedded as data: URIs up to 40 MB in all (beyond, linked by relative path, which the report
/// says): the file needs nothing beside it. Every commune's times are also a plain table (read
/// with the keyboard, printed).
///
/// Throws InputError when run_dir, access.gpkg or run.json is missing or unreadable, or when a
/// layer or field the report needs is missing (naming the file, layer or field, and the fix);
/// OutputError when Leaflet is not found in options.leaflet_dir or the report cannot be written.
std::filesystem::path write_html_report(const std::filesystem::path& run_dir, const HtmlReportOptions& options = {},
                                        HtmlReportOrigins* origins = nullptr);

} // namespace proxima
