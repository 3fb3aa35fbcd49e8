#include "proxima/study/study_inputs.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "proxima/core/csv_reader.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/memory_use.hpp"
#include "proxima/core/sha256.hpp"
#include "proxima/graph/graph_file.hpp"
#include "proxima/osm/default_profile.hpp"
#include "proxima/osm/graph_builder.hpp"
#include "proxima/osm/osm_features.hpp"
#include "proxima/territory/chef_lieux.hpp"
#include "proxima/routing/contraction_hierarchy.hpp"
#include "proxima/territory/population_value.hpp"

namespace proxima {

namespace {

using PopulationSource = StudyFile::Population::Source;
using OriginKind = StudyFile::Origins::Kind;

RoadGraph load_or_build_graph(const StudyFile& study, const Log& log, std::string& origin) {
    const Profile profile = study.network.profile.empty() ? default_car_profile() : load_profile(study.network.profile);
    const auto& cache = study.network.graph;
    if (!cache.empty()) {
        // The cache is rebuilt in place: refuse at once a path that holds something else.
        try {
            check_graph_destination(cache, fmt::format("[network] graph in {}", study.path.string()));
        } catch (const OutputError& e) {
            throw ConfigError(e.what());
        }
    }
    std::error_code ec;
    if (!cache.empty() && std::filesystem::exists(cache, ec)) {
        try {
            RoadGraph g = load_graph(cache);
            require_graph_source(g, cache, sha256_file(study.network.osm), profile.sha256);
            origin = fmt::format("loaded from {}", cache.string());
            return g;
        } catch (const CacheError& e) {
            log.warning(fmt::format("{}; rebuilding it", e.what()));
            origin = fmt::format("rebuilt from {} (the cache {} was unusable)", study.network.osm.string(), cache.string());
        }
    } else {
        origin = fmt::format("built from {}", study.network.osm.string());
    }
    auto built = build_road_graph(study.network.osm, profile, log);
    log.info(format_build_report(built.report));
    // The contraction hierarchy lets the searches of many services share sweeps (PHAST).
    log.info(format_hierarchy_report(add_state_hierarchy(built.graph)));
    if (!cache.empty()) {
        std::error_code mkdir_error;
        std::filesystem::create_directories(cache.parent_path(), mkdir_error);  // a cache folder: ours to make
        save_graph(built.graph, cache);
        origin += fmt::format(", saved to {}", cache.string());
    }
    return std::move(built.graph);
}

ZoneLayer read_study_zones(const StudyFile& study, const OsmBoundaries* from_osm, std::vector<std::string>& broken) {
    ZoneLayer layer;
    if (study.zones.osm_admin_level) {
        const OsmBoundaries boundaries =
            from_osm != nullptr ? *from_osm : extract_admin_boundaries(study.network.osm, *study.zones.osm_admin_level);
        layer.source = fmt::format("{} (admin_level={})", study.network.osm.string(), *study.zones.osm_admin_level);
        layer.crs = "EPSG:4326";
        // Boundaries cut by the extract (neighbours across the border) cannot be closed: they are
        // reported, not zones of the study.
        broken = boundaries.broken;
        for (const auto& b : boundaries.boundaries) {
            const std::string code = !b.ref.empty() ? b.ref : b.name;
            layer.zones.push_back(make_zone(code, b.name, b.wkb, fmt::format("{} {}", layer.source, b.osm_id)));
        }
        if (layer.zones.empty()) {
            throw InputError(fmt::format("{}: no boundary=administrative with admin_level={} in the extract",
                                         study.network.osm.string(), *study.zones.osm_admin_level));
        }
    } else {
        layer = read_zones(study.zones.file, study.zones.options);
    }
    // Filters: explicit codes, or départements (code prefix).
    const auto& codes = study.zones.codes;
    const auto& deps = study.zones.departements;
    if (!codes.empty() || !deps.empty()) {
        for (const auto& c : codes) {
            if (std::none_of(layer.zones.begin(), layer.zones.end(), [&](const Zone& z) { return z.code == c; })) {
                throw ConfigError(fmt::format("{}: zones.codes lists '{}', which is not in {}", study.path.string(), c,
                                              layer.source));
            }
        }
        std::vector<Zone> kept;
        for (auto& z : layer.zones) {
            if (study.zones.keeps(z.code)) {
                kept.push_back(std::move(z));
            }
        }
        layer.zones = std::move(kept);
        if (layer.zones.empty()) {
            throw ConfigError(fmt::format("{}: no zone of {} is in zones.departements", study.path.string(), layer.source));
        }
    }
    return layer;
}

/// Populated points (e.g. settlements) from a CSV: those without coordinates are unplaced.
struct PopulatedPoints {
    std::vector<GridCell> points;  ///< reuses the grid cell shape: id = name, centre = position
    std::vector<UnplacedPopulation> unplaced;
    std::vector<std::string> warnings;  ///< rows listed twice (counted once)
    double total = 0.0;
};

PopulatedPoints read_populated_points(const StudyFile& study, const Log& log) {
    const auto& p = study.population;
    CsvReader csv(p.points, "population points file", log);
    const int lon = csv.require_column({p.points_lon_field});
    const int lat = csv.require_column({p.points_lat_field});
    const int pop = csv.require_column({p.points_population_field});
    const int name = csv.column(p.points_name_field);
    PopulatedPoints out;
    // A place listed twice (same name, same position) would be counted twice: an exact repeat is
    // counted once and reported, a repeat with another population is an error.
    std::map<std::tuple<std::string, std::string, std::string>, std::pair<std::uint64_t, double>> seen;
    while (csv.next()) {
        GridCell c;
        c.line = csv.line();
        c.id = name >= 0 ? csv.field(name) : fmt::format("line {}", c.line);
        c.population = read_population(csv.field(pop), csv.where(), "'" + c.id + "'", PopulationFigure::decimal);
        const std::string lon_text = csv.field(lon);
        const std::string lat_text = csv.field(lat);
        if (name >= 0) {
            const auto [it, fresh] = seen.try_emplace({c.id, lon_text, lat_text}, c.line, c.population);
            if (!fresh) {
                if (it->second.second != c.population) {
                    throw InputError(fmt::format("{}: '{}' at the same position is already listed on line {} with "
                                                 "another population ({} against {}); keep one row per place",
                                                 csv.where(), c.id, it->second.first, it->second.second, c.population));
                }
                out.warnings.push_back(fmt::format("{}: '{}' repeats line {} (same position, same population): "
                                                   "counted once",
                                                   csv.where(), c.id, it->second.first));
                continue;
            }
        }
        out.total += c.population;
        if (lon_text.empty() && lat_text.empty()) {
            out.unplaced.push_back({fmt::format("{} ({}: no coordinates)", c.id, csv.where()), c.population});
            continue;
        }
        const auto x = parse_decimal(lon_text);
        const auto y = parse_decimal(lat_text);
        if (!x || !y || *x < -180 || *x > 180 || *y < -90 || *y > 90) {
            throw InputError(fmt::format("{}: coordinates '{}', '{}' of '{}' are not WGS84 degrees", csv.where(),
                                         lon_text, lat_text, c.id));
        }
        c.centre = {*x, *y};
        out.points.push_back(std::move(c));
    }
    return out;
}

std::string plural(std::size_t n, const char* one, const char* many) { return fmt::format("{} {}", n, n == 1 ? one : many); }

/// Where the steps of load_study_inputs report: every warning is kept, in order, for run.json and
/// logged. What the readers report (e.g. a CSV read as Windows-1252) lands in the study's warnings too.
class Reporter {
public:
    Reporter(std::vector<std::string>& warnings, const Log& log)
        : m_warnings(warnings), m_log(log), m_readers([this](LogLevel level, const std::string& message) {
              if (level == LogLevel::warning) {
                  warn(message);
              } else if (level == LogLevel::info) {
                  m_log.info(message);
              } else {
                  m_log.debug(message);
              }
          }) {}
    Reporter(const Reporter&) = delete;
    Reporter& operator=(const Reporter&) = delete;

