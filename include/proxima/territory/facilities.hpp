#pragma once
// Facilities (where people go) from INSEE's geolocated BPE and from generic point files.
// Each reader returns points in WGS84 with where they came from, and reports (never drops
// silently) the rows it could not place.

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "proxima/graph/ids.hpp"

namespace proxima {

struct Facility {
    std::string id;            ///< stable id: "bpe:<line>", the file's id column, "osm:node/123"...
    std::string name;          ///< label if known
    std::string type;          ///< BPE TYPEQU, or the matched OSM selector, or the file's type column
    std::string commune_code;  ///< DEPCOM for BPE rows, else empty
    LonLat position;           ///< WGS84
    std::string source;        ///< "file:line" or "osm:node/123", for messages and outputs
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
    std::uint64_t rows_read = 0;
};

/// Geolocated BPE (bpeYY_ensemble_xy.csv, or the BPE23+ detail file): `;`-separated, columns
/// TYPEQU, DEPCOM, DEP (optional), LAMBERT_X, LAMBERT_Y, EPSG (optional); UTF-8 or Latin-1
/// (CP1252). Keeps rows whose TYPEQU is in `types` (all rows if empty). CRS per row: the EPSG
/// column when present, else from DEP/DEPCOM: 971/972 → EPSG:5490 (UTM 20N), 973 → EPSG:2972
/// (UTM 22N), 974 → EPSG:2975 (UTM 40S), 976 → EPSG:4471 (UTM 38S), else Lambert-93
/// (EPSG:2154). Rows with empty coordinates are reported as unplaced; non-numeric coordinates,
/// unknown TYPEQU codes (not in `known_types` when given), or coordinates outside the CRS's area
/// of use throw InputError naming file, line and value.
[[nodiscard]] FacilityReadResult read_bpe_csv(const std::filesystem::path& path, const std::set<std::string>& types,
                                              const std::set<std::string>& known_types = {});

struct PointFileOptions {
    std::string x_field;      ///< empty: lon/longitude/x/X/LAMBERT_X
    std::string y_field;      ///< empty: lat/latitude/y/Y/LAMBERT_Y
    std::string id_field;     ///< empty: id/ID/identifiant, else the line/feature number
    std::string name_field;   ///< empty: name/nom/NOM/libelle
    std::string type_field;   ///< empty: none
    std::string crs;          ///< required for CSV (e.g. "EPSG:4326", "EPSG:2154"); vector files carry theirs
};

/// Points from a CSV (x/y columns and the given CRS) or any GDAL point layer (GeoPackage,
/// GeoJSON, Shapefile). Throws InputError naming file, line/feature and value for missing
/// columns, non-numeric coordinates, an undefined CRS, or points outside the CRS's area of use.
[[nodiscard]] FacilityReadResult read_point_file(const std::filesystem::path& path, const PointFileOptions& options);

} // namespace proxima
