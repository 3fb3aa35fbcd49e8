#include "proxima/analysis/isochrones.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include <fmt/format.h>
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <proj.h>

#include "core/geos_context.hpp"
#include "core/geos_reproject.hpp"
#include "core/proj_to_wgs84.hpp"
#include "proxima/analysis/aggregation.hpp"
#include "proxima/core/error.hpp"

namespace proxima {

namespace {

using detail::Geos;

double area_of(const Geos& geos, const GEOSGeometry* g) {
    double area = 0.0;
    if (GEOSArea_r(geos.ctx(), g, &area) == 0) {
        throw Error(fmt::format("GEOS failed to measure an area: {}", geos.last_error()));
    }
    return area;
}

/// The pixels within the limit as rectangles in the raster CRS: maximal runs of a row, and runs
/// repeated exactly in the rows below merged into one taller rectangle (fewer inputs for the
/// union). Corners are grid-line coordinates, identical wherever they are shared.
std::vector<Geos::Ptr> pixel_rectangles(const Geos& geos, const TravelTimeRaster& raster, double limit_min,
                                        std::size_t& pixels) {
    const RasterGrid& grid = raster.grid;
    struct Open {
        int c0, c1, top;
    };
    std::vector<Geos::Ptr> out;
    std::vector<Open> open;  // runs of the previous row, by column
    std::vector<Open> next;
    auto close = [&](const Open& o, int bottom) {
        out.push_back(geos.check(geos.own(GEOSGeom_createRectangle_r(geos.ctx(), grid.line_x(o.c0), grid.line_y(bottom),
                                                                     grid.line_x(o.c1), grid.line_y(o.top))),
                                 "build a pixel rectangle"));
    };
    pixels = 0;
    for (int r = 0; r <= grid.height; ++r) {
        next.clear();
        std::size_t k = 0;  // walks `open`, sorted by column like the runs of this row
        int c = 0;
        while (r < grid.height && c < grid.width) {
            if (!(static_cast<double>(raster.at(c, r)) <= limit_min)) {  // NaN is never within
                ++c;
                continue;
            }
            const int c0 = c;
            while (c < grid.width && static_cast<double>(raster.at(c, r)) <= limit_min) {
                ++c;
            }
            pixels += static_cast<std::size_t>(c - c0);
            while (k < open.size() && open[k].c0 < c0) {
                close(open[k++], r);
            }
            if (k < open.size() && open[k].c0 == c0 && open[k].c1 == c) {
                next.push_back(open[k++]);  // the same run continues downwards
            } else {
                next.push_back({c0, c, r});
            }
        }
        for (; k < open.size(); ++k) {
            close(open[k], r);
        }
        std::swap(open, next);
    }
    return out;
}

/// Drops parts smaller than `min_part` and fills holes smaller than `min_hole` (areas in CRS
/// units). Returns the remaining polygons; `filled` tells whether a hole was filled (then an
/// island that lay in it now overlaps its part, and the result needs another union).
std::vector<Geos::Ptr> without_specks(const Geos& geos, const GEOSGeometry* g, double min_part, double min_hole,
                                      bool& filled) {
    std::vector<Geos::Ptr> parts;
    collect_polygons(geos, g, parts);
    std::vector<Geos::Ptr> out;
    filled = false;
    for (auto& part : parts) {
        if (area_of(geos, part.get()) < min_part) {
            continue;
        }
        const int holes = GEOSGetNumInteriorRings_r(geos.ctx(), part.get());
        std::vector<const GEOSGeometry*> large;
        for (int h = 0; h < holes; ++h) {
            const GEOSGeometry* ring = GEOSGetInteriorRingN_r(geos.ctx(), part.get(), h);
            const Geos::Ptr as_polygon = geos.check(
                geos.own(GEOSGeom_createPolygon_r(geos.ctx(), GEOSGeom_clone_r(geos.ctx(), ring), nullptr, 0)),
                "build a hole polygon");
            if (area_of(geos, as_polygon.get()) >= min_hole) {
                large.push_back(ring);
            }
        }
        if (static_cast<int>(large.size()) == holes) {
            out.push_back(std::move(part));
            continue;
        }
        filled = true;
        // The new polygon takes ownership of the cloned rings.
        std::vector<GEOSGeometry*> kept;
        for (const GEOSGeometry* ring : large) {
            kept.push_back(GEOSGeom_clone_r(geos.ctx(), ring));
        }
        GEOSGeometry* shell = GEOSGeom_clone_r(geos.ctx(), GEOSGetExteriorRing_r(geos.ctx(), part.get()));
        out.push_back(geos.check(geos.own(GEOSGeom_createPolygon_r(geos.ctx(), shell, kept.data(),
                                                                   static_cast<unsigned>(kept.size()))),
                                 "rebuild a polygon without its small holes"));
    }
    return out;
}

/// The polygon in WGS84 WKB: densified at one pixel so that long straight edges follow the
/// projection, converted, made valid if the conversion broke it, normalised.
std::vector<unsigned char> to_wgs84_wkb(const Geos& geos, const GEOSGeometry* g, const RasterGrid& grid,
                                        const detail::ProjectedToWgs84& projection) {
    const Geos::Ptr dense = geos.check(geos.own(GEOSDensify_r(geos.ctx(), g, grid.resolution_m)), "densify an isochrone");
    Geos::Ptr lonlat = detail::reproject_to_wgs84(geos, dense.get(), projection, "isochrones");
    if (GEOSisValid_r(geos.ctx(), lonlat.get()) != 1) {
        const Geos::Ptr repaired = geos.check(geos.own(GEOSMakeValid_r(geos.ctx(), lonlat.get())), "repair an isochrone");
        std::vector<Geos::Ptr> parts;
        collect_polygons(geos, repaired.get(), parts);  // a repair can leave lines where areas collapsed
        lonlat = polygonal(geos, std::move(parts));
        if (!lonlat) {
            return {};
        }
    }
    if (GEOSNormalize_r(geos.ctx(), lonlat.get()) != 0) {
        throw Error(fmt::format("GEOS failed to normalise an isochrone: {}", geos.last_error()));
    }
    return geos.write_wkb(lonlat.get());
}

} // namespace

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
    for (const double limit : limits) {
        Isochrone iso;
        iso.limit_min = limit;
        std::vector<Geos::Ptr> rectangles = pixel_rectangles(geos, raster, limit, iso.pixels);
        if (!rectangles.empty()) {
            // Exact grid coordinates: shared edges coincide and the union leaves no sliver.
            const Geos::Ptr all = make_collection(geos, GEOS_GEOMETRYCOLLECTION, std::move(rectangles));
            const Geos::Ptr merged = geos.check(geos.own(GEOSUnaryUnion_r(geos.ctx(), all.get())), "merge the pixels");
            bool filled = false;
            std::vector<Geos::Ptr> parts = without_specks(geos, merged.get(), options.min_part_pixels * pixel_area,
                                                          options.min_hole_pixels * pixel_area, filled);
            Geos::Ptr shape = polygonal(geos, std::move(parts));
            if (shape && filled && GEOSGeomTypeId_r(geos.ctx(), shape.get()) == GEOS_MULTIPOLYGON) {
                shape = geos.check(geos.own(GEOSUnaryUnion_r(geos.ctx(), shape.get())), "merge filled holes");
            }
            if (shape) {
                iso.area_km2 = area_of(geos, shape.get()) / 1e6;
                iso.wkb_wgs84 = to_wgs84_wkb(geos, shape.get(), grid, projection);
            }
        }
        out.push_back(std::move(iso));
    }
    return out;
}

} // namespace proxima
