#include "proxima/study/time_limits.hpp"
#include "proxima/study/study_file.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>
#include <proj.h>

#include "core/toml_reader.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/input_path.hpp"
#include "proxima/core/sha256.hpp"

namespace proxima {

namespace {

using detail::TomlReader;
using detail::parse_toml;

std::optional<std::string> optional_string(const TomlReader& r, const toml::table& t, std::string_view key,
                                           const std::string& where) {
    if (t.get(key) == nullptr) {
        return std::nullopt;
    }
    return r.string(t, key, where);
}

bool valid_service_id(const std::string& id) {
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

/// A list of numbers (integers or decimals) within [lo, hi].
std::vector<double> numbers(const TomlReader& r, const toml::table& t, std::string_view key, const std::string& where,
                            double lo, double hi) {
    const toml::node* node = t.get(key);
    const auto* arr = node == nullptr ? nullptr : node->as_array();
    if (arr == nullptr) {
        r.fail(node == nullptr ? static_cast<const toml::node&>(t) : *node,
               fmt::format("'{}{}' must be a list of numbers", where, key));
    }
    std::vector<double> out;
    for (const auto& item : *arr) {
        out.push_back(r.number_value(item, fmt::format("{}{}", where, key), lo, hi));
    }
    return out;
}

/// [services.<id>.apl]: the APL's decay, supply column, unit and threshold (only the keys present
/// override), checked as a whole.
void read_apl_table(const TomlReader& r, const toml::table& t, const std::string& where, AplSpec& apl) {
    r.only_keys(t, where,
                {"decay", "bands_min", "weights", "max_min", "supply_field", "supply_unit", "per_inhabitants",
                 "threshold"});
    if (auto decay = optional_string(r, t, "decay", where)) {
        if (*decay == "bands") {
            apl.decay = AplSpec::Decay::bands;
        } else if (*decay == "linear") {
            apl.decay = AplSpec::Decay::linear;
        } else if (*decay == "gaussian") {
            apl.decay = AplSpec::Decay::gaussian;
        } else {
            r.fail(*t.get("decay"), fmt::format("'{}decay' must be \"bands\", \"linear\" or \"gaussian\", not \"{}\"",
                                                where, *decay));
        }
    }
    const bool bands = apl.decay == AplSpec::Decay::bands;
    if ((t.get("bands_min") != nullptr) != (t.get("weights") != nullptr)) {
        r.fail(t, fmt::format("'{}bands_min' and '{}weights' go together: the bounds of the bands (minutes) and one "
                              "weight per band",
                              where, where));
    }
    if (t.get("bands_min") != nullptr) {
        if (!bands) {
            r.fail(*t.get("bands_min"), fmt::format("'{}bands_min' goes with decay = \"bands\", not \"{}\" (which "
                                                    "uses max_min)",
                                                    where, to_string(apl.decay)));
        }
        apl.band_upper_min = numbers(r, t, "bands_min", where, -1e9, 1e9);
        apl.band_weight = numbers(r, t, "weights", where, -1e9, 1e9);
    }
    if (t.get("max_min") != nullptr) {
        if (bands) {
            r.fail(*t.get("max_min"), fmt::format("'{}max_min' goes with decay = \"linear\" or \"gaussian\"; bands "
                                                  "end at the last of bands_min",
                                                  where));
        }
        apl.max_min = r.number(t, "max_min", where, -1e9, 1e9);
    }
    if (auto field = optional_string(r, t, "supply_field", where)) {
        if (field->empty()) {
            r.fail(*t.get("supply_field"), fmt::format("'{}supply_field' is empty: name the column of the facility "
                                                       "files that holds each site's supply, or leave the key out (1 "
                                                       "per site)",
                                                       where));
        }
        apl.supply_field = *field;
    }
    if (auto unit = optional_string(r, t, "supply_unit", where)) {
        apl.supply_unit = *unit;
    }
    apl.per_inhabitants = r.number(t, "per_inhabitants", where, -1e18, 1e18, apl.per_inhabitants);
    apl.threshold = r.number(t, "threshold", where, -1e18, 1e18, apl.threshold);
    try {
        std::string name = where;
        if (!name.empty() && name.back() == '.') {
            name.pop_back();
        }
        check_apl_spec(apl, name);
    } catch (const ConfigError& e) {
        r.fail(t, e.what());
    }
}

/// Reads the keys of one service table into `spec` (only those present override).
void read_service_fields(const TomlReader& r, const toml::table& t, const std::string& where, ServiceSpec& spec,
                         const std::filesystem::path& base) {
    r.only_keys(t, where, {"label", "threshold_min", "direction", "bpe", "osm", "osm_unconfirmed",
                           "include_hospitals_without_emergency", "files", "pole", "family", "indicator", "apl"});
    if (auto family = optional_string(r, t, "family", where)) {
        static const std::set<std::string> known = {"sante", "education", "services_publics", "commerce", "pole"};
        if (known.count(*family) == 0) {
            r.fail(*t.get("family"), fmt::format("'{}family' must be one of sante, education, services_publics, "
                                                 "commerce, pole, not \"{}\"",
                                                 where, *family));
        }
        spec.family = *family;
    }
    if (auto indicator = optional_string(r, t, "indicator", where)) {
        if (*indicator != "time" && *indicator != "apl") {
            r.fail(*t.get("indicator"), fmt::format("'{}indicator' must be \"time\" (travel times, the default) or "
                                                    "\"apl\" (travel times and the APL, E2SFCA), not \"{}\"",
                                                    where, *indicator));
        }
        spec.apl_in_run = *indicator == "apl";
    }
    if (const toml::node* apl = t.get("apl")) {
        if (!apl->is_table()) {
            r.fail(*apl, fmt::format("'{}apl' must be a table ([{}apl] with decay, bands_min, weights, supply_field, "
                                     "per_inhabitants, threshold)",
                                     where, where));
        }
        read_apl_table(r, *apl->as_table(), where + "apl.", spec.apl);
    }
    if (auto pole = optional_string(r, t, "pole", where)) {
        if (*pole != "proximite" && *pole != "intermediaire" && *pole != "superieure") {
            r.fail(*t.get("pole"), fmt::format("'{}pole' must be \"proximite\", \"intermediaire\" or \"superieure\", "
                                               "not \"{}\"",
                                               where, *pole));
        }
        spec.pole = *pole;
    }
    if (auto label = optional_string(r, t, "label", where)) {
        spec.label = *label;
    }
    if (t.get("threshold_min") != nullptr) {
        const auto* node = t.get("threshold_min");
        const double v = r.number(t, "threshold_min", where, -1e9, 1e9);
        if (!valid_threshold_min(v)) {
            r.fail(*node, fmt::format("'{}threshold_min' = {} must be more than 0 and at most {:g} minutes", where, v,
                                      max_threshold_min));
        }
        spec.threshold_min = v;
    }
    if (auto direction = optional_string(r, t, "direction", where)) {
        if (*direction == "to_service") {
            spec.direction = TravelDirection::to_service;
        } else if (*direction == "from_service") {
            spec.direction = TravelDirection::from_service;
        } else {
            r.fail(*t.get("direction"), fmt::format("'{}direction' must be \"to_service\" or \"from_service\", not "
                                                    "\"{}\"",
                                                    where, *direction));
        }
    }
    if (t.get("bpe") != nullptr) {
        spec.bpe_codes = r.strings(t, "bpe", where);
        for (const auto& code : spec.bpe_codes) {
            if (known_bpe_types().count(code) == 0) {
                r.fail(*t.get("bpe"), fmt::format("'{}bpe' lists '{}', which is no BPE equipment type of any known "
                                                  "vintage (see data/bpe/typequ.csv; e.g. D265 médecin généraliste, "
                                                  "D307 pharmacie)",
                                                  where, code));
            }
        }
    }
    if (t.get("osm") != nullptr) {
        spec.osm_selectors = r.strings(t, "osm", where);
    }
    if (t.get("osm_unconfirmed") != nullptr) {
        spec.osm_unconfirmed = r.strings(t, "osm_unconfirmed", where);
    }
    if (const toml::node* include = t.get("include_hospitals_without_emergency")) {
        spec.include_unconfirmed = r.boolean(t, "include_hospitals_without_emergency", where);
        if (spec.include_unconfirmed && spec.osm_unconfirmed.empty()) {
            r.fail(*include, fmt::format("'{}include_hospitals_without_emergency' applies to services whose catalogue "
                                         "entry lists hospitals not tagged emergency=* (osm_unconfirmed: urgences, "
                                         "smur); this one has none",
                                         where));
        }
    }
    if (const auto* files = t.get("files")) {
        const auto* arr = files->as_array();
        if (arr == nullptr) {
            r.fail(*files, fmt::format("'{}files' must be a list of tables like {{ file = \"x.csv\", crs = "
                                       "\"EPSG:4326\" }}",
                                       where));
        }
        for (const auto& item : *arr) {
            const auto* ft = item.as_table();
            if (ft == nullptr) {
                r.fail(item, fmt::format("'{}files' must hold tables like {{ file = \"x.csv\", crs = \"EPSG:4326\" }}",
                                         where));
            }
            const std::string fw = where + "files.";
            r.only_keys(*ft, fw, {"file", "crs", "x_field", "y_field", "id_field", "name_field", "type_field"});
            PointFileSpec f;
            f.file = (base / r.string(*ft, "file", fw)).lexically_normal();
            f.options.crs = optional_string(r, *ft, "crs", fw).value_or("");
            f.options.x_field = optional_string(r, *ft, "x_field", fw).value_or("");
            f.options.y_field = optional_string(r, *ft, "y_field", fw).value_or("");
            f.options.id_field = optional_string(r, *ft, "id_field", fw).value_or("");
            f.options.name_field = optional_string(r, *ft, "name_field", fw).value_or("");
            f.options.type_field = optional_string(r, *ft, "type_field", fw).value_or("");
            spec.files.push_back(std::move(f));
        }
    }
}

/// Sub-tables of `t` in file order (toml++ iterates keys alphabetically).
std::vector<std::pair<std::string, const toml::table*>> subtables_in_file_order(const toml::table& t) {
    std::vector<std::tuple<std::uint32_t, std::string, const toml::table*>> found;
    for (const auto& [key, node] : t) {
        if (const auto* sub = node.as_table()) {
            found.emplace_back(node.source().begin.line, std::string(key.str()), sub);
        }
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
    std::vector<std::pair<std::string, const toml::table*>> out;
    for (auto& [line, key, sub] : found) {
        out.emplace_back(std::move(key), sub);
    }
    return out;
}

/// What every section reader needs: the reader (it names the file in errors), the root table, and
/// the study's folder, which the paths in the file are relative to.
struct StudyToml {
    const TomlReader& r;
    const toml::table& root;
    const std::string& source;
    std::filesystem::path base;

    /// A path written in the study file, taken from the study's folder; empty stays empty.
    [[nodiscard]] std::filesystem::path rel(const std::string& p) const {
        return p.empty() ? std::filesystem::path() : (base / p).lexically_normal();
    }
};

/// Whether PROJ knows `crs` as a coordinate reference system.
bool proj_knows_crs(const std::string& crs) {
    PJ_CONTEXT* ctx = proj_context_create();
    proj_log_level(ctx, PJ_LOG_NONE);  // we say what is wrong ourselves
    PJ* pj = proj_create(ctx, crs.c_str());
    const bool ok = pj != nullptr && proj_is_crs(pj) != 0;
    if (pj != nullptr) {
        proj_destroy(pj);
    }
    proj_context_destroy(ctx);
    return ok;
}

/// [study]: name, COG year, output folder and CRS.
void read_study_section(const StudyToml& file, StudyFile& s) {
    const TomlReader& r = file.r;
    const auto& study = r.table(file.root, "study", "");
    r.only_keys(study, "study.", {"name", "cog_year", "output", "crs", "description"});
    s.name = r.string(study, "name", "study.");
    s.cog_year = static_cast<int>(r.integer(study, "cog_year", "study.", 0, 2100, 0));
    s.output_dir = file.rel(optional_string(r, study, "output", "study.").value_or("output"));
    if (auto crs = optional_string(r, study, "crs", "study.")) {
        if (!proj_knows_crs(*crs)) {
            r.fail(*study.get("crs"), fmt::format("'study.crs' = \"{}\" is not a coordinate reference system PROJ "
                                                  "knows (e.g. \"EPSG:2154\" for Lambert-93)",
                                                  *crs));
        }
        s.output_crs = *crs;
    }
}

/// [network]: OSM extract, graph cache, profile and the snapping distances.
void read_network_section(const StudyToml& file, StudyFile& s) {
    const TomlReader& r = file.r;
    const auto& network = r.table(file.root, "network", "");
    r.only_keys(network, "network.",
                {"osm", "graph", "profile", "access_speed_kmh", "max_snap_m", "warn_snap_m", "search"});
    s.network.osm = file.rel(r.string(network, "osm", "network."));
    s.network.graph = file.rel(optional_string(r, network, "graph", "network.").value_or(""));
    s.network.profile = file.rel(optional_string(r, network, "profile", "network.").value_or(""));
    s.network.access_kmh = r.number(network, "access_speed_kmh", "network.", 1, 200, 15.0);
    s.network.max_snap_m = r.number(network, "max_snap_m", "network.", 1, 1e6, 2000.0);
    s.network.warn_snap_m = r.number(network, "warn_snap_m", "network.", 0, 1e6, 300.0);
    if (const toml::node* search = network.get("search")) {
        const auto value = search->value_exact<std::string>();
        const auto choice = value ? parse_search_choice(*value) : std::nullopt;
        if (!choice) {
            r.fail(*search, "'network.search' must be \"auto\" (the method suited to the work), \"dijkstra\" or "
                            "\"phast\" (needs the graph's contraction hierarchy)");
        }
        s.network.search = *choice;
    }
}

/// [zones]: a vector file or the OSM admin level, its fields, and the codes/départements filter.
void read_zones_section(const StudyToml& file, StudyFile& s) {
    const TomlReader& r = file.r;
    const auto& zones = r.table(file.root, "zones", "");
    r.only_keys(zones, "zones.", {"file", "osm_admin_level", "layer", "code_field", "name_field", "codes", "departements"});
    s.zones.file = file.rel(optional_string(r, zones, "file", "zones.").value_or(""));
    if (zones.get("osm_admin_level") != nullptr) {
        s.zones.osm_admin_level = static_cast<int>(r.integer(zones, "osm_admin_level", "zones.", 1, 12));
    }
    if (s.zones.file.empty() == !s.zones.osm_admin_level.has_value()) {
        r.fail(zones, "[zones] needs either 'file' (a vector file of communes) or 'osm_admin_level' (boundaries from "
                      "the OSM extract), not both");
    }
    s.zones.options.layer = optional_string(r, zones, "layer", "zones.").value_or("");
    s.zones.options.code_field = optional_string(r, zones, "code_field", "zones.").value_or("");
    s.zones.options.name_field = optional_string(r, zones, "name_field", "zones.").value_or("");
    s.zones.codes = r.strings(zones, "codes", "zones.");
    s.zones.departements = r.strings(zones, "departements", "zones.");
}

/// [communes] (optional): the INSEE commune table.
void read_communes_section(const StudyToml& file, StudyFile& s) {
    const TomlReader& r = file.r;
    if (file.root.get("communes") != nullptr) {
        const auto& t = r.table(file.root, "communes", "");
        r.only_keys(t, "communes.", {"table"});
        s.commune_table = file.rel(r.string(t, "table", "communes."));
    }
}

/// [population] (optional): its source (default from the files given, else the commune table) and
/// the fields of a grid or of populated points.
void read_population_section(const StudyToml& file, StudyFile& s) {
    using PopulationSource = StudyFile::Population::Source;
    const TomlReader& r = file.r;
    if (file.root.get("population") != nullptr) {
        const auto& t = r.table(file.root, "population", "");
        r.only_keys(t, "population.", {"source", "grid", "grid_crs", "cell_size_m", "x_field", "y_field", "id_field",
                                       "population_field", "points", "lon_field", "lat_field", "name_field",
                                       "groups"});
        s.population.grid = file.rel(optional_string(r, t, "grid", "population.").value_or(""));
        s.population.points = file.rel(optional_string(r, t, "points", "population.").value_or(""));
        const auto source_text = optional_string(r, t, "source", "population.");
        if (source_text) {
            const std::map<std::string, PopulationSource> names = {{"communes", PopulationSource::communes},
                                                                   {"zones", PopulationSource::zones},
                                                                   {"grid", PopulationSource::grid},
                                                                   {"points", PopulationSource::points}};
            auto it = names.find(*source_text);
            if (it == names.end()) {
                r.fail(*t.get("source"), fmt::format("'population.source' must be one of communes, zones, grid, "
                                                     "points; not \"{}\"",
                                                     *source_text));
            }
            s.population.source = it->second;
        } else {
            s.population.source = !s.population.grid.empty()     ? PopulationSource::grid
                                  : !s.population.points.empty() ? PopulationSource::points
                                                                 : PopulationSource::none;
        }
        if (s.population.source == PopulationSource::grid && s.population.grid.empty()) {
            r.fail(t, "'population.source' is \"grid\" but no 'grid' file is given");
        }
        if (s.population.source == PopulationSource::points && s.population.points.empty()) {
            r.fail(t, "'population.source' is \"points\" but no 'points' file is given");
        }
        auto& g = s.population.grid_options;
        const auto grid_crs = optional_string(r, t, "grid_crs", "population.");
        g.crs = grid_crs.value_or("EPSG:3035");
        g.crs_from_ids = !grid_crs.has_value();  // unset: the ids' own CRS (overseas grids name theirs)
        if (t.get("cell_size_m") != nullptr) {
            g.cell_size_m = r.number(t, "cell_size_m", "population.", 1, 1e5);
        }
        g.x_field = optional_string(r, t, "x_field", "population.").value_or("");
        g.y_field = optional_string(r, t, "y_field", "population.").value_or("");
        g.id_field = optional_string(r, t, "id_field", "population.").value_or("");
        const auto population_field = optional_string(r, t, "population_field", "population.");
        g.population_field = population_field.value_or("");
        if (population_field) {
            s.population.points_population_field = *population_field;
        }
        s.population.points_lon_field = optional_string(r, t, "lon_field", "population.").value_or("lon");
        s.population.points_lat_field = optional_string(r, t, "lat_field", "population.").value_or("lat");
        s.population.points_name_field = optional_string(r, t, "name_field", "population.").value_or("name");
        if (const toml::node* groups = t.get("groups")) {
            for (const auto& text : r.strings(t, "groups", "population.")) {
                try {
                    s.population.groups.push_back(parse_age_group(text, "population.groups"));
                } catch (const ConfigError& e) {
                    r.fail(*groups, e.what());
                }
                const auto& key = s.population.groups.back().key;
                if (std::count_if(s.population.groups.begin(), s.population.groups.end(),
                                  [&](const AgeGroup& g) { return g.key == key; }) > 1) {
                    r.fail(*groups, fmt::format("'population.groups' lists \"{}\" twice", text));
                }
            }
            if (!s.population.groups.empty() && s.population.source != PopulationSource::grid) {
                r.fail(*groups, fmt::format("'population.groups' counts age groups from the age columns of a "
                                            "Filosofi grid ({}): give the grid in population.grid (source = "
                                            "\"grid\")",
                                            filosofi_age_columns()));
            }
        }
    } else if (!s.commune_table.empty()) {
        s.population.source = PopulationSource::communes;
    }
    if (s.population.source == PopulationSource::communes && s.commune_table.empty()) {
        r.fail("'population.source' is \"communes\" but no [communes] table is given");
    }
}

/// [origins] (optional): their kind (default from the population source) and reference points.
void read_origins_section(const StudyToml& file, StudyFile& s) {
    using PopulationSource = StudyFile::Population::Source;
    using OriginKind = StudyFile::Origins::Kind;
    const TomlReader& r = file.r;
    s.origins.kind = s.population.source == PopulationSource::grid     ? OriginKind::cells
                     : s.population.source == PopulationSource::points ? OriginKind::points
                                                                       : OriginKind::reference_points;
    if (file.root.get("origins") != nullptr) {
        const auto& t = r.table(file.root, "origins", "");
        r.only_keys(t, "origins.", {"kind", "file", "code_field", "crs", "chef_lieu", "chef_lieu_layer"});
        s.origins.chef_lieu = file.rel(optional_string(r, t, "chef_lieu", "origins.").value_or(""));
        s.origins.chef_lieu_layer = optional_string(r, t, "chef_lieu_layer", "origins.").value_or("");
        if (auto kind = optional_string(r, t, "kind", "origins.")) {
            if (*kind == "reference_points") {
                s.origins.kind = OriginKind::reference_points;
            } else if (*kind == "cells") {
                s.origins.kind = OriginKind::cells;
            } else if (*kind == "points") {
                s.origins.kind = OriginKind::points;
            } else {
                r.fail(*t.get("kind"), fmt::format("'origins.kind' must be reference_points, cells or points; not "
                                                   "\"{}\"",
                                                   *kind));
            }
        }
        s.origins.reference_points = file.rel(optional_string(r, t, "file", "origins.").value_or(""));
        s.origins.reference_code_field = optional_string(r, t, "code_field", "origins.").value_or("code");
        s.origins.reference_crs = optional_string(r, t, "crs", "origins.").value_or("");
        if (!s.origins.reference_points.empty() && s.origins.kind != OriginKind::reference_points) {
            r.fail(t, "'origins.file' gives reference points: it goes with kind = \"reference_points\"");
        }
        if (!s.origins.chef_lieu.empty() && s.origins.kind != OriginKind::reference_points) {
            r.fail(t, "'origins.chef_lieu' places each commune's population at its chef-lieu: it goes with kind = "
                      "\"reference_points\" (a population from the communes or the zones)");
        }
    }
    if (s.origins.kind == OriginKind::cells && s.population.source != PopulationSource::grid) {
        r.fail("'origins.kind' is \"cells\" but the population is not a grid");
    }
    if (s.origins.kind == OriginKind::points && s.population.source != PopulationSource::points) {
        r.fail("'origins.kind' is \"points\" but the population is not given as points");
    }
}

/// [services]: catalogue services in `use`, then [services.<id>] tables overriding or adding one.
void read_services_section(const StudyToml& file, StudyFile& s) {
    const TomlReader& r = file.r;
    const auto& services = r.table(file.root, "services", "");
    const auto catalogue = builtin_service_catalogue();
    auto from_catalogue = [&](const std::string& id) -> const ServiceSpec* {
        for (const auto& c : catalogue) {
            if (c.id == id) {
                return &c;
            }
        }
        return nullptr;
    };
    s.services_from_osm = services.get("from_osm") == nullptr ? true : r.boolean(services, "from_osm", "services.");
    s.bpe = file.rel(optional_string(r, services, "bpe", "services.").value_or(""));
    for (const auto& [key, node] : services) {
        if (!node.is_table() && key.str() != "use" && key.str() != "from_osm" && key.str() != "bpe") {
            r.fail(node, fmt::format("unknown key 'services.{}' (allowed: use, from_osm, bpe, and one [services.<id>] "
                                     "table per service)",
                                     key.str()));
        }
    }
    const auto use = r.strings(services, "use", "services.");
    for (const auto& id : use) {
        const ServiceSpec* c = from_catalogue(id);
        if (c == nullptr) {
            std::string known;
            for (const auto& k : catalogue) {
                known += (known.empty() ? "" : ", ") + k.id;
            }
            r.fail(*services.get("use"), fmt::format("unknown service '{}' in services.use; the catalogue has: {}. "
                                                     "Define others in a [services.{}] table",
                                                     id, known, id));
        }
        if (std::any_of(s.services.begin(), s.services.end(), [&](const auto& x) { return x.id == id; })) {
            r.fail(*services.get("use"), fmt::format("service '{}' is listed twice in services.use", id));
        }
        s.services.push_back(*c);
    }
    for (const auto& [id, table] : subtables_in_file_order(services)) {
        if (!valid_service_id(id)) {
            r.fail(*table, fmt::format("service id '{}' must use only a-z, 0-9 and _ (it names output columns)", id));
        }
        auto it = std::find_if(s.services.begin(), s.services.end(), [&id = id](const auto& x) { return x.id == id; });
        if (it == s.services.end()) {
            ServiceSpec spec;
            if (const ServiceSpec* c = from_catalogue(id)) {
                spec = *c;  // [services.pharmacie] alone: the catalogue entry with overrides
            } else {
                spec.id = id;
            }
            s.services.push_back(std::move(spec));
            it = s.services.end() - 1;
        }
        it->defined_in = fmt::format("{}:{}", file.source, table->source().begin.line);
        read_service_fields(r, *table, "services." + id + ".", *it, file.base);
        if (it->label.empty()) {
            it->label = id;
        }
        if (!(it->threshold_min > 0)) {
            r.fail(*table, fmt::format("service '{}' needs threshold_min (minutes, > 0)", id));
        }
        if (it->bpe_codes.empty() && it->osm_selectors.empty() && it->files.empty() && it->pole.empty()) {
            r.fail(*table, fmt::format("service '{}' has no source of facilities: give bpe codes, osm selectors or "
                                       "files",
                                       id));
        }
    }
    if (s.services.empty()) {
        r.fail(services, "the study has no service: list catalogue ids in services.use or define [services.<id>]");
    }
}

/// [poles] (optional): source of equipment (default from the files given), gammes, buffer.
void read_poles_section(const StudyToml& file, StudyFile& s) {
    const TomlReader& r = file.r;
    if (const toml::node* node = file.root.get("poles")) {
        if (!node->is_table()) {
            r.fail(*node, "'poles' must be a table");
        }
        const auto& poles = *node->as_table();
        s.poles.given = true;
        r.only_keys(poles, "poles.", {"source", "gammes", "counts", "list", "buffer_km", "nested"});
        if (poles.get("nested") != nullptr) {
            s.poles.nested = r.boolean(poles, "nested", "poles.");
        }
        s.poles.source = optional_string(r, poles, "source", "poles.").value_or("");
        if (!s.poles.source.empty() && s.poles.source != "bpe" && s.poles.source != "bpe_counts" &&
            s.poles.source != "osm" && s.poles.source != "list") {
            r.fail(*poles.get("source"), fmt::format("'poles.source' must be \"bpe\", \"bpe_counts\", \"osm\" or "
                                                     "\"list\", not \"{}\"",
                                                     s.poles.source));
        }
        s.poles.gammes = file.rel(optional_string(r, poles, "gammes", "poles.").value_or(""));
        for (const auto& c : r.strings(poles, "counts", "poles.")) {
            s.poles.counts.push_back(file.rel(c));
        }
        s.poles.list = file.rel(optional_string(r, poles, "list", "poles.").value_or(""));
        s.poles.buffer_km = r.number(poles, "buffer_km", "poles.", 0, 500, 15.0);
        if (s.poles.source == "bpe_counts" && s.poles.counts.empty()) {
            r.fail(poles, "'poles.source' is \"bpe_counts\": give the count tables in poles.counts");
        }
        if (s.poles.source == "list" && s.poles.list.empty()) {
            r.fail(poles, "'poles.source' is \"list\": give the CSV of pole communes in poles.list (columns code, level)");
        }
        if (s.poles.source == "bpe" && s.bpe.empty()) {
            r.fail(poles, "'poles.source' is \"bpe\" but the study has no BPE file (services.bpe)");
        }
    }
    if (s.poles.source.empty()) {
        s.poles.source = !s.poles.counts.empty() ? "bpe_counts" : !s.poles.list.empty() ? "list" : !s.bpe.empty() ? "bpe" : "osm";
    }
}

} // namespace

std::vector<ServiceSpec> parse_service_catalogue(const std::string& toml_text, const std::string& source) {
    const toml::table root = parse_toml(toml_text, source);
    const TomlReader r(source);
    r.only_keys(root, "", {"services"});
    const auto& services = r.table(root, "services", "");
    std::vector<ServiceSpec> out;
    for (const auto& [id, table] : subtables_in_file_order(services)) {
        ServiceSpec spec;
        spec.id = id;
        spec.defined_in = "catalogue";
        read_service_fields(r, *table, "services." + id + ".", spec, {});
        if (!valid_service_id(id)) {
            r.fail(*table, fmt::format("service id '{}' must use only a-z, 0-9 and _", id));
        }
        if (spec.label.empty() || spec.threshold_min <= 0) {
            r.fail(*table, fmt::format("catalogue service '{}' needs a label and a threshold_min", id));
        }
        out.push_back(std::move(spec));
    }
    return out;
}

StudyFile parse_study(const std::string& toml_text, const std::filesystem::path& path) {
    const std::string source = path.string();
    const toml::table root = parse_toml(toml_text, source);
    const TomlReader r(source);
    const StudyToml file{r, root, source, path.parent_path()};

    r.only_keys(root, "", {"study", "network", "zones", "communes", "population", "origins", "services", "poles"});
    StudyFile s;
    s.path = path;
    s.sha256 = sha256_hex(toml_text);
    // In this order: the defaults of a section depend on the sections read before it.
    read_study_section(file, s);
    read_network_section(file, s);
    read_zones_section(file, s);
    read_communes_section(file, s);
    read_population_section(file, s);
    read_origins_section(file, s);
    read_services_section(file, s);
    read_poles_section(file, s);
    return s;
}

bool StudyFile::Zones::keeps(const std::string& code) const {
    if (codes.empty() && departements.empty()) {
        return true;
    }
    if (std::find(codes.begin(), codes.end(), code) != codes.end()) {
        return true;
    }
    return std::any_of(departements.begin(), departements.end(), [&](const std::string& d) {
        return code.size() > d.size() && code.compare(0, d.size(), d) == 0;
    });
}

StudyFile load_study(const std::filesystem::path& path) {
    return parse_study(read_settings_file(path, "study file", "data/studies/riviera.toml"), path);
}

std::vector<std::pair<std::string, std::filesystem::path>> study_input_files(const StudyFile& s) {
    std::vector<std::pair<std::string, std::filesystem::path>> out;
    auto add = [&](const char* what, const std::filesystem::path& p) {
        if (!p.empty()) {
            out.emplace_back(what, p);
        }
    };
    add("study file", s.path);
    add("OSM extract ([network] osm)", s.network.osm);
    add("profile ([network] profile)", s.network.profile);
    add("zones file ([zones] file)", s.zones.file);
    add("commune table ([communes] table)", s.commune_table);
    add("population grid ([population] grid)", s.population.grid);
    add("populated points ([population] points)", s.population.points);
    add("reference points ([origins] file)", s.origins.reference_points);
    add("chef-lieu points ([origins] chef_lieu)", s.origins.chef_lieu);
    add("BPE file ([services] bpe)", s.bpe);
    for (const auto& service : s.services) {
        for (const auto& f : service.files) {
            add("facility file ([services] files)", f.file);
        }
    }
    add("gammes file ([poles] gammes)", s.poles.gammes);
    for (const auto& c : s.poles.counts) {
        add("BPE count table ([poles] counts)", c);
    }
    add("list of poles ([poles] list)", s.poles.list);
    return out;
}

void check_study_input_files(const StudyFile& study) {
    for (const auto& [what, path] : study_input_files(study)) {
        require_input_file(path, what);
    }
}

} // namespace proxima
