#include "proxima/study/service_poles.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>
#include <osmium/io/any_input.hpp>

#include "core/geos_context.hpp"
#include "proxima/core/csv_reader.hpp"
#include "proxima/core/error.hpp"
#include "proxima/osm/osm_features.hpp"
#include "proxima/territory/bpe_counts.hpp"
#include "proxima/territory/facilities.hpp"
#include "proxima/territory/zones.hpp"

namespace proxima {

namespace {

using detail::Geos;

struct Box {
    double min_x = 0, min_y = 0, max_x = 0, max_y = 0;
    [[nodiscard]] bool intersects(const Box& o) const {
        return min_x <= o.max_x && o.min_x <= max_x && min_y <= o.max_y && o.min_y <= max_y;
    }
    [[nodiscard]] bool inside(const Box& o) const {
        return min_x >= o.min_x && max_x <= o.max_x && min_y >= o.min_y && max_y <= o.max_y;
    }
    void expand(const Box& o) {
        min_x = std::min(min_x, o.min_x);
        min_y = std::min(min_y, o.min_y);
        max_x = std::max(max_x, o.max_x);
        max_y = std::max(max_y, o.max_y);
    }
};

/// All zones of the study's zones source, before the codes/départements filter.
std::vector<Zone> all_zones(const StudyFile& study) {
    if (study.zones.osm_admin_level) {
        const OsmBoundaries boundaries = extract_admin_boundaries(study.network.osm, *study.zones.osm_admin_level);
        std::vector<Zone> zones;
        for (const auto& b : boundaries.boundaries) {
            const std::string code = !b.ref.empty() ? b.ref : b.name;
            zones.push_back(make_zone(code, b.name, b.wkb, fmt::format("{} {}", study.network.osm.string(), b.osm_id)));
        }
        return zones;
    }
    return read_zones(study.zones.file, study.zones.options).zones;
}

/// The extract's bounding box from its header, if it has one.
std::optional<Box> extract_box(const std::filesystem::path& osm) {
    osmium::io::Reader reader(osm.string(), osmium::osm_entity_bits::nothing);
    const auto header = reader.header();
    reader.close();
    if (header.boxes().empty()) {
        return std::nullopt;
    }
    Box b{1e9, 1e9, -1e9, -1e9};
    for (const auto& box : header.boxes()) {
        if (box.valid()) {
            b.expand({box.bottom_left().lon(), box.bottom_left().lat(), box.top_right().lon(), box.top_right().lat()});
        }
    }
    return b.min_x <= b.max_x ? std::optional<Box>(b) : std::nullopt;
}

/// The centre of a commune's services: the equipment with the most others within 500 m (ties: the
/// smallest summed distance to all, then input order). Not the medoid of all equipment: a commune
/// with two clusters (a town and a ski resort) would get a point in the mountains between them.
LonLat services_centre(const std::vector<LonLat>& points) {
    const double lat0 = points.front().lat * M_PI / 180.0;
    const double kx = 111320.0 * std::cos(lat0);
    const double ky = 110540.0;
    std::size_t best = 0;
    std::size_t best_near = 0;
    double best_sum = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < points.size(); ++i) {
        double sum = 0;
        std::size_t near = 0;
        for (const auto& q : points) {
            const double d = std::hypot((points[i].lon - q.lon) * kx, (points[i].lat - q.lat) * ky);
            sum += d;
            near += d <= 500.0 ? 1 : 0;
        }
        if (near > best_near || (near == best_near && sum < best_sum)) {
            best_near = near;
            best_sum = sum;
            best = i;
        }
    }
    return points[best];
}

std::optional<Gamme> parse_level(const std::string& text) {
    std::string t;
    for (char c : text) {
        t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (t == "proximite" || t == "proximité") {
        return Gamme::proximite;
    }
    if (t == "intermediaire" || t == "intermédiaire") {
        return Gamme::intermediaire;
    }
    if (t == "superieure" || t == "supérieure" || t == "superieur" || t == "supérieur") {
        return Gamme::superieure;
    }
    return std::nullopt;
}

std::string plural(std::size_t n, const char* one, const char* many) { return fmt::format("{} {}", n, n == 1 ? one : many); }

/// The classification's source, buffer and gammes definitions, before anything is counted.
PoleClassification start_classification(const StudyFile& study) {
    PoleClassification out;
    out.source = study.poles.source;
    out.buffer_km = study.poles.buffer_km;
    out.nested = study.poles.nested;
    const bool osm = out.source == "osm";
    if (!study.poles.gammes.empty()) {
        out.gammes = load_gammes(study.poles.gammes.string());
    } else {
        out.gammes = osm ? builtin_gammes_osm() : builtin_gammes_insee_2025();
    }
    out.approximation = osm;
    return out;
}

/// The BPE count tables of [poles] counts, merged into one.
BpeCounts read_count_tables(const StudyFile& study, const Log& readers) {
    BpeCounts counts;
    for (std::size_t i = 0; i < study.poles.counts.size(); ++i) {
        BpeCounts more = read_bpe_counts(study.poles.counts[i], readers);
        merge_bpe_counts(counts, more, i == 0 ? "" : study.poles.counts[0].string(), study.poles.counts[i].string());
    }
    return counts;
}

/// Why gamme `def` cannot be classified from the source (empty if it can).
std::string why_not_classified(const GammeDefinition& def, const PoleClassification& out, const BpeCounts& counts,
                               const std::string& count_files) {
    const bool osm = out.source == "osm";
    std::string why;
    if (!def.complete()) {
        why = fmt::format("{} lists {} of its {} items in {}", def.label, def.items.size(), def.published_items,
                          out.gammes.source);
    }
    for (const auto& item : def.items) {
        if (!why.empty()) {
            break;
        }
        if (osm && item.osm_selectors.empty()) {
            why = fmt::format("item '{}' of {} has no OSM selector in {}", item.id, def.label, out.gammes.source);
        } else if (!osm && item.bpe_codes.empty()) {
            why = fmt::format("item '{}' of {} has no BPE code in {}", item.id, def.label, out.gammes.source);
        } else if (out.source == "bpe_counts") {
            for (const auto& code : item.bpe_codes) {
                if (counts.types.count(code) == 0) {
                    why = fmt::format("the count tables ({}) have no column or row for type {} (item '{}' of {})",
                                      count_files, code, item.id, def.label);
                    break;
                }
            }
        }
    }
    return why;
}

/// Which gammes can be classified; refuses the required ones that cannot, warns about the others.
void decide_classified_gammes(const StudyFile& study, const std::vector<Gamme>& required, const BpeCounts& counts,
                              const std::string& count_files, PoleClassification& out) {
    for (Gamme g : all_gammes) {
        const auto k = static_cast<std::size_t>(g);
        const GammeDefinition& def = out.gammes[g];
        const bool needed = std::find(required.begin(), required.end(), g) != required.end();
        if (out.source == "list") {
            out.classified[k] = true;
            continue;
        }
        const std::string why = why_not_classified(def, out, counts, count_files);
        if (why.empty()) {
            out.classified[k] = true;
        } else if (needed) {
            throw ConfigError(fmt::format(
                "{}: the {} cannot be found: {}. Give a gammes file listing every item of the gamme ([poles] gammes = "
                "\"FILE\", format of data/services/gammes-2025.toml, e.g. from INSEE's BPE_gammes_equipements file), "
                "or the list of pole communes ([poles] source = \"list\"), or use the OpenStreetMap approximation "
                "([poles] source = \"osm\")",
                study.path.string(), poles_name(g), why));
        } else {
            out.warnings.push_back(fmt::format("{} not classified: {}", def.label, why));
        }
    }
}

/// Every zone of the zones source with its polygon and box, and which of them are classified.
struct PoleZones {
    std::vector<Zone> zones;
    std::vector<Box> boxes;                       ///< per zone
    std::vector<Geos::Ptr> geometries;            ///< per zone
    std::vector<std::size_t> candidate;           ///< zone index of each PoleCommune
    std::map<std::string, std::size_t> by_code;   ///< PoleCommune index of each code
};

/// Reads the zones' polygons and boxes; the box of the study area, which must not be empty.
Box read_zone_boxes(const StudyFile& study, const Geos& geos, PoleZones& z) {
    Box study_box{1e9, 1e9, -1e9, -1e9};
    for (const auto& zone : z.zones) {
        auto g = geos.check(geos.read_wkb(zone.wkb), "read a zone polygon");
        Box b;
        GEOSGeom_getXMin_r(geos.ctx(), g.get(), &b.min_x);
        GEOSGeom_getYMin_r(geos.ctx(), g.get(), &b.min_y);
        GEOSGeom_getXMax_r(geos.ctx(), g.get(), &b.max_x);
        GEOSGeom_getYMax_r(geos.ctx(), g.get(), &b.max_y);
        if (study.zones.keeps(zone.code)) {
            study_box.expand(b);
        }
        z.boxes.push_back(b);
        z.geometries.push_back(std::move(g));
    }
    if (study_box.min_x > study_box.max_x) {
        throw ConfigError(fmt::format("{}: no zone of the study area in {}", study.path.string(),
                                      study.zones.file.empty() ? study.network.osm.string() : study.zones.file.string()));
    }
    return study_box;
}

/// Zones: the study's and those within the buffer, one PoleCommune each (those the OSM extract
/// does not cover entirely are listed as not classified).
PoleZones read_pole_zones(const StudyFile& study, const Geos& geos, PoleClassification& out) {
    PoleZones z;
    z.zones = all_zones(study);
    const Box study_box = read_zone_boxes(study, geos, z);
    const double mid_lat = (study_box.min_y + study_box.max_y) / 2 * M_PI / 180.0;
    const double dy = study.poles.buffer_km / 110.54;
    const double dx = study.poles.buffer_km / (111.32 * std::cos(mid_lat));
    const Box buffered{study_box.min_x - dx, study_box.min_y - dy, study_box.max_x + dx, study_box.max_y + dy};
    std::optional<Box> coverage;
    if (out.source == "osm") {
        coverage = extract_box(study.network.osm);
        if (!coverage) {
            out.warnings.push_back(fmt::format("{} has no bounding box in its header: communes partly outside the "
                                               "extract may be under-counted",
                                               study.network.osm.string()));
        }
    }
    for (std::size_t i = 0; i < z.zones.size(); ++i) {
        const bool in_study = study.zones.keeps(z.zones[i].code);
        if (!in_study && !z.boxes[i].inside(buffered)) {
            continue;
        }
        if (coverage && !z.boxes[i].inside(*coverage)) {
            out.not_classified.push_back(fmt::format("{} {}: not entirely inside the OSM extract ({}), its equipment "
                                                     "cannot all be counted",
                                                     z.zones[i].code, z.zones[i].name, study.network.osm.string()));
            if (in_study) {
                out.warnings.push_back(out.not_classified.back());
            }
            continue;
        }
        PoleCommune c;
        c.code = z.zones[i].code;
        c.name = z.zones[i].name;
        c.wkb = z.zones[i].wkb;
        c.in_study = in_study;
        c.destination = z.zones[i].point_on_surface;
        c.destination_kind = "point on surface";
        out.communes.push_back(std::move(c));
        z.candidate.push_back(i);
    }
    for (std::size_t c = 0; c < out.communes.size(); ++c) {
        z.by_code[out.communes[c].code] = c;
    }
    return z;
}

/// (gamme, item) pairs per BPE code.
using ItemsOfCode = std::map<std::string, std::vector<std::pair<std::size_t, std::size_t>>>;

/// What was found per commune: items present per gamme, and where its geolocated equipment is.
struct PoleEquipment {
    explicit PoleEquipment(const PoleClassification& out)
        : present(out.communes.size()), positions(out.communes.size()) {
        for (auto& p : present) {
            for (Gamme g : all_gammes) {
                p[static_cast<std::size_t>(g)].assign(out.gammes[g].items.size(), false);
            }
        }
    }
    std::vector<std::array<std::vector<bool>, 3>> present;
    std::vector<std::vector<LonLat>> positions;
};

/// (gamme, item) of each BPE code of the classified gammes.
ItemsOfCode items_by_bpe_code(const PoleClassification& out) {
    ItemsOfCode items_of_code;
    for (Gamme g : all_gammes) {
        const auto k = static_cast<std::size_t>(g);
        if (!out.classified[k]) {
            continue;
        }
        for (std::size_t i = 0; i < out.gammes[g].items.size(); ++i) {
            for (const auto& code : out.gammes[g].items[i].bpe_codes) {
                items_of_code[code].emplace_back(k, i);
            }
        }
    }
    return items_of_code;
}

/// Source "osm": equipment mapped in the extract, counted in the zone polygon that contains it.
void find_osm_equipment(const StudyFile& study, const Geos& geos, const PoleZones& zones, PoleClassification& out,
                        PoleEquipment& found) {
    std::vector<TagSelector> selectors;
    std::vector<std::pair<std::size_t, std::size_t>> owner;
    for (Gamme g : all_gammes) {
        const auto k = static_cast<std::size_t>(g);
        if (!out.classified[k]) {
            continue;
        }
        for (std::size_t i = 0; i < out.gammes[g].items.size(); ++i) {
            for (const auto& s : out.gammes[g].items[i].osm_selectors) {
                selectors.push_back(TagSelector::parse(s));
                owner.emplace_back(k, i);
            }
        }
    }
    const auto features = selectors.empty() ? std::vector<std::vector<OsmFeature>>{}
                                            : extract_osm_features(study.network.osm, selectors);
    std::vector<const GEOSPreparedGeometry*> prepared;
    for (std::size_t c = 0; c < out.communes.size(); ++c) {
        prepared.push_back(GEOSPrepare_r(geos.ctx(), zones.geometries[zones.candidate[c]].get()));
    }
    std::vector<std::set<std::string>> seen(out.communes.size());
    for (std::size_t s = 0; s < features.size(); ++s) {
        for (const auto& f : features[s]) {
            for (std::size_t c = 0; c < out.communes.size(); ++c) {
                const Box& b = zones.boxes[zones.candidate[c]];
                if (f.position.lon < b.min_x || f.position.lon > b.max_x || f.position.lat < b.min_y ||
                    f.position.lat > b.max_y) {
                    continue;
                }
                auto point = geos.own(GEOSGeom_createPointFromXY_r(geos.ctx(), f.position.lon, f.position.lat));
                if (GEOSPreparedContains_r(geos.ctx(), prepared[c], point.get()) == 1) {
                    found.present[c][owner[s].first][owner[s].second] = true;
                    if (seen[c].insert(f.osm_id).second) {
                        found.positions[c].push_back(f.position);
                    }
                    break;
                }
            }
        }
    }
    for (const auto* p : prepared) {
        GEOSPreparedGeom_destroy_r(geos.ctx(), p);
    }
    out.method = fmt::format("{} ({}), equipment mapped in {}", out.gammes.name, out.gammes.source,
                             study.network.osm.string());
}

/// Source "bpe": the study's geolocated BPE, counted by the commune code of each row.
void find_bpe_equipment(const StudyFile& study, const PoleZones& zones,
                        ItemsOfCode& items_of_code,
                        const Log& readers, PoleClassification& out, PoleEquipment& found) {
    std::set<std::string> codes;
    for (const auto& [code, owners] : items_of_code) {
        codes.insert(code);
    }
    const FacilityReadResult bpe = read_bpe_csv(study.bpe, codes, known_bpe_types(), readers);
    for (const auto& f : bpe.facilities) {
        auto it = zones.by_code.find(f.commune_code);
        if (it == zones.by_code.end()) {
            continue;
        }
        for (const auto& [k, i] : items_of_code[f.type]) {
            found.present[it->second][k][i] = true;
        }
        found.positions[it->second].push_back(f.position);
    }
    for (const auto& u : bpe.unplaced) {
        // Without coordinates the equipment still counts for its commune.
        auto it = zones.by_code.find(u.commune_code);
        if (it != zones.by_code.end()) {
            for (const auto& [k, i] : items_of_code[u.type]) {
                found.present[it->second][k][i] = true;
            }
        }
    }
    out.method = fmt::format("{} ({}), BPE {}", out.gammes.name, out.gammes.source, study.bpe.string());
}

/// Source "bpe_counts": the count tables' figures per commune and type.
void find_counted_equipment(const BpeCounts& counts,
                            ItemsOfCode& items_of_code,
                            const std::string& count_files, PoleClassification& out, PoleEquipment& found) {
    for (std::size_t c = 0; c < out.communes.size(); ++c) {
        auto it = counts.by_commune.find(out.communes[c].code);
        if (it == counts.by_commune.end()) {
            continue;
        }
        for (const auto& [type, n] : it->second) {
            for (const auto& [k, i] : items_of_code[type]) {
                found.present[c][k][i] = true;
            }
            out.communes[c].equipment += static_cast<std::size_t>(n);
        }
    }
    out.method = fmt::format("{} ({}), BPE counts {}", out.gammes.name, out.gammes.source, count_files);
}

/// Source "list": the user's pole communes and their levels, checked against the zones.
void read_pole_list(const StudyFile& study, const PoleZones& zones, const Log& readers, PoleClassification& out) {
    CsvReader csv(study.poles.list, "list of pole communes", readers);
    const int code_col = csv.require_column({"code", "code_insee", "CODGEO", "INSEE_COM"});
    const int level_col = csv.require_column({"level", "niveau", "gamme"});
    std::set<std::string> listed;
    while (csv.next()) {
        const std::string code = csv.field(code_col);
        const auto level = parse_level(csv.field(level_col));
        if (!level) {
            throw InputError(fmt::format("{}: level '{}' is not proximite, intermediaire or superieure", csv.where(),
                                         csv.field(level_col)));
        }
        auto it = zones.by_code.find(code);
        if (it == zones.by_code.end()) {
            const bool exists =
                std::any_of(zones.zones.begin(), zones.zones.end(), [&](const Zone& z) { return z.code == code; });
            throw InputError(fmt::format("{}: commune '{}' is {}: correct the code, or widen [poles] buffer_km",
                                         csv.where(), code,
                                         exists ? fmt::format("farther than {} km from the study area",
                                                              study.poles.buffer_km)
                                                : "not a zone of the study's zones source"));
        }
        if (!listed.insert(code).second) {
            throw InputError(fmt::format("{}: commune '{}' is listed twice", csv.where(), code));
        }
        // A listed level implies the lower ones (INSEE's gammes are nested in practice).
        for (std::size_t k = 0; k <= static_cast<std::size_t>(*level); ++k) {
            out.communes[it->second].counts.is_pole[k] = true;
        }
    }
    out.method = fmt::format("list of pole communes {}", study.poles.list.string());
}

/// Pole flags from the items present; the destination is the centre of the equipment found.
void classify_by_items(const PoleEquipment& found, PoleClassification& out) {
    for (std::size_t c = 0; c < out.communes.size(); ++c) {
        out.communes[c].counts = classify_items(out.gammes, found.present[c]);
        if (!found.positions[c].empty()) {
            out.communes[c].equipment = std::max(out.communes[c].equipment, found.positions[c].size());
            out.communes[c].destination = services_centre(found.positions[c]);
            out.communes[c].destination_kind = "centre of its equipment";
        }
    }
}

/// Levels, communes by code, and the warnings, logged once.
void finish_classification(PoleClassification& out, const Log& log) {
    for (auto& c : out.communes) {
        c.level = c.counts.level();
    }
    std::sort(out.communes.begin(), out.communes.end(), [](const auto& a, const auto& b) { return a.code < b.code; });
    if (!out.not_classified.empty()) {
        out.warnings.push_back(fmt::format("poles: {} not classified (see `proxima poles`)",
                                           plural(out.not_classified.size(), "zone", "zones")));
    }
    for (const auto& w : out.warnings) {
        log.warning(w);
    }
}

} // namespace

std::array<std::size_t, 3> PoleClassification::pole_counts(bool study_only) const {
    std::array<std::size_t, 3> n{};
    for (const auto& c : communes) {
        if (study_only && !c.in_study) {
            continue;
        }
        for (Gamme g : all_gammes) {
            n[static_cast<std::size_t>(g)] += c.is_pole(g) ? 1 : 0;
        }
    }
    return n;
}

bool PoleClassification::serves(const PoleCommune& c, Gamme g) const {
    if (c.is_pole(g)) {
        return true;
    }
    if (!nested) {
        return false;
    }
    for (std::size_t k = static_cast<std::size_t>(g) + 1; k < 3; ++k) {
        if (c.counts.is_pole[k]) {
            return true;
        }
    }
    return false;
}

std::string PoleClassification::reading() const {
    return nested ? "nested: access to a level counts its poles and those of the levels above"
                  : "strict: access to a level counts only the poles of that level";
}

std::optional<Gamme> pole_service_gamme(const ServiceSpec& spec) {
    if (spec.pole.empty()) {
        return std::nullopt;
    }
    return parse_level(spec.pole);
}

PoleClassification classify_study_poles(const StudyFile& study, const std::vector<Gamme>& required, const Log& log) {
    PoleClassification out = start_classification(study);
    // Readers' warnings (e.g. a CSV read as Windows-1252) join the classification's, logged below.
    const Log readers([&out, &log](LogLevel level, const std::string& message) {
        if (level == LogLevel::warning) {
            out.warnings.push_back(message);
        } else if (level == LogLevel::info) {
            log.info(message);
        }
    });
    std::string count_files;
    for (const auto& f : study.poles.counts) {
        count_files += (count_files.empty() ? "" : ", ") + f.string();
    }
    BpeCounts counts;
    if (out.source == "bpe_counts") {
        counts = read_count_tables(study, readers);
        out.warnings.insert(out.warnings.end(), counts.warnings.begin(), counts.warnings.end());
    }
    decide_classified_gammes(study, required, counts, count_files, out);

    Geos geos;
    const PoleZones zones = read_pole_zones(study, geos, out);
    PoleEquipment found(out);
    auto items_of_code = items_by_bpe_code(out);
    if (out.source == "osm") {
        find_osm_equipment(study, geos, zones, out, found);
    } else if (out.source == "bpe") {
        find_bpe_equipment(study, zones, items_of_code, readers, out, found);
    } else if (out.source == "bpe_counts") {
        find_counted_equipment(counts, items_of_code, count_files, out, found);
    }
    if (out.source == "list") {
        read_pole_list(study, zones, readers, out);
    } else {
        classify_by_items(found, out);
    }
    finish_classification(out, log);
    return out;
}

std::string format_poles(const PoleClassification& p) {
    std::string out = fmt::format("Pôles de services: {}\n", p.method);
    if (p.approximation) {
        out += "  APPROXIMATION OpenStreetMap: not INSEE's classification (equipment mapped in OSM, gammes "
               "intermédiaire and supérieure chosen by Proxima)\n";
    }
    if (p.source != "list") {
        out += fmt::format("  rule: {}\n", p.gammes.pole_rule);
    }
    // The lists below are each level's own poles; the pole services and maps use this reading.
    out += fmt::format("  access ([poles] nested = {}): {}\n", p.nested ? "true" : "false", p.reading());
    const auto in_study = p.pole_counts(true);
    const auto all = p.pole_counts(false);
    for (std::size_t k = 3; k-- > 0;) {
        const Gamme g = static_cast<Gamme>(k);
        const GammeDefinition& def = p.gammes[g];
        if (!p.classified[k]) {
            out += fmt::format("\n{}: not classified ({} lists {} of {} items)\n", poles_name(g), p.gammes.source,
                               def.items.size(), def.published_items);
            continue;
        }
        out += fmt::format("\n{}: {} in the study area, {} within {} km", poles_name(g), in_study[k], all[k] - in_study[k],
                           p.buffer_km);
        if (p.source != "list") {
            out += fmt::format(" (at least {} of {} items)", def.pole_threshold(), def.items.size());
        }
        out += "\n";
        for (const auto& c : p.communes) {
            if (!c.is_pole(g)) {
                continue;
            }
            out += fmt::format("  {} {}{}", c.code, c.name, c.in_study ? "" : " (buffer)");
            if (p.source != "list") {
                out += fmt::format(": {}/{} items", c.counts.items_present[k], def.items.size());
            }
            out += "\n";
        }
    }
    std::size_t none = 0;
    for (const auto& c : p.communes) {
        none += c.level ? 0 : 1;
    }
    out += fmt::format("\n{} of {} classified zones are no pole", none, p.communes.size());
    if (!p.not_classified.empty()) {
        out += fmt::format("; {} not classified:\n", plural(p.not_classified.size(), "zone", "zones"));
        for (const auto& n : p.not_classified) {
            out += "  " + n + "\n";
        }
    } else {
        out += "\n";
    }
    return out;
}

} // namespace proxima
