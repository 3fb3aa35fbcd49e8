#pragma once
// Writing result layers for people and GIS tools: a GeoPackage with several layers, and CSV
// copies of the tables (UTF-8, ',' separated). Written through GDAL. Geometries come in WGS84
// (lon/lat WKB) and are written in the requested CRS (e.g. EPSG:2154 Lambert-93). NULL stays
// NULL (an empty CSV field), never 0 or a magic number. Files appear only when complete
// (temporary name, then rename).

#include <cstdint>
#include <filesystem>
#include <string>
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

struct OutputLayer {
    enum class Geometry { none, point, polygon };  ///< polygon layers accept multipolygons
    std::string name;                              ///< layer (and CSV file) name
    Geometry geometry = Geometry::none;
    std::vector<OutputField> fields;
    std::vector<std::vector<FieldValue>> rows;     ///< one value per field, in field order
    std::vector<std::vector<unsigned char>> wkb;   ///< per row when geometry != none: WGS84 WKB
};

/// Writes every layer into one GeoPackage at `path` (replacing it), geometries in `crs`.
/// Throws OutputError (folder missing or not writable, disk full) and ConfigError (unknown CRS);
/// on failure nothing is left at `path` nor at its temporary name.
void write_geopackage(const std::filesystem::path& path, const std::vector<OutputLayer>& layers, const std::string& crs);

/// Writes one layer's table as CSV (no geometry column), atomically. Reals are written with
/// enough digits to read back the same value (shortest round-trip), NULL as an empty field.
void write_layer_csv(const std::filesystem::path& path, const OutputLayer& layer);

} // namespace proxima
