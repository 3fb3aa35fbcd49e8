#include "report/report_origins.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "core/gdal_handles.hpp"
#include "proxima/core/error.hpp"
#include "report/place_squares.hpp"
#include "geojson_geometry.hpp"

namespace proxima::detail {

namespace {

using Json = nlohmann::ordered_json;

struct Columns {
    int id = -1;
    int zone = -1;
    int population = -1;
    std::vector<int> minutes;  ///< per service
};

Columns columns_of(OGRLayerH l, const std::string& name, const std::filesystem::path& gpkg,
                   const std::vector<std::string>& service_ids) {
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
    auto index = [&](const std::string& field, bool required) {
        const int i = OGR_FD_GetFieldIndex(defn, field.c_str());
        if (i < 0 && required) {
            throw InputError(fmt::format("field '{}' is missing from layer '{}' of '{}'; the folder was written by "
                                         "another version of Proxima: run `proxima run` again",
                                         field, name, gpkg.string()));
        }
        return i;
    };
    Columns c;
    c.id = index("id", true);
    c.zone = index("zone", false);
    c.population = index("population", true);
    for (const auto& id : service_ids) {
        c.minutes.push_back(index(id + "_min", true));
    }
    return c;
}

/// While it lives, the layer reads only the geometry and the fields of `c` (no field at all with
/// `geometry_only`): the origins layer has three fields per service (minutes, nearest
/// site's id and name), and reading the 200 text fields of a 100-service run the page does not
/// show took most of its reading time.
class ReadOnly {
public:
    ReadOnly(OGRLayerH l, const Columns& c, bool geometry_only) : m_layer(l) {
        std::vector<bool> keep(static_cast<std::size_t>(OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(l))), false);
        if (!geometry_only) {
            for (const int i : {c.id, c.zone, c.population}) {
                if (i >= 0) {
                    keep[static_cast<std::size_t>(i)] = true;
                }
            }
            for (const int i : c.minutes) {
                keep[static_cast<std::size_t>(i)] = true;
            }
        }
        OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
        for (std::size_t i = 0; i < keep.size(); ++i) {
            if (!keep[i]) {
                m_names.emplace_back(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, static_cast<int>(i))));
            }
        }
        m_names.emplace_back("OGR_STYLE");
        std::vector<const char*> list;
        for (const auto& n : m_names) {
            list.push_back(n.c_str());
        }
        list.push_back(nullptr);
        // Best effort: a driver that cannot ignore fields reads them all, as before.
        (void)OGR_L_SetIgnoredFields(l, list.data());
    }
    ~ReadOnly() { (void)OGR_L_SetIgnoredFields(m_layer, nullptr); }
    ReadOnly(const ReadOnly&) = delete;
    ReadOnly& operator=(const ReadOnly&) = delete;

private:
    OGRLayerH m_layer;
    std::vector<std::string> m_names;
};

Json value_of(OGRFeatureH f, int i, bool real) {
    if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i)) {
        return nullptr;
    }
    if (real) {
        return OGR_F_GetFieldAsDouble(f, i);
    }
    return std::string(OGR_F_GetFieldAsString(f, i));
}

/// GeoJSON of `g` (owned copy) in WGS84 with 6 decimals, or null.
Json geojson(detail::GeometryPtr g, OGRCoordinateTransformationH to_wgs84, const std::string& what) {
    return detail::wgs84_geojson(static_cast<OGRGeometryH>(g.get()), to_wgs84, what);
}

/// Where a feature stands, in the layer's CRS: a point, or the centre of a cell's envelope.
std::pair<double, double> position(OGRFeatureH f) { return envelope_centre(OGR_F_GetGeometryRef(f)); }

/// Sets `minutes` to empty minute columns, one per service, and returns them in the order of
/// `service_ids`. The pointers are taken once every key exists: an ordered object's values move
/// when a key is added.
std::vector<Json*> minute_columns(Json& minutes, const std::vector<std::string>& service_ids) {
    minutes = Json::object();
    for (const auto& id : service_ids) {
        minutes[id] = Json::array();
    }
    std::vector<Json*> columns;
    for (const auto& id : service_ids) {
        columns.push_back(&minutes[id]);
    }
    return columns;
}

