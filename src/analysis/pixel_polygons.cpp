#include "pixel_polygons.hpp"

#include <algorithm>
#include <memory>

#include <cpl_error.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <ogr_api.h>

#include "core/gdal_handles.hpp"
#include "core/geos_reproject.hpp"

namespace proxima::detail {

double area_of(const Geos& geos, const GEOSGeometry* g) {
    double area = 0.0;
    if (GEOSArea_r(geos.ctx(), g, &area) == 0) {
        throw Error(fmt::format("GEOS failed to measure an area: {}", geos.last_error()));
    }
    return area;
}

namespace {

DatasetPtr check_dataset(GDALDatasetH ds, const char* what) {
    if (ds == nullptr) {
        throw Error(fmt::format("GDAL could not create {}: {}", what, CPLGetLastErrorMsg()));
    }
    return DatasetPtr(ds);
}

} // namespace

std::vector<Geos::Ptr> mask_polygons(const Geos& geos, const RasterGrid& grid, const std::vector<unsigned char>& mask) {
    if (grid.width <= 0 || grid.height <= 0 || mask.size() != grid.pixel_count()) {
        throw Error(fmt::format("pixel polygons: {} mask bytes for {} x {} pixels", mask.size(), grid.width, grid.height));
    }
    static const bool registered = [] {
        GDALAllRegister();
        return true;
    }();
    (void)registered;
    GDALDriverH mem = GDALGetDriverByName("MEM");
    GDALDriverH memory = GDALGetDriverByName("Memory");
    if (mem == nullptr || memory == nullptr) {
        throw Error("GDAL has no MEM/Memory driver: the GDAL library is incomplete");
    }
    const DatasetPtr raster =
        check_dataset(GDALCreate(mem, "", grid.width, grid.height, 1, GDT_Byte, nullptr), "an in-memory raster");
    // Pixel corners on the grid lines: x = min_x + col * resolution, y = max_y - row * resolution.
    double transform[6] = {grid.min_x, grid.resolution_m, 0.0, grid.max_y, 0.0, -grid.resolution_m};
    GDALSetGeoTransform(raster.get(), transform);
    GDALRasterBandH band = GDALGetRasterBand(raster.get(), 1);
    if (GDALRasterIO(band, GF_Write, 0, 0, grid.width, grid.height, const_cast<unsigned char*>(mask.data()),
                     grid.width, grid.height, GDT_Byte, 0, 0) != CE_None) {
        throw Error(fmt::format("GDAL could not fill an in-memory raster: {}", CPLGetLastErrorMsg()));
    }
    const DatasetPtr vector = check_dataset(GDALCreate(memory, "", 0, 0, 0, GDT_Unknown, nullptr), "an in-memory layer");
    OGRLayerH layer = GDALDatasetCreateLayer(vector.get(), "pixels", nullptr, wkbPolygon, nullptr);
    OGRFieldDefnH field = OGR_Fld_Create("value", OFTInteger);
    const bool made = layer != nullptr && OGR_L_CreateField(layer, field, TRUE) == OGRERR_NONE;
    OGR_Fld_Destroy(field);
    if (!made) {
        throw Error(fmt::format("GDAL could not create an in-memory layer: {}", CPLGetLastErrorMsg()));
    }
    // The band is its own mask: only the selected pixels (value 1) become polygons.
    if (GDALPolygonize(band, band, layer, 0, nullptr, nullptr, nullptr) != CE_None) {
        throw Error(fmt::format("GDAL could not trace the pixel polygons: {}", CPLGetLastErrorMsg()));
    }
    // A traced ring can touch itself (or a hole its shell) only where two selected pixels meet at
    // a corner with the other two of the 2 x 2 block unselected: polygons whose box holds no such
    // corner are valid as traced, and only the others are checked (the check is costly).
    std::vector<std::pair<double, double>> corners;  // (y, x) of those corners, sorted
    const auto w = static_cast<std::size_t>(grid.width);
    for (int r = 1; r < grid.height; ++r) {
        const unsigned char* above = mask.data() + static_cast<std::size_t>(r - 1) * w;
        const unsigned char* below = above + w;
        for (int c = 1; c < grid.width; ++c) {
            const bool a = above[c - 1] != 0;
            const bool b = above[c] != 0;
            const bool d = below[c - 1] != 0;
            const bool e = below[c] != 0;
            if (a == e && b == d && a != b) {
                corners.emplace_back(grid.line_y(r), grid.line_x(c));
            }
        }
    }
    std::sort(corners.begin(), corners.end());
    const auto may_touch_itself = [&](const GEOSGeometry* g) {
        double x0 = 0;
        double y0 = 0;
        double x1 = 0;
        double y1 = 0;
        if (GEOSGeom_getXMin_r(geos.ctx(), g, &x0) == 0 || GEOSGeom_getYMin_r(geos.ctx(), g, &y0) == 0 ||
            GEOSGeom_getXMax_r(geos.ctx(), g, &x1) == 0 || GEOSGeom_getYMax_r(geos.ctx(), g, &y1) == 0) {
            return true;
        }
        for (auto it = std::lower_bound(corners.begin(), corners.end(), std::make_pair(y0, x0));
             it != corners.end() && it->first <= y1; ++it) {
            if (it->second >= x0 && it->second <= x1) {
                return true;
            }
        }
        return false;
    };
    std::vector<Geos::Ptr> out;
    std::vector<unsigned char> wkb;
    OGR_L_ResetReading(layer);
    while (OGRFeatureH feature = OGR_L_GetNextFeature(layer)) {
        OGRGeometryH g = OGR_F_GetGeometryRef(feature);
        if (g != nullptr) {
            wkb.resize(static_cast<std::size_t>(OGR_G_WkbSize(g)));
            OGR_G_ExportToWkb(g, wkbNDR, wkb.data());
            Geos::Ptr polygon = geos.read_wkb(wkb);
            if (!polygon) {
                OGR_F_Destroy(feature);
                throw Error(fmt::format("GEOS could not read a traced pixel polygon: {}", geos.last_error()));
            }
            if (!may_touch_itself(polygon.get()) || GEOSisValid_r(geos.ctx(), polygon.get()) == 1) {
                out.push_back(std::move(polygon));
            } else {
                // A ring touching itself where pixels meet at a corner: the repair splits it.
                const Geos::Ptr repaired =
                    geos.check(geos.own(GEOSMakeValid_r(geos.ctx(), polygon.get())), "repair a pixel polygon");
                collect_polygons(geos, repaired.get(), out);
            }
        }
        OGR_F_Destroy(feature);
    }
    return out;
}

namespace {

/// remove_specks() when a speck can only be one pixel (the default sizes, 2 pixels): a pixel
/// none of whose 4 neighbours has its value. Flipping one never makes or unmakes another (its
/// neighbours all have the other value), so one pass per value does it, with no flood fill.
void remove_lone_pixels(std::vector<unsigned char>& mask, std::size_t w, std::size_t h, bool parts, bool holes) {
    const auto lone = [&](std::size_t r, std::size_t c, unsigned char value) {
        const std::size_t i = r * w + c;
        return (c == 0 || mask[i - 1] != value) && (c + 1 == w || mask[i + 1] != value) &&
               (r == 0 || mask[i - w] != value) && (r + 1 == h || mask[i + w] != value);
    };
    if (parts) {
        for (std::size_t r = 0; r < h; ++r) {
            for (std::size_t c = 0; c < w; ++c) {
                if (mask[r * w + c] == 1 && lone(r, c, 1)) {
                    mask[r * w + c] = 0;
                }
            }
        }
    }
    if (holes) {  // a hole does not reach the edge
        for (std::size_t r = 1; r + 1 < h; ++r) {
            for (std::size_t c = 1; c + 1 < w; ++c) {
                if (mask[r * w + c] == 0 && lone(r, c, 0)) {
                    mask[r * w + c] = 1;
                }
            }
        }
    }
}

} // namespace

void remove_specks(std::vector<unsigned char>& mask, int width, int height, double min_part_pixels,
                   double min_hole_pixels) {
    const auto w = static_cast<std::size_t>(width);
    const auto h = static_cast<std::size_t>(height);
    if (mask.size() != w * h) {
        throw Error(fmt::format("pixel specks: {} mask bytes for {} x {} pixels", mask.size(), width, height));
    }
    if (min_part_pixels <= 2 && min_hole_pixels <= 2) {
        remove_lone_pixels(mask, w, h, min_part_pixels > 1, min_hole_pixels > 1);
        return;
    }
    std::vector<unsigned char> seen(mask.size(), 0);
    std::vector<std::size_t> stack;
    std::vector<std::size_t> region;
    // Every 4-connected region of `value`: those smaller than `limit` (and, for holes, not on
    // the edge) take the other value. Parts first, so that a dropped island becomes hole.
    const auto sweep = [&](unsigned char value, double limit, bool holes) {
        std::fill(seen.begin(), seen.end(), 0);
        for (std::size_t start = 0; start < mask.size(); ++start) {
            if (mask[start] != value || seen[start] != 0) {
                continue;
            }
            region.clear();
            std::size_t size = 0;
            bool on_edge = false;
            stack.assign(1, start);
            seen[start] = 1;
            while (!stack.empty()) {
                const std::size_t i = stack.back();
                stack.pop_back();
                if (static_cast<double>(++size) < limit) {
                    region.push_back(i);  // only a region that may be small needs its pixels again
                }
                const std::size_t r = i / w;
                const std::size_t c = i % w;
                on_edge = on_edge || r == 0 || c == 0 || r + 1 == h || c + 1 == w;
                const auto visit = [&](std::size_t j) {
                    if (mask[j] == value && seen[j] == 0) {
                        seen[j] = 1;
                        stack.push_back(j);
                    }
                };
                if (c > 0) visit(i - 1);
                if (c + 1 < w) visit(i + 1);
                if (r > 0) visit(i - w);
                if (r + 1 < h) visit(i + w);
            }
            if (static_cast<double>(size) < limit && !(holes && on_edge)) {
                for (const std::size_t i : region) {
                    mask[i] = value == 0 ? 1 : 0;
                }
            }
        }
    };
    if (min_part_pixels > 1) {
        sweep(1, min_part_pixels, false);
    }
    if (min_hole_pixels > 1) {
        sweep(0, min_hole_pixels, true);
    }
}

std::vector<unsigned char> to_wgs84_wkb(const Geos& geos, const GEOSGeometry* g, double densify_m,
                                        const ProjectedToWgs84& projection, const std::string& what) {
    const Geos::Ptr lonlat = to_wgs84(geos, g, densify_m, projection, what);
    return lonlat ? normalised_wkb(geos, lonlat.get(), what) : std::vector<unsigned char>{};
}

Geos::Ptr to_wgs84(const Geos& geos, const GEOSGeometry* g, double densify_m, const ProjectedToWgs84& projection,
                   const std::string& what) {
    const Geos::Ptr dense = geos.check(geos.own(GEOSDensify_r(geos.ctx(), g, densify_m)), ("densify " + what).c_str());
    Geos::Ptr lonlat = reproject_to_wgs84(geos, dense.get(), projection, what);
    if (GEOSisValid_r(geos.ctx(), lonlat.get()) != 1) {
        const Geos::Ptr repaired = geos.check(geos.own(GEOSMakeValid_r(geos.ctx(), lonlat.get())), ("repair " + what).c_str());
        std::vector<Geos::Ptr> parts;
        collect_polygons(geos, repaired.get(), parts);  // a repair can leave lines where areas collapsed
        lonlat = polygonal(geos, std::move(parts));
    }
    return lonlat;
}

std::vector<unsigned char> normalised_wkb(const Geos& geos, GEOSGeometry* g, const std::string& what) {
    if (GEOSNormalize_r(geos.ctx(), g) != 0) {
        throw Error(fmt::format("GEOS failed to normalise {}: {}", what, geos.last_error()));
    }
    return geos.write_wkb(g);
}

} // namespace proxima::detail
