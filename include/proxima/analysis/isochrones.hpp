#pragma once
// Isochrones of a service: the area within a time of the nearest facility, as polygons made from
// the travel-time raster (travel_time_raster.hpp). Cumulative: the 30 min isochrone holds every
// pixel at 30 min or less, so each isochrone contains the smaller ones and areas grow with the
// limit.
//
// Polygons are made in the raster CRS, where pixel edges lie exactly on the grid lines, so
// neighbouring pixels merge without slivers; then densified at one pixel (edges follow the
// projection) and converted to WGS84 lon/lat WKB (2D, little-endian) for write_geopackage().
// They are valid (GEOSisValid) and normalised (same raster, same bytes). A run, which writes them
// in the raster's own CRS, takes them as made (IsochroneOptions::raster_crs): exact pixel edges,
// with no densifying and no conversion there and back. Specks are removed:
// parts smaller than `min_part_pixels` pixels are dropped and holes smaller than
// `min_hole_pixels` pixels are filled (a lone pixel is noise of the resolution, not a place).

#include <string>
#include <vector>

#include "proxima/analysis/travel_time_raster.hpp"

namespace proxima {

struct IsochroneOptions {
    double min_part_pixels = 2.0;  ///< parts with a smaller area (in pixels) are dropped
    double min_hole_pixels = 2.0;  ///< holes with a smaller area (in pixels) are filled
    /// true: Isochrone::wkb_raster_crs is filled instead of wkb_wgs84 (for a GeoPackage in the
    /// raster's CRS: a region's isochrones hold tens of millions of vertices).
    bool raster_crs = false;
};

struct Isochrone {
    double limit_min = 0.0;                ///< minutes; pixels with a time <= limit are inside
    std::vector<unsigned char> wkb_wgs84;  ///< Polygon or MultiPolygon; empty when no pixel is within the limit
    /// The same in the raster's CRS (pixel edges exact), when IsochroneOptions::raster_crs; then
    /// wkb_wgs84 is left empty.
    std::vector<unsigned char> wkb_raster_crs;
    double area_km2 = 0.0;                 ///< area after speck removal, planar in the raster CRS
    std::size_t pixels = 0;                ///< pixels within the limit (before speck removal)
};

/// The limits of a service's isochrones: its threshold and the standard bands (10, 20, 30, 45,
/// 60 min; aggregation.hpp's band_upper_min), sorted, each once.
[[nodiscard]] std::vector<double> isochrone_limits(double threshold_min);

/// One isochrone per limit (sorted, duplicates removed), in increasing order. Throws ConfigError
/// for a limit that is not a positive finite number of minutes or negative speck sizes, Error if
/// the raster is malformed or its CRS cannot be converted to WGS84.
[[nodiscard]] std::vector<Isochrone> isochrones_from_raster(const TravelTimeRaster& raster,
                                                            const std::vector<double>& limits_min,
                                                            const IsochroneOptions& options = {});


} // namespace proxima
