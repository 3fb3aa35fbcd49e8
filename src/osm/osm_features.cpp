#include "proxima/osm/osm_features.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_set>

#define GEOS_USE_ONLY_R_API
#include <fmt/format.h>
#include <geos_c.h>
#include <osmium/area/assembler.hpp>
#include <osmium/geom/haversine.hpp>
#include <osmium/handler.hpp>
#include <osmium/handler/check_order.hpp>
#include <osmium/handler/node_locations_for_ways.hpp>
#include <osmium/index/map/flex_mem.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/relations/relations_manager.hpp>
#include <osmium/visitor.hpp>

#include "core/geos_context.hpp"
#include "osm/extract_path.hpp"
#include "proxima/core/error.hpp"

namespace proxima {

// ---------------------------------------------------------------------------------------------
// Tag selectors
// ---------------------------------------------------------------------------------------------

namespace {

constexpr std::string_view selector_help =
    "write terms such as key=value, key=v1;v2, key=*, key, !key=value or !key, joined by & (all must hold) "
    "and | (any may hold)";

[[noreturn]] void selector_error(const std::string& expression, std::size_t pos, std::string_view what) {
    throw ConfigError(
        fmt::format("tag selector \"{}\": {} at character {}; {}", expression, what, pos + 1, selector_help));
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// True if a tag's value is `wanted`, or, for a multi-valued tag ("primaire;collège",
/// "0;1"), if one of its ';'-separated parts is (OSM's convention for several values).
bool value_is(const char* value, const std::string& wanted) {
    const std::string_view v(value);
    if (v == wanted) {
        return true;
    }
    std::size_t start = 0;
    while (start <= v.size() && v.find(';') != std::string_view::npos) {
        const std::size_t end = std::min(v.find(';', start), v.size());
        std::string_view part = v.substr(start, end - start);
        while (!part.empty() && is_space(part.front())) {
            part.remove_prefix(1);
        }
        while (!part.empty() && is_space(part.back())) {
            part.remove_suffix(1);
        }
        if (part == wanted) {
            return true;
        }
        start = end + 1;
    }
    return false;
}

/// True if the selector holds for tags whose values `value_of(key)` returns (nullptr: absent).
template <typename ValueOf>
bool selector_holds(const std::vector<std::vector<TagSelector::Term>>& alternatives, ValueOf&& value_of) {
    for (const auto& conjunction : alternatives) {
        const bool all = std::all_of(conjunction.begin(), conjunction.end(), [&](const TagSelector::Term& term) {
            const char* value = value_of(term.key);
            const bool hit = value != nullptr &&
                             (term.values.empty() ||
                              std::any_of(term.values.begin(), term.values.end(),
                                          [value](const std::string& v) { return value_is(value, v); }));
            return hit != term.negated;
        });
        if (all) {
            return true;
        }
    }
    return false;
}

} // namespace

TagSelector TagSelector::parse(const std::string& expression) {
    TagSelector selector;
    selector.m_expression = expression;
    const std::string& e = expression;
    const std::size_t n = e.size();
    std::size_t i = 0;
    auto skip_spaces = [&] {
        while (i < n && is_space(e[i])) {
            ++i;
        }
    };
    auto trimmed = [&](std::size_t from, std::size_t to) {
        while (from < to && is_space(e[from])) {
            ++from;
        }
        while (to > from && is_space(e[to - 1])) {
            --to;
        }
        return std::pair{from, to};
    };

    skip_spaces();
    if (i == n) {
        selector_error(e, i, "the selector is empty");
    }
    std::vector<Term> conjunction;
    while (true) {
        skip_spaces();
        Term term;
        if (i < n && e[i] == '!') {
            term.negated = true;
            ++i;
            skip_spaces();
        }
        const std::size_t key_start = i;
        while (i < n && !is_space(e[i]) && e[i] != '=' && e[i] != '&' && e[i] != '|' && e[i] != '!') {
            ++i;
        }
        term.key = e.substr(key_start, i - key_start);
        if (term.key.empty()) {
            if (i == n) {
                selector_error(e, i, "a key is missing at the end");
            }
            if ((e[i] == '&' || e[i] == '|') && !term.negated) {
                selector_error(e, i, fmt::format("'{}' has no term before it", e[i]));
            }
            selector_error(e, i, fmt::format("expected a key, found '{}'", e[i]));
        }
        skip_spaces();
        if (i < n && e[i] == '=') {
            const std::size_t equals = i;
            ++i;
            const std::size_t values_start = i;
            while (i < n && e[i] != '&' && e[i] != '|') {
                ++i;
            }
            const auto [from, to] = trimmed(values_start, i);
            if (from == to) {
                selector_error(e, equals,
                               fmt::format("'=' after key '{}' has no value (write {}=* for any value)", term.key, term.key));
            }
            std::size_t piece_start = from;
            while (true) {
                const std::size_t semicolon = e.find(';', piece_start);
                const std::size_t piece_end = semicolon == std::string::npos || semicolon > to ? to : semicolon;
                const auto [vf, vt] = trimmed(piece_start, piece_end);
                if (vf == vt) {
                    selector_error(e, vf, fmt::format("an empty value in the list of key '{}'", term.key));
                }
                term.values.push_back(e.substr(vf, vt - vf));
                if (piece_end == to) {
                    break;
                }
                piece_start = piece_end + 1;
            }
            if (term.values.size() == 1 && term.values.front() == "*") {
                term.values.clear();
            } else if (std::find(term.values.begin(), term.values.end(), "*") != term.values.end()) {
                selector_error(e, from, fmt::format("'*' (any value) cannot be listed with other values of key '{}'",
                                                    term.key));
            }
        } else if (i < n && e[i] != '&' && e[i] != '|') {
            selector_error(e, i, fmt::format("unexpected '{}' after key '{}' (missing '=', '&' or '|'?)", e[i], term.key));
        }
        conjunction.push_back(std::move(term));
        if (i == n) {
            break;
        }
        const char op = e[i];
        const std::size_t op_pos = i;
        ++i;
        if (op == '|') {
            selector.m_alternatives.push_back(std::move(conjunction));
            conjunction.clear();
        }
        skip_spaces();
        if (i == n) {
            selector_error(e, op_pos, fmt::format("'{}' has no term after it", op));
        }
        if (e[i] == '&' || e[i] == '|') {
            selector_error(e, i, fmt::format("'{}' follows '{}' with no term between them", e[i], op));
        }
    }
    selector.m_alternatives.push_back(std::move(conjunction));
    return selector;
}

bool TagSelector::matches(const std::vector<std::pair<std::string, std::string>>& tags) const {
    return selector_holds(m_alternatives, [&tags](const std::string& key) -> const char* {
        const auto it = std::find_if(tags.begin(), tags.end(), [&key](const auto& t) { return t.first == key; });
        return it == tags.end() ? nullptr : it->second.c_str();
    });
}

const char* to_string(OsmFeatureIssue::Kind kind) {
    switch (kind) {
        case OsmFeatureIssue::Kind::no_location: return "no node location in the extract (skipped)";
        case OsmFeatureIssue::Kind::partial_location: return "some node locations missing (placed from the others)";
        case OsmFeatureIssue::Kind::area_not_assembled: return "invalid polygon (placed at the mean of its nodes)";
        case OsmFeatureIssue::Kind::relation_incomplete: return "member ways missing from the extract (skipped)";
        case OsmFeatureIssue::Kind::relation_not_assembled: return "rings do not close (skipped)";
        case OsmFeatureIssue::Kind::relation_not_area: return "relation is not a multipolygon (skipped)";
    }
    return "?";
}

std::size_t OsmFeatureReport::skipped() const {
    return static_cast<std::size_t>(std::count_if(issues.begin(), issues.end(), [](const OsmFeatureIssue& issue) {
        return issue.kind != OsmFeatureIssue::Kind::partial_location &&
               issue.kind != OsmFeatureIssue::Kind::area_not_assembled;
    }));
}

namespace {

using Geos = detail::Geos;

/// The polygonal parts of `g` (recursing into collections), as clones.
void collect_polygons(const Geos& geos, const GEOSGeometry* g, std::vector<GEOSGeometry*>& out) {
    const int type = GEOSGeomTypeId_r(geos.ctx(), g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(geos.ctx(), g) == 0) {
            out.push_back(GEOSGeom_clone_r(geos.ctx(), g));
        }
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        const int parts = GEOSGetNumGeometries_r(geos.ctx(), g);
        for (int k = 0; k < parts; ++k) {
            collect_polygons(geos, GEOSGetGeometryN_r(geos.ctx(), g, k), out);
        }
    }
}

/// A valid MultiPolygon equal to `g` (made valid by GEOS if needed); null if nothing polygonal
/// remains. `repaired` tells whether GEOS had to fix it.
Geos::Ptr valid_multipolygon(const Geos& geos, const GEOSGeometry* g, bool& repaired) {
    repaired = false;
    Geos::Ptr fixed = geos.own(nullptr);
    if (GEOSisValid_r(geos.ctx(), g) != 1) {
        repaired = true;
        fixed = geos.own(GEOSMakeValid_r(geos.ctx(), g));
        if (!fixed) {
            return geos.own(nullptr);
        }
        g = fixed.get();
    }
    std::vector<GEOSGeometry*> parts;
    collect_polygons(geos, g, parts);
    if (parts.empty()) {
        return geos.own(nullptr);
    }
    // Takes ownership of the parts.
    return geos.own(GEOSGeom_createCollection_r(geos.ctx(), GEOS_MULTIPOLYGON, parts.data(),
                                                static_cast<unsigned>(parts.size())));
}

/// Centroid of a polygonal geometry, or a point on its surface if the centroid falls outside.
std::optional<LonLat> representative_point(const Geos& geos, const GEOSGeometry* polygonal) {
    Geos::Ptr point = geos.own(GEOSGetCentroid_r(geos.ctx(), polygonal));
    if (!point || GEOSisEmpty_r(geos.ctx(), point.get()) != 0) {
        return std::nullopt;
    }
    if (GEOSIntersects_r(geos.ctx(), polygonal, point.get()) != 1) {
        point = geos.own(GEOSPointOnSurface_r(geos.ctx(), polygonal));
        if (!point || GEOSisEmpty_r(geos.ctx(), point.get()) != 0) {
            return std::nullopt;
        }
    }
    LonLat p;
    if (GEOSGeomGetX_r(geos.ctx(), point.get(), &p.lon) != 1 || GEOSGeomGetY_r(geos.ctx(), point.get(), &p.lat) != 1) {
        return std::nullopt;
    }
    return p;
}

/// A ring of an assembled area as a GEOS linear ring (null if GEOS refuses it).
Geos::Ptr linear_ring(const Geos& geos, const osmium::NodeRefList& ring) {
    GEOSCoordSequence* seq = GEOSCoordSeq_create_r(geos.ctx(), static_cast<unsigned>(ring.size()), 2);
    if (seq == nullptr) {
        return geos.own(nullptr);
    }
    unsigned k = 0;
    for (const auto& node : ring) {
        GEOSCoordSeq_setXY_r(geos.ctx(), seq, k++, node.location().lon(), node.location().lat());
    }
    GEOSGeometry* g = GEOSGeom_createLinearRing_r(geos.ctx(), seq);  // owns seq, even on failure
    return geos.own(g);
}

/// An assembled libosmium area as a GEOS MultiPolygon, lon/lat (null if it has no rings or GEOS
/// refuses a ring). Built from the rings directly: libosmium 2.19's geometry factories
/// (osmium/geom/factory.hpp, hence WKBFactory) do not compile as C++20.
Geos::Ptr area_geometry(const Geos& geos, const osmium::Area& area) {
    std::vector<Geos::Ptr> polygons;
    for (const auto& outer : area.outer_rings()) {
        Geos::Ptr shell = linear_ring(geos, outer);
        if (!shell) {
            return geos.own(nullptr);
        }
        std::vector<Geos::Ptr> holes;
        for (const auto& inner : area.inner_rings(outer)) {
            holes.push_back(linear_ring(geos, inner));
            if (!holes.back()) {
                return geos.own(nullptr);
            }
        }
        // GEOS takes the rings (even when it fails): hand them over first.
        std::vector<GEOSGeometry*> raw_holes;
        for (auto& h : holes) {
            raw_holes.push_back(h.release());
        }
        GEOSGeometry* polygon = GEOSGeom_createPolygon_r(geos.ctx(), shell.release(), raw_holes.data(),
                                                         static_cast<unsigned>(raw_holes.size()));
        if (polygon == nullptr) {
            return geos.own(nullptr);
        }
        polygons.push_back(geos.own(polygon));
    }
    if (polygons.empty()) {
        return geos.own(nullptr);
    }
    std::vector<GEOSGeometry*> raw;
    for (auto& p : polygons) {
        raw.push_back(p.release());  // the collection takes them
    }
    return geos.own(
        GEOSGeom_createCollection_r(geos.ctx(), GEOS_MULTIPOLYGON, raw.data(), static_cast<unsigned>(raw.size())));
}

// ---------------------------------------------------------------------------------------------
// Reading: ids, areas, the two passes
// ---------------------------------------------------------------------------------------------

/// OSM object key that sorts nodes, then ways, then relations, each by id.
struct ObjectKey {
    int type = 0;  ///< 0 node, 1 way, 2 relation
    osmium::object_id_type id = 0;
    friend auto operator<=>(const ObjectKey&, const ObjectKey&) = default;
};

std::string osm_id_string(ObjectKey key) {
    static constexpr const char* names[] = {"node", "way", "relation"};
    return fmt::format("{}/{}", names[key.type], key.id);
}

const char* tag_or_empty(const osmium::TagList& tags, const char* key) {
    const char* value = tags.get_value_by_key(key);
    return value == nullptr ? "" : value;
}

/// type=multipolygon or type=boundary with at least one way member: what the assembler handles.
bool is_area_relation(const osmium::Relation& relation) {
    const char* type = relation.tags().get_value_by_key("type");
    if (type == nullptr || (std::strcmp(type, "multipolygon") != 0 && std::strcmp(type, "boundary") != 0)) {
        return false;
    }
    return std::any_of(relation.members().begin(), relation.members().end(),
                       [](const osmium::RelationMember& m) { return m.type() == osmium::item_type::way; });
}

/// A closed way that libosmium would turn into an area (at least 4 nodes, area!=no).
bool is_area_way(const osmium::Way& way) {
    return way.nodes().size() > 3 && way.is_closed() && !way.tags().has_tag("area", "no");
}

osmium::area::AssemblerConfig assembler_config() {
    osmium::area::AssemblerConfig config;
    config.create_empty_areas = false;  // invalid areas are reported by the caller, not emitted empty
    return config;
}

/// Assembles the relations it is fed (by the caller, who chooses them) once all their member ways
/// have been read; closed ways are assembled by the caller directly. Like libosmium's
/// MultipolygonManager, without building every closed way of the file.
class RelationAreaManager
    : public osmium::relations::RelationsManager<RelationAreaManager, false, true, false> {
public:
    explicit RelationAreaManager(const osmium::area::AssemblerConfig& config) : m_config(config) {}

    bool new_relation(const osmium::Relation& relation) const { return is_area_relation(relation); }

    void complete_relation(const osmium::Relation& relation) {
        std::vector<const osmium::Way*> ways;
        ways.reserve(relation.members().size());
        for (const auto& member : relation.members()) {
            if (member.ref() != 0) {
                ways.push_back(this->get_member_way(member.ref()));
            }
        }
        bool ok = false;
        try {
            osmium::area::Assembler assembler{m_config};
            ok = assembler(relation, ways, this->buffer());
        } catch (const osmium::invalid_location&) {
            ok = false;
        }
        if (!ok) {
            m_failed.insert(relation.id());
        }
    }

    /// Relations whose rings the assembler could not close.
    [[nodiscard]] const std::set<osmium::object_id_type>& failed() const { return m_failed; }

    /// Relations still waiting for member ways at the end of the file.
    [[nodiscard]] std::set<osmium::object_id_type> incomplete() {
        std::set<osmium::object_id_type> ids;
        this->for_each_incomplete_relation([&ids](const osmium::relations::RelationHandle& h) { ids.insert(h->id()); });
        return ids;
    }

private:
    osmium::area::AssemblerConfig m_config;
    std::set<osmium::object_id_type> m_failed;
};

/// Assembles one closed way into `buffer` (cleared first). Null if its polygon is invalid or some
/// node location is missing.
const osmium::Area* assemble_way(const osmium::Way& way, const osmium::area::AssemblerConfig& config,
                                 osmium::memory::Buffer& buffer) {
    buffer.clear();
    try {
        osmium::area::Assembler assembler{config};
        if (!assembler(way, buffer) || buffer.committed() == 0) {
            return nullptr;
        }
    } catch (const osmium::invalid_location&) {
        return nullptr;
    }
    return &buffer.get<osmium::Area>(0);
}

using detail::check_extract_path;

using LocationIndex = osmium::index::map::FlexMem<osmium::unsigned_object_id_type, osmium::Location>;

/// Pass 1 feeds every relation to `relations`; pass 2 feeds nodes and ways (with locations) to
/// `objects` and to the manager, whose relation areas go to `on_areas`. libosmium and I/O errors
/// become InputError naming the file.
/// Runs `read` and turns libosmium and I/O errors into InputError naming the file.
template <typename Read>
void translating_osm_errors(const std::filesystem::path& extract, Read&& read) {
    try {
        read();
    } catch (const Error&) {
        throw;
    } catch (const osmium::out_of_order_error& e) {
        throw InputError(fmt::format("OSM extract '{}' is not sorted by type and id ({}); sort it with "
                                     "'osmium sort {} -o sorted.osm.pbf'",
                                     extract.string(), library_message(e.what()), extract.string()));
    } catch (const std::exception& e) {
        throw InputError(fmt::format("cannot read OSM extract '{}': {}. Is it an OpenStreetMap file (.osm.pbf, "
                                     ".osm or .opl) and complete?",
                                     extract.string(), library_message(e.what())));
    }
}

template <typename RelationHandler, typename ObjectHandler, typename AreaCallback>
void read_two_passes(const std::filesystem::path& extract, RelationHandler& relations, ObjectHandler& objects,
                     RelationAreaManager& manager, AreaCallback&& on_areas) {
    check_extract_path(extract);
    translating_osm_errors(extract, [&] {
        const osmium::io::File file(extract.string());
        {
            osmium::io::Reader reader(file, osmium::osm_entity_bits::relation, osmium::io::read_meta::no);
            while (osmium::memory::Buffer buffer = reader.read()) {
                osmium::apply(buffer, relations);
            }
            reader.close();
        }
        manager.prepare_for_lookup();

        LocationIndex index;
        LocationIndex negative_ids;  // JOSM files number new nodes below zero
        osmium::handler::NodeLocationsForWays<LocationIndex, LocationIndex> locations(index, negative_ids);
        locations.ignore_errors();  // missing locations are reported per object
        auto& pass2 = manager.handler([&on_areas](osmium::memory::Buffer&& areas) {
            for (const auto& area : areas.select<osmium::Area>()) {
                on_areas(area);
            }
        });
        osmium::io::Reader reader(file, osmium::osm_entity_bits::node | osmium::osm_entity_bits::way,
                                  osmium::io::read_meta::no);
        while (osmium::memory::Buffer buffer = reader.read()) {
            osmium::apply(buffer, locations, objects, pass2);
        }
        reader.close();
        manager.flush_output();
    });
}

/// Located nodes of a way, in order (nodes missing from the extract left out).
std::vector<LonLat> located_nodes(const osmium::WayNodeList& nodes) {
    std::vector<LonLat> out;
    out.reserve(nodes.size());
    for (const auto& n : nodes) {
        if (n.location().valid()) {
            out.push_back({n.location().lon(), n.location().lat()});
        }
    }
    return out;
}

/// The point halfway along a polyline (great-circle lengths, linear in lon/lat within a segment).
LonLat midpoint_along(const std::vector<LonLat>& points) {
    auto distance = [](const LonLat& a, const LonLat& b) {
        return osmium::geom::haversine::distance(osmium::geom::Coordinates{a.lon, a.lat},
                                                 osmium::geom::Coordinates{b.lon, b.lat});
    };
    double total = 0;
    for (std::size_t i = 1; i < points.size(); ++i) {
        total += distance(points[i - 1], points[i]);
    }
    if (total <= 0) {
        return points.front();
    }
    const double half = total / 2;
    double walked = 0;
    for (std::size_t i = 1; i < points.size(); ++i) {
        const double d = distance(points[i - 1], points[i]);
        if (d > 0 && walked + d >= half) {
            const double t = (half - walked) / d;
            return {points[i - 1].lon + t * (points[i].lon - points[i - 1].lon),
                    points[i - 1].lat + t * (points[i].lat - points[i - 1].lat)};
        }
        walked += d;
    }
    return points.back();
}

/// Mean of the distinct points of a ring (the closing repeat left out).
LonLat mean_point(std::vector<LonLat> points) {
    if (points.size() > 1 && points.front() == points.back()) {
        points.pop_back();
    }
    LonLat sum;
    for (const auto& p : points) {
        sum.lon += p.lon;
        sum.lat += p.lat;
    }
    const auto count = static_cast<double>(points.size());
    return {sum.lon / count, sum.lat / count};
}

// ---------------------------------------------------------------------------------------------
// Features
// ---------------------------------------------------------------------------------------------

struct FoundFeature {
    ObjectKey key;
    std::string name;
    std::vector<std::uint32_t> selectors;  ///< indices of the selectors it matches
    std::optional<LonLat> position;        ///< relations: filled when their area is assembled
};

class FeatureCollector : public osmium::handler::Handler {
public:
    FeatureCollector(const std::vector<TagSelector>& selectors, RelationAreaManager& manager, const Geos& geos,
                     OsmFeatureReport& report)
        : m_selectors(selectors), m_manager(manager), m_geos(geos), m_report(report) {}

