#include "proxima/report/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <exception>
#include <map>
#include <numeric>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <cpl_error.h>
#include <fmt/format.h>
#include <gdal.h>
#include <nlohmann/json.hpp>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "core/gdal_handles.hpp"
#include "geojson_geometry.hpp"
#include "proxima/analysis/aggregation.hpp"
#include "proxima/core/atomic_file.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/markup.hpp"
#include "proxima/core/number_format.hpp"
#include "proxima/core/threads.hpp"
#include "proxima/core/version.hpp"
#include "proxima/report/map_style.hpp"
#include "proxima/report/run_manifest.hpp"
#include "proxima/report/time_classes.hpp"
#include "report/html_sections.hpp"
#include "report/page_assets.hpp"
#include "report/report_origins.hpp"

namespace proxima {

namespace {

using detail::QuietGdalErrors;
using detail::gdal_detail;

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using detail::DatasetPtr;
using detail::FeaturePtr;
using detail::SrsPtr;
using detail::TransformPtr;

// ---------------------------------------------------------------------------------------------
// Small text helpers.

using detail::GeometryPtr;

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return {};
    }
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
        s.replace(at, from.size(), to);
    }
}

std::string html(std::string_view s) { return escape_markup(s); }

/// JSON inside <script type="application/json">: a '<' can only occur inside a JSON string,
/// where "\u003c" means the same; so neither "</script" nor "<!--" can end or confuse the block.
std::string json_for_script(const Json& j) {
    std::string s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    replace_all(s, "<", "\\u003c");
    return s;
}

/// JavaScript inside <script>: "</" ends the element for HTML parsers (libxml2 stops at any
/// "</" followed by a letter). In JS strings, regular expressions and comments "<\/" is "</".
std::string js_for_script(std::string s) {
    replace_all(s, "</", "<\\/");
    return s;
}

/// Drops "/*# sourceMappingURL=... */" and "//# sourceMappingURL=..." (the .map is not inlined).
std::string without_source_map(std::string s) {
    const auto at = s.find("sourceMappingURL=");
    if (at == std::string::npos) {
        return s;
    }
    const auto line_start = s.rfind('\n', at);
    auto line_end = s.find('\n', at);
    s.erase(line_start == std::string::npos ? 0 : line_start + 1,
            (line_end == std::string::npos ? s.size() : line_end + 1) - (line_start == std::string::npos ? 0 : line_start + 1));
    return s;
}

/// Leaflet's CSS refers to image files for default markers and the collapsed layer control; the
/// report uses neither, and no file may be referenced: "url(images/...)" becomes "none".
std::string css_without_images(std::string s) {
    for (std::size_t at = s.find("url(images/"); at != std::string::npos; at = s.find("url(images/", at)) {
        const auto end = s.find(')', at);
        if (end == std::string::npos) {
            break;
        }
        s.replace(at, end + 1 - at, "none");
    }
    return s;
}

// French number formatting for tables (the popups use Intl.NumberFormat('fr-FR')).
constexpr std::string_view narrow_nbsp = "\u202f";  // thousands separator and before %
constexpr std::string_view nbsp = "\u00a0";

std::string fr_int(double v) { return format_number(std::round(v), 0, html_numbers); }

std::string fr_decimal(double v, int decimals) { return format_number(v, decimals, html_numbers); }

std::string fr_share(const Json& share) {
    if (!share.is_number()) {
        return "—";
    }
    return fr_decimal(share.get<double>() * 100.0, 1) + std::string(narrow_nbsp) + "%";
}

std::string fr_minutes(double v) {
    // Thresholds are usually whole minutes: "30 min", not "30,0 min".
    return (v == std::floor(v) ? fr_int(v) : fr_decimal(v, 1)) + std::string(nbsp) + "min";
}

std::string colour_of(std::size_t cls) { return hex_colour(time_classes[cls].colour).data(); }

// ---------------------------------------------------------------------------------------------
// Reading the run folder.

struct RunFolder {
    fs::path dir;
    fs::path gpkg;
    RunManifest run;                          ///< run.json
    std::vector<std::pair<std::string, Json>> layers;  ///< embedded layers, GeoPackage order
    bool french = false;                      ///< communes carry code_insee (a French commune table)
    std::string origins_layer;                ///< "origins" or "cells"
    HtmlReportOrigins origins;                ///< what the page shows of them
    /// Per service id: the minutes of each feature of the origins layer (or cells), in feature
    /// order (detail::ReportOrigins::minutes).
    Json origin_minutes = Json::object();
    /// Per service id: the time class of each feature of that layer, one digit per feature.
    Json origin_classes = Json::object();
    std::size_t max_origins = 0;
    std::uint64_t max_isochrone_vertices = 0;
};

/// Vertices of a geometry, every ring and part counted.
std::uint64_t vertex_count(OGRGeometryH g) {
    if (g == nullptr) {
        return 0;
    }
    const int parts = OGR_G_GetGeometryCount(g);
    if (parts == 0) {
        return static_cast<std::uint64_t>(std::max(OGR_G_GetPointCount(g), 0));
    }
    std::uint64_t n = 0;
    for (int i = 0; i < parts; ++i) {
        n += vertex_count(OGR_G_GetGeometryRef(g, i));
    }
    return n;
}

/// Vertices of every isochrones_<id> layer of the GeoPackage, read without keeping them; the count
/// stops as soon as it passes `budget` (a région's isochrones are tens of millions of vertices and
/// more than a GB: only "over the budget" matters then).
std::uint64_t isochrone_vertices(GDALDatasetH ds, std::uint64_t budget) {
    std::uint64_t n = 0;
    for (int i = 0; i < GDALDatasetGetLayerCount(ds); ++i) {
        OGRLayerH l = GDALDatasetGetLayer(ds, i);
        if (std::string_view(OGR_L_GetName(l)).rfind("isochrones_", 0) != 0) {
            continue;
        }
        OGR_L_ResetReading(l);
        for (FeaturePtr f(OGR_L_GetNextFeature(l)); f; f.reset(OGR_L_GetNextFeature(l))) {
            n += vertex_count(OGR_F_GetGeometryRef(static_cast<OGRFeatureH>(f.get())));
            if (n > budget) {
                return n;
            }
        }
    }
    return n;
}

