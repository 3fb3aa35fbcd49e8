#pragma once
// Internal: a GEOS re-entrant context (GEOS_init_r is a mere allocation, so one per call or per
// extraction) with WKB reading/writing (little-endian, 2D), owning pointers, and GEOS's last
// error message for the exceptions we throw.

#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <geos_c.h>

#include "proxima/core/error.hpp"

namespace proxima::detail {

class Geos {
public:
    Geos() : m_ctx(GEOS_init_r()) {
        if (m_ctx == nullptr) {
            throw Error("GEOS could not be initialised");
        }
        GEOSContext_setErrorMessageHandler_r(m_ctx, &Geos::on_error, this);
        m_reader = GEOSWKBReader_create_r(m_ctx);
        m_writer = GEOSWKBWriter_create_r(m_ctx);
        if (m_reader == nullptr || m_writer == nullptr) {
            destroy();
            throw Error("GEOS could not create its WKB reader and writer");
        }
        GEOSWKBWriter_setByteOrder_r(m_ctx, m_writer, GEOS_WKB_NDR);
        GEOSWKBWriter_setOutputDimension_r(m_ctx, m_writer, 2);
    }
    ~Geos() { destroy(); }
    Geos(const Geos&) = delete;
    Geos& operator=(const Geos&) = delete;

    struct Deleter {
        GEOSContextHandle_t ctx;
        void operator()(GEOSGeometry* g) const { GEOSGeom_destroy_r(ctx, g); }
    };
    using Ptr = std::unique_ptr<GEOSGeometry, Deleter>;

    [[nodiscard]] GEOSContextHandle_t ctx() const { return m_ctx; }
    [[nodiscard]] Ptr own(GEOSGeometry* g) const { return Ptr(g, Deleter{m_ctx}); }
    [[nodiscard]] const std::string& last_error() const { return m_last_error; }

    /// Null if GEOS cannot parse the bytes (the reason is in last_error()).
    [[nodiscard]] Ptr read_wkb(const std::vector<unsigned char>& wkb) const {
        return own(GEOSWKBReader_read_r(m_ctx, m_reader, wkb.data(), wkb.size()));
    }

    /// Little-endian, 2D.
    [[nodiscard]] std::vector<unsigned char> write_wkb(const GEOSGeometry* g) const {
        std::size_t size = 0;
        unsigned char* bytes = GEOSWKBWriter_write_r(m_ctx, m_writer, g, &size);
        if (bytes == nullptr) {
            throw Error(fmt::format("GEOS could not write a WKB geometry: {}", m_last_error));
        }
        std::vector<unsigned char> out(bytes, bytes + size);
        GEOSFree_r(m_ctx, bytes);
        return out;
    }

    /// Throws Error naming `what` with GEOS's message if `g` is null.
    Ptr check(Ptr g, const char* what) const {
        if (!g) {
            throw Error(fmt::format("GEOS failed to {}: {}", what, m_last_error.empty() ? "no reason given" : m_last_error));
        }
        return g;
    }

private:
    static void on_error(const char* message, void* self) { static_cast<Geos*>(self)->m_last_error = message; }

    void destroy() {
        if (m_writer != nullptr) {
            GEOSWKBWriter_destroy_r(m_ctx, m_writer);
        }
        if (m_reader != nullptr) {
            GEOSWKBReader_destroy_r(m_ctx, m_reader);
        }
        finishGEOS_r(m_ctx);
    }

    GEOSContextHandle_t m_ctx;
    GEOSWKBReader* m_reader = nullptr;
    GEOSWKBWriter* m_writer = nullptr;
    std::string m_last_error;
};

/// The non-empty polygons of `g` (recursing into collections), as clones. Points and lines,
/// which a union or a repair can leave beside the areas, are dropped.
inline void collect_polygons(const Geos& geos, const GEOSGeometry* g, std::vector<Geos::Ptr>& out) {
    const int type = GEOSGeomTypeId_r(geos.ctx(), g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(geos.ctx(), g) == 0) {
            out.push_back(geos.check(geos.own(GEOSGeom_clone_r(geos.ctx(), g)), "copy a polygon"));
        }
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        const int parts = GEOSGetNumGeometries_r(geos.ctx(), g);
        for (int k = 0; k < parts; ++k) {
            collect_polygons(geos, GEOSGetGeometryN_r(geos.ctx(), g, k), out);
        }
    }
}

/// Hands `parts` over to a new collection of `type` (GEOS takes ownership of the parts).
inline Geos::Ptr make_collection(const Geos& geos, int type, std::vector<Geos::Ptr>&& parts) {
    std::vector<GEOSGeometry*> raw;
    raw.reserve(parts.size());
    for (auto& p : parts) {
        raw.push_back(p.release());
    }
    parts.clear();
    return geos.check(
        geos.own(GEOSGeom_createCollection_r(geos.ctx(), type, raw.data(), static_cast<unsigned>(raw.size()))),
        "build a collection");
}

/// One Polygon, or a MultiPolygon of several; null for none.
inline Geos::Ptr polygonal(const Geos& geos, std::vector<Geos::Ptr>&& parts) {
    if (parts.empty()) {
        return geos.own(nullptr);
    }
    if (parts.size() == 1) {
        return std::move(parts.front());
    }
    return make_collection(geos, GEOS_MULTIPOLYGON, std::move(parts));
}

/// The polygonal part of `g` as one Polygon or a MultiPolygon; null if `g` holds no area.
inline Geos::Ptr polygonal(const Geos& geos, const GEOSGeometry* g) {
    std::vector<Geos::Ptr> parts;
    collect_polygons(geos, g, parts);
    return polygonal(geos, std::move(parts));
}

} // namespace proxima::detail
