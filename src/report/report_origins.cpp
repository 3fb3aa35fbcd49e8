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
std::pair<double, double> position(OGRFeatureH f) {
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (g == nullptr || OGR_G_IsEmpty(g)) {
        return {NAN, NAN};
    }
    OGREnvelope e;
    OGR_G_GetEnvelope(g, &e);
    return {(e.MinX + e.MaxX) / 2, (e.MinY + e.MaxY) / 2};
}

struct Square {
    std::size_t origins = 0;
    double population = 0.0;
    double x_weighted = 0.0, y_weighted = 0.0, weight = 0.0;
    double x_sum = 0.0, y_sum = 0.0;
    Json zone;
    double zone_population = -1.0;
    std::vector<double> minutes_weighted, minutes_weight, minutes_sum;
    std::vector<std::size_t> minutes_count;
};

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

GeometryPtr square_geometry(const Square& q, SquareKey key, double side, bool polygons) {
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

ReportOrigins in_squares(OGRLayerH l, const std::string& name, const std::filesystem::path& gpkg, const Columns& c,
                         const std::vector<std::string>& service_ids, std::size_t max_origins,
                         OGRCoordinateTransformationH to_wgs84) {
    std::vector<std::pair<double, double>> positions;
    {
        const ReadOnly geometry(l, c, true);
        OGR_L_ResetReading(l);
        for (FeaturePtr f(OGR_L_GetNextFeature(l)); f; f.reset(OGR_L_GetNextFeature(l))) {
            positions.push_back(position(static_cast<OGRFeatureH>(f.get())));
        }
    }
    const ReadOnly fields(l, c, false);
    ReportOrigins out;
    out.origins = positions.size();
    out.square_m = choose_square_side(positions, max_origins);
    const std::size_t services = service_ids.size();
    std::map<SquareKey, Square> squares;  // ordered: same folder, same page
    std::size_t i = 0;
    OGR_L_ResetReading(l);
    for (FeaturePtr f(OGR_L_GetNextFeature(l)); f; f.reset(OGR_L_GetNextFeature(l)), ++i) {
        auto* h = static_cast<OGRFeatureH>(f.get());
        const auto p = i < positions.size() ? positions[i] : position(h);
        Square& q = squares[square_of(p, out.square_m)];
        if (q.origins == 0) {
            q.minutes_weighted.assign(services, 0.0);
            q.minutes_weight.assign(services, 0.0);
            q.minutes_sum.assign(services, 0.0);
            q.minutes_count.assign(services, 0);
        }
        const double population = OGR_F_IsFieldSetAndNotNull(h, c.population) ? OGR_F_GetFieldAsDouble(h, c.population) : 0.0;
        ++q.origins;
        q.population += population;
        q.x_weighted += population * p.first, q.y_weighted += population * p.second, q.weight += population;
        q.x_sum += p.first, q.y_sum += p.second;
        if (population > q.zone_population) {
            q.zone_population = population;
            q.zone = value_of(h, c.zone, false);
        }
        for (std::size_t s = 0; s < services; ++s) {
            if (OGR_F_IsFieldSetAndNotNull(h, c.minutes[s])) {
                const double m = OGR_F_GetFieldAsDouble(h, c.minutes[s]);
                q.minutes_weighted[s] += population * m;
                q.minutes_weight[s] += population;
                q.minutes_sum[s] += m;
                ++q.minutes_count[s];
            }
        }
    }
    const bool polygons = wkbFlatten(OGR_L_GetGeomType(l)) != wkbPoint;
    Json features = Json::array();
    const std::vector<Json*> columns = minute_columns(out.minutes, service_ids);
    for (const auto& [key, q] : squares) {
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
                                  OGRCoordinateTransformationH to_wgs84) {
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
    return in_squares(l, name, gpkg, c, service_ids, max_origins, to_wgs84);
}

} // namespace proxima::detail