const Json& layer(const RunFolder& f, const std::string& name) {
    for (const auto& [n, l] : f.layers) {
        if (n == name) {
            return l;
        }
    }
    throw InputError(fmt::format("layer '{}' is missing from '{}'; the folder is incomplete or was written by another "
                                 "version of Proxima: run `proxima run` again",
                                 name, f.gpkg.string()));
}

bool has_layer(const RunFolder& f, const std::string& name) {
    return std::any_of(f.layers.begin(), f.layers.end(), [&](const auto& l) { return l.first == name; });
}

/// The layers the report shows; anything else in the GeoPackage (layer_styles...) is left out.
bool is_report_layer(const std::string& name) {
    return name == "communes" || name == "origins" || name == "cells" || name == "services" || name == "summary" ||
           name == "poles" ||
           name.rfind("deficit_", 0) == 0 || name.rfind("isochrones_", 0) == 0;
}

Json field_value(OGRFeatureH f, int i, OGRFieldType type) {
    if (!OGR_F_IsFieldSetAndNotNull(f, i)) {
        return nullptr;
    }
    switch (type) {
    case OFTInteger:
    case OFTInteger64: return static_cast<std::int64_t>(OGR_F_GetFieldAsInteger64(f, i));
    case OFTReal: return OGR_F_GetFieldAsDouble(f, i);
    default: return std::string(OGR_F_GetFieldAsString(f, i));
    }
}

/// GeoJSON geometry in WGS84 lon/lat with 6 decimals (about 0.1 m), or null; `g` is left as is.
Json geometry_json(OGRGeometryH g, OGRCoordinateTransformationH to_wgs84, const std::string& what) {
    if (g == nullptr || OGR_G_IsEmpty(g)) {
        return nullptr;
    }
    const GeometryPtr copy(OGR_G_Clone(g));
    return detail::wgs84_geojson(static_cast<OGRGeometryH>(copy.get()), to_wgs84, what);
}

/// A point inside a polygon (not the centroid, which may fall outside), for labels; WGS84.
Json label_point(OGRGeometryH g, OGRCoordinateTransformationH to_wgs84) {
    if (g == nullptr || OGR_G_IsEmpty(g)) {
        return nullptr;
    }
    GeometryPtr p(OGR_G_PointOnSurface(g));
    if (!p || OGR_G_Transform(static_cast<OGRGeometryH>(p.get()), to_wgs84) != OGRERR_NONE) {
        return nullptr;
    }
    auto* h = static_cast<OGRGeometryH>(p.get());
    const double scale = 1e6;
    return Json::array({std::round(OGR_G_GetX(h, 0) * scale) / scale, std::round(OGR_G_GetY(h, 0) * scale) / scale});
}

/// From the layer's CRS to WGS84 longitude/latitude; empty for a table without geometry.
TransformPtr layer_to_wgs84(OGRLayerH l, const std::string& name, const fs::path& gpkg) {
    TransformPtr to_wgs84;
    if (OGR_L_GetGeomType(l) != wkbNone) {
        OGRSpatialReferenceH layer_srs = OGR_L_GetSpatialRef(l);
        if (layer_srs == nullptr) {
            throw InputError(fmt::format("layer '{}' of '{}' has no coordinate reference system; run `proxima run` again",
                                         name, gpkg.string()));
        }
        SrsPtr source(OSRClone(layer_srs));
        OSRSetAxisMappingStrategy(static_cast<OGRSpatialReferenceH>(source.get()), OAMS_TRADITIONAL_GIS_ORDER);
        SrsPtr wgs84(OSRNewSpatialReference(nullptr));
        auto* w = static_cast<OGRSpatialReferenceH>(wgs84.get());
        if (OSRImportFromEPSG(w, 4326) != OGRERR_NONE) {
            throw OutputError(fmt::format("cannot set up WGS84 (EPSG:4326): is PROJ's database installed? ({})",
                                          gdal_detail()));
        }
        OSRSetAxisMappingStrategy(w, OAMS_TRADITIONAL_GIS_ORDER);  // GeoJSON is lon/lat
        to_wgs84.reset(OCTNewCoordinateTransformation(static_cast<OGRSpatialReferenceH>(source.get()), w));
        if (!to_wgs84) {
            throw InputError(fmt::format("layer '{}' of '{}': its CRS cannot be converted to WGS84 ({})", name,
                                         gpkg.string(), gdal_detail()));
        }
    }
    return to_wgs84;
}

/// `simplify_m` > 0: polygons are simplified within that many metres (Douglas-Peucker) for the
/// page, when the layer's CRS is in metres.
/// How report.html carries a layer the page only draws (deficit areas, isochrones).
struct DrawnLayer {
    double simplify_m = 0.0;  ///< polygons simplified within this many metres (0: as they are)
    bool delta = false;       ///< polygons delta-encoded (detail::delta_encoded_polygons)
    /// The fields kept (empty: all). The deficit areas' `method` repeats a sentence in every
    /// feature (10 MB of a région's page) and their service and threshold are the layer's.
    std::vector<std::string> fields;
};

