#include "proxima/graph/local_projection.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>
#include <proj.h>

#include "core/proj_parallel.hpp"
#include "proxima/core/error.hpp"

namespace proxima {

struct LocalProjection::Impl {
    PJ_CONTEXT* ctx = nullptr;
    PJ* pj = nullptr;
    std::string definition;
    ~Impl() {
        if (pj != nullptr) {
            proj_destroy(pj);
        }
        if (ctx != nullptr) {
            proj_context_destroy(ctx);
        }
    }
};

LocalProjection::LocalProjection(LonLat centre) : m_impl(std::make_unique<Impl>()), m_centre(centre) {
    m_impl->ctx = proj_context_create();
    m_impl->definition = fmt::format("+proj=tmerc +lat_0={:.6f} +lon_0={:.6f} +k=1 +x_0=0 +y_0=0 +ellps=GRS80 "
                                     "+units=m +no_defs",
                                     centre.lat, centre.lon);
    PJ* raw = proj_create_crs_to_crs(m_impl->ctx, "EPSG:4326", m_impl->definition.c_str(), nullptr);
    if (raw == nullptr) {
        throw Error(fmt::format("PROJ could not create the projection '{}': {}", m_impl->definition,
                                proj_context_errno_string(m_impl->ctx, proj_context_errno(m_impl->ctx))));
    }
    // EPSG:4326 is lat/lon in PROJ's authority order; normalise to lon/lat.
    m_impl->pj = proj_normalize_for_visualization(m_impl->ctx, raw);
    proj_destroy(raw);
    if (m_impl->pj == nullptr) {
        throw Error("PROJ could not normalise the axis order of the local projection");
    }
}

LocalProjection::~LocalProjection() = default;
LocalProjection::LocalProjection(LocalProjection&&) noexcept = default;
LocalProjection& LocalProjection::operator=(LocalProjection&&) noexcept = default;

XY LocalProjection::forward(LonLat p) const {
    PJ_COORD c = proj_coord(p.lon, p.lat, 0, 0);
    c = proj_trans(m_impl->pj, PJ_FWD, c);
    return {c.xy.x, c.xy.y};
}

LonLat LocalProjection::inverse(XY p) const {
    PJ_COORD c = proj_coord(p.x, p.y, 0, 0);
    c = proj_trans(m_impl->pj, PJ_INV, c);
    return {c.lp.lam, c.lp.phi};
}

std::vector<XY> LocalProjection::forward(std::span<const LonLat> points) const {
    std::vector<XY> out(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        out[i] = {points[i].lon, points[i].lat};
    }
    if (!out.empty()) {
        detail::proj_trans_parallel(m_impl->pj, PJ_FWD, &out[0].x, sizeof(XY), &out[0].y, sizeof(XY), out.size());
    }
    return out;
}

std::string LocalProjection::definition() const { return m_impl->definition; }

LonLat bbox_centre(std::span<const LonLat> points) {
    if (points.empty()) {
        return {};
    }
    double min_lon = std::numeric_limits<double>::max();
    double max_lon = std::numeric_limits<double>::lowest();
    double min_lat = min_lon;
    double max_lat = max_lon;
    for (const auto& p : points) {
        min_lon = std::min(min_lon, p.lon);
        max_lon = std::max(max_lon, p.lon);
        min_lat = std::min(min_lat, p.lat);
        max_lat = std::max(max_lat, p.lat);
    }
    return {(min_lon + max_lon) / 2, (min_lat + max_lat) / 2};
}

} // namespace proxima
