#include "proxima/territory/population_grid.hpp"
#include "proxima/territory/zone_locator.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>
#include <numeric>
#include <string_view>
#include <tuple>

#include <fmt/format.h>
#include <geos_c.h>
#include <proj.h>

#include "proxima/core/csv_reader.hpp"
#include "core/geos_context.hpp"
#include "core/proj_to_wgs84.hpp"
#include "proxima/core/error.hpp"
#include "proxima/territory/population_value.hpp"

namespace proxima {

namespace {

const std::initializer_list<std::string_view> x_names = {"x", "X", "x_centroid"};
const std::initializer_list<std::string_view> y_names = {"y", "Y", "y_centroid"};
const std::initializer_list<std::string_view> id_names = {"IdINSPIRE", "Idcar_200m", "Idcar_1km", "id_carr", "id"};
const std::initializer_list<std::string_view> population_names = {"Ind", "ind", "population", "pop"};

/// Cell sizes of the INSEE grids, the only ones we dare infer from the spacing of the centres.
constexpr double inferable_sizes_m[] = {200.0, 1000.0};

int first_present(const CsvReader& csv, std::initializer_list<std::string_view> names) {
    for (auto name : names) {
        if (const int c = csv.column(name); c >= 0) {
            return c;
        }
    }
    return -1;
}

/// The configured column, else the first default present; throws (listing the columns) if none.
int require(const CsvReader& csv, const std::string& configured, std::initializer_list<std::string_view> defaults) {
    return configured.empty() ? csv.require_column(defaults) : csv.require_column({std::string_view(configured)});
}

std::string join(std::initializer_list<std::string_view> names) {
    std::string out;
    for (auto n : names) {
        out += (out.empty() ? "" : ", ") + std::string(n);
    }
    return out;
}

/// An INSEE / INSPIRE cell id: "CRS3035RES200mN2029800E4252400".
struct CellId {
    std::string crs;      ///< "EPSG:3035"
    double size_m = 0.0;  ///< 200
    double north = 0.0;   ///< south-west corner, metres
    double east = 0.0;
};

/// Parses an id strictly (digits only, nothing before or after): a sloppy parse would shift
/// cells silently. nullopt if malformed.
std::optional<CellId> parse_cell_id(std::string_view text) {
    auto expect = [&](std::string_view literal) {
        if (text.substr(0, literal.size()) != literal) {
            return false;
        }
        text.remove_prefix(literal.size());
        return true;
    };
    auto number = [&]() -> std::optional<std::int64_t> {
        std::size_t n = 0;
        while (n < text.size() && text[n] >= '0' && text[n] <= '9') {
            ++n;
        }
        if (n == 0 || n > 12) {  // 12 digits: far beyond any projected coordinate, no overflow
            return std::nullopt;
        }
        std::int64_t v = 0;
        std::from_chars(text.data(), text.data() + n, v);
        text.remove_prefix(n);
        return v;
    };
    CellId id;
    if (!expect("CRS")) {
        return std::nullopt;
    }
    const auto epsg = number();
    if (!epsg || !expect("RES")) {
        return std::nullopt;
    }
    const auto size = number();
    if (!size || *size == 0 || !expect("mN")) {
        return std::nullopt;
    }
    const auto north = number();
    if (!north || !expect("E")) {
        return std::nullopt;
    }
    const auto east = number();
    if (!east || !text.empty()) {
        return std::nullopt;
    }
    id.crs = fmt::format("EPSG:{}", *epsg);
    id.size_m = static_cast<double>(*size);
    id.north = static_cast<double>(*north);
    id.east = static_cast<double>(*east);
    // INSPIRE cells are aligned on multiples of their size; a corner off the grid means a typo.
    if (*north % *size != 0 || *east % *size != 0) {
        return std::nullopt;
    }
    return id;
}

/// A grid coordinate in metres. Grid CRSs (LAEA, Lambert, UTM) have positive coordinates over
/// their area; a negative value means a wrong column or a wrong sign.
double coordinate(const CsvReader& csv, int column, std::string_view axis, const std::string& crs) {
    const std::string text = csv.field(column);
    const auto v = parse_decimal(text);
    if (!v) {
        throw InputError(fmt::format("{}: {} '{}' (column {}) is not a number; expected metres in {}", csv.where(),
                                     axis, text, csv.columns()[static_cast<std::size_t>(column)], crs));
    }
    if (*v < 0) {
        throw InputError(fmt::format("{}: {} '{}' (column {}) is negative; grid coordinates in {} are positive metres",
                                     csv.where(), axis, text, csv.columns()[static_cast<std::size_t>(column)], crs));
    }
    return *v;
}

/// Conversion of grid coordinates to WGS84 lon/lat, and the area where the grid's CRS is meant to
/// be used. Built before reading the cells so that a wrong CRS fails before a long read.
class GridToWgs84 {
public:
    /// Throws ConfigError for an empty, unknown or non-projected CRS.
    GridToWgs84(const std::string& crs, const std::string& source)
        : m_projection(crs, fmt::format("population grid '{}'", source)), m_crs(crs), m_source(source) {}