Json read_layer(OGRLayerH l, const std::string& name, const fs::path& gpkg, const DrawnLayer& drawn = {}) {
    double simplify_m = drawn.simplify_m;
    OGRSpatialReferenceH layer_srs = OGR_L_GetSpatialRef(l);
    if (layer_srs == nullptr || OSRIsProjected(layer_srs) == 0 || std::abs(OSRGetLinearUnits(layer_srs, nullptr) - 1.0) > 1e-9) {
        simplify_m = 0.0;
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
    const int nfields = OGR_FD_GetFieldCount(defn);
    std::vector<std::pair<std::string, OGRFieldType>> fields;
    std::vector<int> kept;
    for (int i = 0; i < nfields; ++i) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
        fields.emplace_back(OGR_Fld_GetNameRef(fd), OGR_Fld_GetType(fd));
        if (drawn.fields.empty() ||
            std::find(drawn.fields.begin(), drawn.fields.end(), fields.back().first) != drawn.fields.end()) {
            kept.push_back(i);
        }
    }
    const TransformPtr to_wgs84 = layer_to_wgs84(l, name, gpkg);
    const bool spatial = OGR_L_GetGeomType(l) != wkbNone;
    Json features = Json::array();
    OGR_L_ResetReading(l);
    for (FeaturePtr f(OGR_L_GetNextFeature(l)); f; f.reset(OGR_L_GetNextFeature(l))) {
        auto* h = static_cast<OGRFeatureH>(f.get());
        Json feature;
        feature["type"] = "Feature";
        Json props = Json::object();
        for (const int i : kept) {
            props[fields[i].first] = field_value(h, i, fields[i].second);
        }
        const std::string what = fmt::format("layer '{}' of '{}', feature {}", name, gpkg.string(), OGR_F_GetFID(h));
        OGRGeometryH g = spatial ? OGR_F_GetGeometryRef(h) : nullptr;
        GeometryPtr simplified;
        if (g != nullptr && simplify_m > 0) {
            simplified.reset(OGR_G_Simplify(g, simplify_m));
            if (simplified && OGR_G_IsEmpty(static_cast<OGRGeometryH>(simplified.get())) == 0) {
                g = static_cast<OGRGeometryH>(simplified.get());
            }
        }
        feature["geometry"] = spatial ? geometry_json(g, static_cast<OGRCoordinateTransformationH>(to_wgs84.get()), what)
                                      : Json(nullptr);
        if (drawn.delta) {
            feature["geometry"] = detail::delta_encoded_polygons(feature["geometry"]);
        }
        feature["properties"] = std::move(props);
        if (name == "communes") {
            feature["label_at"] = label_point(g, static_cast<OGRCoordinateTransformationH>(to_wgs84.get()));
        }
        features.push_back(std::move(feature));
    }
    Json fc;
    fc["type"] = "FeatureCollection";
    fc["name"] = name;
    fc["features"] = std::move(features);
    return fc;
}

void require_fields(const RunFolder& f, const std::string& layer_name, const std::vector<std::string>& names) {
    const Json& l = layer(f, layer_name);
    if (l["features"].empty()) {
        return;  // nothing to read; an empty layer is shown empty
    }
    const Json& props = l["features"][0]["properties"];
    for (const auto& n : names) {
        if (!props.contains(n)) {
            throw InputError(fmt::format("field '{}' is missing from layer '{}' of '{}'; the folder was written by "
                                         "another version of Proxima: run `proxima run` again",
                                         n, layer_name, f.gpkg.string()));
        }
    }
}

