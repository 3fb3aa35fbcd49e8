// The study file proxima init writes: one function per section, each writing its keys with the
// value chosen, and every other key of the section commented with its default and meaning.

#include "proxima/study/study_writer.hpp"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

namespace proxima {
namespace {

/// "key = value" with its comment aligned at column 38 (as in data/studies/*.toml).
std::string line(const std::string& assignment, const std::string& comment = "") {
    if (comment.empty()) {
        return assignment + "\n";
    }
    const std::size_t width = 37;
    const std::size_t pad = assignment.size() < width ? width - assignment.size() : 1;
    return assignment + std::string(pad, ' ') + "# " + comment + "\n";
}

/// Comment lines: each line of `text` prefixed by "# ".
std::string comment_block(const std::string& text) {
    std::string out;
    std::istringstream in(text);
    std::string l;
    while (std::getline(in, l)) {
        out += l.empty() ? "#\n" : "# " + l + "\n";
    }
    return out;
}

/// ["a", "b", ...], wrapped after `per_line` items.
std::string string_array(const std::vector<std::string>& items, std::size_t per_line = 8) {
    if (items.size() <= per_line) {
        std::string out = "[";
        for (std::size_t i = 0; i < items.size(); ++i) {
            out += (i == 0 ? "" : ", ") + toml_quoted(items[i]);
        }
        return out + "]";
    }
    std::string out = "[\n";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += (i % per_line == 0 ? "    " : " ") + toml_quoted(items[i]) + ",";
        if (i % per_line == per_line - 1 || i + 1 == items.size()) {
            out += "\n";
        }
    }
    return out + "]";
}

std::string study_section(const StudyDraft& d) {
    std::string s = "[study]\n";
    s += line("name = " + toml_quoted(d.name));
    s += line("# cog_year = 2025", "year of the commune codes (COG) of the zones, for the record");
    s += line("output = " + toml_quoted(d.output), "results folder of proxima run");
    if (d.crs.empty()) {
        s += line("# crs = \"EPSG:2154\"", "CRS of the output layers and maps (default Lambert-93);");
        s += line("", "projected in metres");
    } else {
        s += line("crs = " + toml_quoted(d.crs), d.crs_why);
    }
    return s;
}

std::string network_section(const StudyDraft& d) {
    std::string s = "[network]\n";
    s += line("osm = " + toml_quoted(d.osm), d.osm_note);
    s += line("graph = " + toml_quoted(d.graph), "cache, rebuilt when the extract or the profile change");
    s += line("# profile = \"my-car.toml\"", "default: the built-in data/profiles/car.toml");
    s += line("access_speed_kmh = 15", "off-network leg between a point and its road");
    s += line("max_snap_m = 2000", "farther: origin not placed (reported), facility refused");
    s += line("warn_snap_m = 300", "farther: counted and reported as a long snap");
    return s;
}

std::string zones_section(const StudyDraft& d) {
    std::string s = "[zones]\n";
    s += line("file = " + toml_quoted(d.zones_file), "IGN ADMIN EXPRESS communes (any GDAL vector file)");
    if (!d.zones_layer.empty()) {
        s += line("layer = " + toml_quoted(d.zones_layer));
    } else {
        s += line("# layer = \"COMMUNE\"", "default: the COMMUNE layer, else the first");
    }
    s += line("# code_field = \"INSEE_COM\"", "default: INSEE_COM, code_insee, code, CODGEO, insee");
    s += line("# name_field = \"NOM\"", "default: NOM, nom, NOM_COM, LIBGEO, name");
    if (!d.left_out.empty()) {
        // Communes cut by the extract's edge one per line (the ones to check); those wholly outside
        // it by code only, a région extract holding none of a neighbouring département's.
        std::vector<std::string> partly;
        std::vector<std::string> outside;
        for (const auto& why : d.left_out) {
            const bool out = why.size() > 20 && why.compare(why.size() - 20, 20, " outside the extract") == 0 &&
                             why.find("partly") == std::string::npos;
            (out ? outside : partly).push_back(out ? why.substr(0, why.find(' ')) : why);
        }
        s += comment_block(fmt::format("Left out: {} of the département's communes, whose roads the extract does not "
                                       "hold whole (their\ntimes would be too long); add their codes below once the "
                                       "extract covers them:",
                                       d.left_out.size()));
        for (const auto& why : partly) {
            s += comment_block("  " + why);
        }
        for (std::size_t i = 0; i < outside.size(); i += 10) {
            std::string codes;
            for (std::size_t k = i; k < std::min(outside.size(), i + 10); ++k) {
                codes += (k == i ? "" : " ") + outside[k];
            }
            s += comment_block((i == 0 ? "  outside the extract: " : "                        ") + codes);
        }
    }
    s += line("codes = " + string_array(d.codes), "");
    s += line("# departements = [\"48\"]", "instead of codes: every commune of these départements");
    return s;
}

std::string communes_section(const StudyDraft& d) {
    if (d.communes_table.empty()) {
        return comment_block("[communes]                         # optional INSEE commune table (population municipale, "
                             "EPCI names)\ntable = \"communes.csv\"");
    }
    return "[communes]\n" + line("table = " + toml_quoted(d.communes_table), "population municipale and EPCI");
}

/// Age groups: counted from the Filosofi age columns, so only offered with a grid.
std::string population_extras(const StudyDraft& d) {
    if (d.grid.empty()) {
        return comment_block("groups = [\"80+\"]                 # age groups beyond the thresholds: they need a Filosofi "
                             "grid\n                                   # with its age columns (source = \"grid\")");
    }
    return line("# groups = [\"80+\", \"65+\", \"0-17\"]",
                "age groups counted too, from the grid's age columns (ind_0_3 ... ind_80p)");
}

/// Where a commune's inhabitants are: its chef-lieu when the ADMIN EXPRESS chefs-lieux are at hand.
std::string origins_section(const StudyDraft& d) {
    if (!d.chef_lieu.empty()) {
        return "[origins]\n" + line("kind = \"reference_points\"", "one point per commune:") +
               line("chef_lieu = " + toml_quoted(d.chef_lieu), "its chef-lieu (IGN ADMIN EXPRESS CHFLIEU_COMMUNE)");
    }
    return comment_block("[origins]                          # default: cells for a grid, else one reference point\n"
                         "kind = \"reference_points\"          # per commune: its chef-lieu when the ADMIN EXPRESS\n"
                         "chef_lieu = \"CHFLIEU_COMMUNE.shp\"  # chefs-lieux are given (found without this in a\n"
                         "                                   # GeoPackage), else its point on surface");
}

std::string population_section(const StudyDraft& d) {
    std::string s = "[population]\n";
    if (d.grid.empty()) {
        s += line("source = \"zones\"", "the POPULATION field of the ADMIN EXPRESS communes");
        s += line("# source = \"grid\"", "or the Filosofi grid (one origin per populated cell):");
        s += line("# grid = \"carreaux.csv\"", "Filosofi 2015/2017/2019, CSV or GeoPackage, as published");
    } else {
        s += line("source = \"grid\"", "one origin per populated cell");
        s += line("grid = " + toml_quoted(d.grid),
                  d.grid_note.empty() ? "INSEE Filosofi carroyées, read as published" : d.grid_note);
    }
    s += line("# grid_crs = \"EPSG:3035\"", "default: the CRS the cell ids name (CRS3035..., CRS5490...)");
    s += line("# id_field = \"idcar_200m\"", "only for a layout not recognised: the cell id column,");
    s += line("# population_field = \"ind\"", "and the inhabitants column");
    s += line("# cell_size_m = 200", "default: from the ids");
    s += population_extras(d);
    s += "\n";
    s += origins_section(d);
    return s;
}

std::string services_section(const StudyDraft& d) {
    std::string s = "[services]\n";
    s += comment_block("From the catalogue (data/services/france.toml): thresholds of the published schémas.");
    for (const auto& [id, why] : d.services_out) {
        s += comment_block(fmt::format("Not used: {} ({}).", id, why));
    }
    s += line("use = " + string_array(d.services, 6));
    s += line(fmt::format("from_osm = {}", d.from_osm ? "true" : "false"),
              "search the catalogue's OSM tags in the extract");
    if (d.bpe.empty()) {
        s += line("# bpe = \"bpe23_ensemble_xy.csv\"", "INSEE BPE geolocated file (2021 or 2023+ layouts)");
    } else {
        s += line("bpe = " + toml_quoted(d.bpe), d.bpe_note);
    }
    s += "\n";
    s += comment_block("[services.urgences]                # override a catalogue value\nthreshold_min = 45");
    return s;
}

std::string poles_section(const StudyDraft& d) {
    std::string text = "[poles]                            # pôles de services (see `proxima poles`)\n";
    text += d.bpe.empty() ? "source = \"osm\"                     # bpe | bpe_counts | osm | list (default: bpe with a "
                            "BPE file, else osm)\n"
                          : "source = \"bpe\"                     # bpe | bpe_counts | osm | list\n";
    text += "buffer_km = 15                     # zones around the study area classified too";
    return comment_block(text);
}

} // namespace

std::string toml_quoted(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            out += fmt::format("\\u{:04X}", static_cast<unsigned>(u));
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string study_toml(const StudyDraft& d) {
    std::string s = comment_block(d.header);
    s += comment_block("Paths are relative to this file. Commented lines show the defaults and other choices.");
    // One section after another, a blank line between (appended one by one: GCC 12 warns,
    // wrongly, on "\n" + std::string).
    for (const auto& section : {study_section(d), network_section(d), zones_section(d), communes_section(d),
                                population_section(d), services_section(d), poles_section(d)}) {
        s += '\n';
        s += section;
    }
    return s;
}

} // namespace proxima