    void warn(const std::string& message) const {
        m_warnings.push_back(message);
        m_log.warning(message);
    }
    /// The log to hand to file readers.
    [[nodiscard]] const Log& readers() const { return m_readers; }

private:
    std::vector<std::string>& m_warnings;
    const Log& m_log;
    Log m_readers;
};

/// What the services search: OSM selectors (one pass over the extract) and BPE codes (one read).
struct ServiceSearch {
    std::vector<TagSelector> selectors;
    std::vector<std::pair<std::size_t, std::size_t>> selector_owner;  // (service, selector index)
    std::vector<bool> selector_unconfirmed;             ///< from the service's osm_unconfirmed list
    std::set<std::string> bpe_codes;
    bool osm_read_with_zones = false;                   ///< features read with the OSM boundaries
    std::vector<std::vector<OsmFeature>> osm_features;  ///< per selector
    FacilityReadResult bpe;                             ///< rows of every service's BPE codes
};

/// The OSM selectors and BPE codes of every service.
ServiceSearch plan_service_search(const StudyFile& study) {
    ServiceSearch search;
    for (std::size_t s = 0; s < study.services.size(); ++s) {
        if (study.services_from_osm) {
            const auto& spec = study.services[s];
            const std::size_t confirmed = spec.osm_selectors.size();
            for (std::size_t k = 0; k < confirmed + spec.osm_unconfirmed.size(); ++k) {
                const std::string& expression =
                    k < confirmed ? spec.osm_selectors[k] : spec.osm_unconfirmed[k - confirmed];
                try {
                    search.selectors.push_back(TagSelector::parse(expression));
                } catch (const ConfigError& e) {
                    throw ConfigError(fmt::format("service '{}' ({}): {}", spec.id, spec.defined_in, e.what()));
                }
                search.selector_owner.emplace_back(s, k);
                search.selector_unconfirmed.push_back(k >= confirmed);
            }
        }
        search.bpe_codes.insert(study.services[s].bpe_codes.begin(), study.services[s].bpe_codes.end());
    }
    return search;
}

/// The study's zones, filtered; boundaries cut by the extract are reported.
void load_zones(const StudyFile& study, ServiceSearch& search, StudyInputs& in, const Reporter& report) {
    // Zones from OSM boundaries and services from OSM tags come from one read of the extract.
    std::optional<OsmBoundaries> osm_boundaries;
    if (study.zones.osm_admin_level && !search.selectors.empty()) {
        auto both = extract_osm_features_and_boundaries(study.network.osm, search.selectors,
                                                        *study.zones.osm_admin_level);
        search.osm_features = std::move(both.features);
        osm_boundaries = std::move(both.boundaries);
        search.osm_read_with_zones = true;
    }
    std::vector<std::string> broken;
    in.zones = read_study_zones(study, osm_boundaries ? &*osm_boundaries : nullptr, broken);
    if (!broken.empty()) {
        report.warn(fmt::format("{} of admin_level {} cut by the extract's edge, not used as zones: {}",
                                plural(broken.size(), "boundary", "boundaries"),
                                study.zones.osm_admin_level.value_or(0), fmt::join(broken, ", ")));
    }
}

/// Reads the commune table and joins it to the zones; zones and communes without a match are reported.
void join_commune_table(const StudyFile& study, StudyInputs& in, const Reporter& report) {
    in.communes = read_commune_table(study.commune_table, report.readers());
    in.join = join_zones(in.zones, *in.communes);
    // The table's names are those of the study's COG year (the polygons may be older, or
    // abbreviated: "Turbie" for La Turbie in the 2018 sample).
    for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
        if (in.join.commune_of_zone[z] != ZoneJoin::no_commune) {
            const Commune& c = in.communes->communes()[in.join.commune_of_zone[z]];
            if (!c.name.empty()) {
                in.zones.zones[z].name = c.name;
            }
        }
    }
    if (!study.zones.codes.empty()) {
        in.join.unmatched_communes.clear();  // the study names its communes: the others are not missing
        in.join.unmatched_communes_population = 0;
    }
    if (!in.join.unmatched_zones.empty()) {
        std::string codes;
        for (const auto& c : in.join.unmatched_zones) {
            codes += (codes.empty() ? "" : ", ") + c;
        }
        report.warn(fmt::format("{} of {} not in the COG {} commune table {} (merged into a commune nouvelle?): {}",
                                plural(in.join.unmatched_zones.size(), "zone", "zones"), in.zones.source,
                                study.cog_year, study.commune_table.string(), codes));
    }
    if (!in.join.unmatched_communes.empty()) {
        report.warn(fmt::format("{} of the commune table ({} inhabitants) have no polygon in {}",
                                plural(in.join.unmatched_communes.size(), "commune", "communes"),
                                in.join.unmatched_communes_population, in.zones.source));
    }
}

/// Population per zone from the commune table (source "communes") or the zones' attribute ("zones").
void read_zone_population(const StudyFile& study, StudyInputs& in, std::vector<double>& zone_population) {
    if (study.population.source == PopulationSource::communes) {
        for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
            const Commune* c = in.communes->find(in.zones.zones[z].code);
            if (c != nullptr && !c->population) {
                throw InputError(fmt::format("{}:{}: commune {} ({}) of the study has no population, and "
                                             "population.source is \"communes\": fill in its population municipale",
                                             in.communes->source(), c->line, c->code, c->name));
            }
            if (c != nullptr) {
                zone_population[z] = static_cast<double>(*c->population);
            }
        }
        in.population_total = in.communes->total_population();
        return;
    }
    for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
        if (!in.zones.zones[z].population) {
            throw InputError(fmt::format("{}: zone {} has no population value, and population.source is \"zones\"",
                                         in.zones.source, in.zones.zones[z].code));
        }
        zone_population[z] = static_cast<double>(*in.zones.zones[z].population);
    }
}

