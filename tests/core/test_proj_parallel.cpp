// proj_trans_parallel against one proj_trans_generic call on the same points: bit for bit, with
// the CRS pairs the run uses (study CRS to lon/lat, lon/lat to the snapper's local plane).

#include <cmath>
#include <cstring>
#include <vector>

#include <catch2/catch.hpp>
#include <proj.h>

#include "core/proj_parallel.hpp"

namespace {

struct Pt {
    double x;
    double y;
    double unused;  // a stride that is not two doubles, as LonLat-in-a-struct callers have
};

std::vector<Pt> lattice(std::size_t n, double x0, double y0, double step) {
    std::vector<Pt> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = {x0 + step * static_cast<double>(i % 997), y0 + step * static_cast<double>(i / 997), 0.0};
    }
    return out;
}

void check_same(const char* from, const char* to, std::vector<Pt> points, PJ_DIRECTION direction) {
    PJ_CONTEXT* ctx = proj_context_create();
    PJ* raw = proj_create_crs_to_crs(ctx, from, to, nullptr);
    REQUIRE(raw != nullptr);
    PJ* pj = proj_normalize_for_visualization(ctx, raw);
    proj_destroy(raw);
    REQUIRE(pj != nullptr);
    std::vector<Pt> serial = points;
    proj_trans_generic(pj, direction, &serial[0].x, sizeof(Pt), serial.size(), &serial[0].y, sizeof(Pt), serial.size(),
                       nullptr, 0, 0, nullptr, 0, 0);
    proxima::detail::proj_trans_parallel(pj, direction, &points[0].x, sizeof(Pt), &points[0].y, sizeof(Pt),
                                         points.size());
    std::size_t differ = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
        differ += std::memcmp(&points[i], &serial[i], sizeof(Pt)) != 0;
    }
    CHECK(differ == 0);
    CHECK(std::isfinite(points.back().x));
    CHECK(points.back().x != lattice(points.size(), 0, 0, 0).back().x);  // converted, not left as is
    proj_destroy(pj);
    proj_context_destroy(ctx);
}

} // namespace

TEST_CASE("PROJ conversions on every core give the same bits as one call", "[core][proj]") {
    // Lambert-93 pixel centres to lon/lat: 300 000 points (many chunks), and a few (one call).
    check_same("EPSG:2154", "EPSG:4326", lattice(300000, 650000, 6860000, 100), PJ_FWD);
    check_same("EPSG:2154", "EPSG:4326", lattice(1000, 650000, 6860000, 100), PJ_FWD);
    // Lon/lat to a local transverse Mercator, as the edge snapper does, and back (inverse).
    check_same("EPSG:4326", "+proj=tmerc +lat_0=47 +lon_0=2 +k=1 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs",
               lattice(200000, 1.0, 46.0, 0.001), PJ_FWD);
    check_same("EPSG:4326", "+proj=tmerc +lat_0=47 +lon_0=2 +k=1 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs",
               lattice(200000, -50000, -50000, 1.0), PJ_INV);
    // An odd count, not a multiple of the chunks.
    check_same("EPSG:2154", "EPSG:4326", lattice(65536 * 3 + 17, 650000, 6860000, 10), PJ_FWD);
}
