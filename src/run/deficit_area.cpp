#include "proxima/run/deficit_area.hpp"

#include <fmt/format.h>

#include "proxima/analysis/aggregation.hpp"
#include "proxima/core/error.hpp"

namespace proxima {

std::vector<PopulatedPoint> origins_beyond(const StudyInputs& in, std::span<const Deciseconds> ds, double threshold_min) {
    std::vector<PopulatedPoint> out;
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        if (in.origins[o].population > 0 && is_over(minutes_of(ds[o]), threshold_min)) {
            out.push_back({in.origins[o].position, in.origins[o].population});
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
    if (placed == nullptr) {
        const auto over = origins_beyond(in, origin_ds, threshold_min);
        return deficit_territory(raster, pixels, outline, threshold_min, over, options);
    }
    if (placed->xy.size() != in.origins.size()) {
        throw Error(fmt::format("deficit of '{}': {} origins placed for {} origins", raster.service, placed->xy.size(),
                                in.origins.size()));
    }
    std::vector<PopulatedPoint> over;
    std::vector<std::uint32_t> origin;
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        if (in.origins[o].population > 0 && is_over(minutes_of(origin_ds[o]), threshold_min)) {
            over.push_back({in.origins[o].position, in.origins[o].population});
            origin.push_back(static_cast<std::uint32_t>(o));
        }
    }
    return deficit_territory(raster, pixels, outline, threshold_min, OriginsOver{over, origin, placed}, options);
}

} // namespace proxima