RunFolder read_run_folder(const fs::path& dir, std::size_t max_origins, std::uint64_t max_isochrone_vertices,
                          int threads, const detail::OriginSquares* origin_squares) {
    RunFolder f;
    f.max_origins = max_origins;
    f.max_isochrone_vertices = max_isochrone_vertices;
    f.dir = dir;
    f.gpkg = dir / "access.gpkg";
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        throw InputError(fmt::format("run folder '{}' does not exist; give the output folder of `proxima run`",
                                     dir.string()));
    }
    const fs::path run_json = dir / "run.json";
    for (const auto& p : {f.gpkg, run_json}) {
        if (!fs::is_regular_file(p, ec)) {
            throw InputError(fmt::format("'{}' not found: '{}' is not a finished `proxima run` output folder; run "
                                         "`proxima run <study.toml> -o {}` first",
                                         p.string(), dir.string(), dir.string()));
        }
    }
    Json json;
    try {
        json = Json::parse(read_file(run_json));
    } catch (const nlohmann::json::exception& e) {
        throw InputError(fmt::format("'{}' is not valid JSON ({}); run `proxima run` again", run_json.string(), e.what()));
    }
    f.run = parse_run_manifest(json, run_json);

    QuietGdalErrors quiet;
    GDALAllRegister();
    const char* const drivers[] = {"GPKG", nullptr};
    CPLErrorReset();
    DatasetPtr ds(GDALOpenEx(f.gpkg.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, nullptr, nullptr));
    if (!ds) {
        throw InputError(fmt::format("cannot open '{}' as a GeoPackage ({}); run `proxima run` again",
                                     f.gpkg.string(), gdal_detail()));
    }
    f.origins.isochrone_vertices = isochrone_vertices(ds.get(), max_isochrone_vertices);
    f.origins.max_isochrone_vertices = max_isochrone_vertices;
    f.origins.isochrones_left_out = f.origins.isochrone_vertices > max_isochrone_vertices;
    // The layers the page embeds, in GeoPackage order. They are read side by side, each thread
    // with its own handle on the file (a GDAL dataset is not shared between threads): 100
    // deficit layers and 100 000 origins took 12 s on one core.
    std::vector<std::string> names;
    const int n = GDALDatasetGetLayerCount(ds.get());
    for (int i = 0; i < n; ++i) {
        const std::string name = OGR_L_GetName(GDALDatasetGetLayer(ds.get(), i));
        if (f.origins.isochrones_left_out && name.rfind("isochrones_", 0) == 0) {
            continue;  // beyond the page's budget: said above the map
        }
        if (is_report_layer(name)) {
            names.push_back(name);
        }
    }
    ds.reset();
    std::vector<std::string> ids;
    for (const auto& s : f.run.services) {
        ids.push_back(s.id);
    }
    // The origins first: the longest to read, so the other thread takes the rest meanwhile.
    std::vector<std::size_t> order(names.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_partition(order.begin(), order.end(),
                          [&](std::size_t k) { return names[k] == "origins" || names[k] == "cells"; });
    std::vector<Json> read(names.size());
    std::vector<HtmlReportOrigins> shown(names.size());  // per layer of origins (or cells)
    std::vector<Json> minutes(names.size());             // their minute columns
    std::vector<std::exception_ptr> failed(names.size());
    std::exception_ptr open_failed;
    const int workers = std::max(1, std::min(thread_count(threads), static_cast<int>(names.size())));
#pragma omp parallel num_threads(workers)
    {
        QuietGdalErrors quiet_here;
        DatasetPtr own;
        try {
            CPLErrorReset();
            own.reset(GDALOpenEx(f.gpkg.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, nullptr, nullptr));
            if (!own) {
                throw InputError(fmt::format("cannot open '{}' as a GeoPackage ({}); run `proxima run` again",
                                             f.gpkg.string(), gdal_detail()));
            }
        } catch (...) {
#pragma omp critical(html_report_open)
            open_failed = std::current_exception();
        }
#pragma omp for schedule(dynamic, 1)
        for (std::size_t k = 0; k < order.size(); ++k) {
            const std::size_t t = order[k];
            if (!own) {
                continue;
            }
            try {
                const std::string& name = names[t];
                OGRLayerH l = GDALDatasetGetLayerByName(own.get(), name.c_str());
                if (l == nullptr) {
                    throw InputError(fmt::format("layer '{}' of '{}' cannot be read again ({}); run `proxima run` "
                                                 "again",
                                                 name, f.gpkg.string(), gdal_detail()));
                }
                if (name == "origins" || name == "cells") {
                    const TransformPtr to_wgs84 = layer_to_wgs84(l, name, f.gpkg);
                    auto origins = detail::read_report_origins(l, name, f.gpkg, ids, max_origins,
                                                               static_cast<OGRCoordinateTransformationH>(to_wgs84.get()),
                                                               origin_squares);
                    shown[t].origins = origins.origins;
                    shown[t].squares_from_run = origins.squares_from_run;
                    shown[t].shown = origins.shown;
                    shown[t].square_m = origins.square_m;
                    read[t] = std::move(origins.layer);
                    minutes[t] = std::move(origins.minutes);
                } else {
                    // Deficit areas are unions of surface pixels: on the page, their staircase
                    // outlines are simplified within one pixel (the resolution they were computed
                    // at), which divides their weight several times at a région's scale;
                    // access.gpkg keeps them exact. Douglas-Peucker (GEOS rebuilds a polygon it
                    // breaks): the topology-preserving simplifier took 3/4 of the report's time on
                    // a région's deficits (50 s of 70).
                    DrawnLayer drawn;
                    if (name.rfind("deficit_", 0) == 0) {
                        drawn = {f.run.parameters.surface_resolution_m, true,
                                 {"part", "area_km2", "inhabited", "population_over", "origins_over"}};
                    } else if (name.rfind("isochrones_", 0) == 0) {
                        drawn.delta = true;
                    }
                    read[t] = read_layer(l, name, f.gpkg, drawn);
                }
            } catch (...) {
                failed[t] = std::current_exception();
            }
        }
    }
    if (open_failed) {
        std::rethrow_exception(open_failed);
    }
    for (const auto& e : failed) {
        if (e) {
            std::rethrow_exception(e);  // the first in GeoPackage order, whichever thread met it first
        }
    }
    const bool has_cells = std::find(names.begin(), names.end(), "cells") != names.end();
    for (std::size_t t = 0; t < names.size(); ++t) {
        if (names[t] == "origins" || names[t] == "cells") {
            f.origins.origins = shown[t].origins;
            f.origins.shown = shown[t].shown;
            f.origins.square_m = shown[t].square_m;
            f.origins.squares_from_run = shown[t].squares_from_run;
        }
        if (names[t] == (has_cells ? "cells" : "origins")) {
            f.origin_minutes = std::move(minutes[t]);
        }
        f.layers.emplace_back(names[t], std::move(read[t]));
    }

    // What the report needs: say which layer or field is missing rather than show a blank map.
    layer(f, "communes");
    layer(f, "services");
    layer(f, "summary");
    f.origins_layer = has_layer(f, "cells") ? "cells" : "origins";
    layer(f, f.origins_layer);
    const Json& communes = layer(f, "communes");
    f.french = !communes["features"].empty() && communes["features"][0]["properties"].contains("code_insee");
    std::vector<std::string> commune_fields = {f.french ? "code_insee" : "code", "nom", "population"};
    std::vector<std::string> origin_fields = {"id", "population"};
    std::vector<std::string> summary_fields = {"scope", "code", "nom", "service", "threshold_min", "population",
                                               "population_over", "share_over"};
    for (const char* band : band_names) {
        summary_fields.push_back(std::string("pop_") + band);
    }
    for (const auto& s : f.run.services) {
        const std::string& id = s.id;
        layer(f, "deficit_" + id);
        for (const char* suffix : {"_min", "_max_min", "_pop_over", "_over"}) {
            commune_fields.push_back(id + suffix);
        }
    }
    require_fields(f, "communes", commune_fields);
    require_fields(f, f.origins_layer, origin_fields);  // the minutes: read_report_origins required them
    require_fields(f, "services", {"service", "id", "name"});
    require_fields(f, "summary", summary_fields);
    return f;
}