/// The inhabitants of each of the study's age groups in `ages`.
std::vector<double> group_counts(const StudyFile& study, const AgeCounts& ages) {
    std::vector<double> out;
    out.reserve(study.population.groups.size());
    for (const auto& g : study.population.groups) {
        out.push_back(g.of(ages));
    }
    return out;
}

/// Population of a grid or of populated points, assigned to the zones; with cells or points as
/// origins, one origin per populated cell or point. `zone_ages` sums the cells' age columns.
std::vector<Origin> place_population_cells(const StudyFile& study, StudyInputs& in,
                                           std::vector<double>& zone_population, std::vector<AgeCounts>& zone_ages,
                                           const Reporter& report) {
    PopulationGrid cells;
    if (study.population.source == PopulationSource::grid) {
        in.grid = read_population_grid(study.population.grid, study.population.grid_options, report.readers());
        if (!study.population.groups.empty() && !in.grid->has_ages) {
            throw InputError(fmt::format("{}: the study counts age groups ([population] groups in {}) but this grid "
                                         "has no age columns: it needs Filosofi's {} (the 2015 edition writes them "
                                         "Ind_0_3 ...; any case is read). Use a Filosofi file with the age columns, "
                                         "or remove population.groups",
                                         study.population.grid.string(), study.path.string(),
                                         filosofi_age_columns()));
        }
        cells = *in.grid;
    } else {
        auto points = read_populated_points(study, report.readers());
        cells.cells = std::move(points.points);
        cells.total_population = points.total;
        cells.source = study.population.points.string();
        for (auto& u : points.unplaced) {
            in.unplaced_population.push_back(u);
        }
        for (const auto& w : points.warnings) {
            report.warn(w);
        }
    }
    in.population_total = cells.total_population;
    const CellAssignment assignment = assign_cells_to_zones(cells, in.zones);
    zone_population = assignment.population_of_zone;
    for (std::size_t i = 0; i < cells.cells.size(); ++i) {
        const auto z = assignment.zone_of_cell[i];
        for (std::size_t k = 0; z != CellAssignment::outside && k < AgeCounts{}.size(); ++k) {
            zone_ages[z][k] += cells.cells[i].ages[k];
        }
    }
    if (assignment.cells_outside > 0) {
        in.unplaced_population.push_back(
            {fmt::format("{} of {} outside the study zones", plural(assignment.cells_outside, "point", "points"),
                         cells.source),
             assignment.population_outside});
    }
    std::vector<Origin> origins;
    const bool per_point = study.origins.kind == OriginKind::cells || study.origins.kind == OriginKind::points;
    if (per_point) {
        for (std::size_t i = 0; i < cells.cells.size(); ++i) {
            const auto z = assignment.zone_of_cell[i];
            if (z == CellAssignment::outside || cells.cells[i].population <= 0) {
                continue;
            }
            const GridCell& c = cells.cells[i];
            origins.push_back({c.id, z, c.centre, c.population, {}, c.x, c.y,
                               in.grid ? OriginPlacement::cell : OriginPlacement::point, group_counts(study, c.ages)});
        }
    }
    return origins;
}

/// Each zone's chef-lieu (IGN CHFLIEU_COMMUNE): from [origins] chef_lieu, else from the zones
/// file when it is an ADMIN EXPRESS GeoPackage holding that layer; none otherwise.
std::vector<std::optional<LonLat>> study_chef_lieux(const StudyFile& study, const StudyInputs& in,
                                                    const Reporter& report) {
    std::vector<std::optional<LonLat>> out(in.zones.zones.size());
    std::filesystem::path path = study.origins.chef_lieu;
    std::string layer = study.origins.chef_lieu_layer;
    if (path.empty() && !study.zones.file.empty()) {
        layer = find_chef_lieu_layer(study.zones.file);
        if (!layer.empty()) {
            path = study.zones.file;
        }
    }
    if (path.empty()) {
        return out;
    }
    const ChefLieuLayer points = read_chef_lieux(path, layer);
    const bool by_id = points.link == "ID_COM";
    std::map<std::string, std::size_t> zone_of;
    for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
        const std::string& key = by_id ? in.zones.zones[z].admin_id : in.zones.zones[z].code;
        if (!key.empty()) {
            zone_of.emplace(key, z);
        }
    }
    if (by_id && zone_of.empty()) {
        throw InputError(fmt::format("chef-lieu points {} name their commune by ID_COM (the commune's ADMIN EXPRESS "
                                     "ID), but the zones {} have no ID field: take the zones from the same ADMIN "
                                     "EXPRESS edition (layer COMMUNE)",
                                     points.source, in.zones.source));
    }
    std::size_t found = 0;
    for (const auto& c : points.points) {
        if (const auto it = zone_of.find(c.commune); it != zone_of.end()) {
            out[it->second] = c.position;
            ++found;
        }
    }
    report.readers().info(fmt::format("chefs-lieux: {} of {} zones placed at theirs ({}, linked by {})", found,
                                      in.zones.zones.size(), points.source, points.link));
    return out;
}