    // Pass 1.
    void relation(const osmium::Relation& relation) {
        auto matched = matching(relation.tags());
        if (matched.empty()) {
            return;
        }
        ++m_report.relations_matched;
        const ObjectKey key{2, relation.id()};
        if (!is_area_relation(relation)) {
            issue(key, OsmFeatureIssue::Kind::relation_not_area);
            return;
        }
        m_relations.emplace(relation.id(), FoundFeature{key, tag_or_empty(relation.tags(), "name"), std::move(matched), {}});
        m_manager.relation(relation);
    }

    // Pass 2.
    void node(const osmium::Node& node) {
        auto matched = matching(node.tags());
        if (matched.empty()) {
            return;
        }
        ++m_report.nodes_matched;
        const ObjectKey key{0, node.id()};
        if (!node.location().valid()) {
            issue(key, OsmFeatureIssue::Kind::no_location);
            return;
        }
        m_found.push_back({key, tag_or_empty(node.tags(), "name"), std::move(matched),
                           LonLat{node.location().lon(), node.location().lat()}});
    }

    void way(const osmium::Way& way) {
        auto matched = matching(way.tags());
        if (matched.empty()) {
            return;
        }
        ++m_report.ways_matched;
        const ObjectKey key{1, way.id()};
        const std::vector<LonLat> points = located_nodes(way.nodes());
        if (points.empty()) {
            issue(key, OsmFeatureIssue::Kind::no_location);
            return;
        }
        const bool partial = points.size() < way.nodes().size();
        std::optional<LonLat> position;
        if (is_area_way(way)) {
            if (partial) {
                issue(key, OsmFeatureIssue::Kind::partial_location);
                position = mean_point(points);
            } else {
                if (const osmium::Area* area = assemble_way(way, m_config, m_way_area)) {
                    if (auto g = area_geometry(m_geos, *area)) {
                        position = representative_point(m_geos, g.get());
                    }
                }
                if (!position) {
                    issue(key, OsmFeatureIssue::Kind::area_not_assembled);
                    position = mean_point(points);
                }
            }
        } else {
            if (partial) {
                issue(key, OsmFeatureIssue::Kind::partial_location);
            }
            position = midpoint_along(points);
        }
        m_found.push_back({key, tag_or_empty(way.tags(), "name"), std::move(matched), position});
    }