/// Time classes of each feature per service, beside the properties (which stay as read):
/// communes without origin (population unknown) have null, the others time_class_of(<id>_min);
/// the origins (or cells) one digit per feature and service, from their minute columns.
void add_classes(RunFolder& f) {
    static_assert(time_classes.size() <= 10, "one digit per class");
    for (auto& [name, fc] : f.layers) {
        const bool communes = name == "communes";
        const bool isochrones = name.rfind("isochrones_", 0) == 0;
        if (!communes && !isochrones) {
            continue;
        }
        for (auto& feature : fc["features"]) {
            const Json& p = feature["properties"];
            auto minutes = [&](const std::string& field) -> std::optional<double> {
                if (p.contains(field) && p[field].is_number()) {
                    return p[field].get<double>();
                }
                return std::nullopt;
            };
            if (communes) {
                Json classes = Json::object();
                for (const auto& s : f.run.services) {
                    const std::string& id = s.id;
                    if (p[id + "_over"].is_null()) {
                        classes[id] = nullptr;  // no origin in this commune: no time to show
                    } else {
                        classes[id] = time_class_of(minutes(id + "_min"));
                    }
                }
                feature["classes"] = std::move(classes);
            } else {
                feature["class"] = time_class_of(minutes("limit_min"));
            }
        }
    }
    for (const auto& [id, column] : f.origin_minutes.items()) {
        std::string digits;
        digits.reserve(column.size());
        for (const auto& v : column) {
            const auto k = time_class_of(v.is_number() ? std::optional<double>(v.get<double>()) : std::nullopt);
            digits.push_back(static_cast<char>('0' + k));
        }
        f.origin_classes[id] = std::move(digits);
    }
}

// ---------------------------------------------------------------------------------------------
// The page.

const Json* summary_row(const RunFolder& f, const std::string& scope, const std::string& service) {
    for (const auto& feature : layer(f, "summary")["features"]) {
        const Json& p = feature["properties"];
        if (p["scope"] == scope && p["service"] == service) {
            return &p;
        }
    }
    return nullptr;
}

std::string text_of(const Json& v) {
    if (v.is_null()) {
        return "—";
    }
    if (v.is_string()) {
        return v.get<std::string>();
    }
    if (v.is_boolean()) {
        return v.get<bool>() ? "oui" : "non";
    }
    if (v.is_number_integer() || v.is_number_unsigned()) {
        return fr_int(v.get<double>());
    }
    if (v.is_number()) {
        const double d = v.get<double>();
        return d == std::floor(d) && std::fabs(d) < 1e15 ? fr_int(d) : fr_decimal(d, 3);
    }
    if (v.is_array()) {
        std::string out;
        for (const auto& e : v) {
            out += (out.empty() ? "" : ", ") + text_of(e);
        }
        return out;
    }
    return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string service_label(const ManifestService& s) { return s.label.empty() ? s.id : s.label; }

/// A number as text_of() shows it when read back from JSON: whole numbers grouped, else 3 decimals.
std::string number_text(double d) { return text_of(Json(d)); }

/// The distribution of the population over the time classes, as a bar of the class colours.
std::string band_bar(const Json& row) {
    const double population = row["population"].is_number() ? row["population"].get<double>() : 0.0;
    std::string out = "<div class=\"bar\">";
    if (population <= 0) {
        return out + "</div>";
    }
    for (std::size_t i = 0; i < band_names.size(); ++i) {
        const Json& v = row[std::string("pop_") + band_names[i]];
        const double p = v.is_number() ? v.get<double>() : 0.0;
        if (p <= 0) {
            continue;
        }
        const double share = p / population;
        out += fmt::format("<span style=\"width:{:.3f}%;background:{}\" title=\"{} : {} hab. ({})\"></span>",
                           share * 100.0, colour_of(i), html(time_classes[i].label), fr_int(p), fr_share(share));
    }
    return out + "</div>";
}

std::string class_key() {
    std::string out = "<p class=\"key\">";
    for (std::size_t i = 0; i < time_classes.size(); ++i) {
        out += fmt::format("<span><i style=\"background:{}\"></i>{}</span>", colour_of(i), html(time_classes[i].label));
    }
    return out + "</p>\n";
}

std::string services_table(const RunFolder& f) {
    std::string out = "<h2>Synthèse par service</h2>\n"
                      "<p>Population dont le temps d'accès en voiture au service le plus proche dépasse le seuil "
                      "retenu (ou qui ne peut pas l'atteindre par la route).</p>\n"
                      "<div class=\"scroll\"><table class=\"data\">\n<thead><tr><th>Service</th><th>Seuil</th>"
                      "<th>Équipements</th><th>Population</th><th>Au-delà du seuil</th><th>Part</th>"
                      "<th class=\"wide\">Répartition de la population par temps d'accès</th></tr></thead>\n<tbody>\n";
    for (const auto& s : f.run.services) {
        const Json* row = summary_row(f, "study", s.id);
        const Json none = Json::object();
        const Json& r = row != nullptr ? *row : none;
        auto num = [&](const char* k) { return r.contains(k) && r[k].is_number() ? fr_int(r[k].get<double>()) : std::string("—"); };
        const bool over = r.contains("population_over") && r["population_over"].is_number() &&
                          r["population_over"].get<double>() > 0;
        out += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                           "<td class=\"n{}\">{}</td><td class=\"n{}\">{}</td><td>{}</td></tr>\n",
                           html(service_label(s)), fr_minutes(s.threshold_min), fr_int(static_cast<double>(s.facilities)),
                           num("population"),
                           over ? " over" : "", num("population_over"), over ? " over" : "",
                           fr_share(r.contains("share_over") ? r["share_over"] : Json(nullptr)),
                           row != nullptr ? band_bar(r) : "");
    }
    out += "</tbody></table></div>\n" + class_key();
    return out;
}