/// The zone's populated cells of the study's grid (for spreading a commune's population), when
/// the study gives a grid; empty lists otherwise.
struct ZoneCells {
    PopulationGrid grid;
    std::vector<std::vector<std::size_t>> of_zone;  ///< per zone: populated cells whose centre it holds
};

ZoneCells study_zone_cells(const StudyFile& study, const StudyInputs& in, const Reporter& report) {
    ZoneCells out;
    out.of_zone.resize(in.zones.zones.size());
    if (study.population.grid.empty()) {
        return out;
    }
    out.grid = in.grid ? *in.grid
                       : read_population_grid(study.population.grid, study.population.grid_options, report.readers());
    const CellAssignment assignment = assign_cells_to_zones(out.grid, in.zones);
    for (std::size_t c = 0; c < out.grid.cells.size(); ++c) {
        if (assignment.zone_of_cell[c] != CellAssignment::outside && out.grid.cells[c].population > 0) {
            out.of_zone[assignment.zone_of_cell[c]].push_back(c);
        }
    }
    return out;
}

/// A zone's population `population` spread over its populated cells in proportion to their
/// inhabitants (so the zone's total is kept): one origin per cell.
void spread_on_cells(const StudyFile& study, std::size_t z, const std::string& code, double population,
                     const ZoneCells& cells, std::vector<Origin>& origins) {
    double grid_total = 0.0;
    for (const std::size_t c : cells.of_zone[z]) {
        grid_total += cells.grid.cells[c].population;
    }
    for (const std::size_t c : cells.of_zone[z]) {
        const GridCell& cell = cells.grid.cells[c];
        const double share = cell.population / grid_total;
        AgeCounts ages = cell.ages;
        for (double& a : ages) {
            a *= population / grid_total;
        }
        origins.push_back({code + ":" + cell.id, z, cell.centre, population * share, {}, cell.x, cell.y,
                           OriginPlacement::spread_on_cells, group_counts(study, ages)});
    }
}

/// One origin per zone carrying its population, at the first place known of: its chef-lieu, its
/// point in the [origins] file, else spread over its populated grid cells, else (last resort)
/// its point on surface.
void add_reference_origins(const StudyFile& study, const StudyInputs& in, const std::vector<double>& zone_population,
                           const std::vector<AgeCounts>& zone_ages, std::vector<Origin>& origins,
                           const Reporter& report) {
    const auto chef_lieux = study_chef_lieux(study, in, report);
    std::map<std::string, LonLat> reference;
    if (!study.origins.reference_points.empty()) {
        PointFileOptions options;
        options.id_field = study.origins.reference_code_field;
        options.crs = study.origins.reference_crs;
        for (const auto& f : read_point_file(study.origins.reference_points, options, report.readers()).facilities) {
            reference[f.id] = f.position;
        }
    }
    const ZoneCells cells = study_zone_cells(study, in, report);
    std::size_t fallback = 0;
    for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
        const Zone& zone = in.zones.zones[z];
        const auto it = reference.find(zone.code);
        if (chef_lieux[z]) {
            origins.push_back({zone.code, z, *chef_lieux[z], zone_population[z], {}, 0.0, 0.0,
                               OriginPlacement::chef_lieu, group_counts(study, zone_ages[z])});
        } else if (it != reference.end()) {
            origins.push_back({zone.code, z, it->second, zone_population[z], {}, 0.0, 0.0,
                               OriginPlacement::reference_point, group_counts(study, zone_ages[z])});
        } else if (!cells.of_zone[z].empty() && zone_population[z] > 0) {
            fallback += reference.empty() ? 0 : 1;
            spread_on_cells(study, z, zone.code, zone_population[z], cells, origins);
        } else {
            fallback += reference.empty() ? 0 : 1;
            origins.push_back({zone.code, z, zone.point_on_surface, zone_population[z], {}, 0.0, 0.0,
                               OriginPlacement::point_on_surface, group_counts(study, zone_ages[z])});
        }
    }
    if (fallback > 0) {
        report.warn(fmt::format("{} without a point in {}: their population is spread over their populated grid "
                                "cells, or sits at their point on surface",
                                plural(fallback, "zone", "zones"), study.origins.reference_points.string()));
    }
}

/// Population and the origins that carry it (not yet snapped).
std::vector<Origin> place_population(const StudyFile& study, StudyInputs& in, const Reporter& report) {
    std::vector<double> zone_population(in.zones.zones.size(), 0.0);
    std::vector<AgeCounts> zone_ages(in.zones.zones.size(), AgeCounts{});
    std::vector<Origin> origins;
    switch (study.population.source) {
    case PopulationSource::none:
        report.warn("no population given: origins carry no inhabitants (add [population] or a [communes] table)");
        break;
    case PopulationSource::communes:
    case PopulationSource::zones:
        read_zone_population(study, in, zone_population);
        break;
    case PopulationSource::grid:
    case PopulationSource::points:
        origins = place_population_cells(study, in, zone_population, zone_ages, report);
        break;
    }
    if (study.origins.kind == OriginKind::reference_points) {
        add_reference_origins(study, in, zone_population, zone_ages, origins, report);
    }
    if (study.population.source == PopulationSource::communes || study.population.source == PopulationSource::zones) {
        double placed = 0;
        for (double p : zone_population) {
            placed += p;
        }
        if (study.population.source == PopulationSource::zones) {
            in.population_total = placed;
        }
        if (!study.zones.codes.empty() || !study.zones.departements.empty()) {
            in.population_total = placed;  // the study area is the filtered zones
        } else if (in.population_total > placed) {
            in.unplaced_population.push_back(
                {"inhabitants of table communes without a zone", in.population_total - placed});
        }
    }
    return origins;
}

