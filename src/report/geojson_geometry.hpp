#pragma once
// Internal: an OGR geometry as a GeoJSON geometry object, built directly (report.html holds every
// commune, deficit area and isochrone of a run: GDAL's writer printed each coordinate through
// json-c, and the text was then parsed again).

#include <optional>

#include <nlohmann/json.hpp>
#include <ogr_api.h>

namespace proxima::detail {

/// The GeoJSON geometry of `g` (2D points, lines, polygons, their multi forms and collections),
/// each coordinate rounded to `decimals` decimals exactly as GDAL's COORDINATE_PRECISION writes
/// it (the same decimal text, read back). std::nullopt for what it does not write (3D or measured
/// coordinates, curves): the caller then asks GDAL.
[[nodiscard]] std::optional<nlohmann::ordered_json> geojson_geometry(OGRGeometryH g, int decimals);

} // namespace proxima::detail
