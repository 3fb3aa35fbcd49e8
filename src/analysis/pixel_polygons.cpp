#include "pixel_polygons.hpp"

#include "core/geos_reproject.hpp"

namespace proxima::detail {

double area_of(const Geos& geos, const GEOSGeometry* g) {
    double area = 0.0;
    if (GEOSArea_r(geos.ctx(), g, &area) == 0) {
        throw Error(fmt::format("GEOS failed to measure an area: {}", geos.last_error()));
    }
    return area;
}

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

std::vector<unsigned char> to_wgs84_wkb(const Geos& geos, const GEOSGeometry* g, double densify_m,
                                        const ProjectedToWgs84& projection, const std::string& what) {
    const Geos::Ptr dense = geos.check(geos.own(GEOSDensify_r(geos.ctx(), g, densify_m)), ("densify " + what).c_str());
    Geos::Ptr lonlat = reproject_to_wgs84(geos, dense.get(), projection, what);
    if (GEOSisValid_r(geos.ctx(), lonlat.get()) != 1) {
        const Geos::Ptr repaired = geos.check(geos.own(GEOSMakeValid_r(geos.ctx(), lonlat.get())), ("repair " + what).c_str());
        std::vector<Geos::Ptr> parts;
        collect_polygons(geos, repaired.get(), parts);  // a repair can leave lines where areas collapsed
        lonlat = polygonal(geos, std::move(parts));
        if (!lonlat) {
            return {};
        }
    }
    if (GEOSNormalize_r(geos.ctx(), lonlat.get()) != 0) {
        throw Error(fmt::format("GEOS failed to normalise {}: {}", what, geos.last_error()));
    }
    return geos.write_wkb(lonlat.get());
}

} // namespace proxima::detail