/// Snaps the origins onto the graph; those with no road within max_snap_m are reported with their
/// population, then every population not placed.
void snap_origins(const StudyFile& study, const EdgeSnapper& snapper, std::vector<Origin>& origins, StudyInputs& in,
                  const Reporter& report) {
    std::vector<LonLat> positions;
    for (const auto& o : origins) {
        positions.push_back(o.position);
    }
    const auto snaps = snapper.snap_all(positions, study.network.max_snap_m);
    std::size_t unsnapped = 0;
    double unsnapped_population = 0;
    for (std::size_t i = 0; i < origins.size(); ++i) {
        if (!snaps[i]) {
            ++unsnapped;
            unsnapped_population += origins[i].population;
            continue;
        }
        origins[i].snap = *snaps[i];
        if (snaps[i]->distance_m > study.network.warn_snap_m) {
            ++in.origins_long_snaps;
            in.origins_long_snaps_population += origins[i].population;
        }
        in.origins.push_back(std::move(origins[i]));
    }
    if (unsnapped > 0) {
        in.unplaced_population.push_back(
            {fmt::format("{} farther than {} m from any road of the graph", plural(unsnapped, "origin", "origins"),
                         study.network.max_snap_m),
             unsnapped_population});
    }
    if (in.origins_long_snaps > 0) {
        report.warn(fmt::format("{} ({:.0f} inhabitants) {} more than {} m from the nearest road: their off-network "
                                "leg counts at {} km/h",
                                plural(in.origins_long_snaps, "origin", "origins"),
                                in.origins_long_snaps_population, in.origins_long_snaps == 1 ? "is" : "are",
                                study.network.warn_snap_m,
                                study.network.access_kmh));
    }
    for (const auto& u : in.unplaced_population) {
        report.warn(fmt::format("{:.0f} inhabitants not placed: {}", u.population, u.what));
    }
}

/// The BPE rows of every service's codes, in one read.
void read_bpe_facilities(const StudyFile& study, ServiceSearch& search, const Reporter& report) {
    if (!study.bpe.empty() && !search.bpe_codes.empty()) {
        search.bpe = read_bpe_csv(study.bpe, search.bpe_codes, {}, report.readers());
    } else if (!study.bpe.empty()) {
        report.warn(fmt::format("BPE file {} not read: no service of the study has BPE codes", study.bpe.string()));
    }
}

/// The pôles de services, when a service needs them or the study has a [poles] section.
std::optional<PoleClassification> classify_poles_if_needed(const StudyFile& study, const Reporter& report) {
    std::vector<Gamme> required;
    for (const auto& spec : study.services) {
        if (auto g = pole_service_gamme(spec)) {
            required.push_back(*g);
        }
    }
    if (required.empty() && !study.poles.given) {
        return std::nullopt;
    }
    PoleClassification poles = classify_study_poles(study, required, Log{});  // warnings logged below, once
    for (const auto& w : poles.warnings) {
        report.warn(w);
    }
    return poles;
}

/// A pole service's facilities: the communes of the study area and its buffer that are poles of its gamme.
void add_pole_facilities(const StudyFile& study, const PoleClassification& poles, Gamme g, ServiceInputs& service) {
    for (const auto& c : poles.communes) {
        if (poles.serves(c, g)) {
            service.facilities.push_back({"pole:" + c.code, c.name, std::string("pole_") + gamme_key(g), c.code,
                                          c.destination, fmt::format("{} ({})", poles.method, c.destination_kind), "pole"});
        }
    }
    if (service.facilities.empty()) {
        throw InputError(fmt::format("service '{}': no commune of the study area or within {} km of it is a {} "
                                     "by {}: widen [poles] buffer_km, or check the classification with "
                                     "`proxima poles {}`",
                                     service.spec.id, poles.buffer_km, pole_name(g), poles.method,
                                     study.path.string()));
    }
}

/// Service `s`'s facilities found in the OSM extract, the BPE and its own point files.
void add_source_facilities(std::size_t s, const ServiceSearch& search, const Reporter& report,
                           ServiceInputs& service) {
    std::set<std::string> seen;
    // The confirmed selectors first: a place they match is never listed as unconfirmed.
    for (const bool unconfirmed : {false, true}) {
        for (std::size_t i = 0; i < search.selector_owner.size(); ++i) {
            if (search.selector_owner[i].first != s || search.selector_unconfirmed[i] != unconfirmed) {
                continue;
            }
            for (const auto& f : search.osm_features[i]) {
                if (!seen.insert(f.osm_id).second) {
                    continue;
                }
                Facility facility{"osm:" + f.osm_id, f.name, search.selectors[i].expression(), "",
                                  f.position, "osm:" + f.osm_id, "osm"};
                if (unconfirmed) {
                    service.unconfirmed.push_back(facility);
                    if (!service.spec.include_unconfirmed) {
                        continue;
                    }
                }
                service.facilities.push_back(std::move(facility));
                ++service.from_osm;
            }
        }
    }
    std::sort(service.unconfirmed.begin(), service.unconfirmed.end(),
              [](const Facility& a, const Facility& b) { return a.id < b.id; });
    const std::set<std::string> codes(service.spec.bpe_codes.begin(), service.spec.bpe_codes.end());
    for (const auto& f : search.bpe.facilities) {
        if (codes.count(f.type) != 0) {
            service.facilities.push_back(f);
            ++service.from_bpe;
        }
    }
    for (const auto& u : search.bpe.unplaced) {
        if (codes.count(u.type) != 0) {
            service.unplaced.push_back(u);
        }
    }
    for (const auto& file : service.spec.files) {
        PointFileOptions options = file.options;
        options.supply_field = service.spec.apl.supply_field;  // APL: every site's supply, from its file
        auto read = read_point_file(file.file, options, report.readers());
        service.from_files += read.facilities.size();
        service.facilities.insert(service.facilities.end(), read.facilities.begin(), read.facilities.end());
        service.unplaced.insert(service.unplaced.end(), read.unplaced.begin(), read.unplaced.end());
    }
}

