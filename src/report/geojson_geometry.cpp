#include "geojson_geometry.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <fmt/format.h>

#include "core/gdal_handles.hpp"
#include "proxima/core/error.hpp"

namespace proxima::detail {

namespace {

using Json = nlohmann::ordered_json;

/// `v` printed with `decimals` decimals (correctly rounded, as printf's %.*f) and read back.
double rounded(double v, int decimals) {
    if (!std::isfinite(v)) {
        return v;
    }
    char text[400];  // the largest double in fixed notation has 309 digits before the point
    const auto [end, ec] = std::to_chars(text, text + sizeof text, v, std::chars_format::fixed, decimals);
    if (ec != std::errc{}) {
        return v;
    }
    double out = v;
    std::from_chars(text, end, out);
    return out;
}

Json positions(OGRGeometryH line, int decimals) {
    const int n = OGR_G_GetPointCount(line);
    std::vector<double> x(static_cast<std::size_t>(n));
    std::vector<double> y(static_cast<std::size_t>(n));
    if (n > 0) {
        OGR_G_GetPoints(line, x.data(), sizeof(double), y.data(), sizeof(double), nullptr, 0);
    }
    Json out = Json::array();
    for (std::size_t i = 0; i < x.size(); ++i) {
        out.push_back(Json::array({rounded(x[i], decimals), rounded(y[i], decimals)}));
    }
    return out;
}

/// The "coordinates" member of a simple geometry of flat type `type`; null if not one.
std::optional<Json> coordinates(OGRGeometryH g, OGRwkbGeometryType type, int decimals) {
    switch (type) {
    case wkbPoint:
        if (OGR_G_IsEmpty(g)) {
            return Json::array();
        }
        return Json::array({rounded(OGR_G_GetX(g, 0), decimals), rounded(OGR_G_GetY(g, 0), decimals)});
    case wkbLineString:
    case wkbLinearRing:
        return positions(g, decimals);
    case wkbPolygon:
    case wkbMultiPoint:
    case wkbMultiLineString:
    case wkbMultiPolygon: {
        Json parts = Json::array();
        const int count = OGR_G_GetGeometryCount(g);
        for (int i = 0; i < count; ++i) {
            OGRGeometryH part = OGR_G_GetGeometryRef(g, i);
            auto c = coordinates(part, wkbFlatten(OGR_G_GetGeometryType(part)), decimals);
            if (!c) {
                return std::nullopt;
            }
            parts.push_back(std::move(*c));
        }
        return parts;
    }
    default:
        return std::nullopt;
    }
}

const char* type_name(OGRwkbGeometryType type) {
    switch (type) {
    case wkbPoint: return "Point";
    case wkbLineString: return "LineString";
    case wkbPolygon: return "Polygon";
    case wkbMultiPoint: return "MultiPoint";
    case wkbMultiLineString: return "MultiLineString";
    case wkbMultiPolygon: return "MultiPolygon";
    case wkbGeometryCollection: return "GeometryCollection";
    default: return nullptr;
    }
}

} // namespace

std::optional<Json> geojson_geometry(OGRGeometryH g, int decimals) {
    if (g == nullptr || OGR_G_Is3D(g) || OGR_G_IsMeasured(g)) {
        return std::nullopt;
    }
    const OGRwkbGeometryType type = wkbFlatten(OGR_G_GetGeometryType(g));
    const char* name = type_name(type);
    if (name == nullptr) {
        return std::nullopt;
    }
    Json out = Json::object();
    out["type"] = name;
    if (type == wkbGeometryCollection) {
        Json members = Json::array();
        const int count = OGR_G_GetGeometryCount(g);
        for (int i = 0; i < count; ++i) {
            auto m = geojson_geometry(OGR_G_GetGeometryRef(g, i), decimals);
            if (!m) {
                return std::nullopt;
            }
            members.push_back(std::move(*m));
        }
        out["geometries"] = std::move(members);
        return out;
    }
    auto c = coordinates(g, type, decimals);
    if (!c) {
        return std::nullopt;
    }
    out["coordinates"] = std::move(*c);
    return out;
}

Json wgs84_geojson(OGRGeometryH g, OGRCoordinateTransformationH to_wgs84, const std::string& what) {
    if (g == nullptr || OGR_G_IsEmpty(g)) {
        return nullptr;
    }
    CPLErrorReset();
    if (OGR_G_Transform(g, to_wgs84) != OGRERR_NONE) {
        throw InputError(fmt::format("{}: the geometry cannot be converted to WGS84 ({})", what, gdal_detail()));
    }
    if (auto direct = geojson_geometry(g, 6)) {  // GDAL's text, without printing and parsing it
        return std::move(*direct);
    }
    const char* const options[] = {"COORDINATE_PRECISION=6", nullptr};
    char* text = OGR_G_ExportToJsonEx(g, const_cast<char**>(options));
    if (text == nullptr) {
        throw InputError(fmt::format("{}: the geometry cannot be written as GeoJSON ({})", what, gdal_detail()));
    }
    const std::string copy(text);
    CPLFree(text);
    return Json::parse(copy);
}

Json delta_encoded_polygons(const Json& geometry) {
    if (!geometry.is_object() || !geometry.contains("type") || !geometry.contains("coordinates")) {
        return geometry;
    }
    const std::string type = geometry["type"].get<std::string>();
    if (type != "Polygon" && type != "MultiPolygon") {
        return geometry;
    }
    std::int64_t x = 0, y = 0;
    auto ring = [&](const Json& positions) {
        Json out = Json::array();
        for (const auto& p : positions) {
            const auto px = static_cast<std::int64_t>(std::llround(p[0].get<double>() * 1e5));
            const auto py = static_cast<std::int64_t>(std::llround(p[1].get<double>() * 1e5));
            out.push_back(px - x);
            out.push_back(py - y);
            x = px, y = py;
        }
        return out;
    };
    auto polygon = [&](const Json& rings) {
        Json out = Json::array();
        for (const auto& r : rings) {
            out.push_back(ring(r));
        }
        return out;
    };
    Json encoded = Json::array();
    if (type == "Polygon") {
        encoded = polygon(geometry["coordinates"]);
    } else {
        for (const auto& p : geometry["coordinates"]) {
            encoded.push_back(polygon(p));
        }
    }
    return Json{{"type", type}, {"delta_e5", std::move(encoded)}};
}

} // namespace proxima::detail