    // Areas of the relations fed to the manager.
    void relation_area(const osmium::Area& area) {
        if (area.from_way()) {
            return;
        }
        const auto it = m_relations.find(area.orig_id());
        if (it == m_relations.end()) {
            return;
        }
        if (auto g = area_geometry(m_geos, area)) {
            it->second.position = representative_point(m_geos, g.get());
        }
    }

    /// The results per selector, after pass 2.
    std::vector<std::vector<OsmFeature>> finish() {
        const auto incomplete = m_manager.incomplete();
        for (auto& [id, feature] : m_relations) {
            if (feature.position) {
                m_found.push_back(std::move(feature));
            } else {
                issue(feature.key, incomplete.count(id) != 0 ? OsmFeatureIssue::Kind::relation_incomplete
                                                             : OsmFeatureIssue::Kind::relation_not_assembled);
            }
        }
        m_relations.clear();
        std::sort(m_found.begin(), m_found.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
        std::vector<std::vector<OsmFeature>> out(m_selectors.size());
        for (const auto& f : m_found) {
            for (const auto s : f.selectors) {
                out[s].push_back({osm_id_string(f.key), f.name, *f.position});
            }
        }
        std::sort(m_issue_keys.begin(), m_issue_keys.end());
        m_report.issues.clear();
        for (const auto& [key, kind] : m_issue_keys) {
            m_report.issues.push_back({osm_id_string(key), kind});
        }
        return out;
    }

private:
    std::vector<std::uint32_t> matching(const osmium::TagList& tags) const {
        std::vector<std::uint32_t> matched;
        if (tags.empty()) {
            // Untagged objects (most nodes) can only match selectors made of negations.
            if (!m_any_pure_negation) {
                return matched;
            }
        }
        auto value_of = [&tags](const std::string& key) { return tags.get_value_by_key(key.c_str()); };
        for (std::uint32_t s = 0; s < m_selectors.size(); ++s) {
            if (selector_holds(m_selectors[s].alternatives(), value_of)) {
                matched.push_back(s);
            }
        }
        return matched;
    }

    void issue(ObjectKey key, OsmFeatureIssue::Kind kind) { m_issue_keys.emplace_back(key, kind); }

    static bool has_pure_negation(const std::vector<TagSelector>& selectors) {
        return std::any_of(selectors.begin(), selectors.end(), [](const TagSelector& s) {
            return std::any_of(s.alternatives().begin(), s.alternatives().end(), [](const auto& conjunction) {
                return std::all_of(conjunction.begin(), conjunction.end(), [](const auto& t) { return t.negated; });
            });
        });
    }

    const std::vector<TagSelector>& m_selectors;
    RelationAreaManager& m_manager;
    const Geos& m_geos;
    OsmFeatureReport& m_report;
    bool m_any_pure_negation = has_pure_negation(m_selectors);
    osmium::area::AssemblerConfig m_config = assembler_config();
    osmium::memory::Buffer m_way_area{1024, osmium::memory::Buffer::auto_grow::yes};
    std::map<osmium::object_id_type, FoundFeature> m_relations;
    std::vector<FoundFeature> m_found;
    std::vector<std::pair<ObjectKey, OsmFeatureIssue::Kind>> m_issue_keys;
};

// ---------------------------------------------------------------------------------------------
// Administrative boundaries
// ---------------------------------------------------------------------------------------------

class BoundaryCollector : public osmium::handler::Handler {
public:
    BoundaryCollector(int admin_level, RelationAreaManager& manager, const Geos& geos)
        : m_level(std::to_string(admin_level)), m_manager(manager), m_geos(geos) {}