/// Refuses a service whose facility ids repeat or that has no facility; reports its unplaced rows.
void check_facilities(const StudyFile& study, const ServiceInputs& service, bool allow_none, const Reporter& report) {
    std::map<std::string, std::string> ids;
    for (const auto& f : service.facilities) {
        auto [it, added] = ids.emplace(f.id, f.source);
        if (!added) {
            throw InputError(fmt::format("service '{}': facility id '{}' comes twice ({} and {}): give the "
                                         "files distinct ids (id_field) or distinct names",
                                         service.spec.id, f.id, it->second, f.source));
        }
    }
    if (service.facilities.empty()) {
        std::string searched;
        if (study.services_from_osm && !service.spec.osm_selectors.empty()) {
            searched += fmt::format("OSM tags ({}) in {}", fmt::join(service.spec.osm_selectors, " | "),
                                    study.network.osm.string());
        }
        if (!study.bpe.empty() && !service.spec.bpe_codes.empty()) {
            searched += fmt::format("{}BPE codes {} in {}", searched.empty() ? "" : "; ",
                                    fmt::join(service.spec.bpe_codes, ", "), study.bpe.string());
        }
        if (!service.spec.files.empty()) {
            searched += fmt::format("{}{}", searched.empty() ? "" : "; ",
                                    plural(service.spec.files.size(), "file", "files"));
        }
        if (searched.empty()) {
            searched = "nothing (no source applies)";
        }
        if (allow_none) {
            report.warn(fmt::format("service '{}' has no site yet (searched {}): today nobody reaches it, every "
                                    "time is unreachable",
                                    service.spec.id, searched));
            return;
        }
        throw InputError(fmt::format("service '{}' ({}) has no facility: searched {}. Add a source (a BPE file, a "
                                     "point file) or remove the service from the study",
                                     service.spec.id, service.spec.defined_in, searched));
    }
    if (!service.spec.apl.supply_field.empty()) {
        // A supply read for some sites and assumed (1) for others would mix units without a word.
        const std::size_t without = service.facilities.size() - service.from_files;
        if (without > 0 || service.spec.files.empty()) {
            throw InputError(fmt::format("service '{}' ({}): the APL supply comes from column '{}' of its facility "
                                         "files, but {} of its sites come from OpenStreetMap, the BPE or the pôles, "
                                         "which have no such column: give every site in files (files = [...], "
                                         "from_osm = false, no bpe codes), or remove supply_field (1 per site)",
                                         service.spec.id, service.spec.defined_in, service.spec.apl.supply_field,
                                         without));
        }
    }
    if (!service.unplaced.empty()) {
        report.warn(fmt::format("service '{}': {} not placed, not used (first: {}, {})", service.spec.id,
                                plural(service.unplaced.size(), "row", "rows"), service.unplaced.front().where,
                                service.unplaced.front().reason));
    }
}

/// Snaps a service's facilities: one farther than max_snap_m is refused, long snaps are reported.
void snap_facilities(const StudyFile& study, const EdgeSnapper& snapper, ServiceInputs& service,
                     const Reporter& report) {
    std::vector<LonLat> positions;
    for (const auto& f : service.facilities) {
        positions.push_back(f.position);
    }
    const auto snaps = snapper.snap_all(positions, study.network.max_snap_m);
    // Hospitals counted in bulk by include_hospitals_without_emergency: one far from every road is
    // left out with a warning (the user did not pick it), where a facility chosen is refused.
    std::set<std::string> unconfirmed;
    for (const auto& f : service.unconfirmed) {
        unconfirmed.insert(f.id);
    }
    std::vector<Facility> kept;
    for (std::size_t i = 0; i < snaps.size(); ++i) {
        if (!snaps[i] && unconfirmed.count(service.facilities[i].id) != 0) {
            report.warn(fmt::format("service '{}': {} ({}) at {:.6f},{:.6f}, a hospital without emergency tag, is more "
                                    "than {} m from any road of the graph: not counted",
                                    service.spec.id, service.facilities[i].source, service.facilities[i].name,
                                    positions[i].lon, positions[i].lat, study.network.max_snap_m));
            --service.from_osm;
            continue;
        }
        if (!snaps[i]) {
            throw InputError(fmt::format("service '{}': facility {} ({}) at {:.6f},{:.6f} is more than {} m from "
                                         "any road of the graph: check its coordinates, use an extract that "
                                         "covers it, or raise network.max_snap_m",
                                         service.spec.id, service.facilities[i].source, service.facilities[i].name,
                                         positions[i].lon, positions[i].lat, study.network.max_snap_m));
        }
        kept.push_back(service.facilities[i]);
        service.snaps.push_back(*snaps[i]);
        if (snaps[i]->distance_m > study.network.warn_snap_m) {
            ++service.long_snaps;
        }
    }
    service.facilities = std::move(kept);
    if (service.long_snaps > 0) {
        std::string which;
        std::size_t listed = 0;
        for (std::size_t i = 0; i < service.snaps.size() && listed < 3; ++i) {
            if (service.snaps[i].distance_m > study.network.warn_snap_m) {
                which += fmt::format("{}{} {} ({:.0f} m)", listed == 0 ? "" : ", ", service.facilities[i].source,
                                     service.facilities[i].name, service.snaps[i].distance_m);
                ++listed;
            }
        }
        report.warn(fmt::format("service '{}': {} more than {} m from the nearest road: {}{}", service.spec.id,
                                plural(service.long_snaps, "facility is", "facilities are"),
                                study.network.warn_snap_m, which, service.long_snaps > listed ? ", ..." : ""));
    }
}

