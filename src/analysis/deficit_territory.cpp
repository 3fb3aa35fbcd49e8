#include "proxima/analysis/deficit_territory.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <tuple>

#include <fmt/format.h>
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <proj.h>

#include "core/geos_reproject.hpp"
#include "deficit_pixels.hpp"
#include "pixel_polygons.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/threads.hpp"

namespace proxima {

namespace {

using detail::Geos;

using detail::outside;
using detail::within;
using detail::beyond;

/// The class of every pixel of the grid: outside the zones, within the threshold, beyond it.
std::vector<unsigned char> classify_pixels(const TravelTimeRaster& raster, const RasterPixels& pixels,
                                           double threshold_min) {
    std::vector<unsigned char> cls(raster.grid.pixel_count(), outside);
    for (const std::uint32_t i : pixels.pixel) {
        // NaN (no facility reachable) is never within.
        cls[i] = static_cast<double>(raster.minutes[i]) <= threshold_min ? within : beyond;
    }
    for (const std::uint32_t i : pixels.unsnapped) {
        cls[i] = beyond;  // no road within reach: no car access at all
    }
    return cls;
}

/// The union of the zones in the raster CRS.
Geos::Ptr zones_in_crs(const Geos& geos, const ZoneLayer& zones, const detail::ProjectedToWgs84& projection) {
    std::vector<Geos::Ptr> parts;
    for (const Zone& zone : zones.zones) {
        const Geos::Ptr g = geos.read_wkb(zone.wkb);
        if (!g) {
            throw InputError(fmt::format("zone {} ({}): its geometry cannot be read: {}", zone.code, zone.name,
                                         geos.last_error()));
        }
        parts.push_back(detail::reproject_from_wgs84(geos, g.get(), projection,
                                                     fmt::format("zone {} ({})", zone.code, zone.name)));
    }
    const Geos::Ptr all = make_collection(geos, GEOS_GEOMETRYCOLLECTION, std::move(parts));
    return geos.check(geos.own(GEOSUnaryUnion_r(geos.ctx(), all.get())), "merge the study zones");
}

/// Positions (lon/lat) in the raster CRS; NaN where PROJ cannot place one.
OriginsInCrs placed_in(std::span<const LonLat> positions, const detail::ProjectedToWgs84& projection,
                       const std::string& crs) {
    if (positions.size() > std::numeric_limits<std::uint32_t>::max()) {
        throw Error(fmt::format("deficit areas: {} origins, more than 2^32 - 1", positions.size()));
    }
    OriginsInCrs out;
    out.crs = crs;
    out.xy.reserve(positions.size());
    for (const LonLat& p : positions) {
        double x = p.lon;
        double y = p.lat;
        proj_trans_generic(projection.pj(), PJ_INV, &x, sizeof(double), 1, &y, sizeof(double), 1, nullptr, 0, 0, nullptr,
                           0, 0);
        // An origin PROJ cannot place (HUGE_VAL) lies in no part: counted outside.
        const bool finite = std::isfinite(x) && std::isfinite(y);
        out.xy.push_back({finite ? x : NAN, finite ? y : NAN});
        if (finite) {
            out.by_x.push_back(static_cast<std::uint32_t>(out.xy.size() - 1));
        }
    }
    std::sort(out.by_x.begin(), out.by_x.end(), [&](std::uint32_t a, std::uint32_t b) {
        return std::pair(out.xy[a][0], a) < std::pair(out.xy[b][0], b);
    });
    return out;
}

/// A point inside a polygon of the raster CRS, in lon/lat.
LonLat inside_point(const Geos& geos, const GEOSGeometry* polygon, const detail::ProjectedToWgs84& projection) {
    const Geos::Ptr p = geos.check(geos.own(GEOSPointOnSurface_r(geos.ctx(), polygon)), "find a point in a deficit part");
    double x = 0;
    double y = 0;
    GEOSGeomGetX_r(geos.ctx(), p.get(), &x);
    GEOSGeomGetY_r(geos.ctx(), p.get(), &y);
    proj_trans_generic(projection.pj(), PJ_FWD, &x, sizeof(double), 1, &y, sizeof(double), 1, nullptr, 0, 0, nullptr, 0,
                       0);
    return {x, y};
}

} // namespace

namespace detail {

std::optional<std::size_t> strict_pixel(const RasterGrid& grid, const std::array<double, 2>& xy) {
    const double fc = std::floor((xy[0] - grid.min_x) / grid.resolution_m);
    const double fr = std::floor((grid.max_y - xy[1]) / grid.resolution_m);
    if (!(fc >= 0 && fr >= 0 && fc < grid.width && fr < grid.height)) {
        return std::nullopt;  // off the grid, or NaN
    }
    const int c = static_cast<int>(fc);
    const int r = static_cast<int>(fr);
    if (!(grid.line_x(c) < xy[0] && xy[0] < grid.line_x(c + 1) && grid.line_y(r + 1) < xy[1] &&
          xy[1] < grid.line_y(r))) {
        return std::nullopt;  // on a line, or the division rounded across one
    }
    return static_cast<std::size_t>(r) * static_cast<std::size_t>(grid.width) + static_cast<std::size_t>(c);
}

bool square_inside(const Geos& geos, const GEOSPreparedGeometry* zones, const RasterGrid& grid, int col, int row) {
    const Geos::Ptr square =
        geos.check(geos.own(GEOSGeom_createRectangle_r(geos.ctx(), grid.line_x(col), grid.line_y(row + 1),
                                                       grid.line_x(col + 1), grid.line_y(row))),
                   "make a pixel's square");
    const char in = GEOSPreparedContainsProperly_r(geos.ctx(), zones, square.get());
    if (in == 2) {
        throw Error(fmt::format("cannot tell whether a pixel lies inside the zones: {}", geos.last_error()));
    }
    return in == 1;
}

// Row by row on flat arrays: the beyond pixels of three rows, widened by one column each way,
// then OR-ed; loops the compiler runs on vector registers (a test of 9 neighbours per pixel was
// most of the deficit's own time besides GEOS).
std::vector<unsigned char> deficit_selection(const std::vector<unsigned char>& cls, int width, int height,
                                            std::size_t& count) {
    const auto w = static_cast<std::size_t>(std::max(width, 0));
    const auto h = static_cast<std::size_t>(std::max(height, 0));
    if (cls.size() != w * h) {
        throw Error(fmt::format("deficit pixels: {} classes for {} x {} pixels", cls.size(), width, height));
    }
    std::vector<unsigned char> mask(w * h, 0);
    // Row k of wide_rows (at k % 3): its beyond pixels OR-ed with their left and right neighbours.
    std::vector<unsigned char> wide_rows(3 * w, 0);
    const auto widen = [&](std::size_t r) {
        const unsigned char* in = cls.data() + r * w;
        unsigned char* out = wide_rows.data() + (r % 3) * w;
        for (std::size_t c = 0; c < w; ++c) {
            out[c] = in[c] == beyond ? 1 : 0;
        }
        unsigned char left = 0;  // the pixel before c, as it was
        for (std::size_t c = 0; c < w; ++c) {
            const unsigned char own = out[c];
            const unsigned char right = c + 1 < w && in[c + 1] == beyond ? 1 : 0;
            out[c] = static_cast<unsigned char>(own | left | right);
            left = own;
        }
    };
    if (h > 0) {
        widen(0);
    }
    std::size_t selected = 0;
    for (std::size_t r = 0; r < h; ++r) {
        if (r + 1 < h) {
            widen(r + 1);
        }
        const unsigned char* above = r > 0 ? wide_rows.data() + ((r - 1) % 3) * w : nullptr;
        const unsigned char* here = wide_rows.data() + (r % 3) * w;
        const unsigned char* below = r + 1 < h ? wide_rows.data() + ((r + 1) % 3) * w : nullptr;
        const unsigned char* own = cls.data() + r * w;
        unsigned char* out = mask.data() + r * w;
        for (std::size_t c = 0; c < w; ++c) {
            const unsigned char near = static_cast<unsigned char>(here[c] | (above != nullptr ? above[c] : 0) |
                                                                  (below != nullptr ? below[c] : 0));
            const unsigned char k = own[c] == beyond || (own[c] == outside && near != 0) ? 1 : 0;
            out[c] = k;
            selected += k;
        }
    }
    count = selected;
    return mask;
}

} // namespace detail

ZonesOutline zones_outline(const ZoneLayer& zones, const std::string& crs) {
    ZonesOutline out;
    out.crs = crs;
    if (zones.zones.empty()) {
        return out;
    }
    const detail::ProjectedToWgs84 projection(crs, "study zones");
    const Geos geos;
    const Geos::Ptr all = zones_in_crs(geos, zones, projection);
    out.area_km2 = detail::area_of(geos, all.get()) / 1e6;
    out.wkb = geos.write_wkb(all.get());
    return out;
}

DeficitTerritory deficit_territory(const TravelTimeRaster& raster, const RasterPixels& pixels, const ZoneLayer& zones,
                                   double threshold_min, std::span<const PopulatedPoint> origins_over,
                                   const IsochroneOptions& options) {
    return deficit_territory(raster, pixels, zones_outline(zones, raster.grid.crs), threshold_min, origins_over,
                             options);
}

OriginsInCrs origins_in_crs(std::span<const LonLat> positions, const std::string& crs) {
    const detail::ProjectedToWgs84 projection(crs, "origins");
    return placed_in(positions, projection, crs);
}

void locate_in_pixels(OriginsInCrs& origins, const RasterGrid& grid, const ZonesOutline& outline, int threads) {
    if (origins.crs != grid.crs || outline.crs != grid.crs) {
        throw Error(fmt::format("origins in pixels: the origins are in {}, the outline in {}, the grid in {}",
                                origins.crs, outline.crs, grid.crs));
    }
    OriginPixels out;
    out.grid = grid;
    out.outline_wkb = outline.wkb;
    out.pixel.assign(origins.xy.size(), OriginPixels::no_pixel);
    out.inside.assign(origins.xy.size(), 0);
    const auto n = static_cast<std::ptrdiff_t>(origins.xy.size());
    std::exception_ptr failed;
    // Each thread its own GEOS context and prepared outline (neither is shared between threads).
#pragma omp parallel num_threads(thread_count(threads))
    {
        try {
            const Geos geos;
            Geos::Ptr zones = outline.wkb.empty() ? geos.own(nullptr) : geos.read_wkb(outline.wkb);
            if (!outline.wkb.empty() && !zones) {
                throw Error(fmt::format("origins in pixels: the zones' outline cannot be read: {}", geos.last_error()));
            }
            const auto destroy = [&geos](const GEOSPreparedGeometry* g) { GEOSPreparedGeom_destroy_r(geos.ctx(), g); };
            const std::unique_ptr<const GEOSPreparedGeometry, decltype(destroy)> prepared(
                zones ? GEOSPrepare_r(geos.ctx(), zones.get()) : nullptr, destroy);
#pragma omp for schedule(dynamic, 4096)
            for (std::ptrdiff_t k = 0; k < n; ++k) {
                const std::optional<std::size_t> p = detail::strict_pixel(grid, origins.xy[static_cast<std::size_t>(k)]);
                if (!p) {
                    continue;
                }
                out.pixel[static_cast<std::size_t>(k)] = *p;
                const auto w = static_cast<std::size_t>(grid.width);
                out.inside[static_cast<std::size_t>(k)] =
                    prepared && detail::square_inside(geos, prepared.get(), grid, static_cast<int>(*p % w),
                                                      static_cast<int>(*p / w))
                        ? 1
                        : 0;
            }
        } catch (...) {
#pragma omp critical(locate_in_pixels_failed)
            if (!failed) {
                failed = std::current_exception();
            }
        }
    }
    if (failed) {
        std::rethrow_exception(failed);
    }
    origins.pixels = std::move(out);
}

DeficitTerritory deficit_territory(const TravelTimeRaster& raster, const RasterPixels& pixels,
                                   const ZonesOutline& outline, double threshold_min,
                                   std::span<const PopulatedPoint> origins_over, const IsochroneOptions& options) {
    return deficit_territory(raster, pixels, outline, threshold_min, OriginsOver{origins_over, {}, nullptr}, options);
}

DeficitTerritory deficit_territory(const TravelTimeRaster& raster, const RasterPixels& pixels,
                                   const ZonesOutline& outline, double threshold_min, const OriginsOver& over,
                                   const IsochroneOptions& options) {
    const std::span<const PopulatedPoint> origins_over = over.points;
    if (!(threshold_min > 0 && std::isfinite(threshold_min))) {
        throw ConfigError(fmt::format("deficit of '{}': threshold {} min is not a positive number of minutes",
                                      raster.service, threshold_min));
    }
    const RasterGrid& grid = raster.grid;
    if (raster.minutes.size() != grid.pixel_count() || grid.width != pixels.grid.width ||
        grid.height != pixels.grid.height || grid.min_x != pixels.grid.min_x || grid.max_y != pixels.grid.max_y) {
        throw Error(fmt::format("deficit of '{}': the raster was not made over these pixels", raster.service));
    }
    DeficitTerritory out;
    out.threshold_min = threshold_min;
    out.resolution_m = grid.resolution_m;
    out.raster_crs = grid.crs;
    for (const auto& o : origins_over) {
        out.population_outside += o.population;
    }
    out.origins_outside = origins_over.size();
    if (outline.crs != grid.crs) {
        throw Error(fmt::format("deficit of '{}': the zones' outline is in {}, the raster in {}", raster.service,
                                outline.crs, grid.crs));
    }
    if (outline.wkb.empty() || grid.pixel_count() == 0) {
        return out;
    }
    // Made when first needed (a run's parts stay in the raster's CRS, their origins placed once):
    // PROJ's set-up was a few per cent of a service's deficit.
    std::optional<detail::ProjectedToWgs84> projection_made;
    const auto projection = [&]() -> const detail::ProjectedToWgs84& {
        if (!projection_made) {
            projection_made.emplace(grid.crs, fmt::format("deficit of '{}'", raster.service));
        }
        return *projection_made;
    };
    const Geos geos;
    const Geos::Ptr study = geos.read_wkb(outline.wkb);
    if (!study) {
        throw Error(fmt::format("deficit of '{}': the zones' outline cannot be read: {}", raster.service,
                                geos.last_error()));
    }
    out.zones_area_km2 = outline.area_km2;

    const std::vector<unsigned char> cls = classify_pixels(raster, pixels, threshold_min);
    out.pixels_beyond = static_cast<std::size_t>(std::count(cls.begin(), cls.end(), beyond));
    const double pixel_area = grid.resolution_m * grid.resolution_m;
    const double min_part = options.min_part_pixels * pixel_area;
    std::size_t selected_pixels = 0;
    std::vector<unsigned char> mask = detail::deficit_selection(cls, grid.width, grid.height, selected_pixels);
    detail::PixelParts made = detail::pixel_parts_of(geos, grid, mask, min_part, options.min_hole_pixels * pixel_area,
                                                     selected_pixels);
    if (made.polygons.empty()) {
        return out;
    }
    // Clipped to the zones part by part: a part well inside them (most of a région's: the pixels
    // were laid over the zones) is kept as made; only a part that reaches the zones' edge goes
    // through an overlay. One overlay of the whole shape was a third of the deficit's time.
    struct Piece {
        Geos::Ptr geometry;
        std::uint32_t part = 0;  ///< the part (region of pixels) it was cut from
        bool whole = false;      ///< the part itself, inside the zones
    };
    std::vector<Piece> pieces;
    const auto prepared_destroy = [&geos](const GEOSPreparedGeometry* g) { GEOSPreparedGeom_destroy_r(geos.ctx(), g); };
    const std::unique_ptr<const GEOSPreparedGeometry, decltype(prepared_destroy)> inside(
        GEOSPrepare_r(geos.ctx(), study.get()), prepared_destroy);
    const auto clip_failed = [&] {
        return Error(fmt::format("deficit of '{}': cannot clip it to the zones: {}", raster.service, geos.last_error()));
    };
    if (!inside) {
        throw clip_failed();
    }
    for (std::size_t i = 0; i < made.polygons.size(); ++i) {
        Geos::Ptr& part = made.polygons[i];
        const auto part_id = static_cast<std::uint32_t>(i);
        const char contained = GEOSPreparedContainsProperly_r(geos.ctx(), inside.get(), part.get());
        if (contained == 1) {
            pieces.push_back({std::move(part), part_id, true});
        } else if (contained == 0) {
            const Geos::Ptr clipped = geos.check(geos.own(GEOSIntersection_r(geos.ctx(), part.get(), study.get())),
                                                 "clip the deficit to the zones");
            std::vector<Geos::Ptr> cut;
            collect_polygons(geos, clipped.get(), cut);
            for (auto& c : cut) {
                pieces.push_back({std::move(c), part_id, false});
            }
        } else {
            throw clip_failed();
        }
    }

    // Each origin beyond: where it is in the raster CRS, and all of them by x, so that a part looks
    // only at those within its box's x range (a région's deficit has thousands of parts, and
    // testing every point against every box took most of the time). Placed once for the run, or
    // here for these origins alone.
    OriginsInCrs own;
    const OriginsInCrs* placed_origins = over.placed;
    std::vector<std::uint32_t> own_index;
    std::span<const std::uint32_t> origin_of = over.origin;
    if (placed_origins == nullptr) {
        std::vector<LonLat> positions;
        positions.reserve(origins_over.size());
        for (const auto& o : origins_over) {
            positions.push_back(o.position);
        }
        own = placed_in(positions, projection(), grid.crs);
        placed_origins = &own;
        own_index.resize(origins_over.size());
        std::iota(own_index.begin(), own_index.end(), std::uint32_t{0});
        origin_of = own_index;
    }
    if (placed_origins->crs != grid.crs || origin_of.size() != origins_over.size()) {
        throw Error(fmt::format("deficit of '{}': the origins beyond were placed in {} for {} origins, the raster is in "
                                "{} with {} beyond",
                                raster.service, placed_origins->crs, origin_of.size(), grid.crs, origins_over.size()));
    }
    constexpr std::uint32_t not_over = std::numeric_limits<std::uint32_t>::max();
    std::vector<std::uint32_t> over_of(placed_origins->xy.size(), not_over);  // origin -> its rank among those beyond
    for (std::size_t k = 0; k < origin_of.size(); ++k) {
        if (origin_of[k] >= over_of.size() || (k > 0 && origin_of[k] <= origin_of[k - 1])) {
            throw Error(fmt::format("deficit of '{}': origin {} of those beyond is not after the one before it among "
                                    "the {} placed",
                                    raster.service, origin_of[k], over_of.size()));
        }
        over_of[origin_of[k]] = static_cast<std::uint32_t>(k);
    }
    const auto at = [&](std::size_t k) -> const std::array<double, 2>& { return placed_origins->xy[origin_of[k]]; };
    const auto located = [&](std::size_t k) { return std::isfinite(at(k)[0]) && std::isfinite(at(k)[1]); };

    // The piece of each origin beyond, told by its pixel when the point lies strictly inside one
    // (not on a grid line): a part is the closed squares of its region's pixels, and the squares
    // of two pixels meet only on grid lines, so a point inside a pixel not selected is in no part,
    // and one inside a selected pixel is in its region's part alone, inside it. If the part was
    // kept whole, the point is in it; if the part was clipped and the pixel's square lies inside
    // the zones, the point is inside one of the part's pieces (the largest, unless a smaller one
    // holds it). Only the other points are tested against the pieces' geometry in order: those
    // on grid lines (or off the grid), and those of a clipped part whose pixel reaches the zones'
    // edge. The same answers as testing every point against every piece in order (a test checks
    // them); preparing every piece for those tests, and the tests, were most of the deficit's
    // time after the clip.
    const OriginPixels* run_pixels = placed_origins->pixels && placed_origins->pixels->grid == grid &&
                                             placed_origins->pixels->outline_wkb == outline.wkb
                                         ? &*placed_origins->pixels
                                         : nullptr;
    const auto pixel_inside_zones = [&](std::size_t p) {
        const auto w = static_cast<std::size_t>(grid.width);
        return detail::square_inside(geos, inside.get(), grid, static_cast<int>(p % w), static_cast<int>(p / w));
    };
    constexpr std::uint32_t in_no_piece = std::numeric_limits<std::uint32_t>::max();
    constexpr std::uint32_t test_in_part = in_no_piece - 1;  // against its part's pieces
    constexpr std::uint32_t test_nearby = in_no_piece - 2;   // against the pieces whose box holds it
    std::vector<std::uint32_t> piece_of(origins_over.size(), test_nearby);
    std::vector<std::uint32_t> part_of(origins_over.size(), 0);
    std::vector<std::size_t> pixel_of(origins_over.size(), 0);
    {
        std::vector<std::size_t> asked = made.seeds;  // the parts' own pixels first, then the origins'
        std::vector<std::uint32_t> asking;
        for (std::size_t k = 0; k < origins_over.size(); ++k) {
            std::optional<std::size_t> p;
            if (run_pixels != nullptr) {
                const std::uint64_t q = run_pixels->pixel[origin_of[k]];
                if (q != OriginPixels::no_pixel) {
                    p = static_cast<std::size_t>(q);
                }
            } else if (located(k)) {
                p = detail::strict_pixel(grid, at(k));
            }
            if (!p) {
                continue;
            }
            if (mask[*p] == 0) {
                piece_of[k] = in_no_piece;
            } else {
                pixel_of[k] = *p;
                asked.push_back(*p);
                asking.push_back(static_cast<std::uint32_t>(k));
            }
        }
        if (!asking.empty()) {
            const std::vector<std::uint32_t> region = detail::pixel_regions(mask, grid.width, grid.height, asked);
            std::vector<std::pair<std::uint32_t, std::uint32_t>> part_by_region;  // (region, part), sorted
            part_by_region.reserve(made.seeds.size());
            for (std::size_t i = 0; i < made.seeds.size(); ++i) {
                part_by_region.emplace_back(region[i], static_cast<std::uint32_t>(i));
            }
            std::sort(part_by_region.begin(), part_by_region.end());
            for (std::size_t j = 0; j < asking.size(); ++j) {
                const std::uint32_t r = region[made.seeds.size() + j];
                const auto it = std::lower_bound(part_by_region.begin(), part_by_region.end(), std::make_pair(r, 0U));
                if (it == part_by_region.end() || it->first != r) {
                    throw Error(fmt::format("deficit of '{}': a selected pixel belongs to no part (an internal error; "
                                            "please report it)",
                                            raster.service));
                }
                part_of[asking[j]] = it->second;
                piece_of[asking[j]] = test_in_part;
            }
        }
    }
    // The pieces of each part, and of each part its largest (most vertices: the costliest to test).
    std::vector<std::size_t> first_piece(made.polygons.size() + 1, 0);
    for (const Piece& p : pieces) {
        ++first_piece[p.part + 1];
    }
    std::partial_sum(first_piece.begin(), first_piece.end(), first_piece.begin());  // pieces are in part order
    std::vector<std::size_t> largest_piece(made.polygons.size(), 0);
    for (std::size_t i = 0; i < made.polygons.size(); ++i) {
        int most = -1;
        for (std::size_t j = first_piece[i]; j < first_piece[i + 1]; ++j) {
            const int n = GEOSGetNumCoordinates_r(geos.ctx(), pieces[j].geometry.get());
            if (n > most) {
                most = n;
                largest_piece[i] = j;
            }
        }
    }
    std::vector<std::unique_ptr<const GEOSPreparedGeometry, decltype(prepared_destroy)>> prepared_pieces;
    prepared_pieces.reserve(pieces.size());
    for (std::size_t j = 0; j < pieces.size(); ++j) {
        prepared_pieces.emplace_back(nullptr, prepared_destroy);
    }
    const auto prepared_piece = [&](std::size_t j) {
        if (!prepared_pieces[j]) {
            prepared_pieces[j].reset(GEOSPrepare_r(geos.ctx(), pieces[j].geometry.get()));
            if (!prepared_pieces[j]) {
                throw Error(fmt::format("deficit of '{}': cannot prepare a part for point tests: {}", raster.service,
                                        geos.last_error()));
            }
        }
        return prepared_pieces[j].get();
    };
    std::vector<Geos::Ptr> points(origins_over.size());  // made when a test first needs one
    const auto point = [&](std::size_t k) {
        if (!points[k]) {
            points[k] = geos.check(geos.own(GEOSGeom_createPointFromXY_r(geos.ctx(), at(k)[0], at(k)[1])),
                                   "make an origin's point");
        }
        return points[k].get();
    };
    for (std::size_t k = 0; k < origins_over.size(); ++k) {
        if (piece_of[k] != test_in_part) {
            continue;
        }
        const std::uint32_t i = part_of[k];
        if (first_piece[i] == first_piece[i + 1]) {
            piece_of[k] = in_no_piece;  // nothing of its part is inside the zones
            continue;
        }
        const bool clear_of_edge = pieces[first_piece[i]].whole ||
                                   (run_pixels != nullptr ? run_pixels->inside[origin_of[k]] != 0
                                                          : pixel_inside_zones(pixel_of[k]));
        if (!clear_of_edge) {
            continue;  // tested against the part's pieces in order
        }
        std::size_t in = largest_piece[i];
        for (std::size_t j = first_piece[i]; j < first_piece[i + 1]; ++j) {
            if (j != largest_piece[i] && GEOSPreparedIntersects_r(geos.ctx(), prepared_piece(j), point(k)) == 1) {
                in = j;
                break;
            }
        }
        piece_of[k] = static_cast<std::uint32_t>(in);
    }
    // The origins of each piece (told by their pixel) and of each part (to test), in origin order.
    const auto bucket = [&](std::size_t buckets, auto&& key) {
        std::vector<std::size_t> first(buckets + 1, 0);
        for (std::size_t k = 0; k < origins_over.size(); ++k) {
            if (const std::size_t b = key(k); b < buckets) {
                ++first[b + 1];
            }
        }
        std::partial_sum(first.begin(), first.end(), first.begin());
        std::vector<std::uint32_t> members(first.back());
        std::vector<std::size_t> next(first.begin(), first.end() - 1);
        for (std::size_t k = 0; k < origins_over.size(); ++k) {
            if (const std::size_t b = key(k); b < buckets) {
                members[next[b]++] = static_cast<std::uint32_t>(k);
            }
        }
        return std::pair(std::move(first), std::move(members));
    };
    const auto [first_in_piece, in_pieces] =
        bucket(pieces.size(), [&](std::size_t k) -> std::size_t { return piece_of[k] < pieces.size() ? piece_of[k] : pieces.size(); });
    const auto [first_to_test, to_test] = bucket(made.polygons.size(), [&](std::size_t k) -> std::size_t {
        return piece_of[k] == test_in_part ? part_of[k] : made.polygons.size();
    });

    std::vector<std::uint32_t> with_point;  // in origin order
    for (std::size_t k = 0; k < origins_over.size(); ++k) {
        if (located(k) && piece_of[k] == test_nearby) {
            with_point.push_back(static_cast<std::uint32_t>(k));
        }
    }
    // By x, then origin: the same as by x, then rank among those beyond (ranks follow origins).
    std::vector<std::uint32_t> by_x;
    by_x.reserve(with_point.size());
    for (const std::uint32_t o : placed_origins->by_x) {
        if (over_of[o] != not_over && piece_of[over_of[o]] == test_nearby) {
            by_x.push_back(over_of[o]);
        }
    }
    std::vector<double> xs;
    xs.reserve(by_x.size());
    for (const auto k : by_x) {
        xs.push_back(at(k)[0]);
    }
    std::vector<std::uint32_t> candidates;  // tested against the piece's geometry
    std::vector<std::uint32_t> in_piece;
    std::vector<bool> placed(origins_over.size(), false);
    std::vector<Geos::Ptr> kept;  // the parts as written (WGS84, or the raster's CRS)
    for (std::size_t j = 0; j < pieces.size(); ++j) {
        Geos::Ptr& piece = pieces[j].geometry;
        const std::uint32_t part_index = pieces[j].part;
        const double area = detail::area_of(geos, piece.get());
        if (area < min_part) {
            continue;  // a sliver left by the clip
        }
        DeficitPart part;
        part.area_km2 = area / 1e6;
        double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
        const bool boxed = GEOSGeom_getXMin_r(geos.ctx(), piece.get(), &x0) == 1 &&
                           GEOSGeom_getYMin_r(geos.ctx(), piece.get(), &y0) == 1 &&
                           GEOSGeom_getXMax_r(geos.ctx(), piece.get(), &x1) == 1 &&
                           GEOSGeom_getYMax_r(geos.ctx(), piece.get(), &y1) == 1;
        in_piece.assign(in_pieces.begin() + static_cast<std::ptrdiff_t>(first_in_piece[j]),
                        in_pieces.begin() + static_cast<std::ptrdiff_t>(first_in_piece[j + 1]));
        candidates.clear();
        for (std::size_t m = first_to_test[part_index]; m < first_to_test[part_index + 1]; ++m) {
            if (!placed[to_test[m]]) {
                candidates.push_back(to_test[m]);
            }
        }
        // The points on grid lines in its box.
        if (boxed) {
            const auto first = std::lower_bound(xs.begin(), xs.end(), x0) - xs.begin();
            const auto last = std::upper_bound(xs.begin(), xs.end(), x1) - xs.begin();
            for (auto i = first; i < last; ++i) {
                const std::uint32_t k = by_x[static_cast<std::size_t>(i)];
                if (!placed[k] && at(k)[1] >= y0 && at(k)[1] <= y1) {
                    candidates.push_back(k);
                }
            }
        } else {
            for (const std::uint32_t k : with_point) {
                if (!placed[k]) {
                    candidates.push_back(k);
                }
            }
        }
        for (const std::uint32_t k : candidates) {
            if (GEOSPreparedIntersects_r(geos.ctx(), prepared_piece(j), point(k)) == 1) {
                in_piece.push_back(k);
            }
        }
        prepared_pieces[j].reset();
        // In origin order: the label's ties go to the first origin.
        std::sort(in_piece.begin(), in_piece.end());
        double largest = -1;
        for (const std::uint32_t k : in_piece) {
            placed[k] = true;
            part.population_over += origins_over[k].population;
            ++part.origins_over;
            if (origins_over[k].population > largest) {
                largest = origins_over[k].population;
                part.label_point = origins_over[k].position;  // the label goes where the people are
            }
        }
        if (part.origins_over == 0) {
            part.label_point = inside_point(geos, piece.get(), projection());
        }
        if (options.raster_crs) {
            // Valid as made (the union of valid pixel polygons, clipped): no conversion, no repair.
            part.wkb_raster_crs = detail::normalised_wkb(geos, piece.get(), "deficit area");
            out.area_km2 += part.area_km2;
            out.parts.push_back(std::move(part));
            kept.push_back(std::move(piece));
            continue;
        }
        Geos::Ptr lonlat = detail::to_wgs84(geos, piece.get(), grid.resolution_m, projection(), "deficit area");
        if (!lonlat) {
            for (const std::uint32_t k : in_piece) {
                placed[k] = false;  // nothing left of the part: its people are counted outside, not lost
            }
            continue;
        }
        part.wkb_wgs84 = detail::normalised_wkb(geos, lonlat.get(), "deficit area");
        out.area_km2 += part.area_km2;
        out.parts.push_back(std::move(part));
        if (GEOSGeomTypeId_r(geos.ctx(), lonlat.get()) == GEOS_POLYGON) {
            kept.push_back(std::move(lonlat));
        } else {
            collect_polygons(geos, lonlat.get(), kept);  // split by a repair
        }
    }
    out.population_outside = 0.0;
    out.origins_outside = 0;
    for (std::size_t k = 0; k < origins_over.size(); ++k) {
        if (!placed[k]) {
            out.population_outside += origins_over[k].population;
            ++out.origins_outside;
        }
    }
    std::sort(out.parts.begin(), out.parts.end(), [](const DeficitPart& a, const DeficitPart& b) {
        return std::tie(b.population_over, b.area_km2, a.wkb_wgs84, a.wkb_raster_crs) <
               std::tie(a.population_over, a.area_km2, b.wkb_wgs84, b.wkb_raster_crs);
    });
    // The whole: its parts as converted (disjoint pieces of one clip), not converted a second time.
    if (const Geos::Ptr all = polygonal(geos, std::move(kept))) {
        (options.raster_crs ? out.wkb_raster_crs : out.wkb_wgs84) = detail::normalised_wkb(geos, all.get(), "deficit area");
    }
    return out;
}

} // namespace proxima
