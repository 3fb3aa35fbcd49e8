#include "proxima/analysis/travel_time_raster.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <system_error>
#include <unistd.h>
#include <utility>

#include <cpl_error.h>
#include <fmt/format.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#include <omp.h>
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <proj.h>

#include "core/gdal_handles.hpp"
#include "core/geos_context.hpp"
#include "core/proj_parallel.hpp"
#include "core/proj_to_wgs84.hpp"
#include "proxima/core/error.hpp"
#include "proxima/routing/site_search.hpp"
#include "proxima/routing/point_routing.hpp"
#include "proxima/core/threads.hpp"

namespace proxima {

namespace {

using detail::QuietGdalErrors;
using detail::gdal_detail;
using detail::gdal_failed;

using detail::Geos;

/// Beyond this the grid would not fit comfortably in memory (4 bytes per pixel plus a snap per
/// pixel in a zone) and the snapping would take minutes: the resolution is surely a mistake.
constexpr std::size_t max_pixels = 100'000'000;

struct XYPoint {
    double x;
    double y;
};
using Ring = std::vector<XYPoint>;

/// The rings (shells and holes) of a zone's polygon(s), converted from WGS84 to the raster CRS.
std::vector<Ring> zone_rings(const Geos& geos, const Zone& zone, PJ* crs_to_wgs84) {
    const Geos::Ptr g = geos.read_wkb(zone.wkb);
    if (!g) {
        throw InputError(fmt::format("zone {} ({}): its geometry cannot be read: {}", zone.code, zone.name, geos.last_error()));
    }
    std::vector<Ring> rings;
    auto add_ring = [&](const GEOSGeometry* ring) {
        const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(geos.ctx(), ring);
        unsigned size = 0;
        if (seq == nullptr || GEOSCoordSeq_getSize_r(geos.ctx(), seq, &size) == 0) {
            throw InputError(fmt::format("zone {} ({}): a ring of its geometry cannot be read", zone.code, zone.name));
        }
        Ring r(size);
        for (unsigned k = 0; k < size; ++k) {
            GEOSCoordSeq_getXY_r(geos.ctx(), seq, k, &r[k].x, &r[k].y);
        }
        // lon/lat -> raster CRS, in one call for the ring.
        proj_trans_generic(crs_to_wgs84, PJ_INV, &r.data()->x, sizeof(XYPoint), size, &r.data()->y, sizeof(XYPoint), size,
                           nullptr, 0, 0, nullptr, 0, 0);
        for (const auto& p : r) {
            if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
                throw InputError(fmt::format("zone {} ({}): a vertex cannot be converted to the raster CRS; is the "
                                             "zone within the area of that CRS?",
                                             zone.code, zone.name));
            }
        }
        rings.push_back(std::move(r));
    };
    auto add_polygon = [&](const GEOSGeometry* polygon) {
        add_ring(GEOSGetExteriorRing_r(geos.ctx(), polygon));
        const int holes = GEOSGetNumInteriorRings_r(geos.ctx(), polygon);
        for (int h = 0; h < holes; ++h) {
            add_ring(GEOSGetInteriorRingN_r(geos.ctx(), polygon, h));
        }
    };
    const int type = GEOSGeomTypeId_r(geos.ctx(), g.get());
    if (type == GEOS_POLYGON) {
        add_polygon(g.get());
    } else if (type == GEOS_MULTIPOLYGON) {
        const int parts = GEOSGetNumGeometries_r(geos.ctx(), g.get());
        for (int k = 0; k < parts; ++k) {
            add_polygon(GEOSGetGeometryN_r(geos.ctx(), g.get(), k));
        }
    } else {
        throw InputError(fmt::format("zone {} ({}): its geometry is not a polygon", zone.code, zone.name));
    }
    return rings;
}

/// Marks in `inside` the pixels whose centre lies in the area bounded by `rings` (even-odd rule,
/// which for a valid (multi)polygon is "inside a shell and not in a hole"). Scanline over the
/// rows of centres: each ring edge crossing a row's centre line gives one crossing; the pixels
/// between the 1st and 2nd crossing, 3rd and 4th... are inside. Half-open on both axes, so a
/// centre on a boundary shared by two zones belongs to exactly one of them.
void mark_inside(const RasterGrid& grid, const std::vector<Ring>& rings, std::vector<unsigned char>& inside) {
    std::vector<std::vector<double>> crossings(static_cast<std::size_t>(grid.height));
    const double res = grid.resolution_m;
    for (const Ring& ring : rings) {
        for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
            const XYPoint a = ring[k];
            const XYPoint b = ring[k + 1];
            if (a.y == b.y) {
                continue;  // horizontal: never crosses a centre line under the half-open rule
            }
            // Rows whose centre y lies in [min(a.y, b.y), max(a.y, b.y)): row r has its centre at
            // max_y - (r + 0.5) * res.
            const double lo = std::min(a.y, b.y);
            const double hi = std::max(a.y, b.y);
            const auto first = std::max(0L, static_cast<long>(std::ceil((grid.max_y - hi) / res - 0.5)) - 1);
            const auto last = std::min<long>(grid.height - 1, static_cast<long>(std::floor((grid.max_y - lo) / res - 0.5)) + 1);
            for (long r = first; r <= last; ++r) {
                const double y = grid.centre_y(static_cast<int>(r));
                if ((a.y <= y) != (b.y <= y)) {
                    crossings[static_cast<std::size_t>(r)].push_back(a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y));
                }
            }
        }
    }
    for (int r = 0; r < grid.height; ++r) {
        auto& xs = crossings[static_cast<std::size_t>(r)];
        std::sort(xs.begin(), xs.end());
        for (std::size_t k = 0; k + 1 < xs.size(); k += 2) {
            // Columns whose centre x lies in [xs[k], xs[k+1]).
            const long from = std::max(0L, static_cast<long>(std::ceil((xs[k] - grid.min_x) / res - 0.5)));
            const long to = std::min<long>(grid.width, static_cast<long>(std::ceil((xs[k + 1] - grid.min_x) / res - 0.5)));
            for (long c = from; c < to; ++c) {
                inside[static_cast<std::size_t>(r) * static_cast<std::size_t>(grid.width) + static_cast<std::size_t>(c)] = 1;
            }
        }
    }
}