/// Service `s` of the study: its facilities from every source, checked and snapped.
ServiceInputs gather_service(const StudyFile& study, std::size_t s, const ServiceSearch& search,
                             const std::optional<PoleClassification>& poles, const EdgeSnapper& snapper,
                             bool allow_none, const Reporter& report) {
    ServiceInputs service;
    service.spec = study.services[s];
    if (auto g = pole_service_gamme(service.spec)) {
        add_pole_facilities(study, *poles, *g, service);
    }
    add_source_facilities(s, search, report, service);
    check_facilities(study, service, allow_none, report);
    snap_facilities(study, snapper, service, report);
    return service;
}

} // namespace

const char* to_string(OriginPlacement placement) {
    switch (placement) {
    case OriginPlacement::cell: return "cell";
    case OriginPlacement::point: return "point";
    case OriginPlacement::chef_lieu: return "chef_lieu";
    case OriginPlacement::reference_point: return "reference_point";
    case OriginPlacement::spread_on_cells: return "spread_on_cells";
    case OriginPlacement::point_on_surface: return "point_on_surface";
    }
    return "?";
}

StudyInputs load_study_inputs(const StudyFile& study, const Log& log) {
    return load_study_inputs(study, StudyLoadOptions{}, log);
}

StudyInputs load_study_inputs(const StudyFile& study, const StudyLoadOptions& options, const Log& log) {
    check_study_input_files(study);
    StudyInputs in;
    in.study = study;
    const Reporter report(in.warnings, log);
    Stopwatch clock;
    auto phase = [&](const char* name) {
        in.timings.emplace_back(name, clock.seconds());
        in.timings_peak_mib.push_back(peak_resident_mib());
        clock.restart();
    };
    // The zones before the graph: they are read in a second where a national graph takes a
    // minute or more, and a check on them alone (options.after_zones) then fails at once.
    ServiceSearch search = plan_service_search(study);
    load_zones(study, search, in, report);
    phase(search.osm_read_with_zones ? "zones and osm services" : "zones");
    if (options.after_zones) {
        options.after_zones(in);
    }
    in.road_graph = std::make_shared<const RoadGraph>(load_or_build_graph(study, log, in.graph_origin));
    phase("graph");
    if (!study.commune_table.empty()) {
        join_commune_table(study, in, report);
    }
    std::vector<Origin> origins = place_population(study, in, report);
    phase("communes and population");
    in.edge_snapper = std::make_shared<const EdgeSnapper>(in.graph());
    const EdgeSnapper& snapper = *in.edge_snapper;
    snap_origins(study, snapper, origins, in, report);
    phase("origins");
    if (!search.selectors.empty() && !search.osm_read_with_zones) {
        search.osm_features = extract_osm_features(study.network.osm, search.selectors);
    }
    phase("osm services");
    read_bpe_facilities(study, search, report);
    in.poles = classify_poles_if_needed(study, report);
    if (in.poles) {
        phase("poles");
    }
    for (std::size_t s = 0; s < study.services.size(); ++s) {
        in.services.push_back(
            gather_service(study, s, search, in.poles, snapper, options.allow_services_without_sites, report));
    }
    phase("other services and snapping");
    return in;
}

std::shared_ptr<const EdgeSnapper> shared_snapper(const StudyInputs& in) {
    if (in.edge_snapper && &in.edge_snapper->graph() == in.road_graph.get()) {
        return in.edge_snapper;
    }
    return std::make_shared<const EdgeSnapper>(in.graph());
}

PopulationReconciliation reconcile_population(const StudyInputs& in) {
    PopulationReconciliation r;
    std::map<std::string, PopulationGroup> epci;
    std::map<std::string, PopulationGroup> deps;
    for (const auto& o : in.origins) {
        r.total += o.population;
        const std::size_t c = in.communes && o.zone < in.join.commune_of_zone.size() ? in.join.commune_of_zone[o.zone]
                                                                                    : ZoneJoin::no_commune;
        if (c == ZoneJoin::no_commune) {
            r.no_commune += o.population;
            continue;
        }
        const Commune& commune = in.communes->communes()[c];
        auto& e = epci[commune.epci_siren];
        e.code = commune.epci_siren;
        e.name = commune.epci_siren.empty() ? "(no EPCI)" : commune.epci_name;
        e.population += o.population;
        auto& d = deps[commune.departement];
        d.code = commune.departement;
        d.population += o.population;
    }
    for (auto& [code, g] : epci) {
        r.by_epci.push_back(g);
    }
    for (auto& [code, g] : deps) {
        r.by_departement.push_back(g);
    }
    return r;
}

namespace {

/// How the origins were placed (chef-lieu, grid cells, point on surface...), with the origins and
/// inhabitants of each placement; the groups of the study.
std::string format_placement(const StudyInputs& in) {
    std::map<std::string, std::pair<std::size_t, double>> by;
    for (const auto& o : in.origins) {
        auto& b = by[to_string(o.placement)];
        ++b.first;
        b.second += o.population;
    }
    std::string out = "  placement:";
    for (const auto& [placement, counts] : by) {
        out += fmt::format(" {} {} ({:.0f} inhabitants);", placement, counts.first, counts.second);
    }
    out.back() = '\n';
    if (by.count("point_on_surface") != 0 && in.study.origins.kind == StudyFile::Origins::Kind::reference_points) {
        out += "    point_on_surface: no chef-lieu ([origins] chef_lieu, or the CHFLIEU_COMMUNE layer of an ADMIN "
               "EXPRESS GeoPackage) and no populated grid cell ([population] grid): the least sure placement\n";
    }
    for (std::size_t g = 0; g < in.study.population.groups.size(); ++g) {
        double sum = 0.0;
        for (const auto& o : in.origins) {
            sum += g < o.groups.size() ? o.groups[g] : 0.0;
        }
        out += fmt::format("  aged {}: {:.0f} inhabitants placed\n", in.study.population.groups[g].label, sum);
    }
    return out;
}

/// The OSM places a service may have but whose tags do not say so (hospitals without an
/// emergency=* tag), so that the user can decide whether to count them.
std::string format_unconfirmed_sites(const StudyInputs& in) {
    std::string out;
    for (const auto& sv : in.services) {
        if (sv.unconfirmed.empty()) {
            continue;
        }
        out += fmt::format("\n  {}: {} in the extract {} no emergency=* tag: {}\n", sv.spec.id,
                           plural(sv.unconfirmed.size(), "hospital", "hospitals"),
                           sv.unconfirmed.size() == 1 ? "has" : "have",
                           sv.spec.include_unconfirmed
                               ? "counted as sites (include_hospitals_without_emergency = true)"
                               : fmt::format("NOT counted; to count them, set include_hospitals_without_emergency = "
                                             "true in [services.{}]",
                                             sv.spec.id));
        for (const auto& f : sv.unconfirmed) {
            out += fmt::format("    {:<22} {:<44} {:.5f}, {:.5f}\n", f.source, f.name.empty() ? "(no name)" : f.name,
                               f.position.lon, f.position.lat);
        }
    }
    return out;
}

} // namespace

