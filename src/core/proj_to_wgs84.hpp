#pragma once
// Internal: conversion from a projected CRS (grid coordinates in metres) to WGS84 longitude,
// latitude, with the CRS's area of use. Shared by the population grid reader and the cell
// polygons. One PROJ context per object: not to be shared between threads.

#include <memory>
#include <string>

#include <fmt/format.h>
#include <proj.h>

#include "proxima/core/error.hpp"

namespace proxima::detail {

class ProjectedToWgs84 {
public:
    /// `what` names the input in messages ("population grid 'x.csv'", "grid cells"). Throws
    /// ConfigError for an empty, unknown or non-projected CRS.
    ProjectedToWgs84(const std::string& crs, const std::string& what) : m_ctx(proj_context_create()), m_crs(crs) {
        proj_log_level(m_ctx.get(), PJ_LOG_NONE);  // the library never prints; errors are thrown
        if (crs.empty()) {
            throw ConfigError(fmt::format("{}: no CRS given for the cell coordinates; set it, e.g. EPSG:3035 for "
                                          "INSEE grids",
                                          what));
        }
        std::unique_ptr<PJ, PjDestroyer> source(proj_create(m_ctx.get(), crs.c_str()));
        if (!source || !proj_is_crs(source.get())) {
            // PROJ's generic code says only "Unknown error": then the CRS string is all we can show.
            const int error = proj_context_errno(m_ctx.get());
            const bool detail = error != 0 && error != PROJ_ERR_OTHER;
            throw ConfigError(fmt::format("{}: unknown coordinate reference system '{}'{}; give an authority code "
                                          "such as EPSG:3035",
                                          what, crs,
                                          source   ? " (not a CRS)"
                                          : detail ? " (" + last_error() + ")"
                                                   : std::string()));
        }
        if (proj_get_type(source.get()) != PJ_TYPE_PROJECTED_CRS) {
            throw ConfigError(fmt::format("{}: CRS '{}' is not a projected CRS; grid cells are squares in metres "
                                          "(INSEE grids: EPSG:3035)",
                                          what, crs));
        }
        const char* auth = proj_get_id_auth_name(source.get(), 0);
        const char* code = proj_get_id_code(source.get(), 0);
        if (auth != nullptr && code != nullptr) {
            m_authority_code = fmt::format("{}:{}", auth, code);
        }
        const std::unique_ptr<PJ, PjDestroyer> wgs84(proj_create(m_ctx.get(), "EPSG:4326"));
        const std::unique_ptr<PJ, PjDestroyer> raw(
            wgs84 ? proj_create_crs_to_crs_from_pj(m_ctx.get(), source.get(), wgs84.get(), nullptr, nullptr) : nullptr);
        // EPSG:4326 is latitude first; normalising gives longitude, latitude like the rest of Proxima.
        m_pj.reset(raw ? proj_normalize_for_visualization(m_ctx.get(), raw.get()) : nullptr);
        if (!m_pj) {
            throw ConfigError(fmt::format("{}: cannot convert CRS '{}' to WGS84: {}", what, crs, last_error()));
        }
        // Unknown bounds come back as -1000: then any position is accepted.
        if (!proj_get_area_of_use(m_ctx.get(), source.get(), &west, &south, &east, &north, nullptr) || west < -180 ||
            south < -90) {
            west = -180, south = -90, east = 180, north = 90;
        }
    }

    /// The conversion, x/y in the CRS to lon/lat (PJ_FWD).
    [[nodiscard]] PJ* pj() const { return m_pj.get(); }
    [[nodiscard]] const std::string& crs() const { return m_crs; }
    /// "EPSG:3035" as PROJ identifies the CRS (whatever the spelling given), or "".
    [[nodiscard]] const std::string& authority_code() const { return m_authority_code; }

    /// Area of use of the CRS, degrees (west > east when it crosses the antimeridian).
    double west = -180, south = -90, east = 180, north = 90;

private:
    struct ContextDestroyer {
        void operator()(PJ_CONTEXT* ctx) const { proj_context_destroy(ctx); }
    };
    struct PjDestroyer {
        void operator()(PJ* pj) const { proj_destroy(pj); }
    };
    [[nodiscard]] std::string last_error() const {
        const char* message = proj_context_errno_string(m_ctx.get(), proj_context_errno(m_ctx.get()));
        return message != nullptr ? message : "unknown error";
    }

    // The context is declared first so that it is destroyed after the objects made with it.
    std::unique_ptr<PJ_CONTEXT, ContextDestroyer> m_ctx;
    std::unique_ptr<PJ, PjDestroyer> m_pj;
    std::string m_crs;
    std::string m_authority_code;
};

} // namespace proxima::detail