ReportOrigins each_origin(OGRLayerH l, const std::string& name, const std::filesystem::path& gpkg, const Columns& c,
                          const std::vector<std::string>& service_ids, OGRCoordinateTransformationH to_wgs84) {
    ReportOrigins out;
    const std::vector<Json*> columns = minute_columns(out.minutes, service_ids);
    Json features = Json::array();
    const ReadOnly fields(l, c, false);
    OGR_L_ResetReading(l);
    for (FeaturePtr f(OGR_L_GetNextFeature(l)); f; f.reset(OGR_L_GetNextFeature(l))) {
        auto* h = static_cast<OGRFeatureH>(f.get());
        Json props = Json::object();
        props["id"] = value_of(h, c.id, false);
        props["zone"] = value_of(h, c.zone, false);
        props["population"] = value_of(h, c.population, true);
        for (std::size_t s = 0; s < service_ids.size(); ++s) {
            columns[s]->push_back(value_of(h, c.minutes[s], true));
        }
        OGRGeometryH g = OGR_F_GetGeometryRef(h);
        Json feature;
        feature["type"] = "Feature";
        feature["geometry"] = geojson(GeometryPtr(g != nullptr ? OGR_G_Clone(g) : nullptr), to_wgs84,
                                      fmt::format("layer '{}' of '{}', feature {}", name, gpkg.string(), OGR_F_GetFID(h)));
        feature["properties"] = std::move(props);
        features.push_back(std::move(feature));
    }
    out.origins = out.shown = features.size();
    out.layer = {{"type", "FeatureCollection"}, {"name", name}, {"features", std::move(features)}};
    return out;
}

GeometryPtr square_geometry(const OriginSquare& q, SquareKey key, double side, bool polygons) {
    if (key.first == INT64_MIN) {
        return GeometryPtr(nullptr);
    }
    if (!polygons) {
        const double x = q.weight > 0 ? q.x_weighted / q.weight : q.x_sum / static_cast<double>(q.origins);
        const double y = q.weight > 0 ? q.y_weighted / q.weight : q.y_sum / static_cast<double>(q.origins);
        GeometryPtr p(OGR_G_CreateGeometry(wkbPoint));
        OGR_G_SetPoint_2D(static_cast<OGRGeometryH>(p.get()), 0, x, y);
        return p;
    }
    const double x0 = static_cast<double>(key.first) * side;
    const double y0 = static_cast<double>(key.second) * side;
    GeometryPtr ring(OGR_G_CreateGeometry(wkbLinearRing));
    auto* r = static_cast<OGRGeometryH>(ring.get());
    for (const auto& [x, y] : {std::pair{x0, y0}, {x0 + side, y0}, {x0 + side, y0 + side}, {x0, y0 + side}, {x0, y0}}) {
        OGR_G_AddPoint_2D(r, x, y);
    }
    GeometryPtr polygon(OGR_G_CreateGeometry(wkbPolygon));
    OGR_G_AddGeometryDirectly(static_cast<OGRGeometryH>(polygon.get()), static_cast<OGRGeometryH>(ring.release()));
    return polygon;
}

/// Reads the layer's features into squares: their positions first (to choose the side), then
/// their population, zone and minutes. Two passes: the minutes of 2.3 M origins would not fit.
OriginSquares read_squares(OGRLayerH l, const std::string& name, const Columns& c,
                           const std::vector<std::string>& service_ids, std::size_t max_origins) {
    std::vector<std::pair<double, double>> positions;
    {
        const ReadOnly geometry(l, c, true);
        OGR_L_ResetReading(l);
        for (FeaturePtr f(OGR_L_GetNextFeature(l)); f; f.reset(OGR_L_GetNextFeature(l))) {
            positions.push_back(position(static_cast<OGRFeatureH>(f.get())));
        }
    }
    const ReadOnly fields(l, c, false);
    OriginSquares out;
    out.layer = name;
    out.service_ids = service_ids;
    out.max_origins = max_origins;
    out.origins = positions.size();
    out.square_m = choose_square_side(positions, max_origins);
    std::size_t i = 0;
    OGR_L_ResetReading(l);
    for (FeaturePtr f(OGR_L_GetNextFeature(l)); f; f.reset(OGR_L_GetNextFeature(l)), ++i) {
        auto* h = static_cast<OGRFeatureH>(f.get());
        const double population =
            OGR_F_IsFieldSetAndNotNull(h, c.population) ? OGR_F_GetFieldAsDouble(h, c.population) : 0.0;
        out.add(i < positions.size() ? positions[i] : position(h), population,
                [&] { return value_of(h, c.zone, false); },
                [&](std::size_t s) -> std::optional<double> {
                    if (!OGR_F_IsFieldSetAndNotNull(h, c.minutes[s])) {
                        return std::nullopt;
                    }
                    return OGR_F_GetFieldAsDouble(h, c.minutes[s]);
                });
    }
    return out;
}

