#pragma once
// The study file (TOML): what a user describes once and reruns — network, zones, commune table,
// population, origins, services, output. Paths are relative to the study file. Unknown keys and
// wrong types are errors naming the key and the line. See data/studies/*.toml for examples and
// README "Study file" for the reference.

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "proxima/study/age_groups.hpp"
#include "proxima/routing/search_method.hpp"
#include "proxima/study/apl_spec.hpp"
#include "proxima/territory/bpe_types.hpp"
#include "proxima/territory/facilities.hpp"
#include "proxima/territory/population_grid.hpp"
#include "proxima/territory/zones.hpp"

namespace proxima {

enum class TravelDirection {
    to_service,    ///< residents drive to the nearest facility (reverse search)
    from_service,  ///< the service drives out to residents, e.g. SMUR (forward search)
};

struct PointFileSpec {
    std::filesystem::path file;
    PointFileOptions options;
};

struct ServiceSpec {
    std::string id;                        ///< [a-z0-9_]+, used in column and layer names
    std::string label;
    double threshold_min = 0.0;            ///< minutes, > 0
    TravelDirection direction = TravelDirection::to_service;
    std::vector<std::string> bpe_codes;    ///< TYPEQU codes
    std::vector<std::string> osm_selectors;
    /// Catalogue `osm_unconfirmed`: places that may be this service but whose tags do not say so
    /// (for urgences, hospitals without an emergency=* tag). Not counted: listed by inspect, with
    /// their name and position; counted as sites when `include_unconfirmed`.
    std::vector<std::string> osm_unconfirmed{};
    /// Study key include_hospitals_without_emergency = true: the osm_unconfirmed places are sites.
    bool include_unconfirmed = false;
    std::vector<PointFileSpec> files;      ///< explicit facility files
    std::string pole;                      ///< "proximite", "intermediaire", "superieure": facilities are
                                           ///< the study's pôles de services of that gamme (service_poles.hpp)
    std::string defined_in;                ///< "catalogue", or the study file and line
    /// "sante", "education", "services_publics", "commerce" or "pole": the symbol of its sites on
    /// every map; empty: a generic symbol.
    std::string family;
    /// indicator = "apl": `proxima run` computes the APL (E2SFCA) of this service too, with `apl`
    /// ([services.<id>.apl]; `proxima apl` uses `apl` for any service).
    bool apl_in_run = false;
    AplSpec apl;
};


/// Services known by default (data/services/france.toml, compiled in), by id, in file order.
[[nodiscard]] std::vector<ServiceSpec> builtin_service_catalogue();
/// Parses a catalogue in the same format. Throws ConfigError naming key and line.
[[nodiscard]] std::vector<ServiceSpec> parse_service_catalogue(const std::string& toml_text, const std::string& source);

struct StudyFile {
    std::filesystem::path path;   ///< the study file itself
    std::string sha256;           ///< of its text
    std::string name;
    int cog_year = 0;             ///< COG year of the commune codes, 0 if not French
    std::string output_crs = "EPSG:2154";  ///< CRS of the output layers (Lambert-93 by default)
    std::filesystem::path output_dir;

    struct Network {
        std::filesystem::path osm;             ///< OSM extract (required)
        std::filesystem::path graph;           ///< optional graph cache, rebuilt when stale
        std::filesystem::path profile;         ///< empty: the built-in car profile
        double access_kmh = 15.0;              ///< off-network legs
        double max_snap_m = 2000.0;            ///< farther: the point cannot be placed (error)
        double warn_snap_m = 300.0;            ///< farther: counted and reported as a long snap
        SearchChoice search = SearchChoice::automatic;  ///< how services are searched (analysis/access_times.hpp)
    } network;