    // Pass 1: the wanted relations go to the manager; member ways of every administrative
    // relation are remembered so that they are not taken for boundaries of their own.
    void relation(const osmium::Relation& relation) {
        if (!relation.tags().has_tag("boundary", "administrative")) {
            return;
        }
        for (const auto& member : relation.members()) {
            if (member.type() == osmium::item_type::way) {
                m_member_ways.insert(member.ref());
            }
        }
        if (relation.tags().has_tag("admin_level", m_level.c_str()) && is_area_relation(relation)) {
            m_wanted_relations.insert(relation.id());
            m_manager.relation(relation);
        }
    }

    // Pass 2: closed ways tagged as boundaries of this level and in no administrative relation.
    void way(const osmium::Way& way) {
        if (!wanted(way.tags()) || m_member_ways.count(way.id()) != 0 || !way.is_closed()) {
            return;
        }
        const ObjectKey key{1, way.id()};
        const osmium::Area* area = assemble_way(way, m_config, m_way_area);
        if (area == nullptr || !add(key, *area)) {
            m_broken.insert(key);
        }
    }

    void relation_area(const osmium::Area& area) {
        if (area.from_way() || m_wanted_relations.count(area.orig_id()) == 0) {
            return;
        }
        if (!add({2, area.orig_id()}, area)) {
            m_broken.insert({2, area.orig_id()});
        }
    }

