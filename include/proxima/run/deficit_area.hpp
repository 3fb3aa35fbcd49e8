#pragma once
// The deficit of a service as every output draws it (run layers and maps, scenario and siting
// maps): the territory beyond the threshold on the travel-time surface
// (analysis/deficit_territory.hpp), with the inhabitants beyond living in each part.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "proxima/analysis/deficit_territory.hpp"
#include "proxima/analysis/travel_time_raster.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima {

/// The resolution of the surface the deficit is drawn from when the run writes no raster.
inline constexpr double default_surface_resolution_m = 100.0;

/// The populated origins beyond a threshold, in the origins' order.
struct OriginsBeyond {
    std::vector<PopulatedPoint> points;  ///< position and population
    std::vector<std::uint32_t> origin;   ///< index of each in the study's origins
};

/// The origins beyond `threshold_min` (time more than it, or unreachable) with a population; the
/// one rule for every deficit area. `ds` per origin (refused otherwise).
[[nodiscard]] OriginsBeyond origins_beyond(const StudyInputs& in, std::span<const Deciseconds> ds,
                                           double threshold_min);

/// The origins of `in` placed in `crs` (the surface's) once for the deficits of every service.
[[nodiscard]] OriginsInCrs placed_origins(const StudyInputs& in, const std::string& crs);

/// The deficit territory of one service of `in` given its times at the pixels (`raster`,
/// made over `pixels`) and at the origins (`origin_ds`), clipped to `outline` (zones_outline of
/// the study's zones in the pixels' CRS, merged once for every service), the origins beyond
/// looked up in `placed` (placed_origins() of `in` in the pixels' CRS, made once for every
/// service; null: placed here). Its parts stay in the raster's CRS when that is the study's
/// output CRS (the GeoPackage and the maps are drawn in it), else WGS84.
[[nodiscard]] DeficitTerritory service_deficit(const StudyInputs& in, const RasterPixels& pixels,
                                               const ZonesOutline& outline, const TravelTimeRaster& raster,
                                               std::span<const Deciseconds> origin_ds, double threshold_min,
                                               const OriginsInCrs* placed = nullptr);

/// In words, for the layers' `method` field and the notes of the maps.
inline constexpr const char* deficit_method =
    "study area beyond the threshold on the travel-time surface (pixels whose time is more than the threshold, "
    "unreachable, or without a road within the snapping distance), inhabited or not, clipped to the zones";

} // namespace proxima
