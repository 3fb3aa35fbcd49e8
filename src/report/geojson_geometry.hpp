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

} // namespace proxima::detail
