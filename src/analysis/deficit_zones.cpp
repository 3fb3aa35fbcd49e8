#include "proxima/analysis/deficit_zones.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <tuple>

#include <fmt/format.h>
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <proj.h>

#include "core/geos_context.hpp"
#include "core/geos_reproject.hpp"
#include "core/proj_to_wgs84.hpp"
#include "proxima/core/error.hpp"

namespace proxima {

namespace {

using Geos = detail::Geos;
using detail::collect_polygons;
using detail::make_collection;
using detail::polygonal;

/// `g` itself if valid, else GEOS's repair of it.
Geos::Ptr made_valid(const Geos& geos, Geos::Ptr g) {
    if (GEOSisValid_r(geos.ctx(), g.get()) == 1) {
        return g;
    }
    return geos.check(geos.own(GEOSMakeValid_r(geos.ctx(), g.get())), "repair an invalid geometry");
}

/// The last step of every output: the polygonal part of `g`, valid, normalised (rings start at a
/// fixed vertex, parts and holes sorted) so that equal inputs give equal bytes, as WKB. Empty if
/// nothing polygonal remains.
std::vector<unsigned char> finish(const Geos& geos, const GEOSGeometry* g) {
    Geos::Ptr out = polygonal(geos, g);
    if (!out) {
        return {};
    }
    if (GEOSisValid_r(geos.ctx(), out.get()) != 1) {
        const Geos::Ptr repaired = made_valid(geos, std::move(out));
        out = polygonal(geos, repaired.get());  // a repair can leave lines where areas collapsed
        if (!out) {
            return {};
        }
    }
    if (GEOSNormalize_r(geos.ctx(), out.get()) != 0) {
        throw Error(fmt::format("GEOS failed to normalise a geometry: {}", geos.last_error()));
    }
    return geos.write_wkb(out.get());
}

/// Union of `parts` in one pass (GEOS's cascaded union), the parts consumed.
Geos::Ptr unary_union(const Geos& geos, std::vector<Geos::Ptr>&& parts) {
    const Geos::Ptr all = make_collection(geos, GEOS_GEOMETRYCOLLECTION, std::move(parts));
    return geos.check(geos.own(GEOSUnaryUnion_r(geos.ctx(), all.get())), "dissolve the polygons");
}

const char* type_name(int type) {
    switch (type) {
    case GEOS_POINT: return "point";
    case GEOS_LINESTRING: return "line";
    case GEOS_LINEARRING: return "ring";
    case GEOS_MULTIPOINT: return "multipoint";
    case GEOS_MULTILINESTRING: return "multiline";
    default: return "non-polygonal geometry";
    }
}

// ---------------------------------------------------------------------------------------------
// PROJ: grid CRS to WGS84 lon/lat
// ---------------------------------------------------------------------------------------------

class GridToWgs84 {
public:
    /// Throws ConfigError for an empty, unknown or non-projected CRS.
    explicit GridToWgs84(const std::string& crs) : m_projection(crs, "grid cells"), m_crs(crs) {}

    [[nodiscard]] const std::string& crs() const { return m_crs; }

    /// A copy of `g` with every vertex converted to lon/lat. Throws Error naming the first
    /// vertex PROJ cannot convert.
    [[nodiscard]] Geos::Ptr reproject(const Geos& geos, const GEOSGeometry* g) const {
        return detail::reproject_to_wgs84(geos, g, m_projection, "grid cells");
    }

private:

    detail::ProjectedToWgs84 m_projection;
    std::string m_crs;
};

/// The conversion for `crs`, kept per thread: building one costs some 15 ms (PROJ's database),
/// which would dominate a `cells` layer written one cell_polygon() at a time. A PROJ context
/// must not be shared between threads, hence one per thread.
const GridToWgs84& to_wgs84(const std::string& crs) {
    thread_local std::unique_ptr<GridToWgs84> cached;
    if (!cached || cached->crs() != crs) {
        auto fresh = std::make_unique<GridToWgs84>(crs);  // throws before the cache is touched
        cached = std::move(fresh);
    }
    return *cached;
}

void check_cell_size(double cell_size_m) {
    if (!(cell_size_m > 0 && std::isfinite(cell_size_m))) {
        throw ConfigError(fmt::format("grid cells: cell size {} m is not a positive length", cell_size_m));
    }
}

/// The square of side `size` centred on (x, y), in grid coordinates.
Geos::Ptr square(const Geos& geos, double x, double y, double size) {
    if (!std::isfinite(x) || !std::isfinite(y)) {
        throw Error(fmt::format("grid cells: cell centre x {}, y {} is not a finite coordinate", x, y));
    }
    const double h = size / 2;
    return geos.check(geos.own(GEOSGeom_createRectangle_r(geos.ctx(), x - h, y - h, x + h, y + h)), "build a cell square");
}

/// Grid-CRS polygons to WGS84 WKB. Edges longer than a cell are first cut into pieces of at most
/// a cell, so that they follow the projection's curvature instead of running straight in lon/lat
/// between distant corners. GEOS 3.11's union already keeps every cell corner along merged edges
/// (then this is a no-op); densifying makes that hold whatever the union does. An edge of k
/// cells is split evenly, at the cell corners, so zones and cell squares share their vertices.
std::vector<unsigned char> to_wgs84_wkb(const Geos& geos, const GEOSGeometry* g, double cell_size_m,
                                        const GridToWgs84& projection) {
    const Geos::Ptr dense = geos.check(geos.own(GEOSDensify_r(geos.ctx(), g, cell_size_m)), "densify the cell edges");
    const Geos::Ptr lonlat = projection.reproject(geos, dense.get());
    return finish(geos, lonlat.get());
}

} // namespace

std::vector<unsigned char> dissolve_polygons(const std::vector<std::vector<unsigned char>>& polygons) {
    if (polygons.empty()) {
        return {};
    }
    const Geos geos;
    struct Part {
        double xmin, ymin, xmax, ymax;
        int points;
        Geos::Ptr g;
    };
    std::vector<Part> parts;
    for (std::size_t i = 0; i < polygons.size(); ++i) {
        Geos::Ptr g = geos.read_wkb(polygons[i]);
        if (!g) {
            throw Error(fmt::format("polygon {} of {} to dissolve is not readable WKB ({} bytes): {}", i + 1,
                                    polygons.size(), polygons[i].size(), geos.last_error()));
        }
        const int type = GEOSGeomTypeId_r(geos.ctx(), g.get());
        if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION) {
            throw Error(fmt::format("polygon {} of {} to dissolve is a {}, not a polygon", i + 1, polygons.size(),
                                    type_name(type)));
        }
        g = made_valid(geos, std::move(g));
        std::vector<Geos::Ptr> pieces;
        collect_polygons(geos, g.get(), pieces);
        for (auto& piece : pieces) {
            if (GEOSNormalize_r(geos.ctx(), piece.get()) != 0) {
                throw Error(fmt::format("GEOS failed to normalise a polygon: {}", geos.last_error()));
            }
            Part p{0, 0, 0, 0, GEOSGetNumCoordinates_r(geos.ctx(), piece.get()), std::move(piece)};
            GEOSGeom_getXMin_r(geos.ctx(), p.g.get(), &p.xmin);
            GEOSGeom_getYMin_r(geos.ctx(), p.g.get(), &p.ymin);
            GEOSGeom_getXMax_r(geos.ctx(), p.g.get(), &p.xmax);
            GEOSGeom_getYMax_r(geos.ctx(), p.g.get(), &p.ymax);
            parts.push_back(std::move(p));
        }
    }
    if (parts.empty()) {
        return {};
    }
    // The union's vertices can depend on the order of its inputs (noding, floating point): a
    // canonical order makes the output a function of the set of polygons. Normalised parts that
    // tie on envelope and size are told apart by their bytes, so only identical parts tie.
    std::sort(parts.begin(), parts.end(), [&](const Part& a, const Part& b) {
        const auto ka = std::tie(a.xmin, a.ymin, a.xmax, a.ymax, a.points);
        const auto kb = std::tie(b.xmin, b.ymin, b.xmax, b.ymax, b.points);
        if (ka != kb) {
            return ka < kb;
        }
        return geos.write_wkb(a.g.get()) < geos.write_wkb(b.g.get());
    });
    std::vector<Geos::Ptr> geometries;
    geometries.reserve(parts.size());
    for (auto& p : parts) {
        geometries.push_back(std::move(p.g));
    }
    const Geos::Ptr dissolved = unary_union(geos, std::move(geometries));
    return finish(geos, dissolved.get());
}

std::vector<unsigned char> dissolve_cells(const std::vector<std::pair<double, double>>& centres, double cell_size_m,
                                          const std::string& grid_crs) {
    check_cell_size(cell_size_m);
    const GridToWgs84& projection = to_wgs84(grid_crs);  // an unknown CRS fails even without cells
    if (centres.empty()) {
        return {};
    }
    // Sorted and unique: the output depends only on the set of cells.
    std::vector<std::pair<double, double>> sorted = centres;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());

    const Geos geos;
    std::vector<Geos::Ptr> squares;
    squares.reserve(sorted.size());
    for (const auto& [x, y] : sorted) {
        squares.push_back(square(geos, x, y, cell_size_m));
    }
    // Grid coordinates of corners are exact multiples of the cell size: shared edges coincide
    // exactly and the union leaves no sliver. Reprojecting first would lose that.
    const Geos::Ptr dissolved = unary_union(geos, std::move(squares));
    return to_wgs84_wkb(geos, dissolved.get(), cell_size_m, projection);
}

std::vector<unsigned char> cell_polygon(double x, double y, double cell_size_m, const std::string& grid_crs) {
    check_cell_size(cell_size_m);
    const GridToWgs84& projection = to_wgs84(grid_crs);
    const Geos geos;
    const Geos::Ptr cell = square(geos, x, y, cell_size_m);
    return to_wgs84_wkb(geos, cell.get(), cell_size_m, projection);
}

} // namespace proxima