void check_service(const StudyInputs& in, std::size_t service) {
    if (service >= in.services.size()) {
        throw Error(fmt::format("service index {} is out of range: the study has {} services", service, in.services.size()));
    }
}

const char* direction_name(TravelDirection d) {
    return d == TravelDirection::from_service ? "from_service" : "to_service";
}

} // namespace

namespace {

/// The study zones' rings in the grid's CRS, and the grid over their bounding box: aligned on
/// multiples of the resolution, refused (ConfigError) beyond max_pixels.
struct ZonesOnGrid {
    std::vector<std::vector<Ring>> zones;
    RasterGrid grid;
};

/// The grid's width and height over [xmin, xmax] × [ymin, ymax] at `res`, and its west and north edges.
RasterGrid grid_over(double xmin, double ymin, double xmax, double ymax, double res, double& width, double& height) {
    RasterGrid grid;
    grid.resolution_m = res;
    grid.min_x = std::floor(xmin / res) * res;
    grid.max_y = std::ceil(ymax / res) * res;
    width = std::ceil((xmax - grid.min_x) / res);
    height = std::ceil((grid.max_y - ymin) / res);
    return grid;
}

ZonesOnGrid zones_on_grid(const ZoneLayer& layer, const std::string& crs, double res, PJ* crs_to_wgs84) {
    const Geos geos;
    ZonesOnGrid out;
    out.zones.reserve(layer.zones.size());
    double xmin = HUGE_VAL;
    double ymin = HUGE_VAL;
    double xmax = -HUGE_VAL;
    double ymax = -HUGE_VAL;
    for (const Zone& zone : layer.zones) {
        out.zones.push_back(zone_rings(geos, zone, crs_to_wgs84));
        for (const Ring& ring : out.zones.back()) {
            for (const XYPoint& p : ring) {
                xmin = std::min(xmin, p.x);
                ymin = std::min(ymin, p.y);
                xmax = std::max(xmax, p.x);
                ymax = std::max(ymax, p.y);
            }
        }
    }
    out.grid.crs = crs;
    out.grid.resolution_m = res;
    if (out.zones.empty()) {
        return out;  // no territory: an empty grid
    }
    double width = 0;
    double height = 0;
    RasterGrid grid = grid_over(xmin, ymin, xmax, ymax, res, width, height);
    if (width * height > static_cast<double>(max_pixels)) {
        // The first multiple of 50 m that fits, so that the message gives a resolution that works.
        double coarser = std::ceil(res * std::sqrt(width * height / static_cast<double>(max_pixels)) / 50.0) * 50.0;
        double w = 0;
        double h = 0;
        for (;; coarser += 50.0) {
            grid_over(xmin, ymin, xmax, ymax, coarser, w, h);
            if (w * h <= static_cast<double>(max_pixels)) {
                break;
            }
        }
        throw ConfigError(fmt::format("travel-time surface: {:.0f} × {:.0f} pixels of {} m over the study zones is more "
                                      "than {} million; choose a coarser resolution ({} m gives {:.0f} × {:.0f})",
                                      width, height, res, max_pixels / 1'000'000, coarser, w, h));
    }
    grid.crs = crs;
    grid.width = std::max(1, static_cast<int>(width));
    grid.height = std::max(1, static_cast<int>(height));
    out.grid = grid;
    return out;
}

void check_resolution(double resolution_m) {
    if (!(resolution_m > 0 && std::isfinite(resolution_m))) {
        throw ConfigError(fmt::format("travel-time raster: resolution {} m is not a positive length", resolution_m));
    }
}

} // namespace

