#pragma once
// Internal: an OGR geometry as a GeoJSON geometry object, built directly (report.html holds every
// commune, deficit area and isochrone of a run: GDAL's writer printed each coordinate through
// json-c, and the text was then parsed again).

#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <ogr_api.h>
#include <ogr_srs_api.h>

namespace proxima::detail {

/// The GeoJSON geometry of `g` (2D points, lines, polygons, their multi forms and collections),
/// each coordinate rounded to `decimals` decimals exactly as GDAL's COORDINATE_PRECISION writes
/// it (the same decimal text, read back). std::nullopt for what it does not write (3D or measured
/// coordinates, curves): the caller then asks GDAL.
[[nodiscard]] std::optional<nlohmann::ordered_json> geojson_geometry(OGRGeometryH g, int decimals);

/// report.html's geometries: `g` transformed in place to WGS84 lon/lat, then written with 6
/// decimals (about 0.1 m), by geojson_geometry or else by GDAL's writer; null when `g` is null or
/// empty. Throws InputError naming `what` when GDAL cannot transform or write it.
[[nodiscard]] nlohmann::ordered_json wgs84_geojson(OGRGeometryH g, OGRCoordinateTransformationH to_wgs84,
                                                   const std::string& what);

/// A Polygon or MultiPolygon GeoJSON geometry as report.html carries its deficit areas and
/// isochrones: {"type", "delta_e5"} where delta_e5 has the shape of "coordinates" but each ring
/// is one flat array x0, y0, dx1, dy1, … of integers in 1e-5 degree (about 1 m; the outlines are
/// simplified within a surface pixel, tens of metres), each vertex relative to the one before it,
/// carried on from ring to ring and polygon to polygon of the geometry (the first from 0, 0).
/// The page's script decodes it (report.js, decodeDelta). About 40 % of the text of
/// "coordinates" with 6 decimals. Any other geometry (null, points, lines) is returned as is.
[[nodiscard]] nlohmann::ordered_json delta_encoded_polygons(const nlohmann::ordered_json& geometry);

} // namespace proxima::detail
