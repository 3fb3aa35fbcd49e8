#pragma once
// Internal: a GEOS geometry in a projected CRS converted vertex by vertex to WGS84 lon/lat with
// PROJ (GEOSGeom_transformXY_r), naming the first vertex PROJ cannot convert.

#include <cmath>
#include <string>

#include <fmt/format.h>
#include <proj.h>

#include "core/geos_context.hpp"
#include "core/proj_to_wgs84.hpp"

namespace proxima::detail {

/// A copy of `g` with every vertex converted by `projection` in the direction `direction`
/// (PJ_FWD: CRS to lon/lat; PJ_INV: lon/lat to the CRS). Throws Error "<what>: the point x .., y
/// .. cannot be converted ..." for a vertex outside what the CRS can convert.
inline Geos::Ptr reproject(const Geos& geos, const GEOSGeometry* g, const ProjectedToWgs84& projection,
                           PJ_DIRECTION direction, const std::string& what) {
    struct Conversion {
        PJ* pj;
        PJ_DIRECTION direction;
        bool failed = false;
        double bad_x = 0;
        double bad_y = 0;
    } conversion{projection.pj(), direction};
    auto convert = [](double* x, double* y, void* data) -> int {
        auto* c = static_cast<Conversion*>(data);
        double u = *x;
        double v = *y;
        proj_trans_generic(c->pj, c->direction, &u, sizeof(double), 1, &v, sizeof(double), 1, nullptr, 0, 0, nullptr, 0,
                           0);
        if (!std::isfinite(u) || !std::isfinite(v)) {  // failures are HUGE_VAL
            if (!c->failed) {
                c->failed = true;
                c->bad_x = *x;
                c->bad_y = *y;
            }
            return 0;
        }
        *x = u;
        *y = v;
        return 1;
    };
    Geos::Ptr out = geos.own(GEOSGeom_transformXY_r(geos.ctx(), g, convert, &conversion));
    if (conversion.failed) {
        throw Error(direction == PJ_FWD
                        ? fmt::format("{}: the point x {}, y {} in {} cannot be converted to WGS84; is it within the "
                                      "area of the CRS?",
                                      what, conversion.bad_x, conversion.bad_y, projection.crs())
                        : fmt::format("{}: the point lon {}, lat {} cannot be converted to {}; is it within the area "
                                      "of the CRS?",
                                      what, conversion.bad_x, conversion.bad_y, projection.crs()));
    }
    return geos.check(std::move(out), direction == PJ_FWD ? "convert a geometry to WGS84"
                                                          : "convert a geometry from WGS84");
}

/// A copy of `g` with every vertex in lon/lat (see reproject()).
inline Geos::Ptr reproject_to_wgs84(const Geos& geos, const GEOSGeometry* g, const ProjectedToWgs84& projection,
                                    const std::string& what) {
    return reproject(geos, g, projection, PJ_FWD, what);
}

/// A copy of `g` (lon/lat) with every vertex in the projection's CRS (see reproject()).
inline Geos::Ptr reproject_from_wgs84(const Geos& geos, const GEOSGeometry* g, const ProjectedToWgs84& projection,
                                      const std::string& what) {
    return reproject(geos, g, projection, PJ_INV, what);
}

} // namespace proxima::detail
