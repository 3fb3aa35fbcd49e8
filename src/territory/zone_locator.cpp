#include "proxima/territory/zone_locator.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

#include <fmt/format.h>

#include "core/geos_context.hpp"
#include "proxima/core/error.hpp"

namespace proxima {

namespace {

template <typename T, void (*Destroy)(GEOSContextHandle_t, T*)>
struct GeosDestroyer {
    GEOSContextHandle_t handle = nullptr;
    void operator()(T* p) const { Destroy(handle, p); }
};
using PreparedPtr =
    std::unique_ptr<const GEOSPreparedGeometry, GeosDestroyer<const GEOSPreparedGeometry, GEOSPreparedGeom_destroy_r>>;
using TreePtr = std::unique_ptr<GEOSSTRtree, GeosDestroyer<GEOSSTRtree, GEOSSTRtree_destroy_r>>;

void collect_zone(void* item, void* userdata) {
    static_cast<std::vector<std::size_t>*>(userdata)->push_back(*static_cast<const std::size_t*>(item));
}

} // namespace

struct ZoneLocator::Index {
    // Declared in destruction order reversed: the context outlives the polygons, which outlive
    // their prepared forms and the tree (whose items point into zone_index).
    detail::Geos geos;
    std::vector<detail::Geos::Ptr> polygons;
    std::vector<PreparedPtr> prepared;
    std::vector<std::size_t> zone_index;
    TreePtr tree;
    std::vector<std::string> codes;
    mutable std::vector<std::size_t> candidates;
};

ZoneLocator::ZoneLocator(const ZoneLayer& zones) : m_index(std::make_unique<Index>()) {
    Index& x = *m_index;
    const GEOSContextHandle_t h = x.geos.ctx();
    for (const auto& z : zones.zones) {
        x.polygons.push_back(x.geos.read_wkb(z.wkb));
        if (!x.polygons.back()) {
            throw InputError(fmt::format("zones '{}', feature {} (code {}): its polygon cannot be read: {}",
                                         zones.source, z.feature_id, z.code, x.geos.last_error()));
        }
        x.prepared.emplace_back(GEOSPrepare_r(h, x.polygons.back().get()),
                                GeosDestroyer<const GEOSPreparedGeometry, GEOSPreparedGeom_destroy_r>{h});
        if (!x.prepared.back()) {
            throw InputError(fmt::format("zones '{}', feature {} (code {}): its polygon cannot be prepared: {}",
                                         zones.source, z.feature_id, z.code, x.geos.last_error()));
        }
        x.codes.push_back(z.code);
    }
    x.zone_index.resize(zones.zones.size());
    std::iota(x.zone_index.begin(), x.zone_index.end(), std::size_t{0});
    x.tree = TreePtr(GEOSSTRtree_create_r(h, 10), {h});
    for (std::size_t i = 0; i < x.polygons.size(); ++i) {
        GEOSSTRtree_insert_r(h, x.tree.get(), x.polygons[i].get(), &x.zone_index[i]);
    }
}

ZoneLocator::~ZoneLocator() = default;

std::optional<std::size_t> ZoneLocator::zone_of(LonLat p) const {
    const Index& x = *m_index;
    const GEOSContextHandle_t h = x.geos.ctx();
    const detail::Geos::Ptr point = x.geos.own(GEOSGeom_createPointFromXY_r(h, p.lon, p.lat));
    if (!point) {
        throw Error(fmt::format("cannot make a point of {}, {}: {}", p.lon, p.lat, x.geos.last_error()));
    }
    x.candidates.clear();
    GEOSSTRtree_query_r(h, x.tree.get(), point.get(), &collect_zone, &x.candidates);
    // Intersects, not contains: a point exactly on a shared border touches two zones and must
    // still count once, in the one with the lowest index (the tree's order is not ours).
    std::sort(x.candidates.begin(), x.candidates.end());
    for (const std::size_t z : x.candidates) {
        const char hit = GEOSPreparedIntersects_r(h, x.prepared[z].get(), point.get());
        if (hit == 2) {
            throw Error(fmt::format("GEOS failed to test the point {}, {} against zone {}: {}", p.lon, p.lat,
                                    x.codes[z], x.geos.last_error()));
        }
        if (hit == 1) {
            return z;
        }
    }
    return std::nullopt;
}

} // namespace proxima