    OsmBoundaries finish() {
        std::set<ObjectKey> done;
        for (const auto& [key, boundary] : m_found) {
            done.insert(key);
        }
        for (const auto id : m_wanted_relations) {
            if (done.count({2, id}) == 0) {
                m_broken.insert({2, id});
            }
        }
        OsmBoundaries out;
        for (auto& [key, boundary] : m_found) {
            out.boundaries.push_back(std::move(boundary));
        }
        for (const auto& key : m_broken) {
            out.broken.push_back(osm_id_string(key));
        }
        for (const auto& key : m_repaired) {
            out.repaired.push_back(osm_id_string(key));
        }
        return out;
    }

private:
    bool wanted(const osmium::TagList& tags) const {
        return tags.has_tag("boundary", "administrative") && tags.has_tag("admin_level", m_level.c_str());
    }

    bool add(ObjectKey key, const osmium::Area& area) {
        const auto g = area_geometry(m_geos, area);
        if (!g) {
            return false;
        }
        bool repaired = false;
        const auto valid = valid_multipolygon(m_geos, g.get(), repaired);
        if (!valid) {
            return false;
        }
        if (repaired) {
            m_repaired.insert(key);
        }
        OsmBoundary b;
        b.osm_id = osm_id_string(key);
        b.name = tag_or_empty(area.tags(), "name");
        const char* ref = area.tags().get_value_by_key("ref:INSEE");
        b.ref = ref != nullptr ? ref : tag_or_empty(area.tags(), "ref");
        b.wkb = m_geos.write_wkb(valid.get());
        m_found.insert_or_assign(key, std::move(b));
        return true;
    }

