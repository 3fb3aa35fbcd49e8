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

} // namespace proxima::detail