/// One row per EPCI (or per zone without commune table), one column per service.
std::string areas_table(const RunFolder& f) {
    const auto& services = f.run.services;
    if (services.empty()) {
        return {};
    }
    std::string scope = "epci";
    const std::string& first = services[0].id;
    auto rows_of = [&](const std::string& sc) {
        std::vector<const Json*> rows;
        for (const auto& feature : layer(f, "summary")["features"]) {
            const Json& p = feature["properties"];
            if (p["scope"] == sc && p["service"] == first) {
                rows.push_back(&p);
            }
        }
        return rows;
    };
    auto rows = rows_of(scope);
    if (rows.empty()) {
        scope = "zone";
        rows = rows_of(scope);
    }
    if (rows.empty()) {
        return {};
    }
    const bool epci = scope == "epci";
    std::string out = fmt::format(
        "<h2>{}</h2>\n<p>Part de la population au-delà du seuil de chaque service, et nombre d'habitants "
        "concernés.</p>\n<div class=\"scroll\"><table class=\"data\">\n<thead><tr><th>{}</th><th>Population</th>",
        epci ? "Par EPCI" : "Par zone", epci ? "EPCI" : "Zone");
    for (const auto& s : services) {
        out += fmt::format("<th>{}<br><small>seuil {}</small></th>", html(service_label(s)), fr_minutes(s.threshold_min));
    }
    out += "</tr></thead>\n<tbody>\n";
    // The summary rows of this scope by (service, code): a région's table is 100 areas × 100
    // services, each looked up among tens of thousands of rows (first one kept, as a scan would).
    std::map<std::pair<std::string, std::string>, const Json*> cells;
    for (const auto& feature : layer(f, "summary")["features"]) {
        const Json& p = feature["properties"];
        if (p["scope"] == scope && p["service"].is_string()) {
            cells.emplace(std::make_pair(p["service"].get<std::string>(), p["code"].dump()), &p);
        }
    }
    for (const Json* r : rows) {
        const std::string code = (*r)["code"].is_string() ? (*r)["code"].get<std::string>() : "";
        const std::string name = (*r)["nom"].is_string() ? (*r)["nom"].get<std::string>() : code;
        out += fmt::format("<tr><td>{}{}</td><td class=\"n\">{}</td>", html(name),
                           epci && !code.empty() ? fmt::format(" <small>({})</small>", html(code)) : "",
                           text_of((*r)["population"]));
        for (const auto& s : services) {
            const auto found = cells.find(std::make_pair(s.id, (*r)["code"].dump()));
            const Json* cell = found == cells.end() ? nullptr : found->second;
            if (cell == nullptr) {
                out += "<td class=\"n\">—</td>";
                continue;
            }
            const bool over = (*cell)["population_over"].is_number() && (*cell)["population_over"].get<double>() > 0;
            out += fmt::format("<td class=\"n{}\">{}<br><small>{} hab.</small></td>", over ? " over" : " zero",
                               fr_share((*cell)["share_over"]), text_of((*cell)["population_over"]));
        }
        out += "</tr>\n";
    }
    return out + "</tbody></table></div>\n";
}

std::string map_section(const RunFolder& f) {
    const std::string unit = f.french ? "commune" : "zone";
    const std::string colour = f.origins_layer == "cells"
                                   ? fmt::format("temps d'accès de chaque carreau de population (les limites des {}s "
                                                 "sont tracées par-dessus)",
                                                 unit)
                                   : fmt::format("temps d'accès moyen des habitants de la {}, pondéré par la population",
                                                 unit);
    std::string grouped;
    if (f.origins.shown < f.origins.origins) {
        const std::string what = f.origins_layer == "cells" ? "carreaux" : "lieux habités";
        grouped = f.origins.shown == 0
                      ? fmt::format("<p class=\"notice\"><b>Carte allégée :</b> les {} {} ne sont pas sur la carte "
                                    "(rapport demandé sans origines). Ils sont tous dans <code>access.gpkg</code>.</p>\n",
                                    fr_int(static_cast<double>(f.origins.origins)), what)
                      : fmt::format("<p class=\"notice\"><b>Carte simplifiée :</b> les {} {} de l'étude sont regroupés "
                                    "en {} carrés de {} de côté (au-delà de {} origines, le rapport regroupe pour rester "
                                    "léger). Chaque carré porte la population de ses lieux et, par service, leur temps "
                                    "moyen pondéré par la population. Chaque origine, avec ses temps, est dans "
                                    "<code>access.gpkg</code>.</p>\n",
                                    fr_int(static_cast<double>(f.origins.origins)), what,
                                    fr_int(static_cast<double>(f.origins.shown)),
                                    f.origins.square_m >= 1000 ? fmt::format("{}{}km", fr_int(f.origins.square_m / 1000), nbsp)
                                                               : fmt::format("{}{}m", fr_int(f.origins.square_m), nbsp),
                                    fr_int(static_cast<double>(f.max_origins)));
    }
    if (f.origins.isochrones_left_out) {
        grouped += fmt::format("<p class=\"notice\"><b>Isochrones non affichées :</b> elles comptent plus de {} "
                               "sommets, ce que le rapport embarque au plus pour rester léger. Elles sont toutes dans "
                               "<code>access.gpkg</code> (couches <code>isochrones_…</code>), à ouvrir dans un SIG.</p>\n",
                               fr_int(static_cast<double>(f.max_isochrone_vertices)));
    }
    return grouped + fmt::format("<h2>Carte interactive</h2>\n<p>Choisir un service dans le sélecteur de couches (en haut à "
                       "droite). Couleur : {0}. Hachures : territoire au-delà du seuil (noires où vivent des "
                       "habitants, grises ailleurs). Cliquer sur une {1} pour ses temps d'accès à chaque service ; "
                       "les mêmes temps sont dans le tableau <a href=\"#temps-par-{1}\">Temps par {1}</a>.</p>\n"
                       "<div id=\"map\" tabindex=\"0\" aria-label=\"Carte interactive des temps d'accès\"></div>\n",
                       colour, unit);
}


std::string key_value_rows(const std::vector<std::pair<std::string, std::string>>& rows) {
    std::string out;
    for (const auto& [k, v] : rows) {
        out += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", html(k), v);
    }
    return out;
}

