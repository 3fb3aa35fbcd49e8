#include "proxima/run/isochrone_layer.hpp"

#include <algorithm>

namespace proxima {

OutputLayer isochrone_layer(const TravelTimeRaster& raster, double threshold_min, const std::vector<Isochrone>& isochrones) {
    using Type = OutputField::Type;
    OutputLayer layer;
    layer.name = "isochrones_" + raster.service;
    layer.geometry = OutputLayer::Geometry::polygon;
    layer.fields = {{"service", Type::text},
                    {"limit_min", Type::real},
                    {"is_threshold", Type::integer},
                    {"area_km2", Type::real},
                    {"pixels", Type::integer}};
    std::vector<const Isochrone*> order;
    for (const auto& iso : isochrones) {
        order.push_back(&iso);
    }
    std::stable_sort(order.begin(), order.end(), [](const Isochrone* a, const Isochrone* b) { return a->limit_min > b->limit_min; });
    for (const Isochrone* iso : order) {
        if (!iso->wkb_raster_crs.empty()) {
            layer.wkb_crs = raster.grid.crs;  // as isochrones_from_raster made them: no conversion
        }
        layer.rows.push_back({raster.service, iso->limit_min, std::int64_t{iso->limit_min == threshold_min ? 1 : 0},
                              iso->area_km2, static_cast<std::int64_t>(iso->pixels)});
        layer.wkb.push_back(iso->wkb_raster_crs.empty() ? iso->wkb_wgs84 : iso->wkb_raster_crs);
    }
    return layer;
}

} // namespace proxima