RasterGrid raster_grid(const ZoneLayer& zones, const std::string& crs, double resolution_m) {
    check_resolution(resolution_m);
    const detail::ProjectedToWgs84 projection(crs, "travel-time raster");  // throws ConfigError
    return zones_on_grid(zones, crs, resolution_m, projection.pj()).grid;
}

RasterPixels raster_pixels(const StudyInputs& in, const RasterOptions& options) {
    const std::string crs = options.crs.empty() ? in.study.output_crs : options.crs;
    check_resolution(options.resolution_m);
    const detail::ProjectedToWgs84 projection(crs, "travel-time raster");  // throws ConfigError

    ZonesOnGrid on_grid = zones_on_grid(in.zones, crs, options.resolution_m, projection.pj());
    const std::vector<std::vector<Ring>>& zones = on_grid.zones;
    RasterPixels out;
    RasterGrid& grid = out.grid;
    grid = std::move(on_grid.grid);
    if (zones.empty()) {
        return out;
    }

    std::vector<unsigned char> inside(grid.pixel_count(), 0);
    for (const auto& rings : zones) {
        mark_inside(grid, rings, inside);
    }

    // Pixel centres in a zone, converted to lon/lat and snapped (in parallel) a block at a time:
    // a région has tens of millions of them, and their lon/lat and optional snaps held all at
    // once cost 88 bytes each beside the 68 kept.
    std::vector<std::uint32_t> candidates;
    for (std::size_t i = 0; i < inside.size(); ++i) {
        if (inside[i] != 0) {
            candidates.push_back(static_cast<std::uint32_t>(i));
        }
    }
    out.in_zones = candidates.size();
    out.pixel.reserve(candidates.size());
    out.snap.reserve(candidates.size());
    const auto shared = shared_snapper(in);
    const EdgeSnapper& snapper = *shared;
    constexpr std::size_t block = std::size_t{1} << 20;
    std::vector<LonLat> centres;
    for (std::size_t first = 0; first < candidates.size(); first += block) {
        const std::size_t last = std::min(candidates.size(), first + block);
        centres.clear();
        for (std::size_t k = first; k < last; ++k) {
            const auto col = static_cast<int>(candidates[k] % static_cast<std::uint32_t>(grid.width));
            const auto row = static_cast<int>(candidates[k] / static_cast<std::uint32_t>(grid.width));
            centres.push_back({grid.centre_x(col), grid.centre_y(row)});
        }
        detail::proj_trans_parallel(projection.pj(), PJ_FWD, &centres.data()->lon, sizeof(LonLat), &centres.data()->lat,
                                    sizeof(LonLat), centres.size());
        const auto snaps = snapper.snap_all(centres, in.study.network.max_snap_m);
        for (std::size_t k = first; k < last; ++k) {
            // A centre PROJ could not convert (HUGE_VAL) is not snapped: it stays without a value.
            if (snaps[k - first]) {
                out.pixel.push_back(candidates[k]);
                out.snap.push_back(*snaps[k - first]);
            } else {
                out.unsnapped.push_back(candidates[k]);
            }
        }
    }
    return out;
}