std::string study_provenance(const RunManifest& run) {
    std::string out = "<h3>Étude</h3>\n<table class=\"kv\">\n";
    out += key_value_rows({
        {"Version de Proxima", html(run.proxima_version)},
        {"Étude", html(run.study.name)},
        {"Fichier d'étude", "<code>" + html(run.study.file) + "</code>"},
        {"SHA-256 de l'étude", "<code class=\"hash\">" + html(run.study.sha256) + "</code>"},
        {"Système de coordonnées", html(run.study.output_crs)},
    });
    out += "</table>\n<h3>Réseau routier</h3>\n<table class=\"kv\">\n";
    out += key_value_rows({
        {"Graphe", html(run.graph.origin)},
        {"Nœuds", html(fr_int(static_cast<double>(run.graph.nodes)))},
        {"Arcs", html(fr_int(static_cast<double>(run.graph.arcs)))},
        {"Profil", html(run.graph.profile)},
        {"SHA-256 du profil", "<code class=\"hash\">" + html(run.graph.profile_sha256) + "</code>"},
    });
    out += "</table>\n";
    const auto& p = run.parameters;
    std::string bands;
    for (const double b : p.bands_min) {
        bands += (bands.empty() ? "" : ", ") + number_text(b);
    }
    out += "<h3>Paramètres</h3>\n<table class=\"kv\">\n";
    out += key_value_rows({
        {"Vitesse hors réseau (km/h)", html(number_text(p.access_speed_kmh))},
        {"Distance maximale au réseau (m)", html(number_text(p.max_snap_m))},
        {"Distance au réseau signalée au-delà de (m)", html(number_text(p.warn_snap_m))},
        {"Fils de calcul (0 : tous les cœurs)", html(fr_int(p.threads))},
        {"Bornes des classes de temps (min)", html(bands)},
        {"Résolution de la surface des temps (m)", html(number_text(p.surface_resolution_m))},
        {"Format des CSV", html(p.csv_dialect == "fr" ? "français (séparateur ;, virgule décimale, BOM)"
                                                      : "SIG (séparateur virgule, point décimal)")},
        {"Au-delà du seuil", html(p.over_threshold == "time > threshold, or unreachable"
                                      ? "temps supérieur au seuil, ou service inaccessible par la route"
                                      : p.over_threshold)},
    });
    out += "</table>\n<h3>Population</h3>\n<table class=\"kv\">\n";
    out += key_value_rows({
        {"Population lue", html(number_text(run.population.read))},
        {"Points d'origine", html(fr_int(static_cast<double>(run.population.origins)))},
        {"Population non placée (non comptée)", html(number_text(run.population.unplaced))},
    });
    out += "</table>\n";
    if (!run.population.unplaced_detail.empty()) {
        out += "<ul class=\"small\">\n";
        for (const auto& [what, population] : run.population.unplaced_detail) {
            out += fmt::format("<li>{} hab. : {}</li>\n", html(number_text(population)), html(what));
        }
        out += "</ul>\n";
    }
    return out;
}

std::string computation_provenance(const RunManifest& run) {
    std::string out = "<h3>Données d'entrée</h3>\n<table class=\"data small\">\n<thead><tr><th>Fichier</th>"
                      "<th>SHA-256</th></tr></thead>\n<tbody>\n";
    for (const auto& i : run.inputs) {
        out += fmt::format("<tr><td><code>{}</code></td><td><code class=\"hash\">{}</code></td></tr>\n", html(i.path),
                           html(i.sha256));
    }
    out += "</tbody></table>\n";
    out += fmt::format("<h3>Avertissements ({})</h3>\n{}", run.warnings.size(),
                       run.warnings.empty() ? ""
                                            : "<p class=\"small\">Messages du calcul, tels qu'écrits dans run.json "
                                              "(en anglais).</p>\n");
    if (!run.warnings.empty()) {
        out += "<ol class=\"small\">\n";
        for (const auto& m : run.warnings) {
            out += "<li>" + html(m) + "</li>\n";
        }
        out += "</ol>\n";
    } else {
        out += "<p class=\"small\">Aucun avertissement.</p>\n";
    }
    if (!run.timings_s.empty()) {
        double total = 0;
        out += "<h3>Durées de calcul</h3>\n<table class=\"data small\">\n<thead><tr><th>Étape</th><th>Durée</th></tr>"
               "</thead>\n<tbody>\n";
        for (const auto& [phase, seconds] : run.timings_s) {
            total += seconds;
            out += fmt::format("<tr><td>{}</td><td class=\"n\">{}{}s</td></tr>\n", html(detail::phase_name_fr(phase)),
                               fr_decimal(seconds, 3),
                               nbsp);
        }
        out += fmt::format("<tr class=\"total\"><td>Total</td><td class=\"n\">{}{}s</td></tr>\n",
                           fr_decimal(total, 3), nbsp);
        out += "</tbody></table>\n";
    }
    if (!run.outputs.empty()) {
        out += "<h3>Fichiers produits</h3>\n<p class=\"small\">";
        for (std::size_t i = 0; i < run.outputs.size(); ++i) {
            out += (i == 0 ? "" : ", ") + ("<code>" + html(run.outputs[i]) + "</code>");
        }
        out += "</p>\n";
    }
    return out;
}

std::string provenance_section(const RunFolder& f) {
    return "<h2>Provenance du calcul</h2>\n<div class=\"cols\">\n<div>\n" + study_provenance(f.run) +
           "</div>\n<div>\n" + computation_provenance(f.run) + "</div>\n</div>\n";
}

