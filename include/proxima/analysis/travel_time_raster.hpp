#pragma once
// Travel time to (or from) a service as a raster: every pixel whose centre lies in a study zone
// gets the time of a trip between its centre and the nearest facility, computed exactly like the
// origins' times in access_times.hpp (off-network leg at the study's access speed, the rest of
// the snapped edge respecting one-way arcs, the network, the facility's edge and leg). One
// multi-source search per service serves every pixel.
//
// Conventions:
//  - the grid is square pixels of `resolution_m` metres in a projected CRS (metres), aligned on
//    multiples of the resolution (so rasters of two runs, or of two services, line up), and
//    covers the bounding box of the study zones;
//  - values are minutes (float); NaN is "no value": the pixel centre is outside every study zone,
//    farther than network.max_snap_m from any road, or no facility can be reached from it;
//  - rows run from the top (north) down, columns from the west: value (col, row) is
//    minutes[row * width + col], its centre at (min_x + (col + ½)·res, max_y − (row + ½)·res).
//  - results are the same whatever the thread count.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "proxima/graph/ids.hpp"
#include "proxima/routing/snap.hpp"
#include "proxima/study/study_inputs.hpp"

namespace proxima {

struct RasterOptions {
    double resolution_m = 100.0;  ///< pixel side in metres of `crs`; > 0
    std::string crs;              ///< projected CRS in metres (e.g. "EPSG:2154"); empty: the study's output_crs
    int threads = 0;              ///< for the per-pixel times; 0 = all cores (snapping uses OpenMP's default)
};

/// A pixel grid in a projected CRS (see the conventions above).
struct RasterGrid {
    std::string crs;            ///< as given (e.g. "EPSG:2154")
    double min_x = 0.0;         ///< west edge, metres
    double max_y = 0.0;         ///< north edge, metres
    double resolution_m = 0.0;  ///< pixel side, metres
    int width = 0;              ///< columns
    int height = 0;             ///< rows

    [[nodiscard]] double centre_x(int col) const { return min_x + (col + 0.5) * resolution_m; }
    [[nodiscard]] double centre_y(int row) const { return max_y - (row + 0.5) * resolution_m; }
    /// x of the grid line left of column `col` (col == width: the east edge). Grid lines are
    /// always computed this way, so that the same line has the same coordinate everywhere.
    [[nodiscard]] double line_x(int col) const { return min_x + col * resolution_m; }
    /// y of the grid line above row `row` (row == height: the south edge).
    [[nodiscard]] double line_y(int row) const { return max_y - row * resolution_m; }
    [[nodiscard]] std::size_t pixel_count() const { return static_cast<std::size_t>(width) * static_cast<std::size_t>(height); }
    [[nodiscard]] bool operator==(const RasterGrid&) const = default;
};

/// The pixels of a study that can carry a time: those whose centre is in a study zone, with
/// their snap on the road graph. The same for every service: build it once, then call
/// travel_time_raster() per service.
struct RasterPixels {
    RasterGrid grid;
    std::size_t in_zones = 0;            ///< pixels whose centre lies in a study zone
    std::vector<std::uint32_t> pixel;    ///< index (row * width + col) of each snapped pixel, increasing
    std::vector<Snap> snap;              ///< per entry of `pixel`: its centre's snap
    /// Pixels whose centre is in a zone but farther than network.max_snap_m from any road (no
    /// car access: beyond any threshold), increasing.
    std::vector<std::uint32_t> unsnapped;
};

/// Lays the grid over the study zones and snaps every pixel centre inside a zone (within
/// network.max_snap_m; farther ones stay without a value). Pixel centres on a zone boundary
/// belong to the zone on their east/north side (half-open rule), so shared boundaries count once.
/// Throws ConfigError for a CRS that is empty, unknown or not projected, a resolution that is not
/// a positive length, or a grid of more than 100 million pixels (coarser resolution needed);
/// InputError if a zone geometry cannot be read or converted to the CRS.
[[nodiscard]] RasterPixels raster_pixels(const StudyInputs& inputs, const RasterOptions& options);

/// The grid raster_pixels() lays over `zones` at `resolution_m` in `crs`, without its pixels:
/// a run checks it before loading its graph, so that a resolution too fine for the territory is
/// refused at once (with the same ConfigError, which names a coarser resolution that fits).
[[nodiscard]] RasterGrid raster_grid(const ZoneLayer& zones, const std::string& crs, double resolution_m);

/// Travel time between arbitrary snapped points and the nearest facility of service `service`
/// (index into inputs.services), in the service's direction (to the facility, or from it for
/// from_service), in deciseconds; unreachable_ds when no facility can be reached. For an
/// origin's snap this is exactly compute_access()'s time. Throws Error if `service` is out of range.
[[nodiscard]] std::vector<Deciseconds> service_times_at(const StudyInputs& inputs, std::size_t service,
                                                        std::span<const Snap> points, int threads = 0);

struct TravelTimeRaster {
    std::string service;              ///< service id
    std::string service_label;
    TravelDirection direction = TravelDirection::to_service;
    RasterGrid grid;
    std::vector<float> minutes;       ///< row-major from the top; NaN = no value (see above)

    [[nodiscard]] float at(int col, int row) const {
        return minutes[static_cast<std::size_t>(row) * static_cast<std::size_t>(grid.width) + static_cast<std::size_t>(col)];
    }
};

/// The raster of one service over prepared pixels (one search for the service).
/// Throws Error if `service` is out of range.
[[nodiscard]] TravelTimeRaster travel_time_raster(const StudyInputs& inputs, const RasterPixels& pixels,
                                                  std::size_t service, int threads = 0);

/// The raster of service `service` from the times of its pixels (`pixel_ds[k]` for pixels.snap[k],
/// as service_times_at() or compute_access() with the pixels as extra points give them).
/// Throws Error if `service` is out of range or the times do not match the pixels.
[[nodiscard]] TravelTimeRaster travel_time_raster_from(const StudyInputs& inputs, const RasterPixels& pixels,
                                                       std::size_t service, std::span<const Deciseconds> pixel_ds);

/// raster_pixels() then travel_time_raster() for one service. For several services prepare the
/// pixels once instead (the snapping is the larger part of the work).
[[nodiscard]] TravelTimeRaster compute_travel_time_raster(const StudyInputs& inputs, std::size_t service,
                                                          const RasterOptions& options = {});

/// Writes the raster as a single-band Float32 GeoTIFF in its CRS: DEFLATE-compressed (floating
/// point predictor), tiled 256×256, nodata NaN, band unit "min", metadata SERVICE, SERVICE_LABEL,
/// DIRECTION (to_service / from_service) and UNIT=minutes. Written at "<path>.tmp-<pid>" then
/// renamed, so `path` is either the old file or the complete new one. Same raster, same bytes.
/// Throws OutputError (folder missing or not writable, disk full), ConfigError (CRS unknown to GDAL).
void write_travel_time_geotiff(const TravelTimeRaster& raster, const std::filesystem::path& path);

} // namespace proxima
