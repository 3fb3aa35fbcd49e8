#include "proxima/analysis/isochrones.hpp"

#include <algorithm>
#include <optional>
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

    std::optional<detail::ProjectedToWgs84> projection;  // made when first needed: not for bands kept in the raster's CRS
    const double pixel_area = grid.resolution_m * grid.resolution_m;
    const Geos geos;
    std::vector<Isochrone> out;
    // Each pixel's band: how many limits its time is beyond (NaN, never within: all of them), in
    // one pass over the raster's floats (compared as floats, the same answer:
    // detail::float_at_most, on plain pointers, on vector registers). Each limit's mask is then
    // made from these bytes, a quarter of the floats' memory: one pass over the floats per limit,
    // each pixel converted to double, took a fifth of the isochrones' time at 8 M pixels.
    if (limits.size() > 255) {
        throw ConfigError(fmt::format("isochrones of '{}': {} limits, at most 255", raster.service, limits.size()));
    }
    const std::size_t n = raster.minutes.size();
    std::vector<unsigned char> band(n, 0);
    {
        std::vector<float> at_most;
        for (const double limit : limits) {
            at_most.push_back(detail::float_at_most(limit));
        }
        // By blocks that stay in the first-level cache while every limit is compared.
        constexpr std::size_t block = 4096;
        for (std::size_t first = 0; first < n; first += block) {
            const std::size_t count = std::min(block, n - first);
            const float* minutes = raster.minutes.data() + first;
            unsigned char* b = band.data() + first;
            for (const float f : at_most) {
                for (std::size_t i = 0; i < count; ++i) {
                    b[i] = static_cast<unsigned char>(b[i] + (minutes[i] <= f ? 0 : 1));
                }
            }
        }
    }
    // One mask for every limit, each filling it whole: a new one per limit was 8 MB of fresh
    // pages to fault in and clear each time (a 1 M-node run: 8 M pixels, 5 to 7 limits).
    std::vector<unsigned char> mask(n);
    for (std::size_t k = 0; k < limits.size(); ++k) {
        const double limit = limits[k];
        Isochrone iso;
        iso.limit_min = limit;
        // Within `limit` (the k-th, sorted): beyond at most the k limits below it.
        const auto beyond_at_most = static_cast<unsigned char>(k);
        const unsigned char* b = band.data();
        unsigned char* in = mask.data();
        std::size_t within = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const unsigned char w = b[i] <= beyond_at_most ? 1 : 0;
            in[i] = w;
            within += w;
        }
        iso.pixels = within;
        const Geos::Ptr shape = detail::pixel_shape_of(geos, grid, mask, options.min_part_pixels * pixel_area,
                                                       options.min_hole_pixels * pixel_area, within);
        if (shape) {
            iso.area_km2 = detail::area_of(geos, shape.get()) / 1e6;
            if (options.raster_crs) {
                iso.wkb_raster_crs = detail::normalised_wkb(geos, shape.get(), "isochrones");
            } else {
                if (!projection) {
                    projection.emplace(grid.crs, fmt::format("isochrones of '{}'", raster.service));
                }
                iso.wkb_wgs84 = detail::to_wgs84_wkb(geos, shape.get(), grid.resolution_m, *projection, "isochrones");
            }
        }
        out.push_back(std::move(iso));
    }
    return out;
}

} // namespace proxima