    /// "EPSG:3035" as PROJ identifies the CRS (whatever the spelling given), or "".
    [[nodiscard]] const std::string& authority_code() const { return m_projection.authority_code(); }

    /// Fills each cell's WGS84 centre. Throws InputError, with the line, for the first centre
    /// that cannot be converted or falls outside the CRS's area of use.
    void locate(std::vector<GridCell>& cells) const {
        const detail::ProjectedToWgs84& area = m_projection;
        std::vector<double> lon(cells.size());
        std::vector<double> lat(cells.size());
        for (std::size_t i = 0; i < cells.size(); ++i) {
            lon[i] = cells[i].x;
            lat[i] = cells[i].y;
        }
        proj_trans_generic(m_projection.pj(), PJ_FWD, lon.data(), sizeof(double), lon.size(), lat.data(),
                           sizeof(double), lat.size(), nullptr, 0, 0, nullptr, 0, 0);
        const double margin = 1.0;  // degrees: grids of a coast or a border reach a little beyond
        auto within = [&](double lo, double v, double hi) { return v >= lo - margin && v <= hi + margin; };
        for (std::size_t i = 0; i < cells.size(); ++i) {
            const bool converted = std::isfinite(lon[i]) && std::isfinite(lat[i]);  // failures are HUGE_VAL
            // An area crossing the antimeridian has west > east.
            const bool lon_ok = area.west <= area.east ? within(area.west, lon[i], area.east)
                                                 : lon[i] >= area.west - margin || lon[i] <= area.east + margin;
            if (!converted || !lon_ok || !within(area.south, lat[i], area.north)) {
                const std::string at = converted ? fmt::format("lands at lon {:.4f}, lat {:.4f}", lon[i], lat[i])
                                                 : std::string("cannot be converted to WGS84");
                throw InputError(fmt::format("{}:{}: cell centre x {}, y {} {}, outside the area of use of {} (lon "
                                             "{} to {}, lat {} to {}): are the x and y columns swapped, or the "
                                             "coordinates in another CRS?",
                                             m_source, cells[i].line, cells[i].x, cells[i].y, at, m_crs, area.west,
                                             area.east, area.south, area.north));
            }
            cells[i].centre = {lon[i], lat[i]};
        }
    }

private:
    detail::ProjectedToWgs84 m_projection;
    std::string m_crs;
    std::string m_source;
};

/// The smallest positive gap between distinct centre x values: on a regular grid, the cell size.
std::optional<double> smallest_x_gap(const std::vector<GridCell>& cells) {
    std::vector<double> xs;
    xs.reserve(cells.size());
    for (const auto& c : cells) {
        xs.push_back(c.x);
    }
    std::sort(xs.begin(), xs.end());
    xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
    std::optional<double> gap;
    for (std::size_t i = 1; i < xs.size(); ++i) {
        gap = std::min(gap.value_or(xs[i] - xs[i - 1]), xs[i] - xs[i - 1]);
    }
    return gap;
}

/// Throws on the first repeated centre in file order, naming both lines. Sorting positions
/// rather than hashing them keeps memory at one index per cell for national 200 m grids.
void check_duplicates(const std::vector<GridCell>& cells, const std::string& source) {
    std::vector<std::size_t> order(cells.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return std::tie(cells[a].x, cells[a].y, a) < std::tie(cells[b].x, cells[b].y, b);
    });
    std::optional<std::pair<std::size_t, std::size_t>> first;  // (earlier, later), smallest later
    for (std::size_t k = 1; k < order.size(); ++k) {
        const GridCell& a = cells[order[k - 1]];
        const GridCell& b = cells[order[k]];
        if (a.x == b.x && a.y == b.y && (!first || order[k] < first->second)) {
            first = {order[k - 1], order[k]};
        }
    }
    if (first) {
        const GridCell& a = cells[first->first];
        const GridCell& b = cells[first->second];
        throw InputError(fmt::format("{}:{}: cell {} (centre x {}, y {}) is already on line {}; a grid lists each "
                                     "cell once",
                                     source, b.line, b.id, b.x, b.y, a.line));
    }
}

} // namespace

