#include "proxima/territory/population_grid.hpp"
#include "proxima/territory/zone_locator.hpp"

#include <algorithm>
#include <cctype>
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
#include "core/gdal_handles.hpp"
#include "core/geos_context.hpp"
#include "core/proj_parallel.hpp"
#include "core/proj_to_wgs84.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/input_path.hpp"
#include "proxima/territory/population_value.hpp"

namespace proxima {

namespace {

/// Column names, matched ignoring case (INSEE wrote `Idcar_200m`/`Ind` in 2017 and
/// `idcar_200m`/`ind` in 2019): each list in order of preference.
const std::initializer_list<std::string_view> x_names = {"x", "x_centroid"};
const std::initializer_list<std::string_view> y_names = {"y", "y_centroid"};
/// The 200 m id before the 1 km one: a 200 m file of 2017 or 2019 carries both, and its rows are
/// 200 m cells (several per 1 km id). `Idcar_nat` (the "natural" cell) is never a row's cell.
const std::initializer_list<std::string_view> id_names = {"IdINSPIRE", "Idcar_200m", "Idcar_1km", "id_carr", "id"};
const std::initializer_list<std::string_view> population_names = {"Ind", "population", "pop"};

/// The layouts recognised without options, for the message when none is found.
constexpr const char* known_layouts =
    "Filosofi 2015 carreaux (IdINSPIRE, Ind); Filosofi 2017 and 2019 carreaux 200 m (Idcar_200m or idcar_200m, "
    "Ind or ind) and 1 km (Idcar_1km or idcar_1km, Ind or ind); cell centres in metres (x, y, Ind)";

/// Cell sizes of the INSEE grids, the only ones we dare infer from the spacing of the centres.
constexpr double inferable_sizes_m[] = {200.0, 1000.0};

std::string lowercase(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string join(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
        out += (out.empty() ? "" : ", ") + n;
    }
    return out.empty() ? "none" : out;
}

std::string join(std::initializer_list<std::string_view> names) {
    return join(std::vector<std::string>(names.begin(), names.end()));
}

/// The rows of a grid file: a CSV through CsvReader, or the first layer of a GDAL vector file
/// (the Filosofi GeoPackages), all fields as text. The geometry of a layer is not read: the
/// cell id is the grid reference (the metropolitan GeoPackages store Lambert-93 squares while
/// their ids are LAEA, see data/bpe/SOURCES.md section 5).
class GridTable {
public:
    GridTable(const std::filesystem::path& path, const Log& log) : m_path(path.string()) {
        const std::string ext = lowercase(path.extension().string());
        if (ext == ".csv" || ext == ".tsv" || ext == ".txt") {
            m_csv = std::make_unique<CsvReader>(path, "population grid", log);
            m_columns = m_csv->columns();
        } else {
            open_layer(path);
        }
    }

    [[nodiscard]] const std::vector<std::string>& columns() const { return m_columns; }
    [[nodiscard]] bool is_layer() const { return m_csv == nullptr; }

    /// Index of the first of `names` present, ignoring case; -1 if none.
    [[nodiscard]] int find(std::initializer_list<std::string_view> names) const {
        for (auto name : names) {
            const std::string wanted = lowercase(name);
            for (std::size_t i = 0; i < m_columns.size(); ++i) {
                if (lowercase(m_columns[i]) == wanted) {
                    return static_cast<int>(i);
                }
            }
        }
        return -1;
    }

    bool next() {
        if (m_csv) {
            return m_csv->next();
        }
        m_feature.reset(OGR_L_GetNextFeature(m_layer));
        if (!m_feature) {
            return false;
        }
        ++m_features;
        const GIntBig fid = OGR_F_GetFID(feature());
        m_number = fid == OGRNullFID ? m_features : static_cast<std::uint64_t>(fid);
        return true;
    }

    [[nodiscard]] std::string field(int column) const {
        if (m_csv) {
            return m_csv->field(column);
        }
        return OGR_F_IsFieldSetAndNotNull(feature(), column) != 0 ? OGR_F_GetFieldAsString(feature(), column)
                                                                  : std::string();
    }

    /// The line of the current record (CSV), or its feature id (layer).
    [[nodiscard]] std::uint64_t number() const { return m_csv ? m_csv->line() : m_number; }

