#pragma once
// Writing result layers for people and GIS tools: a GeoPackage with several layers, and CSV
// copies of the tables (UTF-8, ',' separated). GDAL makes the GeoPackage's tables and indexes,
// SQLite inserts their rows (GDAL's per-field feature API cost as much as SQLite's insert on a
// national origins layer of 605 fields). Geometries come in WGS84
// (lon/lat WKB) and are written in the requested CRS (e.g. EPSG:2154 Lambert-93). NULL stays
// NULL (an empty CSV field), never 0 or a magic number. Files appear only when complete
// (temporary name, then rename).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace proxima {

/// A cell value: NULL, integer, real or text.
using FieldValue = std::variant<std::monostate, std::int64_t, double, std::string>;

struct OutputField {
    enum class Type { integer, real, text };
    std::string name;
    Type type = Type::real;
};

/// One layer (or table). A caller's mistake in it (wrong row size, a value of another type than
/// its field, a NaN or infinite real, duplicate or empty names, a geometry count other than the row
/// count) is refused with Error naming the layer and row (counted from 1), before any file is made
/// (for a streamed layer, when the row is made: the file is then left unfinished and removed).
///
/// A layer holds its rows (`rows`, `wkb`) or makes them one at a time as they are written
/// (`make_row`, `streamed_rows`): an origins layer of a région, 100 services wide, would otherwise
/// hold hundreds of millions of values at once.
struct OutputLayer {
    /// Fills `values` (cleared, one per field) and `*wkb` (cleared; as `wkb` below) for row i.
    /// `wkb` is null when the writer needs no geometry (a CSV table): a grid cell's polygon, made
    /// with GEOS and PROJ, is then not made for nothing. Called from several threads at once (the
    /// GeoPackage and the CSV are written side by side).
    using RowMaker = std::function<void(std::size_t i, std::vector<FieldValue>& values, std::vector<unsigned char>* wkb)>;

    enum class Geometry { none, point, polygon };  ///< polygon layers accept multipolygons
    std::string name;                              ///< layer (and CSV file) name; unique ignoring case
    Geometry geometry = Geometry::none;
    std::vector<OutputField> fields;               ///< names unique ignoring case (SQLite rules)
    std::vector<std::vector<FieldValue>> rows;     ///< one value per field, in field order: NULL or the field's type
    /// Per row when geometry != none (none: leave empty): 2D WGS84 lon/lat WKB, a Point for point
    /// layers, a Polygon or MultiPolygon for polygon layers; an empty vector is a NULL geometry.
    std::vector<std::vector<unsigned char>> wkb;
    /// Empty: `wkb` is WGS84 lon/lat. Otherwise the CRS `wkb` is already in, which must be the one
    /// the layer is written in (same text; checked): written as given, with no conversion.
    std::string wkb_crs;
    /// When set, rows and wkb stay empty: row i (0 <= i < streamed_rows) is made by make_row when
    /// it is written, once for the GeoPackage and once for the CSV. What it reads must outlive the
    /// writing.
    RowMaker make_row;
    std::size_t streamed_rows = 0;

    [[nodiscard]] std::size_t row_count() const { return make_row ? streamed_rows : rows.size(); }
};

/// Writes every layer into one GeoPackage at `path` (replacing it), geometries in `crs` (anything
/// GDAL's OSRSetFromUserInput takes except file names and URLs, e.g. "EPSG:2154"), x = easting.
/// Integer fields are Integer64, polygon layers MultiPolygon, tables without geometry are
/// attribute tables. Features get fid 1, 2, ... in row order; gpkg_contents holds each spatial
/// layer's extent and gpkg_ogr_contents its feature count, as GDAL keeps them; each spatial layer
/// has its R-tree index. Written at "<path>.tmp-<pid>", then renamed onto `path`.
/// Throws OutputError (folder missing or not writable, `path` a folder, disk full), ConfigError
/// (unknown CRS, or a geometry it cannot hold) and Error (malformed layers; field names "fid", and
/// "geom" in spatial layers, are GDAL's own columns). On failure `path` is untouched (an older file
/// stays as it was) and nothing is left at the temporary name.
void write_geopackage(const std::filesystem::path& path, const std::vector<OutputLayer>& layers, const std::string& crs);

/// A layer's geometries as write_geopackage writes them in one CRS (the same conversion and
/// checks), for a caller that needs the written coordinates without reading the file back: the
/// run's report.html groups 2.3 M origins into squares from its memory, not from a 12 GB
/// GeoPackage. Not shared between threads.
class WrittenGeometry {
public:
    /// Throws ConfigError as write_geopackage for an unknown CRS.
    explicit WrittenGeometry(const std::string& crs);
    ~WrittenGeometry();
    WrittenGeometry(const WrittenGeometry&) = delete;
    WrittenGeometry& operator=(const WrittenGeometry&) = delete;

    /// The centre of the envelope of row `row`'s geometry (`wkb`, as in OutputLayer::wkb) once
    /// written in `layer`, x = easting; NaN, NaN for a NULL or empty geometry. Throws as
    /// write_geopackage for a malformed geometry.
    [[nodiscard]] std::pair<double, double> envelope_centre(const OutputLayer& layer, std::size_t row,
                                                            const std::vector<unsigned char>& wkb) const;

private:
    struct Conversion;
    std::unique_ptr<Conversion> m_conversion;
};

/// The CSV conventions of an output table.
///  - gis (default): UTF-8, ',' between fields, '.' decimal mark: what QGIS, R, pandas and
///    databases read without options;
///  - fr: UTF-8 with a byte order mark, ';' between fields, ',' decimal mark: what a French
///    spreadsheet (Excel, LibreOffice in French) opens as columns and numbers by double-click.
enum class CsvDialect { gis, fr };
/// "gis" or "fr"; ConfigError otherwise (naming `option`).
[[nodiscard]] CsvDialect parse_csv_dialect(const std::string& text, const std::string& option = "--csv-dialect");
[[nodiscard]] const char* to_string(CsvDialect dialect);

/// Writes one layer's table as CSV (no geometry column), atomically, in `dialect`: '\n' line
/// ends, header of field names. Integers as integers, reals with the shortest text that reads back
/// the same value (30.0 -> "30", 1e-7 -> "1e-07"; with a decimal comma in the fr dialect), NULL as
/// an empty field, an empty text as "" (as PostgreSQL does); texts holding the separator, '"' or
/// line breaks are quoted, quotes doubled. Throws OutputError (see AtomicFile) and Error
/// (malformed layer).
void write_layer_csv(const std::filesystem::path& path, const OutputLayer& layer, CsvDialect dialect = CsvDialect::gis);

} // namespace proxima
