#pragma once
// proxima init: a complete study of one French département from the files as published: the
// région's OSM extract cut to the département plus a buffer (written next to the study), the
// département's communes from IGN ADMIN EXPRESS as zones, the geolocated BPE kept to the same
// area, an optional Filosofi grid, and the study file with every default written and commented.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "proxima/core/log.hpp"
#include "proxima/osm/extract_cut.hpp"

namespace proxima {

struct InitOptions {
    std::string departement;                 ///< INSEE code: 01..95, 2A, 2B, 971..976
    std::filesystem::path osm;               ///< the région's extract (.osm.pbf)
    std::filesystem::path admin_express;     ///< ADMIN EXPRESS COMMUNE (shapefile, GeoPackage...)
    std::filesystem::path bpe;               ///< optional geolocated BPE
    std::filesystem::path filosofi;          ///< optional Filosofi grid
    std::filesystem::path study;             ///< the study file to write (.toml)
    std::vector<std::string> services;       ///< empty: default_init_services()
    std::vector<std::string> codes;          ///< empty: every commune the extract covers
    double buffer_km = 30.0;
    bool force = false;                      ///< replace the study and the cut extract if they exist
    std::function<void(double)> progress;    ///< fraction of the extract cut done; may be empty
};

struct InitResult {
    std::filesystem::path study;
    std::filesystem::path extract;           ///< the cut extract
    std::filesystem::path bpe;               ///< the BPE kept to the area; empty without --bpe
    /// The grid of the study: a Filosofi CSV's cells in the study's communes (STEM-filosofi.csv),
    /// or the GeoPackage given; empty without --filosofi.
    std::filesystem::path grid;
    std::size_t grid_cells_kept = 0;
    std::string crs;                         ///< the study's CRS
    std::size_t communes_in_departement = 0;
    std::vector<std::string> codes;          ///< zones of the study
    std::vector<std::string> left_out;       ///< "code name: why"
    std::vector<std::string> services;
    std::vector<std::string> services_out;   ///< "id: why"
    std::size_t bpe_rows_kept = 0;
    ExtractCutReport cut;
    std::uintmax_t input_bytes = 0;
    std::uintmax_t extract_bytes = 0;
};

/// The services init uses when none are given: the usual SDAASP services of the catalogue.
[[nodiscard]] std::vector<std::string> default_init_services();

/// The projected CRS of a département: Lambert-93 (EPSG:2154) in metropolitan France, the UTM
/// zones of the BPE and of the Filosofi ids overseas (971/972 EPSG:5490, 973 EPSG:2972,
/// 974 EPSG:2975, 976 EPSG:4471). Throws ConfigError for a code that is no département.
[[nodiscard]] std::string departement_crs(const std::string& departement);

/// Writes the study and its cut extract (and BPE). Throws ConfigError (bad code, option values,
/// --codes outside the département, unknown service), InputError (unreadable inputs, no commune
/// of the département in the ADMIN EXPRESS file, an extract that covers none of its communes),
/// OutputError (outputs exist without force, cannot be written). Outputs are written atomically;
/// on error none is left behind.
[[nodiscard]] InitResult init_study(const InitOptions& options, const Log& log);

} // namespace proxima
