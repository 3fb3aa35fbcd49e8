#pragma once
// Population on a square grid (INSEE Filosofi carreaux, 200 m or 1 km, ETRS89-LAEA EPSG:3035),
// read from a CSV or the first layer of a GDAL vector file (the Filosofi GeoPackages) with
// either cell-centre coordinates (x, y) or INSEE cell ids (e.g. "CRS3035RES200mN2029800E4252400",
// the south-west corner; the centre is half a cell further north and east). A layer's geometry is
// not read: the id is the grid reference. The published Filosofi layouts of 2015 (IdINSPIRE,
// Ind), 2017 (Idcar_200m / Idcar_1km, Ind) and 2019 (idcar_200m / idcar_1km, ind) are recognised
// without options: column names match ignoring case. Cells are assigned to the zone containing
// their centre.
//
// Positions are checked once, at reading: every centre must convert to WGS84 and fall within the
// area of use of the grid's CRS (with 1 degree of margin), which catches a wrong CRS. That area is
// a bounding box: for EPSG:3035 it spans the Atlantic from 35.6 W, so swapped x/y columns of a
// grid in mainland France land at sea inside it and are not caught here; they show up at
// assignment as every inhabitant falling outside the zones.

#include <array>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "proxima/core/log.hpp"
#include "proxima/graph/ids.hpp"
#include "proxima/territory/zones.hpp"

namespace proxima {

/// Filosofi's age columns (2019 names; 2015 capitalises them: Ind_0_3...), youngest first: the
/// inhabitants of each cell by age, in years; the last band is open (80 and over).
struct FilosofiAgeBand {
    const char* column;
    int from_years;
    int to_years;  ///< included; -1: no upper bound
};
inline constexpr std::array<FilosofiAgeBand, 10> filosofi_age_bands = {{{"ind_0_3", 0, 3},
                                                                       {"ind_4_5", 4, 5},
                                                                       {"ind_6_10", 6, 10},
                                                                       {"ind_11_17", 11, 17},
                                                                       {"ind_18_24", 18, 24},
                                                                       {"ind_25_39", 25, 39},
                                                                       {"ind_40_54", 40, 54},
                                                                       {"ind_55_64", 55, 64},
                                                                       {"ind_65_79", 65, 79},
                                                                       {"ind_80p", 80, -1}}};
using AgeCounts = std::array<double, filosofi_age_bands.size()>;

struct GridCell {
    std::string id;            ///< INSEE id if read from ids, else "x_y" of the centre in the grid CRS
    double x = 0.0;            ///< centre, grid CRS (metres)
    double y = 0.0;
    LonLat centre;             ///< centre in WGS84
    double population = 0.0;   ///< inhabitants (Filosofi values can be fractional: 11.5)
    std::uint64_t line = 0;    ///< line in the source file
    AgeCounts ages{};          ///< inhabitants per filosofi_age_bands (zeros when the file has none)
};

struct PopulationGridOptions {
    // Column names, configured or default, match ignoring case.
    std::string x_field;           ///< empty: first of x, x_centroid
    std::string y_field;           ///< empty: first of y, y_centroid
    /// empty: first of IdINSPIRE, Idcar_200m, Idcar_1km, id_carr, id (a 200 m file holds both
    /// ids: its rows are 200 m cells). Used when there are no x/y columns, or when id_field is set
    /// and x_field/y_field are not.
    std::string id_field;
    std::string population_field;  ///< empty: first of Ind, population, pop
    std::string crs = "EPSG:3035"; ///< projected CRS of x/y (metres), and of ids when !crs_from_ids
    /// Ids name their CRS (CRS3035... in metropolitan France, CRS5490..., CRS2975... overseas):
    /// when true (no CRS set by the user), the first id's CRS is the grid's and every id must
    /// name it; when false, every id must name `crs`.
    bool crs_from_ids = true;
    /// Empty: from the ids, else the smallest gap between distinct x, which must then be 200 or
    /// 1000 m (the INSEE grids); set it for any other grid.
    std::optional<double> cell_size_m;
};

struct PopulationGrid {
    std::vector<GridCell> cells;    ///< in file order
    double cell_size_m = 0.0;
    double total_population = 0.0;  ///< sum over the cells
    std::string source;             ///< file path
    std::string crs;                ///< CRS of GridCell::x/y: as set, or named by the ids
    std::string layout;             ///< the columns read, e.g. "cell ids (idcar_200m), population ind"
    bool has_ages = false;          ///< the file has every column of filosofi_age_bands (read into GridCell::ages)
};

/// Reads a grid. Throws InputError naming file, line (CSV) or feature (layer) and value for a
/// layout not recognised (listing the columns present and the layouts known), non-numeric or negative values, malformed ids, duplicate cells (naming both lines),
/// centres outside the CRS's area of use, a cell size that cannot be inferred, or an empty file;
/// ConfigError for a CRS PROJ does not know or that is not projected, or a cell_size_m that is not
/// positive or contradicts the ids.
[[nodiscard]] PopulationGrid read_population_grid(const std::filesystem::path& path,
                                                  const PopulationGridOptions& options = {}, const Log& log = Log{});

/// Which zone holds each cell centre. Every inhabitant is accounted for: cells outside every zone
/// are counted with their population, never dropped silently. A centre on the border between
/// zones (it intersects both) goes to the one with the lowest index, so that it counts once.
struct CellAssignment {
    static constexpr std::size_t outside = std::numeric_limits<std::size_t>::max();
    std::vector<std::size_t> zone_of_cell;   ///< per cell: index into zones, or outside
    std::vector<double> population_of_zone;  ///< per zone: sum of its cells
    double population_inside = 0.0;
    double population_outside = 0.0;
    std::size_t cells_outside = 0;
};
/// Throws InputError if a zone's WKB cannot be read.
[[nodiscard]] CellAssignment assign_cells_to_zones(const PopulationGrid& grid, const ZoneLayer& zones);

} // namespace proxima
