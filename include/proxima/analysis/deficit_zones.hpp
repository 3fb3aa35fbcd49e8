#pragma once
// Deficit zones as polygons: the part of the territory beyond a threshold, made with GEOS and
// valid. Two shapes of input: grid cells (squares dissolved into one multipolygon) and zone
// polygons (dissolved).

#include <string>
#include <vector>

namespace proxima {

/// Union of polygons given as WKB (WGS84 lon/lat) into one valid (multi)polygon, WKB WGS84.
/// Empty input gives an empty vector. Throws Error if a WKB cannot be read.
[[nodiscard]] std::vector<unsigned char> dissolve_polygons(const std::vector<std::vector<unsigned char>>& polygons);

/// Square cells of side `cell_size_m` centred on (x, y) in `grid_crs` (e.g. EPSG:3035),
/// dissolved into one valid (multi)polygon and returned as WKB in WGS84 lon/lat. Cells that
/// share an edge merge without slivers (the union is made in the grid CRS, then reprojected).
/// Empty input gives an empty vector. Throws ConfigError for an unknown CRS.
[[nodiscard]] std::vector<unsigned char> dissolve_cells(const std::vector<std::pair<double, double>>& centres,
                                                        double cell_size_m, const std::string& grid_crs);

/// The square of one cell as WKB WGS84 (for the `cells` layer).
[[nodiscard]] std::vector<unsigned char> cell_polygon(double x, double y, double cell_size_m, const std::string& grid_crs);

} // namespace proxima
