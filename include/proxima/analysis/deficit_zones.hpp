#pragma once
// Deficit zones as polygons: the part of the territory beyond a threshold, made with GEOS and
// valid. Two shapes of input: grid cells (squares dissolved into one multipolygon) and zone
// polygons (dissolved).
//
// Every output is WKB, little-endian and 2D, in WGS84 longitude/latitude: a Polygon when the
// result is in one piece, else a MultiPolygon; valid (repaired by GEOS if needed) and normalised
// (GEOS's canonical ring start, orientation and order), so that the same set of inputs gives the
// same bytes whatever their order. Lines and points left by a union or a repair are dropped.

#include <string>
#include <utility>
#include <vector>

namespace proxima {

/// Union of polygons given as WKB (WGS84 lon/lat) into one valid (multi)polygon, WKB WGS84.
/// Invalid inputs are repaired first; collections contribute their polygons. Empty input (or
/// only empty polygons) gives an empty vector. Throws Error, naming the input's position, if a
/// WKB cannot be read or is a point or a line.
[[nodiscard]] std::vector<unsigned char> dissolve_polygons(const std::vector<std::vector<unsigned char>>& polygons);

/// Square cells of side `cell_size_m` centred on (x, y) in `grid_crs` (e.g. EPSG:3035),
/// dissolved into one valid (multi)polygon and returned as WKB in WGS84 lon/lat. Cells that
/// share an edge merge without slivers (the union is made in the grid CRS, then reprojected);
/// edges longer than a cell are cut at each cell length before reprojection so that they follow
/// the projection. A centre given twice counts once. Empty input gives an empty vector.
/// Throws ConfigError for an empty, unknown or non-projected CRS (even with no cells) or a cell
/// size that is not a positive length; Error for a point PROJ cannot convert.
[[nodiscard]] std::vector<unsigned char> dissolve_cells(const std::vector<std::pair<double, double>>& centres,
                                                        double cell_size_m, const std::string& grid_crs);

/// The square of one cell as WKB WGS84 (for the `cells` layer): its vertices are those of the
/// dissolved zones containing it. Throws as dissolve_cells(). The conversion to WGS84 is built
/// once per thread and CRS, so calling this per cell is cheap.
[[nodiscard]] std::vector<unsigned char> cell_polygon(double x, double y, double cell_size_m, const std::string& grid_crs);

} // namespace proxima