PopulationGrid read_population_grid(const std::filesystem::path& path, const PopulationGridOptions& options,
                                    const Log& log) {
    const std::string p = path.string();
    if (options.cell_size_m && !(*options.cell_size_m > 0 && std::isfinite(*options.cell_size_m))) {
        throw ConfigError(fmt::format("population grid '{}': cell size {} m is not a positive length", p,
                                      *options.cell_size_m));
    }
    const GridToWgs84 to_wgs84(options.crs, p);
    CsvReader csv(path, "population grid", log);

    // x/y centres unless only ids are configured or present.
    int x_col = -1;
    int y_col = -1;
    int id_col = -1;
    const bool xy_configured = !options.x_field.empty() || !options.y_field.empty();
    const bool ids_configured = !options.id_field.empty() && !xy_configured;
    if (xy_configured || (!ids_configured && (first_present(csv, x_names) >= 0 || first_present(csv, y_names) >= 0))) {
        x_col = require(csv, options.x_field, x_names);
        y_col = require(csv, options.y_field, y_names);
    } else {
        id_col = ids_configured ? csv.require_column({std::string_view(options.id_field)})
                                : first_present(csv, id_names);
        if (id_col < 0) {
            std::string present;
            for (const auto& c : csv.columns()) {
                present += (present.empty() ? "" : ", ") + c;
            }
            throw InputError(fmt::format("population grid '{}' has neither cell-centre columns ({} and {}) nor a "
                                         "cell id column ({}); it has: {}. Name them in the options (x_field and "
                                         "y_field, or id_field)",
                                         p, join(x_names), join(y_names), join(id_names),
                                         present.empty() ? "none" : present));
        }
    }
    const int population_col = require(csv, options.population_field, population_names);
    const std::string& population_name = csv.columns()[static_cast<std::size_t>(population_col)];

    PopulationGrid grid;
    grid.source = p;
    grid.crs = options.crs;
    std::optional<double> id_size;
    std::uint64_t id_size_line = 0;
    while (csv.next()) {
        GridCell cell;
        cell.line = csv.line();
        if (id_col >= 0) {
            cell.id = csv.field(id_col);
            const auto id = parse_cell_id(cell.id);
            if (!id) {
                throw InputError(fmt::format("{}: cell id '{}' is not an INSEE grid id such as "
                                             "CRS3035RES200mN2029800E4252400 (CRS code, cell size in metres, then "
                                             "north and east of the south-west corner, multiples of the size)",
                                             csv.where(), cell.id));
            }
            if (id->crs != to_wgs84.authority_code()) {
                throw InputError(fmt::format("{}: cell id '{}' is in {} but the grid's CRS is set to {}", csv.where(),
                                             cell.id, id->crs, options.crs));
            }
            if (!id_size) {
                id_size = id->size_m;
                id_size_line = cell.line;
            } else if (*id_size != id->size_m) {
                throw InputError(fmt::format("{}: cell id '{}' is a {} m cell but line {} holds a {} m cell; a grid "
                                             "has one cell size",
                                             csv.where(), cell.id, id->size_m, id_size_line, *id_size));
            }
            cell.x = id->east + id->size_m / 2;
            cell.y = id->north + id->size_m / 2;
        } else {
            cell.x = coordinate(csv, x_col, "x", options.crs);
            cell.y = coordinate(csv, y_col, "y", options.crs);
            cell.id = fmt::format("{}_{}", cell.x, cell.y);
        }
        const std::string text = csv.field(population_col);
        const double population =
            read_population(text, csv.where(), fmt::format("cell {} (column {})", cell.id, population_name),
                            PopulationFigure::decimal);
        cell.population = population;
        grid.total_population += cell.population;
        grid.cells.push_back(std::move(cell));
    }
    if (grid.cells.empty()) {
        throw InputError(fmt::format("population grid '{}' has a header but no cell", p));
    }
    check_duplicates(grid.cells, p);
    // Before the size: a wrong CRS or swapped columns explain more than an odd spacing would.
    to_wgs84.locate(grid.cells);

    if (options.cell_size_m) {
        if (id_size && *id_size != *options.cell_size_m) {
            throw ConfigError(fmt::format("population grid '{}': cell size set to {} m, but its ids are {} m cells",
                                          p, *options.cell_size_m, *id_size));
        }
        grid.cell_size_m = *options.cell_size_m;
    } else if (id_size) {
        grid.cell_size_m = *id_size;
    } else {
        const auto gap = smallest_x_gap(grid.cells);
        for (const double size : inferable_sizes_m) {
            if (gap && std::abs(*gap - size) < 1e-6) {
                grid.cell_size_m = size;
            }
        }
        if (grid.cell_size_m == 0) {
            throw InputError(fmt::format("population grid '{}': cannot infer the cell size ({}; INSEE grids are 200 "
                                         "or 1000 m): set cell_size_m in the options",
                                         p,
                                         gap ? fmt::format("the closest centres are {} m apart", *gap)
                                             : std::string("all centres share one x")));
        }
    }
    return grid;
}

CellAssignment assign_cells_to_zones(const PopulationGrid& grid, const ZoneLayer& zones) {
    const ZoneLocator locator(zones);
    CellAssignment out;
    out.zone_of_cell.assign(grid.cells.size(), CellAssignment::outside);
    out.population_of_zone.assign(zones.zones.size(), 0.0);
    for (std::size_t c = 0; c < grid.cells.size(); ++c) {
        const GridCell& cell = grid.cells[c];
        if (const auto z = locator.zone_of(cell.centre)) {
            out.zone_of_cell[c] = *z;
            out.population_of_zone[*z] += cell.population;
            out.population_inside += cell.population;
        } else {
            out.population_outside += cell.population;
            ++out.cells_outside;
        }
    }
    return out;
}

} // namespace proxima
