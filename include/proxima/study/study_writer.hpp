#pragma once
// A study file written for the user (proxima init): every section of the format, the values
// chosen and every default written out and commented, so that the file teaches its own format.
// One function per section (study_writer.cpp): a new option is one more line in one of them.

#include <string>
#include <utility>
#include <vector>

namespace proxima {

/// What a written study holds. Paths are written as given: relative to the study file.
struct StudyDraft {
    std::string name;                 ///< e.g. "Lozère (48)"
    std::string header;               ///< comment lines at the top (how the file was made), without '#'
    std::string output;               ///< results folder
    std::string crs;                  ///< output CRS; empty: the default (Lambert-93), written commented
    std::string crs_why;              ///< why this CRS (e.g. "La Réunion: RGR92 / UTM 40S")

    std::string osm;                  ///< the cut extract
    std::string graph;                ///< graph cache
    std::string osm_note;             ///< what the extract holds (département + buffer)

    std::string zones_file;           ///< ADMIN EXPRESS COMMUNE layer (shapefile or GeoPackage)
    std::string zones_layer;          ///< empty: none written (the reader finds COMMUNE)
    std::vector<std::string> codes;   ///< the communes of the study
    /// Communes of the département left out, with why (e.g. "06059 Èze: partly outside the extract").
    std::vector<std::string> left_out;

    std::string communes_table;       ///< optional INSEE commune table

    std::string grid;                 ///< Filosofi grid; empty: population from the zones' POPULATION
    std::string grid_note;            ///< what the grid file is (e.g. the cells kept from which file)
    std::string chef_lieu;            ///< ADMIN EXPRESS CHFLIEU_COMMUNE shapefile beside COMMUNE; empty: none

    std::vector<std::string> services;                             ///< used
    std::vector<std::pair<std::string, std::string>> services_out; ///< (id, why) left commented
    bool from_osm = true;
    std::string bpe;                  ///< filtered geolocated BPE; empty: none
    std::string bpe_note;
};

/// The TOML text. Deterministic: same draft, same bytes.
[[nodiscard]] std::string study_toml(const StudyDraft& draft);

/// A TOML basic string with quotes: "..." with \ " and control characters escaped.
[[nodiscard]] std::string toml_quoted(const std::string& text);

} // namespace proxima
