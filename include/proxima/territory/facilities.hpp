#pragma once
// Facilities (where people go) from INSEE's geolocated BPE and from generic point files.
// Each reader returns points in WGS84 with where they came from, and reports (never drops
// silently) the rows it could not place.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "proxima/core/log.hpp"
#include "proxima/graph/ids.hpp"

namespace proxima {

struct Facility {
    std::string id;            ///< stable id: "bpe:<line>", the file's id column, "osm:node/123"...
    std::string name;          ///< label if known
    std::string type;          ///< BPE TYPEQU, or the matched OSM selector, or the file's type column
    std::string commune_code;  ///< DEPCOM for BPE rows, else empty
    LonLat position;           ///< WGS84
    std::string source;        ///< "file:line" or "osm:node/123", for messages and outputs
    std::string provider;      ///< where it comes from: "osm", "bpe", "file", "pole" or "scenario"
    /// What the site supplies (APL: full-time equivalents, consultations...), read from the
    /// PointFileOptions::supply_field column; nullopt when no supply column was read.
    std::optional<double> supply = std::nullopt;
};

/// Rows a reader could not turn into facilities, with why; counted in the run report.
struct UnplacedRow {
    std::string where;   ///< "file:line"
    std::string reason;  ///< e.g. "no coordinates"
    std::string type;    ///< TYPEQU (or type) of the row
    std::string commune_code;
};

struct FacilityReadResult {
    std::vector<Facility> facilities;
    std::vector<UnplacedRow> unplaced;
    std::uint64_t rows_read = 0;  ///< data rows (features) in the file, including those filtered out
};

/// Geolocated BPE (bpeYY_ensemble_xy.csv, or the BPE23+ detail file): `;`-separated (any
/// separator GDAL's CSV driver detects is accepted), columns TYPEQU, DEPCOM, LAMBERT_X, LAMBERT_Y
/// (required), DEP, EPSG, NOMRS, LIBCOM (optional); column names match case-insensitively.
/// Encoding: UTF-8 if the whole file is valid UTF-8, else CP1252 (a superset of Latin-1),
/// converted so that every string returned is UTF-8. Never fails on encoding.
///
/// Every data row counts in rows_read. Every row's TYPEQU is checked against `known_types` when
/// given; only rows whose TYPEQU is in `types` (all rows if empty) go further. CRS per row: the
/// EPSG column when present and filled, else from DEP (or the start of DEPCOM): 971/972 →
/// EPSG:5490 (UTM 20N), 973 → EPSG:2972 (UTM 22N), 974 → EPSG:2975 (UTM 40S), 976 → EPSG:4471
/// (UTM 38S), other 97x/98x refused (no documented CRS: give an EPSG column), else Lambert-93
/// (EPSG:2154). Positions are WGS84 lon/lat; one transformation per EPSG code. A decimal comma
/// ("651182,4") is read as a decimal point.
///
/// Facility: id "bpe:<line>", source "<file>:<line>", type TYPEQU, commune_code DEPCOM, name
/// NOMRS when filled, else "<TYPEQU> <DEPCOM>" (followed by " <LIBCOM>" when LIBCOM is filled).
/// Rows with an empty LAMBERT_X or LAMBERT_Y are returned in `unplaced` ("no coordinates").
///
/// Throws InputError naming file, line and value for: a missing file or required column, an
/// empty TYPEQU or DEPCOM, a TYPEQU not in `known_types` (when given), a non-numeric coordinate,
/// an EPSG value that is not a known EPSG code, and coordinates outside the area of use of the
/// row's CRS (1° margin: western Guyane lies a little beyond UTM 22N), e.g. metropolitan
/// coordinates on a 974 row or swapped columns; also for a file with a header but no row.
[[nodiscard]] FacilityReadResult read_bpe_csv(const std::filesystem::path& path, const std::set<std::string>& types,
                                              const std::set<std::string>& known_types = {}, const Log& log = Log{});

struct PointFileOptions {
    std::string x_field;      ///< empty: first of lon, longitude, x, X, LAMBERT_X
    std::string y_field;      ///< empty: first of lat, latitude, y, Y, LAMBERT_Y
    std::string id_field;     ///< empty: first of id, ID, identifiant; none: "<file stem>:<line or fid>"
    std::string name_field;   ///< empty: first of name, nom, NOM, libelle; none: empty names
    std::string type_field;   ///< empty: none
    /// Column of each site's supply (APL); empty: none. When given, the column must exist and
    /// every placed row must hold a finite decimal >= 0 (decimal comma accepted), at most 1e9.
    std::string supply_field;
    std::string crs;          ///< required for CSV ("EPSG:4326", "EPSG:2154"...); not used for vector files,
                              ///< which carry theirs
};

/// Points from a CSV (.csv, .tsv, .txt: x/y columns in `options.crs`, encoding and decimal commas
/// handled as for the BPE) or the first layer of any GDAL vector file (GeoPackage, GeoJSON, Shapefile...; its own
/// CRS), converted to WGS84 lon/lat. A multipoint of exactly one point counts as a point.
/// Facility: id from the id field (must be filled and unique) else "<file stem>:<line>" (CSV) or
/// "<file stem>:<fid>"; source "<file>:<line>" or "<file>:feature <fid>"; commune_code empty.
/// Rows with an empty x or y, and features without geometry, are returned in `unplaced`.
/// With options.supply_field, Facility::supply holds the value of that column.
/// Throws ConfigError if a CSV comes without `options.crs` or with a CRS that is not understood;
/// InputError naming file, line/feature and value for a missing file, layer or column,
/// non-numeric coordinates, an empty or repeated id, a geometry that is not a point, a layer with
/// an undefined CRS, points outside the CRS's area of use (1° margin), or a supply column that is
/// missing or holds, on a placed row, an empty, non-numeric, negative or too large value.
[[nodiscard]] FacilityReadResult read_point_file(const std::filesystem::path& path, const PointFileOptions& options,
                                                 const Log& log = Log{});

} // namespace proxima
