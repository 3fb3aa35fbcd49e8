#pragma once
// Zones (communes, or any polygons with a code) from a GDAL vector source: GeoJSON, GeoPackage,
// Shapefile... ADMIN EXPRESS field names (INSEE_COM, NOM, POPULATION, SIREN_EPCI) and the
// france-geojson ones (code, nom) are recognised without configuration. Geometries are checked
// (present, non-empty, valid) and kept in WGS84 longitude/latitude as WKB.

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "proxima/graph/ids.hpp"
#include "proxima/territory/commune_table.hpp"

namespace proxima {

struct Zone {
    std::string code;                        ///< e.g. INSEE code
    std::string name;
    std::optional<std::int64_t> population;  ///< from the layer, if it has a population field
    std::string epci_siren;                  ///< from the layer, if it has one
    std::vector<unsigned char> wkb;          ///< polygon or multipolygon, WGS84 lon/lat
    LonLat point_on_surface;                 ///< a point inside the zone (for reference points)
    double area_km2 = 0.0;                   ///< on the ellipsoid (PROJ geodesic), km²
    std::int64_t feature_id = 0;             ///< feature id in the source, for messages
    /// ADMIN EXPRESS `ID` of the commune (e.g. COMMUNE_0000000009754033), which the chef-lieu
    /// layer's ID_COM names; empty when the layer has no ID field.
    std::string admin_id{};
};

struct ZoneLayerOptions {
    std::string layer;       ///< layer name; empty: the layer named COMMUNE (ADMIN EXPRESS), else the first
    std::string code_field;  ///< empty: first of INSEE_COM, code_insee, code, CODGEO, insee
    std::string name_field;  ///< empty: first of NOM, nom, NOM_COM, LIBGEO, name
};

struct ZoneLayer {
    std::vector<Zone> zones;  ///< in source order
    std::string source;       ///< file path
    std::string crs;          ///< the source CRS, e.g. "EPSG:2154" (authority code, or its name)
};

/// Reads zones. Throws InputError naming the file and feature for a missing or unreadable file,
/// an unknown layer or field (listing those available), a missing, empty or invalid geometry, a
/// geometry that is not a polygon, an undefined CRS, an empty code, a code given twice, or a
/// non-numeric population.
[[nodiscard]] ZoneLayer read_zones(const std::filesystem::path& path, const ZoneLayerOptions& options = {});

/// A zone from a WGS84 polygon given as WKB (e.g. an OSM boundary): computes its point on surface
/// and its geodesic area. Throws InputError naming `where` if the WKB is not a valid polygon.
[[nodiscard]] Zone make_zone(std::string code, std::string name, std::vector<unsigned char> wkb, const std::string& where);

/// How zones and a commune table match by code. Nothing is dropped silently: every unmatched
/// code is listed with the population it concerns.
struct ZoneJoin {
    static constexpr std::size_t no_commune = std::numeric_limits<std::size_t>::max();
    std::vector<std::size_t> commune_of_zone;  ///< per zone: index into table.communes(), or no_commune
    std::vector<std::string> unmatched_zones;  ///< zone codes absent from the table
    /// Table communes of the zones' départements that no zone covers (merged since, or missing).
    std::vector<std::string> unmatched_communes;
    std::int64_t unmatched_communes_population = 0;
    std::size_t matched = 0;
};
[[nodiscard]] ZoneJoin join_zones(const ZoneLayer& zones, const CommuneTable& table);

} // namespace proxima