std::vector<Deciseconds> service_times_at(const StudyInputs& in, std::size_t s, std::span<const Snap> points, int threads) {
    check_service(in, s);
    const RoadGraph& graph = in.graph();
    const AccessOptions access{in.study.network.access_kmh};
    const ServiceInputs& service = in.services[s];
    const bool outbound = service.spec.direction == TravelDirection::from_service;

    // As compute_access(): one search from all facilities at once (reverse: times to them).
    SiteSearch search(graph, outbound ? Direction::forward : Direction::reverse, access);
    search.run(service.snaps);

    std::vector<Deciseconds> out(points.size(), unreachable_ds);
    const int threads_used = proxima::thread_count(threads);
    // Millions of pixels: each thread reuses its vector of seeds.
#pragma omp parallel num_threads(threads_used)
    {
        std::vector<SourceSet::Source> seeds;
#pragma omp for schedule(dynamic, 256)
        for (std::size_t i = 0; i < points.size(); ++i) {
            search.point_seeds_into(seeds, points[i]);
            out[i] = search.resolve(points[i], seeds).ds;
        }
    }
    return out;
}

TravelTimeRaster travel_time_raster(const StudyInputs& in, const RasterPixels& pixels, std::size_t s, int threads) {
    check_service(in, s);
    return travel_time_raster_from(in, pixels, s, service_times_at(in, s, pixels.snap, threads));
}

TravelTimeRaster travel_time_raster_from(const StudyInputs& in, const RasterPixels& pixels, std::size_t s,
                                         std::span<const Deciseconds> times) {
    check_service(in, s);
    if (times.size() != pixels.snap.size()) {
        throw Error(fmt::format("travel-time raster: {} times for {} pixels", times.size(), pixels.snap.size()));
    }
    TravelTimeRaster out;
    out.service = in.services[s].spec.id;
    out.service_label = in.services[s].spec.label;
    out.direction = in.services[s].spec.direction;
    out.grid = pixels.grid;
    out.minutes.assign(pixels.grid.pixel_count(), std::numeric_limits<float>::quiet_NaN());
    for (std::size_t k = 0; k < times.size(); ++k) {
        if (times[k] != unreachable_ds) {
            out.minutes[pixels.pixel[k]] = static_cast<float>(minutes_from_ds(times[k]));
        }
    }
    return out;
}

TravelTimeRaster compute_travel_time_raster(const StudyInputs& in, std::size_t service, const RasterOptions& options) {
    check_service(in, service);
    return travel_time_raster(in, raster_pixels(in, options), service, options.threads);
}

