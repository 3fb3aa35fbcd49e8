#pragma once
// run.json: what `proxima run` computed from what, written by run/ and read back by the report
// (and by anyone auditing a result). One struct on both sides, so a key cannot be renamed on one
// side only; keys are written in this order.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace proxima {

struct ManifestFile {
    std::string path;
    std::string sha256;
};

struct ManifestService {
    std::string id;
    std::string label;
    double threshold_min = 0.0;
    std::string direction;                  ///< "to_service" or "from_service"
    std::size_t facilities = 0;
    std::size_t from_osm = 0;
    std::size_t from_bpe = 0;
    std::size_t from_files = 0;
    std::size_t long_snaps = 0;             ///< facilities snapped farther than network.warn_snap_m
    double population = 0.0;                ///< in the study
    double population_over = 0.0;          ///< beyond the threshold, or unable to reach it
    std::optional<double> share_over;       ///< NULL when there is no population
    std::string family;                     ///< catalogue family (map symbols); empty: generic
};

struct RunManifest {
    std::string proxima_version;
    struct Study {
        std::string name;
        std::string file;
        std::string sha256;
        int cog_year = 0;                   ///< 0: not a French study
        std::string output_crs;
    } study;
    std::vector<ManifestFile> inputs;       ///< the extract first, then every other file read
    struct Graph {
        std::string origin;                 ///< built, loaded from cache, rebuilt
        std::size_t nodes = 0;
        std::size_t arcs = 0;
        std::string profile;
        std::string profile_sha256;
        std::string extract_sha256;
    } graph;
    struct Parameters {
        double access_speed_kmh = 0.0;
        double max_snap_m = 0.0;
        double warn_snap_m = 0.0;
        int threads = 0;                    ///< 0: all cores
        std::vector<double> bands_min;      ///< upper bounds of the time classes
        std::string over_threshold;         ///< the rule, in words
        double surface_resolution_m = 0.0;  ///< pixels of the travel-time surface (deficit areas)
        std::string csv_dialect;            ///< "gis" or "fr"
        struct Search {
            std::string requested;          ///< "auto", "dijkstra" or "phast" (study or --search)
            std::string method;             ///< used: "dijkstra" or "phast"
            unsigned lanes = 1;             ///< services per search
            std::string reason;             ///< why, in words
        } search;
    } parameters;
    std::vector<ManifestService> services;
    struct Population {
        double read = 0.0;
        std::size_t origins = 0;
        double unplaced = 0.0;
        std::vector<std::pair<std::string, double>> unplaced_detail;  ///< what, inhabitants
    } population;
    /// run.json's population.placement: how the origins were placed ({"chef_lieu": {"origins": n,
    /// "population": p}, ...}, and "point_on_surface_communes" where it matters most); null: none.
    nlohmann::ordered_json population_placement{};
    /// run.json's population.age_groups: per study age group its population and, per service,
    /// the population beyond the threshold ([{"group": "80+", "key": "80p", ...}]); null: none.
    nlohmann::ordered_json population_age_groups{};
    nlohmann::ordered_json poles;           ///< null: no classification (see study/service_poles.hpp)
    nlohmann::ordered_json apl;             ///< null: no service with indicator = "apl"; else one object each
    std::vector<std::string> warnings;
    std::vector<std::pair<std::string, double>> timings_s;  ///< phases in the order they ran
    struct Memory {
        double peak_mib = 0.0;              ///< peak resident memory (ru_maxrss) when run.json was written
        std::vector<std::pair<std::string, double>> peak_mib_after;  ///< the same at the end of each phase
        /// The system's transparent huge pages setting (huge_pages_mode()): the searches of a large
        /// graph are faster with "madvise" or "always" than with "never"; empty when not recorded.
        std::string huge_pages;
    } memory;
    std::vector<std::string> outputs;       ///< relative to the run folder
};

/// The manifest as run.json writes it.
[[nodiscard]] nlohmann::ordered_json to_json(const RunManifest& manifest);

/// Reads run.json back. Throws InputError naming `file` and the first missing or mistyped key.
[[nodiscard]] RunManifest parse_run_manifest(const nlohmann::ordered_json& json, const std::filesystem::path& file);

} // namespace proxima
