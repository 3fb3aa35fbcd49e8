#pragma once
// The `isochrones_<service>` layer of access.gpkg, from the isochrones of a travel-time raster.

#include <vector>

#include "proxima/analysis/isochrones.hpp"
#include "proxima/report/layer_writer.hpp"

namespace proxima {

/// The layer `isochrones_<service>` of access.gpkg: one polygon row per isochrone, fields
/// service (text), limit_min (real), is_threshold (integer 1 for the service threshold, else 0),
/// area_km2 (real) and pixels (integer). Largest first, so that smaller isochrones are drawn on
/// top when a GIS draws rows in order.
[[nodiscard]] OutputLayer isochrone_layer(const TravelTimeRaster& raster, double threshold_min,
                                          const std::vector<Isochrone>& isochrones);

} // namespace proxima