/// Everything the map script needs, in one JSON document. Takes the layers out of `f` (moved,
/// not copied: they are most of the page).
Json page_data(RunFolder& f) {
    Json data;
    data["study"] = to_json(f.run)["study"];
    Json services = Json::array();
    for (const auto& s : f.run.services) {
        const double threshold = s.threshold_min;
        const std::size_t cls = time_class_of(threshold);
        const bool on_bound = cls < band_upper_min.size() && band_upper_min[cls] == threshold;
        services.push_back({{"id", s.id},
                            {"label", service_label(s)},
                            {"threshold_min", threshold},
                            {"threshold_class", cls},
                            {"threshold_on_bound", on_bound},
                            {"facilities", s.facilities},
                            {"population_over", s.population_over},
                            {"share_over", s.share_over ? Json(*s.share_over) : Json(nullptr)}});
    }
    data["services"] = services;
    Json classes = Json::array();
    for (const auto& c : time_classes) {
        classes.push_back({{"label", c.label},
                           {"lower", c.lower ? Json(*c.lower) : Json(nullptr)},
                           {"upper", c.upper ? Json(*c.upper) : Json(nullptr)},
                           {"colour", colour_of(static_cast<std::size_t>(&c - time_classes.data()))}});
    }
    data["classes"] = classes;
    // The marks shared with the PNG maps and QGIS (report/map_style.hpp).
    data["style"] = {{"ink", hex_colour(map_style::ink).data()},
                     {"uninhabited", hex_colour(map_style::uninhabited_hatch).data()},
                     {"isochrone", hex_colour(map_style::isochrone_line).data()}};
    data["code_field"] = f.french ? "code_insee" : "code";
    data["origins_layer"] = f.origins_layer;
    data["attribution"] = fmt::format("Données © contributeurs OpenStreetMap{} — calcul Proxima {}",
                                      f.french ? ", INSEE" : "",
                                      f.run.proxima_version);
    Json layers = Json::object();
    for (auto& [name, fc] : f.layers) {
        // The summary is the page's tables, written above; the map's script never reads it, and
        // it has a row per zone and service (a national study's communes: millions).
        if (name != "summary") {
            layers[name] = std::move(fc);
        }
    }
    f.layers.clear();
    data["layers"] = std::move(layers);
    // The origins' (or cells') minutes and time classes, one column per service in feature order.
    data["origin_minutes"] = std::move(f.origin_minutes);
    data["origin_classes"] = std::move(f.origin_classes);
    return data;
}

std::string render_page(RunFolder& f, const std::string& leaflet_js, const std::string& leaflet_css,
                        std::size_t maps_budget) {
    const std::string study = f.run.study.name.empty() ? f.dir.filename().string() : f.run.study.name;
    const std::string& version = f.run.proxima_version;
    std::string out;
    out += "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out += fmt::format("<meta name=\"generator\" content=\"Proxima {}\">\n", html(version));
    out += fmt::format("<title>Accessibilité aux services — {}</title>\n", html(study));
    out += "<style>\n" + leaflet_css + "\n</style>\n";
    // report.css and report.js (compiled in from data/report/) start on the line after their tag.
    out += "<style>\n" + std::string(detail::report_page_css) + "</style>\n</head>\n<body>\n<div class=\"page\">\n";
    out += fmt::format("<h1>Accessibilité aux services — {}</h1>\n", html(study));
    const double unplaced = f.run.population.unplaced;
    out += fmt::format("<p class=\"subtitle\">Temps d'accès en voiture depuis les lieux habités jusqu'au service le "
                       "plus proche, calculés sur le réseau routier OpenStreetMap. Rapport produit par Proxima {}.{}</p>\n",
                       html(version),
                       unplaced > 0
                           ? fmt::format(" {} habitants n'ont pas pu être localisés et ne sont pas comptés (voir la "
                                         "provenance).",
                                         fr_int(unplaced))
                           : "");
    // The map right after the headline numbers: the EPCI table can be long in a large study.
    out += services_table(f);
    out += map_section(f);
    out += areas_table(f);
    out += detail::commune_times_section(layer(f, "communes"), f.run.services, f.french);
    out += detail::static_maps_section(f.dir, f.run.services, maps_budget);
    out += provenance_section(f);
    out += fmt::format("<p class=\"footer\">Fond de carte : limites des {} de l'étude (aucun fond en ligne : ce "
                       "fichier s'ouvre sans réseau). Carte interactive : Leaflet. Données © contributeurs "
                       "OpenStreetMap{}.</p>\n",
                       f.french ? "communes" : "zones", f.french ? ", INSEE" : "");
    out += "</div>\n";
    out += "<script type=\"application/json\" id=\"proxima-data\">" + json_for_script(page_data(f)) + "</script>\n";
    out += "<script>\n" + leaflet_js + "\n</script>\n";
    out += "<script>\n" + js_for_script(std::string(detail::report_page_js)) + "</script>\n";
    out += "</body>\n</html>\n";
    return out;
}

} // namespace

std::string describe_report_origins(const HtmlReportOrigins& o, std::size_t max_origins) {
    std::string out;
    if (o.shown < o.origins && o.shown == 0) {
        out = fmt::format("report.html: the {} origins are left off the map (as asked); every one is in access.gpkg",
                          o.origins);
    } else if (o.shown < o.origins) {
        out = fmt::format("report.html: the {} origins are shown as {} squares of {:g} m (above {} origins the report "
                          "groups them; every one is in access.gpkg)",
                          o.origins, o.shown, o.square_m, max_origins);
    }
    if (o.isochrones_left_out) {
        out += fmt::format("{}report.html: the isochrones (more than {} vertices) are left off the page, beyond its "
                           "budget; they are all in access.gpkg",
                           out.empty() ? "" : "\n", o.max_isochrone_vertices);
    }
    return out;
}

fs::path write_html_report(const fs::path& run_dir, const HtmlReportOptions& options, HtmlReportOrigins* origins) {
    RunFolder folder = read_run_folder(run_dir, options.max_origins, options.max_isochrone_vertices, options.threads,
                                       options.origin_squares);
    if (origins != nullptr) {
        *origins = folder.origins;
    }
    add_classes(folder);

    const fs::path js_path = options.leaflet_dir / "leaflet.min.js";
    const fs::path css_path = options.leaflet_dir / "leaflet.css";
    std::string js = read_file(js_path);
    std::string css = read_file(css_path);
    if (js.empty() || css.empty()) {
        throw OutputError(fmt::format("cannot write the HTML report: Leaflet not found ('{}' and '{}'); install "
                                      "Debian's package libjs-leaflet (apt-get install libjs-leaflet)",
                                      js_path.string(), css_path.string()));
    }
    js = js_for_script(without_source_map(std::move(js)));
    css = css_without_images(without_source_map(std::move(css)));
    replace_all(css, "</", "<\\/");  // cannot end the <style> element

    const fs::path target = run_dir / "report.html";
    AtomicFile file(target);
    file.stream() << render_page(folder, js, css, options.static_maps_embed_budget);
    file.commit();
    return target;
}

} // namespace proxima
