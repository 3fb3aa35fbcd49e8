#pragma once
// Internal: WGS84 geometries and points carried to a map's output CRS (projected, metres), and
// the extents the maps frame. Shared by the service, comparison and pole maps.

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>

#include "core/gdal_handles.hpp"
#include "proxima/core/error.hpp"
#include "proxima/graph/ids.hpp"

namespace proxima::detail {

using Box = std::array<double, 4>;  // minx, miny, maxx, maxy


inline Box empty_box() {
    const double inf = std::numeric_limits<double>::infinity();
    return {inf, inf, -inf, -inf};
}
inline void grow(Box& b, const Box& o) {
    b = {std::min(b[0], o[0]), std::min(b[1], o[1]), std::max(b[2], o[2]), std::max(b[3], o[3])};
}
inline bool is_empty(const Box& b) { return !(b[0] <= b[2]); }

/// WGS84 lon/lat to the output CRS, which must be projected in metres (the maps' scale bar).
class ToOutput {
public:
    explicit ToOutput(const std::string& crs) : m_crs(crs) {
        QuietGdalErrors quiet;
        OGRSpatialReference target;
        const char* const options[] = {"ALLOW_NETWORK_ACCESS=NO", "ALLOW_FILE_ACCESS=NO", nullptr};
        if (crs.empty() || target.SetFromUserInput(crs.c_str(), options) != OGRERR_NONE) {
            throw ConfigError(fmt::format("output CRS '{}' is not a coordinate reference system GDAL/PROJ knows; give "
                                          "it as EPSG:<code>, e.g. EPSG:2154 for Lambert-93",
                                          crs));
        }
        if (!target.IsProjected() || std::abs(target.GetLinearUnits() - 1.0) > 1e-9) {
            throw ConfigError(fmt::format("output CRS '{}' is not projected in metres: maps need metres for their "
                                          "scale bar; use e.g. EPSG:2154 (Lambert-93)",
                                          crs));
        }
        target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        OGRSpatialReference wgs84;
        wgs84.importFromEPSG(4326);
        wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);  // our WKB is lon/lat
        m_ct.reset(OGRCreateCoordinateTransformation(&wgs84, &target));
        if (!m_ct) {
            throw ConfigError(fmt::format("cannot convert WGS84 coordinates to output CRS '{}': {}", crs,
                                          detail::gdal_detail()));
        }
    }

    /// A WGS84 WKB in the output CRS (little-endian ISO WKB), and its extent. Empty stays empty.
    std::vector<unsigned char> wkb(const std::vector<unsigned char>& wgs84, const std::string& what, Box* extent = nullptr) {
        if (wgs84.empty()) {
            return {};
        }
        QuietGdalErrors quiet;
        OGRGeometry* raw = nullptr;
        const OGRErr err = OGRGeometryFactory::createFromWkb(wgs84.data(), nullptr, &raw, wgs84.size());
        detail::OgrGeometryPtr g(raw);
        if (err != OGRERR_NONE || !g) {
            throw InputError(fmt::format("{}: malformed WKB ({} bytes)", what, wgs84.size()));
        }
        if (g->transform(m_ct.get()) != OGRERR_NONE) {
            throw Error(fmt::format("{}: cannot convert to the output CRS: {}", what, detail::gdal_detail()));
        }
        std::vector<unsigned char> out(g->WkbSize());
        g->exportToWkb(wkbNDR, out.data(), wkbVariantIso);
        if (extent != nullptr) {
            OGREnvelope e;
            g->getEnvelope(&e);
            *extent = {e.MinX, e.MinY, e.MaxX, e.MaxY};
        }
        return out;
    }

    std::array<double, 2> point(LonLat p, const std::string& what) {
        double x = p.lon;
        double y = p.lat;
        if (!m_ct->Transform(1, &x, &y) || !std::isfinite(x) || !std::isfinite(y)) {
            throw Error(fmt::format("{} ({}, {}): cannot convert to the output CRS", what, p.lon, p.lat));
        }
        return {x, y};
    }

    /// A WKB that is already in `crs`: as it is, when that is the output CRS (the same text); an
    /// Error otherwise (a caller's mistake: such geometries are only made in the output CRS).
    const std::vector<unsigned char>& wkb_in(const std::vector<unsigned char>& wkb, const std::string& crs,
                                             const std::string& what) const {
        if (crs != m_crs) {
            throw Error(fmt::format("{}: made in CRS '{}', drawn in '{}'", what, crs, m_crs));
        }
        return wkb;
    }

private:
    std::string m_crs;
    detail::OgrTransformPtr m_ct;
};

} // namespace proxima::detail