std::string format_inspection(const StudyInputs& in) {
    const auto& s = in.study;
    std::string out;
    out += fmt::format("Study: {} ({})\n", s.name, s.path.string());
    out += fmt::format("Network: {} nodes, {} arcs; {}\n", in.graph().node_count(), in.graph().arc_count(), in.graph_origin);
    out += fmt::format("\nZones: {} from {} (CRS {})\n", in.zones.zones.size(), in.zones.source, in.zones.crs);
    if (in.communes) {
        out += fmt::format("  commune table {} (COG {}): {} communes\n", s.commune_table.string(), s.cog_year,
                           in.communes->size());
        out += fmt::format("  matched {} of {} zones", in.join.matched, in.zones.zones.size());
        if (!in.join.unmatched_zones.empty()) {
            out += fmt::format("; not in the table: {}", fmt::join(in.join.unmatched_zones, ", "));
        }
        out += "\n";
        if (!in.join.unmatched_communes.empty()) {
            out += fmt::format("  table communes without a zone: {} ({} inhabitants)\n",
                               fmt::join(in.join.unmatched_communes, ", "), in.join.unmatched_communes_population);
        }
    }
    std::vector<double> zone_population(in.zones.zones.size(), 0.0);
    std::vector<std::size_t> zone_origins(in.zones.zones.size(), 0);
    for (const auto& o : in.origins) {
        zone_population[o.zone] += o.population;
        ++zone_origins[o.zone];
    }
    out += fmt::format("    {:<8} {:<32} {:>10} {:>12} {:>8}\n", "code", "name", "area", "population", "origins");
    for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
        const auto& zone = in.zones.zones[z];
        out += fmt::format("    {:<8} {:<32} {:>6.1f} km² {:>12.0f} {:>8}\n", zone.code, zone.name, zone.area_km2,
                           zone_population[z], zone_origins[z]);
    }

    double placed = 0;
    for (const auto& o : in.origins) {
        placed += o.population;
    }
    double unplaced = 0;
    for (const auto& u : in.unplaced_population) {
        unplaced += u.population;
    }
    const char* kinds[] = {"commune reference points", "populated grid cells", "populated points"};
    out += fmt::format("\nPopulation: {:.0f} inhabitants read\n", in.population_total);
    if (in.grid) {
        out += fmt::format("  grid {}: {} cells of {:.0f} m, {:.0f} inhabitants; read: {}\n", in.grid->source,
                           in.grid->cells.size(), in.grid->cell_size_m, in.grid->total_population,
                           in.grid->layout);
    }
    out += fmt::format("  placed on {} {}: {:.0f} inhabitants\n", in.origins.size(),
                       kinds[static_cast<int>(s.origins.kind)], placed);
    out += format_placement(in);
    for (const auto& u : in.unplaced_population) {
        out += fmt::format("  NOT PLACED: {:.0f} inhabitants: {}\n", u.population, u.what);
    }
    out += fmt::format("  check: placed {:.0f} + not placed {:.0f} = {:.0f} of {:.0f} read\n", placed, unplaced,
                       placed + unplaced, in.population_total);
    out += fmt::format("  origins farther than {} m from a road: {} ({:.0f} inhabitants)\n", s.network.warn_snap_m,
                       in.origins_long_snaps, in.origins_long_snaps_population);
    if (in.communes) {
        const auto r = reconcile_population(in);
        double epci_sum = r.no_commune;
        double dep_sum = r.no_commune;
        out += "  by EPCI:\n";
        for (const auto& g : r.by_epci) {
            out += fmt::format("    {:<10} {:<44} {:>10.0f}\n", g.code, g.name, g.population);
            epci_sum += g.population;
        }
        out += "  by département:\n";
        for (const auto& g : r.by_departement) {
            out += fmt::format("    {:<10} {:>55.0f}\n", g.code, g.population);
            dep_sum += g.population;
        }
        if (r.no_commune > 0) {
            out += fmt::format("    zones not in the commune table: {:.0f}\n", r.no_commune);
        }
        out += fmt::format("  reconciled: origins {:.0f} = EPCI {:.0f} = départements {:.0f}{}\n", r.total, epci_sum,
                           dep_sum, std::abs(r.total - epci_sum) < 0.5 && std::abs(r.total - dep_sum) < 0.5 ? "" : "  (GAP!)");
    }

    out += fmt::format("\nServices: {}\n", in.services.size());
    out += fmt::format("  {:<16} {:>9} {:>10} {:>5} {:>5} {:>6} {:>10}  {}\n", "id", "threshold", "facilities", "osm",
                       "bpe", "files", "far snaps", "label");
    for (const auto& sv : in.services) {
        out += fmt::format("  {:<16} {:>6.0f} min {:>10} {:>5} {:>5} {:>6} {:>10}  {}{}\n", sv.spec.id,
                           sv.spec.threshold_min, sv.facilities.size(), sv.from_osm, sv.from_bpe, sv.from_files,
                           sv.long_snaps, sv.spec.label,
                           sv.spec.direction == TravelDirection::from_service ? " (from the service)" : "");
    }
    out += format_unconfirmed_sites(in);
    out += fmt::format("\nWarnings: {}\n", in.warnings.size());
    for (const auto& w : in.warnings) {
        out += fmt::format("  - {}\n", w);
    }
    return out;
}

} // namespace proxima