    /// "file:line" or "file, feature N", for messages about row `number`.
    [[nodiscard]] std::string where(std::uint64_t number) const {
        return is_layer() ? fmt::format("{}, feature {}", m_path, number) : fmt::format("{}:{}", m_path, number);
    }
    [[nodiscard]] std::string where() const { return where(number()); }

private:
    void open_layer(const std::filesystem::path& path) {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) {
            throw InputError(fmt::format("population grid '{}' does not exist", m_path));
        }
        require_input_file(path, "population grid");
        GDALAllRegister();
        {
            const detail::QuietGdalErrors quiet;
            m_dataset.reset(GDALOpenEx(m_path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
        }
        if (!m_dataset) {
            throw InputError(fmt::format("cannot read population grid '{}' as a CSV (.csv) or a vector file "
                                         "(GeoPackage...): {}",
                                         m_path, detail::gdal_detail()));
        }
        m_layer = GDALDatasetGetLayer(m_dataset.get(), 0);
        if (m_layer == nullptr) {
            throw InputError(fmt::format("population grid '{}' holds no layer", m_path));
        }
        OGRFeatureDefnH defn = OGR_L_GetLayerDefn(m_layer);
        for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) {
            m_columns.emplace_back(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
        }
        OGR_L_ResetReading(m_layer);
    }

    [[nodiscard]] OGRFeatureH feature() const { return static_cast<OGRFeatureH>(m_feature.get()); }

    std::string m_path;
    std::unique_ptr<CsvReader> m_csv;
    detail::DatasetPtr m_dataset;
    OGRLayerH m_layer = nullptr;
    detail::FeaturePtr m_feature;
    std::vector<std::string> m_columns;
    std::uint64_t m_features = 0;
    std::uint64_t m_number = 0;
};

/// The configured column (any case), else the first default present; -1 if none.
int column_of(const GridTable& table, const std::string& configured, std::initializer_list<std::string_view> defaults,
              const std::string& path) {
    if (configured.empty()) {
        return table.find(defaults);
    }
    const int c = table.find({std::string_view(configured)});
    if (c < 0) {
        throw InputError(fmt::format("population grid '{}' has no column {}, which the study names; it has: {}", path,
                                     configured, join(table.columns())));
    }
    return c;
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
double coordinate(const GridTable& table, int column, std::string_view axis, const std::string& crs) {
    const std::string text = table.field(column);
    const std::string& name = table.columns()[static_cast<std::size_t>(column)];
    const auto v = parse_decimal(text);
    if (!v) {
        throw InputError(fmt::format("{}: {} '{}' (column {}) is not a number; expected metres in {}", table.where(),
                                     axis, text, name, crs));
    }
    if (*v < 0) {
        throw InputError(fmt::format("{}: {} '{}' (column {}) is negative; grid coordinates in {} are positive metres",
                                     table.where(), axis, text, name, crs));
    }
    return *v;
}

/// Conversion of grid coordinates to WGS84 lon/lat, and the area where the grid's CRS is meant to
/// be used. Built before reading the cells so that a wrong CRS fails before a long read.
class GridToWgs84 {
public:
    /// Throws ConfigError for an empty, unknown or non-projected CRS.
    GridToWgs84(const std::string& crs, const std::string& source)
        : m_projection(crs, fmt::format("population grid '{}'", source)), m_crs(crs) {}

    /// "EPSG:3035" as PROJ identifies the CRS (whatever the spelling given), or "".
    [[nodiscard]] const std::string& authority_code() const { return m_projection.authority_code(); }

    /// Fills each cell's WGS84 centre. Throws InputError, with the line, for the first centre
    /// that cannot be converted or falls outside the CRS's area of use.
    void locate(std::vector<GridCell>& cells, const GridTable& table) const {
        const detail::ProjectedToWgs84& area = m_projection;
        std::vector<double> lon(cells.size());
        std::vector<double> lat(cells.size());
        for (std::size_t i = 0; i < cells.size(); ++i) {
            lon[i] = cells[i].x;
            lat[i] = cells[i].y;
        }
        // A France-wide Filosofi grid has 2.3 M cells: on every core (same results as one call).
        detail::proj_trans_parallel(m_projection.pj(), PJ_FWD, lon.data(), sizeof(double), lat.data(), sizeof(double),
                                    lon.size());
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
                throw InputError(fmt::format("{}: cell centre x {}, y {} {}, outside the area of use of {} (lon "
                                             "{} to {}, lat {} to {}): are the x and y columns swapped, or the "
                                             "coordinates in another CRS?",
                                             table.where(cells[i].line), cells[i].x, cells[i].y, at, m_crs, area.west,
                                             area.east, area.south, area.north));
            }
            cells[i].centre = {lon[i], lat[i]};
        }
    }

private:
    detail::ProjectedToWgs84 m_projection;
    std::string m_crs;
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
void check_duplicates(const std::vector<GridCell>& cells, const GridTable& table) {
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
        throw InputError(fmt::format("{}: cell {} (centre x {}, y {}) is already on {} {}; a grid lists each cell "
                                     "once",
                                     table.where(b.line), b.id, b.x, b.y, table.is_layer() ? "feature" : "line",
                                     a.line));
    }
}

} // namespace

namespace {

/// Where a grid's cells and populations are read from: x/y centres or cell ids.
struct GridColumns {
    int x = -1;
    int y = -1;
    int id = -1;
    int population = -1;
};

/// The message for a grid whose layout is not recognised: the columns found, the layouts known,
/// and the options that name other columns.
InputError unknown_layout(const GridTable& table, const std::string& path, std::string_view missing) {
    return InputError(fmt::format("population grid '{}': {}; it has: {}. Layouts read without options: {}. For "
                                  "another layout, name its columns in [population]: id_field (an INSEE cell id "
                                  "such as CRS3035RES200mN2029800E4252600) or x_field and y_field (cell centres), "
                                  "and population_field",
                                  path, missing, join(table.columns()), known_layouts));
}

/// x/y centres unless only ids are configured, or there are no x/y columns; then the ids.
GridColumns find_grid_columns(const GridTable& table, const PopulationGridOptions& options, const std::string& p) {
    GridColumns c;
    const bool xy_configured = !options.x_field.empty() || !options.y_field.empty();
    const bool ids_configured = !options.id_field.empty() && !xy_configured;
    const bool xy_present = table.find(x_names) >= 0 || table.find(y_names) >= 0;
    if (xy_configured || (!ids_configured && xy_present)) {
        c.x = column_of(table, options.x_field, x_names, p);
        c.y = column_of(table, options.y_field, y_names, p);
        if (c.x < 0 || c.y < 0) {
            throw unknown_layout(table, p,
                                 fmt::format("no column {} ({}, in any case) next to its {} column",
                                             c.x < 0 ? "x" : "y", join(c.x < 0 ? x_names : y_names),
                                             c.x < 0 ? "y" : "x"));
        }
    } else {
        c.id = column_of(table, options.id_field, id_names, p);
        if (c.id < 0) {
            throw unknown_layout(table, p,
                                 fmt::format("neither cell-centre columns ({} and {}) nor a cell id column ({}), in "
                                             "any case",
                                             join(x_names), join(y_names), join(id_names)));
        }
    }
    c.population = column_of(table, options.population_field, population_names, p);
    if (c.population < 0) {
        throw unknown_layout(table, p,
                             fmt::format("no population column ({}, in any case)", join(population_names)));
    }
    return c;
}

/// The ids' cell size, the same on every row.
struct IdSize {
    std::optional<double> size_m;
    std::uint64_t first_row = 0;
};

/// The centre of the cell whose INSEE id is in the current row; checks its CRS and size.
void place_by_id(const GridTable& table, int id_col, const GridToWgs84& to_wgs84, const std::string& crs,
                 IdSize& size, GridCell& cell) {
    cell.id = table.field(id_col);
    const auto id = parse_cell_id(cell.id);
    if (!id) {
        throw InputError(fmt::format("{}: cell id '{}' is not an INSEE grid id such as "
                                     "CRS3035RES200mN2029800E4252400 (CRS code, cell size in metres, then north and "
                                     "east of the south-west corner, multiples of the size)",
                                     table.where(), cell.id));
    }
    if (id->crs != to_wgs84.authority_code()) {
        throw InputError(fmt::format("{}: cell id '{}' is in {} but the grid's CRS is {} (set, or named by the "
                                     "first id); a grid has one CRS: set [population] grid_crs = \"{}\" to read "
                                     "this one's",
                                     table.where(), cell.id, id->crs, crs, id->crs));
    }
    if (!size.size_m) {
        size.size_m = id->size_m;
        size.first_row = cell.line;
    } else if (*size.size_m != id->size_m) {
        throw InputError(fmt::format("{}: cell id '{}' is a {} m cell but {} {} holds a {} m cell; a grid has one cell "
                                     "size",
                                     table.where(), cell.id, id->size_m, table.is_layer() ? "feature" : "line",
                                     size.first_row, *size.size_m));
    }
    cell.x = id->east + id->size_m / 2;
    cell.y = id->north + id->size_m / 2;
}

/// The grid's cell size: configured, else from the ids, else inferred from the centres.
double cell_size(const PopulationGrid& grid, const PopulationGridOptions& options, const IdSize& ids,
                 const std::string& p) {
    if (options.cell_size_m) {
        if (ids.size_m && *ids.size_m != *options.cell_size_m) {
            throw ConfigError(fmt::format("population grid '{}': cell size set to {} m, but its ids are {} m cells",
                                          p, *options.cell_size_m, *ids.size_m));
        }
        return *options.cell_size_m;
    }
    if (ids.size_m) {
        return *ids.size_m;
    }
    const auto gap = smallest_x_gap(grid.cells);
    for (const double size : inferable_sizes_m) {
        if (gap && std::abs(*gap - size) < 1e-6) {
            return size;
        }
    }
    throw InputError(fmt::format("population grid '{}': cannot infer the cell size ({}; INSEE grids are 200 or 1000 "
                                 "m): set cell_size_m in the options",
                                 p,
                                 gap ? fmt::format("the closest centres are {} m apart", *gap)
                                     : std::string("all centres share one x")));
}

/// The columns of Filosofi's age bands (any case: Ind_0_3 in 2015, ind_0_3 since), in
/// filosofi_age_bands order; empty unless the file has every one of them.
std::vector<int> find_age_columns(const GridTable& table) {
    std::vector<int> columns;
    for (const auto& band : filosofi_age_bands) {
        const int c = table.find({std::string_view(band.column)});
        if (c < 0) {
            return {};
        }
        columns.push_back(c);
    }
    return columns;
}

/// "cell ids (idcar_200m), population ind": what was read, for inspect and the run report.
std::string describe_layout(const GridTable& table, const GridColumns& c) {
    auto name = [&](int col) { return table.columns()[static_cast<std::size_t>(col)]; };
    const std::string where = c.id >= 0 ? fmt::format("cell ids ({})", name(c.id))
                                        : fmt::format("cell centres ({}, {})", name(c.x), name(c.y));
    return fmt::format("{}, population {}", where, name(c.population));
}

} // namespace

PopulationGrid read_population_grid(const std::filesystem::path& path, const PopulationGridOptions& options,
                                    const Log& log) {
    const std::string p = path.string();
    if (options.cell_size_m && !(*options.cell_size_m > 0 && std::isfinite(*options.cell_size_m))) {
        throw ConfigError(fmt::format("population grid '{}': cell size {} m is not a positive length", p,
                                      *options.cell_size_m));
    }
    // Ids name their CRS (CRS3035..., CRS5490... overseas): unless one is set, the first id's is
    // the grid's; x/y centres are in the CRS set (LAEA by default). A wrong CRS fails before the read.
    std::optional<GridToWgs84> to_wgs84;
    std::string crs = options.crs;
    GridTable table(path, log);
    const GridColumns columns = find_grid_columns(table, options, p);
    if (columns.id < 0 || !options.crs_from_ids) {
        to_wgs84.emplace(crs, p);
    }
    const std::string& population_name = table.columns()[static_cast<std::size_t>(columns.population)];

    PopulationGrid grid;
    grid.source = p;
    grid.layout = describe_layout(table, columns);
    const std::vector<int> age_columns = find_age_columns(table);
    grid.has_ages = !age_columns.empty();
    if (grid.has_ages) {
        grid.layout += fmt::format(", ages {} ... {}", table.columns()[static_cast<std::size_t>(age_columns.front())],
                                   table.columns()[static_cast<std::size_t>(age_columns.back())]);
    }
    IdSize id_size;
    while (table.next()) {
        GridCell cell;
        cell.line = table.number();
        if (columns.id >= 0) {
            if (!to_wgs84) {
                const auto first = parse_cell_id(table.field(columns.id));
                crs = first ? first->crs : options.crs;
                to_wgs84.emplace(crs, p);
            }
            place_by_id(table, columns.id, *to_wgs84, crs, id_size, cell);
        } else {
            cell.x = coordinate(table, columns.x, "x", crs);
            cell.y = coordinate(table, columns.y, "y", crs);
            cell.id = fmt::format("{}_{}", cell.x, cell.y);
        }
        cell.population = read_population(table.field(columns.population), table.where(),
                                          fmt::format("cell {} (column {})", cell.id, population_name),
                                          PopulationFigure::decimal);
        for (std::size_t k = 0; k < age_columns.size(); ++k) {
            const auto column = static_cast<std::size_t>(age_columns[k]);
            cell.ages[k] = read_population(table.field(age_columns[k]), table.where(),
                                           fmt::format("cell {} (column {})", cell.id, table.columns()[column]),
                                           PopulationFigure::decimal);
        }
        grid.total_population += cell.population;
        grid.cells.push_back(std::move(cell));
    }
    if (grid.cells.empty()) {
        throw InputError(fmt::format("population grid '{}' has a header but no cell", p));
    }
    check_duplicates(grid.cells, table);
    grid.crs = crs;
    // Before the size: a wrong CRS or swapped columns explain more than an odd spacing would.
    to_wgs84->locate(grid.cells, table);
    grid.cell_size_m = cell_size(grid, options, id_size, p);
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
