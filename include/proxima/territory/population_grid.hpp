#pragma once
// Population on a square grid (INSEE Filosofi carreaux, 200 m or 1 km, ETRS89-LAEA EPSG:3035),
// read from CSV with either cell-centre coordinates (x, y) or INSEE cell ids
// (e.g. "CRS3035RES200mN2029800E4252400", the south-west corner; the centre is half a cell
// further north and east). Cells are assigned to the zone containing their centre.

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "proxima/graph/ids.hpp"
#include "proxima/territory/zones.hpp"

namespace proxima {

struct GridCell {
    std::string id;            ///< INSEE id if given, else "x_y" of the centre in the grid CRS
    double x = 0.0;            ///< centre, grid CRS (metres)
    double y = 0.0;
    LonLat centre;             ///< centre in WGS84
    double population = 0.0;   ///< inhabitants (Filosofi values can be fractional: 11.5)
    std::uint64_t line = 0;    ///< line in the source file
};

struct PopulationGridOptions {
    std::string x_field;           ///< empty: first of x, X, x_centroid
    std::string y_field;           ///< empty: first of y, Y, y_centroid
    std::string id_field;          ///< empty: first of IdINSPIRE, Idcar_200m, Idcar_1km, id_carr, id (used when x/y absent)
    std::string population_field;  ///< empty: first of Ind, ind, population, pop
    std::string crs = "EPSG:3035"; ///< CRS of x/y
    std::optional<double> cell_size_m;  ///< empty: from the ids, else from the spacing of the centres
};

struct PopulationGrid {
    std::vector<GridCell> cells;
    double cell_size_m = 0.0;
    double total_population = 0.0;
    std::string source;
    std::string crs;
};

/// Reads a grid. Throws InputError naming file, line and value for missing columns (listing those
/// present), non-numeric or negative values, malformed ids, duplicate cells, or an empty file.
[[nodiscard]] PopulationGrid read_population_grid(const std::filesystem::path& path,
                                                  const PopulationGridOptions& options = {});

/// Which zone holds each cell centre. Every inhabitant is accounted for: cells outside every zone
/// are counted with their population, never dropped silently.
struct CellAssignment {
    static constexpr std::size_t outside = std::numeric_limits<std::size_t>::max();
    std::vector<std::size_t> zone_of_cell;   ///< per cell: index into zones, or outside
    std::vector<double> population_of_zone;  ///< per zone: sum of its cells
    double population_inside = 0.0;
    double population_outside = 0.0;
    std::size_t cells_outside = 0;
};
[[nodiscard]] CellAssignment assign_cells_to_zones(const PopulationGrid& grid, const ZoneLayer& zones);

} // namespace proxima
