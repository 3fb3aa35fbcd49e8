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

/// A copy of `g` with every vertex in lon/lat. Throws Error "<what>: the point x .., y .. in
/// <crs> cannot be converted to WGS84" for a vertex outside what the CRS can convert.
inline Geos::Ptr reproject_to_wgs84(const Geos& geos, const GEOSGeometry* g, const ProjectedToWgs84& projection,
                                    const std::string& what) {
    struct Conversion {
        PJ* pj;
        bool failed = false;
        double bad_x = 0;
        double bad_y = 0;
    } conversion{projection.pj()};
    auto convert = [](double* x, double* y, void* data) -> int {
        auto* c = static_cast<Conversion*>(data);
        double lon = *x;
        double lat = *y;
        proj_trans_generic(c->pj, PJ_FWD, &lon, sizeof(double), 1, &lat, sizeof(double), 1, nullptr, 0, 0, nullptr, 0, 0);
        if (!std::isfinite(lon) || !std::isfinite(lat)) {  // failures are HUGE_VAL
            if (!c->failed) {
                c->failed = true;
                c->bad_x = *x;
                c->bad_y = *y;
            }
            return 0;
        }
        *x = lon;
        *y = lat;
        return 1;
    };
    Geos::Ptr out = geos.own(GEOSGeom_transformXY_r(geos.ctx(), g, convert, &conversion));
    if (conversion.failed) {
        throw Error(fmt::format("{}: the point x {}, y {} in {} cannot be converted to WGS84; is it within the area "
                                "of the CRS?",
                                what, conversion.bad_x, conversion.bad_y, projection.crs()));
    }
    return geos.check(std::move(out), "convert a geometry to WGS84");
}

} // namespace proxima::detail