void write_travel_time_geotiff(const TravelTimeRaster& raster, const std::filesystem::path& path) {
    const RasterGrid& grid = raster.grid;
    if (grid.width <= 0 || grid.height <= 0 || raster.minutes.size() != grid.pixel_count()) {
        throw Error(fmt::format("travel-time raster of '{}': {} values for a {} × {} grid", raster.service,
                                raster.minutes.size(), grid.width, grid.height));
    }
    // Once per process: services' rasters are written from several threads at a time.
    static const bool registered = [] {
        GDALAllRegister();
        return true;
    }();
    (void)registered;
    const QuietGdalErrors quiet;
    CPLErrorReset();
    const detail::SrsPtr srs(OSRNewSpatialReference(nullptr));
    if (OSRSetFromUserInput(static_cast<OGRSpatialReferenceH>(srs.get()), grid.crs.c_str()) != OGRERR_NONE) {
        throw ConfigError(fmt::format("travel-time raster: GDAL does not know the CRS '{}': {}", grid.crs, gdal_detail()));
    }
    GDALDriverH driver = GDALGetDriverByName("GTiff");
    if (driver == nullptr) {
        throw OutputError("GDAL has no GTiff driver; it is needed to write travel-time rasters");
    }

    std::filesystem::path tmp = path;
    tmp += fmt::format(".tmp-{}", ::getpid());
    auto remove_tmp = [&] {
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        auto aux = tmp;
        aux += ".aux.xml";
        std::filesystem::remove(aux, ec);
    };
    remove_tmp();
    // DEFLATE (every GIS reads it) at level 1: a raster of a région is compressed 2.4 times faster
    // than at GDAL's default level 6, for files 6 % larger (measured on 8 M pixels). Horizontal
    // differencing (predictor 2, lossless: the difference of neighbours' bit patterns) rather
    // than the floating-point predictor: times are tenths of seconds over 600, so neighbours share
    // their exponent and differ in a few low bits. On 8 M pixels of a 1 M-node study it compressed
    // in 0.6 of the time, to 0.79 of the size.
    const char* create_options[] = {"COMPRESS=DEFLATE", "ZLEVEL=1",       "PREDICTOR=2",
                                    "TILED=YES",        "BLOCKXSIZE=256", "BLOCKYSIZE=256", nullptr};
    detail::DatasetPtr ds(GDALCreate(driver, tmp.c_str(), grid.width, grid.height, 1, GDT_Float32,
                                     const_cast<char**>(create_options)));
    if (!ds) {
        const std::string why = gdal_detail();
        remove_tmp();
        throw OutputError(fmt::format("cannot create GeoTIFF '{}': {}; is the folder writable?", tmp.string(), why));
    }
    double transform[6] = {grid.min_x, grid.resolution_m, 0.0, grid.max_y, 0.0, -grid.resolution_m};
    GDALSetGeoTransform(ds.get(), transform);
    GDALSetSpatialRef(ds.get(), static_cast<OGRSpatialReferenceH>(srs.get()));
    GDALSetMetadataItem(ds.get(), "SERVICE", raster.service.c_str(), nullptr);
    GDALSetMetadataItem(ds.get(), "SERVICE_LABEL", raster.service_label.c_str(), nullptr);
    GDALSetMetadataItem(ds.get(), "DIRECTION", direction_name(raster.direction), nullptr);
    GDALSetMetadataItem(ds.get(), "UNIT", "minutes", nullptr);
    GDALRasterBandH band = GDALGetRasterBand(ds.get(), 1);
    GDALSetRasterNoDataValue(band, std::numeric_limits<double>::quiet_NaN());
    GDALSetRasterUnitType(band, "min");
    const std::string description = fmt::format("travel time {} {} (minutes)",
                                                raster.direction == TravelDirection::from_service ? "from" : "to",
                                                raster.service_label.empty() ? raster.service : raster.service_label);
    GDALSetDescription(band, description.c_str());
    const CPLErr written = GDALRasterIO(band, GF_Write, 0, 0, grid.width, grid.height, const_cast<float*>(raster.minutes.data()),
                                        grid.width, grid.height, GDT_Float32, 0, 0);
    if (written != CE_None || gdal_failed()) {
        const std::string why = gdal_detail();
        ds.reset();
        remove_tmp();
        throw OutputError(fmt::format("writing GeoTIFF '{}' failed (disk full?): {}", path.string(), why));
    }
    CPLErrorReset();
    GDALClose(ds.release());  // GDAL 3.6: failures are only in the error state
    if (gdal_failed()) {
        const std::string why = gdal_detail();
        remove_tmp();
        throw OutputError(fmt::format("writing GeoTIFF '{}' failed while finishing the file (disk full?): {}",
                                      path.string(), why));
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        remove_tmp();
        throw OutputError(fmt::format("cannot move the finished GeoTIFF onto '{}': {}", path.string(), ec.message()));
    }
    remove_tmp();  // a side file GDAL may have made (.aux.xml); everything is inside the TIFF
}

} // namespace proxima
