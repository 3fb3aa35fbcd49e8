#include "proxima/run/deficit_area.hpp"

#include "proxima/analysis/aggregation.hpp"

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

DeficitTerritory service_deficit(const StudyInputs& in, const RasterPixels& pixels, const ZonesOutline& outline,
                                 const TravelTimeRaster& raster, std::span<const Deciseconds> origin_ds,
                                 double threshold_min) {
    const auto over = origins_beyond(in, origin_ds, threshold_min);
    IsochroneOptions options;
    options.raster_crs = raster.grid.crs == in.study.output_crs;
    return deficit_territory(raster, pixels, outline, threshold_min, over, options);
}

} // namespace proxima