    std::string m_level;
    RelationAreaManager& m_manager;
    const Geos& m_geos;
    osmium::area::AssemblerConfig m_config = assembler_config();
    osmium::memory::Buffer m_way_area{1024, osmium::memory::Buffer::auto_grow::yes};
    std::unordered_set<osmium::object_id_type> m_member_ways;
    std::set<osmium::object_id_type> m_wanted_relations;
    std::map<ObjectKey, OsmBoundary> m_found;
    std::set<ObjectKey> m_broken;
    std::set<ObjectKey> m_repaired;
};

} // namespace

std::vector<std::vector<OsmFeature>> extract_osm_features(const std::filesystem::path& extract,
                                                          const std::vector<TagSelector>& selectors,
                                                          OsmFeatureReport* report) {
    OsmFeatureReport local;
    OsmFeatureReport& rep = report != nullptr ? *report : local;
    rep = OsmFeatureReport{};
    if (selectors.empty()) {
        check_extract_path(extract);
        return {};
    }
    const Geos geos;
    RelationAreaManager manager(assembler_config());
    FeatureCollector collector(selectors, manager, geos, rep);
    read_two_passes(extract, collector, collector, manager,
                    [&collector](const osmium::Area& area) { collector.relation_area(area); });
    return collector.finish();
}

namespace {

void check_admin_level(int admin_level) {
    if (admin_level < 1 || admin_level > 15) {
        throw ConfigError(fmt::format("admin_level {} is not an OSM administrative level: use 2 (country) to 11; "
                                      "in France 4 is a région, 6 a département, 8 a commune",
                                      admin_level));
    }
}

} // namespace

OsmBoundaries extract_admin_boundaries(const std::filesystem::path& extract, int admin_level) {
    check_admin_level(admin_level);
    const Geos geos;
    RelationAreaManager manager(assembler_config());
    BoundaryCollector collector(admin_level, manager, geos);
    read_two_passes(extract, collector, collector, manager,
                    [&collector](const osmium::Area& area) { collector.relation_area(area); });
    return collector.finish();
}

OsmFeaturesAndBoundaries extract_osm_features_and_boundaries(const std::filesystem::path& extract,
                                                              const std::vector<TagSelector>& selectors,
                                                              int admin_level, OsmFeatureReport* report) {
    check_admin_level(admin_level);
    OsmFeatureReport local;
    OsmFeatureReport& rep = report != nullptr ? *report : local;
    rep = OsmFeatureReport{};
    const Geos geos;
    RelationAreaManager feature_areas(assembler_config());
    RelationAreaManager boundary_areas(assembler_config());
    FeatureCollector features(selectors, feature_areas, geos, rep);
    BoundaryCollector boundaries(admin_level, boundary_areas, geos);
    check_extract_path(extract);
    // The same two passes as read_two_passes, feeding both collectors and both area managers.
    translating_osm_errors(extract, [&] {
        const osmium::io::File file(extract.string());
        {
            osmium::io::Reader reader(file, osmium::osm_entity_bits::relation, osmium::io::read_meta::no);
            while (osmium::memory::Buffer buffer = reader.read()) {
                osmium::apply(buffer, features, boundaries);
            }
            reader.close();
        }
        feature_areas.prepare_for_lookup();
        boundary_areas.prepare_for_lookup();
        LocationIndex index;
        LocationIndex negative_ids;  // JOSM files number new nodes below zero
        osmium::handler::NodeLocationsForWays<LocationIndex, LocationIndex> locations(index, negative_ids);
        locations.ignore_errors();
        auto& feature_pass = feature_areas.handler([&features](osmium::memory::Buffer&& areas) {
            for (const auto& area : areas.select<osmium::Area>()) {
                features.relation_area(area);
            }
        });
        auto& boundary_pass = boundary_areas.handler([&boundaries](osmium::memory::Buffer&& areas) {
            for (const auto& area : areas.select<osmium::Area>()) {
                boundaries.relation_area(area);
            }
        });
        osmium::io::Reader reader(file, osmium::osm_entity_bits::node | osmium::osm_entity_bits::way,
                                  osmium::io::read_meta::no);
        while (osmium::memory::Buffer buffer = reader.read()) {
            osmium::apply(buffer, locations, features, boundaries, feature_pass, boundary_pass);
        }
        reader.close();
        feature_areas.flush_output();
        boundary_areas.flush_output();
    });
    OsmFeaturesAndBoundaries out;
    out.features = selectors.empty() ? std::vector<std::vector<OsmFeature>>{} : features.finish();
    out.boundaries = boundaries.finish();
    return out;
}

} // namespace proxima