    struct Zones {
        std::filesystem::path file;            ///< vector file; or
        std::optional<int> osm_admin_level;    ///< boundaries from the OSM extract
        ZoneLayerOptions options;
        std::vector<std::string> codes;        ///< keep only these zones (empty: all)
        std::vector<std::string> departements; ///< keep only zones of these départements (code prefix)
        /// Whether the filters keep a zone of this code (no filter: every zone).
        [[nodiscard]] bool keeps(const std::string& code) const;
    } zones;

    std::filesystem::path commune_table;       ///< optional INSEE commune table

    struct Population {
        enum class Source { none, communes, zones, grid, points };
        Source source = Source::none;
        std::filesystem::path grid;
        PopulationGridOptions grid_options;
        std::filesystem::path points;          ///< CSV of populated points
        std::string points_lon_field = "lon";
        std::string points_lat_field = "lat";
        std::string points_population_field = "population";
        std::string points_name_field = "name";
        /// [population] groups = ["80+", "65+", "0-17"]: age groups counted beside the whole
        /// population (needs a grid with Filosofi's age columns).
        std::vector<AgeGroup> groups{};
    } population;

    struct Origins {
        enum class Kind { reference_points, cells, points };
        Kind kind = Kind::reference_points;    ///< default: cells when a grid is given
        std::filesystem::path reference_points;  ///< optional point layer (e.g. chefs-lieux) with a code field
        std::string reference_code_field;        ///< its field holding the zone code (default: code)
        std::string reference_crs;               ///< CRS of its x/y when it is a CSV
        /// IGN ADMIN EXPRESS chef-lieu points (CHFLIEU_COMMUNE, shapefile or GeoPackage layer):
        /// where a commune's population sits. Empty: the CHFLIEU_COMMUNE layer of the zones file
        /// when it is a GeoPackage that has one.
        std::filesystem::path chef_lieu{};
        std::string chef_lieu_layer{};            ///< empty: CHFLIEU_COMMUNE, else the first layer
    } origins;

    bool services_from_osm = true;             ///< look for catalogue OSM selectors in network.osm
    std::filesystem::path bpe;                 ///< optional geolocated BPE file

    /// [poles]: how pôles de services are found (see study/service_poles.hpp).
    struct Poles {
        bool given = false;                    ///< the study has a [poles] section (classify even without pole services)
        std::string source;                    ///< "bpe", "bpe_counts", "osm", "list"; empty: bpe if a BPE file, else osm
        std::filesystem::path gammes;          ///< empty: built in (gammes-2025.toml, or gammes-osm.toml for osm)
        std::vector<std::filesystem::path> counts;  ///< BPE count tables (source bpe_counts)
        std::filesystem::path list;            ///< CSV code,level (source list)
        double buffer_km = 15.0;               ///< zones around the study area classified too
        /// Levels nest (default): access to a gamme counts its poles and those of the gammes above
        /// (a pôle supérieur serves as a pôle intermédiaire), as analysts read INSEE's definitions.
        /// false: only the poles of that gamme itself (the strict reading).
        bool nested = true;
    } poles;
    std::vector<ServiceSpec> services;         ///< resolved: catalogue entries with overrides, and custom ones
};

/// Reads a study file. Throws InputError if it cannot be read, ConfigError for invalid content
/// (naming the key and line), including unknown services and non-positive thresholds.
[[nodiscard]] StudyFile load_study(const std::filesystem::path& path);

/// Every input file the study names (extract, profile, zones, tables, population, BPE, facility
/// files, poles files), in a stable order, with the role of each (for messages and run.json).
[[nodiscard]] std::vector<std::pair<std::string, std::filesystem::path>> study_input_files(const StudyFile& study);

/// Checks that every input file of the study exists and is a regular file (require_input_file),
/// before anything is read, hashed or created. Throws InputError naming the setting's file.
void check_study_input_files(const StudyFile& study);
/// Same from text; `path` locates relative paths and names the file in messages.
[[nodiscard]] StudyFile parse_study(const std::string& toml_text, const std::filesystem::path& path);

} // namespace proxima