/// The page's features of the squares: one point (or square polygon) each, its minutes the
/// population-weighted mean of its origins' (rounded to 0.1 min).
ReportOrigins squares_report(const OriginSquares& made, OGRLayerH l, const std::string& name,
                             const std::filesystem::path& gpkg, OGRCoordinateTransformationH to_wgs84) {
    ReportOrigins out;
    out.origins = made.origins;
    out.square_m = made.square_m;
    const std::size_t services = made.service_ids.size();
    const bool polygons = wkbFlatten(OGR_L_GetGeomType(l)) != wkbPoint;
    Json features = Json::array();
    const std::vector<Json*> columns = minute_columns(out.minutes, made.service_ids);
    for (const auto& [key, q] : made.squares) {
        Json props = Json::object();
        props["id"] = fmt::format("{} lieux", q.origins);
        props["zone"] = q.zone;
        props["population"] = std::round(q.population * 10) / 10;
        props["origins"] = q.origins;
        for (std::size_t s = 0; s < services; ++s) {
            Json minutes = nullptr;
            if (q.minutes_weight[s] > 0) {
                minutes = std::round(q.minutes_weighted[s] / q.minutes_weight[s] * 10) / 10;
            } else if (q.minutes_count[s] > 0) {  // reached only by origins without inhabitants
                minutes = std::round(q.minutes_sum[s] / static_cast<double>(q.minutes_count[s]) * 10) / 10;
            }
            columns[s]->push_back(minutes);
        }
        Json feature;
        feature["type"] = "Feature";
        feature["geometry"] = geojson(square_geometry(q, key, out.square_m, polygons), to_wgs84,
                                      fmt::format("layer '{}' of '{}', square of {} origins", name, gpkg.string(), q.origins));
        feature["properties"] = std::move(props);
        features.push_back(std::move(feature));
    }
    out.shown = features.size();
    out.layer = {{"type", "FeatureCollection"}, {"name", name}, {"features", std::move(features)}};
    return out;
}

} // namespace

ReportOrigins read_report_origins(OGRLayerH l, const std::string& name, const std::filesystem::path& gpkg,
                                  const std::vector<std::string>& service_ids, std::size_t max_origins,
                                  OGRCoordinateTransformationH to_wgs84, const OriginSquares* made) {
    const Columns c = columns_of(l, name, gpkg, service_ids);
    const auto count = static_cast<std::size_t>(std::max<GIntBig>(0, OGR_L_GetFeatureCount(l, TRUE)));
    if (count <= max_origins) {
        return each_origin(l, name, gpkg, c, service_ids, to_wgs84);
    }
    if (max_origins == 0) {
        ReportOrigins out;
        out.origins = count;
        out.layer = {{"type", "FeatureCollection"}, {"name", name}, {"features", Json::array()}};
        minute_columns(out.minutes, service_ids);
        return out;
    }
    if (made != nullptr && made->layer == name && made->service_ids == service_ids &&
        made->max_origins == max_origins && made->origins == count) {
        ReportOrigins out = squares_report(*made, l, name, gpkg, to_wgs84);
        out.squares_from_run = true;
        return out;
    }
    return squares_report(read_squares(l, name, c, service_ids, max_origins), l, name, gpkg, to_wgs84);
}

} // namespace proxima::detail
