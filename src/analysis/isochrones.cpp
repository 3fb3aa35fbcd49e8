#include "proxima/analysis/isochrones.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include <fmt/format.h>
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <proj.h>

#include "core/proj_to_wgs84.hpp"
#include "pixel_polygons.hpp"
#include "proxima/analysis/aggregation.hpp"
#include "proxima/core/error.hpp"

namespace proxima {

using detail::Geos;

std::vector<double> isochrone_limits(double threshold_min) {
    std::vector<double> limits(band_upper_min.begin(), band_upper_min.end());
    limits.push_back(threshold_min);
    std::sort(limits.begin(), limits.end());
    limits.erase(std::unique(limits.begin(), limits.end()), limits.end());
    return limits;
}

std::vector<Isochrone> isochrones_from_raster(const TravelTimeRaster& raster, const std::vector<double>& limits_min,
                                              const IsochroneOptions& options) {
    for (const double limit : limits_min) {
        if (!(limit > 0 && std::isfinite(limit))) {
            throw ConfigError(fmt::format("isochrones of '{}': limit {} min is not a positive number of minutes",
                                          raster.service, limit));
        }
    }
    if (!(options.min_part_pixels >= 0) || !(options.min_hole_pixels >= 0)) {
        throw ConfigError(fmt::format("isochrones of '{}': speck sizes {} and {} pixels must not be negative",
                                      raster.service, options.min_part_pixels, options.min_hole_pixels));
    }
    const RasterGrid& grid = raster.grid;
    if (grid.width < 0 || grid.height < 0 || raster.minutes.size() != grid.pixel_count() || !(grid.resolution_m > 0)) {
        throw Error(fmt::format("isochrones of '{}': malformed raster ({} values for {} × {} pixels of {} m)",
                                raster.service, raster.minutes.size(), grid.width, grid.height, grid.resolution_m));
    }
    std::vector<double> limits = limits_min;
    std::sort(limits.begin(), limits.end());
    limits.erase(std::unique(limits.begin(), limits.end()), limits.end());

    const detail::ProjectedToWgs84 projection(grid.crs, fmt::format("isochrones of '{}'", raster.service));
    const double pixel_area = grid.resolution_m * grid.resolution_m;
    const Geos geos;
    std::vector<Isochrone> out;
    // One mask for every limit, each filling it whole: a new one per limit was 8 MB of fresh
    // pages to fault in and clear each time (a 1 M-node run: 8 M pixels, 5 to 7 limits).
    std::vector<unsigned char> mask(raster.minutes.size());
    for (const double limit : limits) {
        Isochrone iso;
        iso.limit_min = limit;
        // NaN is never within. A flat loop over the raster: 8 M pixels per limit.
        std::size_t within = 0;
        for (std::size_t i = 0; i < mask.size(); ++i) {
            const unsigned char in = static_cast<double>(raster.minutes[i]) <= limit ? 1 : 0;
            mask[i] = in;
            within += in;
        }
        iso.pixels = within;
        const Geos::Ptr shape = detail::pixel_shape_of(geos, grid, mask, options.min_part_pixels * pixel_area,
                                                       options.min_hole_pixels * pixel_area, within);
        if (shape) {
            iso.area_km2 = detail::area_of(geos, shape.get()) / 1e6;
            if (options.raster_crs) {
                iso.wkb_raster_crs = detail::normalised_wkb(geos, shape.get(), "isochrones");
            } else {
                iso.wkb_wgs84 = detail::to_wgs84_wkb(geos, shape.get(), grid.resolution_m, projection, "isochrones");
            }
        }
        out.push_back(std::move(iso));
    }
    return out;
}

} // namespace proxima
