#include "proxima/run/deficit_area.hpp"

#include <fmt/format.h>

#include "proxima/analysis/aggregation.hpp"
#include "proxima/core/error.hpp"

namespace proxima {

OriginsBeyond origins_beyond(const StudyInputs& in, std::span<const Deciseconds> ds, double threshold_min) {
    if (ds.size() != in.origins.size()) {
        throw Error(fmt::format("origins beyond {} min: {} times for {} origins", threshold_min, ds.size(),
                                in.origins.size()));
    }
    OriginsBeyond out;
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        if (in.origins[o].population > 0 && is_over(minutes_of(ds[o]), threshold_min)) {
            out.points.push_back({in.origins[o].position, in.origins[o].population});
            out.origin.push_back(static_cast<std::uint32_t>(o));
        }
    }
    return out;
}

OriginsInCrs placed_origins(const StudyInputs& in, const std::string& crs) {
    std::vector<LonLat> positions;
    positions.reserve(in.origins.size());
    for (const Origin& o : in.origins) {
        positions.push_back(o.position);
    }
    return origins_in_crs(positions, crs);
}

DeficitTerritory service_deficit(const StudyInputs& in, const RasterPixels& pixels, const ZonesOutline& outline,
                                 const TravelTimeRaster& raster, std::span<const Deciseconds> origin_ds,
                                 double threshold_min, const OriginsInCrs* placed) {
    IsochroneOptions options;
    options.raster_crs = raster.grid.crs == in.study.output_crs;
    const OriginsBeyond over = origins_beyond(in, origin_ds, threshold_min);
    if (placed == nullptr) {
        return deficit_territory(raster, pixels, outline, threshold_min, over.points, options);
    }
    if (placed->xy.size() != in.origins.size()) {
        throw Error(fmt::format("deficit of '{}': {} origins placed for {} origins", raster.service, placed->xy.size(),
                                in.origins.size()));
    }
    return deficit_territory(raster, pixels, outline, threshold_min, OriginsOver{over.points, over.origin, placed},
                             options);
}

} // namespace proxima
