#pragma once
// The deficit of a service as a territory: the part of the study zones beyond the threshold on
// the travel-time surface (travel_time_raster.hpp), inhabited or not, as polygons clipped to the
// zones, each with the inhabitants beyond the threshold who live in it.
//
// A pixel is beyond when its centre is in a zone and its time is more than the threshold, no
// facility can be reached from it, or it lies farther than network.max_snap_m from any road (no
// car access). Pixels just outside the zones, along their border, take the class of their
// neighbours inside (beyond if any is), so that once clipped to the zones the area reaches the
// border instead of stopping half a pixel short. Specks are removed as for isochrones.
//
// The population of a part is that of the origins beyond the threshold (their own times, as in
// the tables) whose position lies in it. An origin beyond the threshold can sit in a pixel whose
// centre is within it (the surface is sampled at pixel centres): its inhabitants are counted in
// `population_outside`, so that parts + outside = the study's population beyond, exactly.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "proxima/analysis/isochrones.hpp"
#include "proxima/analysis/travel_time_raster.hpp"
#include "proxima/territory/zones.hpp"

namespace proxima {

/// An origin beyond the threshold: where, and how many people.
struct PopulatedPoint {
    LonLat position;
    double population = 0.0;
};

struct DeficitPart {
    std::vector<unsigned char> wkb_wgs84;  ///< Polygon, WGS84 lon/lat, valid and normalised
    /// The same in the raster's CRS (pixel edges exact, clipped to the zones), when
    /// IsochroneOptions::raster_crs; then wkb_wgs84 is left empty.
    std::vector<unsigned char> wkb_raster_crs;
    double area_km2 = 0.0;                 ///< planar, in the raster CRS
    double population_over = 0.0;          ///< inhabitants beyond the threshold living in the part
    std::size_t origins_over = 0;
    LonLat label_point;                    ///< its most populous origin beyond, or a point inside it (labels)
};

struct DeficitTerritory {
    double threshold_min = 0.0;
    double resolution_m = 0.0;             ///< pixel side of the surface it was drawn from
    /// Most inhabitants beyond first, then largest; ties by geometry bytes (deterministic).
    std::vector<DeficitPart> parts;
    std::vector<unsigned char> wkb_wgs84;  ///< all parts as one (multi)polygon; empty when none
    std::vector<unsigned char> wkb_raster_crs;  ///< the same in the raster's CRS (IsochroneOptions::raster_crs)
    std::string raster_crs;                ///< the CRS of the wkb_raster_crs geometries (the raster's)
    double area_km2 = 0.0;                 ///< of all parts
    double zones_area_km2 = 0.0;           ///< of the study zones, same CRS (for a share of territory)
    std::size_t pixels_beyond = 0;         ///< pixels whose centre is in a zone and is beyond
    double population_outside = 0.0;       ///< origins beyond the threshold in no part (see above)
    std::size_t origins_outside = 0;
};

/// The study zones merged into one outline, in a projected CRS: what every deficit of a run is
/// clipped to. Merged once per run and read by every service (merging a national commune layer
/// takes seconds; doing it per service made it the cost of a national run's deficit areas).
struct ZonesOutline {
    std::string crs;                 ///< the CRS of `wkb` (the surface's)
    std::vector<unsigned char> wkb;  ///< the union of the zones, (multi)polygon; empty without zones
    double area_km2 = 0.0;           ///< planar, in `crs`
};

/// A run's origins placed once in the surface's CRS for the deficit areas of all its services,
/// which look up their origins beyond the threshold by x in each part's box. Each service used to
/// project and sort its own again: at a national run's size, a million origins beyond for each
/// of 200 services.
/// Where the origins lie among a grid's pixels (locate_in_pixels), found once for every service's
/// deficit area, which counts an origin strictly inside a pixel by that pixel.
struct OriginPixels {
    static constexpr std::uint64_t no_pixel = UINT64_MAX;
    RasterGrid grid;                         ///< the grid they were located in
    std::vector<unsigned char> outline_wkb;  ///< the zones' outline (ZonesOutline::wkb) they were checked against
    std::vector<std::uint64_t> pixel;        ///< per origin: the pixel (row-major) holding it strictly inside, or no_pixel
    std::vector<unsigned char> inside;       ///< per origin: 1 if that pixel's square lies inside the outline, off its edge
};

struct OriginsInCrs {
    std::string crs;                        ///< the CRS of `xy` (the surface's)
    std::vector<std::array<double, 2>> xy;  ///< per origin; NaN where PROJ cannot place it
    std::vector<std::uint32_t> by_x;        ///< the origins placed (finite xy), by x, then by index
    std::optional<OriginPixels> pixels;     ///< with locate_in_pixels(): taken when its grid and outline are the deficit's
};

/// `positions` (lon/lat) in `crs` (projected), as deficit_territory() places origins. Throws
/// ConfigError for a CRS PROJ does not know, Error beyond 2^32 - 1 origins.
[[nodiscard]] OriginsInCrs origins_in_crs(std::span<const LonLat> positions, const std::string& crs);

/// Fills `origins.pixels` for `grid` and `outline` (in the origins' CRS: Error otherwise), on
/// `threads` (0: all). Throws Error if GEOS cannot read the outline.
void locate_in_pixels(OriginsInCrs& origins, const RasterGrid& grid, const ZonesOutline& outline, int threads = 0);

/// The origins beyond the threshold as a run knows them: `points` in origin order, and of each
/// its origin in `placed` (strictly increasing).
struct OriginsOver {
    std::span<const PopulatedPoint> points;
    std::span<const std::uint32_t> origin;
    const OriginsInCrs* placed = nullptr;
};

/// The outline of `zones` in `crs` (projected). Throws InputError if a zone cannot be read or
/// converted, ConfigError for a CRS PROJ does not know.
[[nodiscard]] ZonesOutline zones_outline(const ZoneLayer& zones, const std::string& crs);

/// The deficit territory of one service. `raster` must have been made over `pixels` (same grid);
/// `zones` are the study zones the pixels were laid over; `origins_over` the origins beyond the
/// threshold; `options` remove specks as for isochrones and, with `raster_crs`, keep the parts
/// in the raster's CRS instead of converting them to WGS84 (for outputs in that CRS: a région's
/// deficit parts hold millions of vertices). Merges the zones on each call: for one service; a
/// run of many services merges them once (zones_outline) and calls the overload below.
/// Throws ConfigError for a threshold that is not a positive number of minutes, Error if the
/// raster does not match the pixels, InputError if a zone cannot be read or converted.
[[nodiscard]] DeficitTerritory deficit_territory(const TravelTimeRaster& raster, const RasterPixels& pixels,
                                                 const ZoneLayer& zones, double threshold_min,
                                                 std::span<const PopulatedPoint> origins_over,
                                                 const IsochroneOptions& options = {});

/// The same, clipped to `outline` (zones_outline of the pixels' zones, in the raster's CRS; Error
/// otherwise).
[[nodiscard]] DeficitTerritory deficit_territory(const TravelTimeRaster& raster, const RasterPixels& pixels,
                                                 const ZonesOutline& outline, double threshold_min,
                                                 std::span<const PopulatedPoint> origins_over,
                                                 const IsochroneOptions& options = {});

/// The same with the origins beyond placed once for the run (`over.placed`, in the raster's CRS:
/// Error otherwise, or if `over.origin` is not strictly increasing within it): what a run with
/// many services calls. The same result as placing `over.points` on each call.
[[nodiscard]] DeficitTerritory deficit_territory(const TravelTimeRaster& raster, const RasterPixels& pixels,
                                                 const ZonesOutline& outline, double threshold_min,
                                                 const OriginsOver& over, const IsochroneOptions& options = {});

} // namespace proxima
