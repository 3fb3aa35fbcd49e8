#pragma once
// Points of interest and boundaries from an OSM extract (libosmium; two passes over the file:
// relations, then nodes and ways). Generic: nothing here knows France. A selector is a small tag
// expression:
//   "amenity=hospital & emergency=yes"     all terms must hold
//   "amenity=doctors | healthcare=doctor"  any alternative (| binds looser than &)
//   "amenity=pharmacy & !dispensing=no"    ! negates a term;  "shop=*" any value;
//   "amenity=school & school:FR=primaire;elementaire"  ; separates accepted values
// Nodes give their location; closed ways (unless area=no) and multipolygon relations the centroid
// of their polygon, holes taken out (a point on the surface if the centroid falls outside); open
// ways the middle of their length.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "proxima/graph/ids.hpp"

namespace proxima {

/// A tag expression (see the top of this file). Grammar, whitespace allowed around every token:
///   selector := conjunction ('|' conjunction)*
///   conjunction := term ('&' term)*
///   term := ['!'] key ['=' values]        key alone means key=* (present with any value)
///   values := '*' | value (';' value)*    a value may hold inner spaces, not '&' or '|'
/// "!key=v" holds when the key is absent or has another value; "!key" when the key is absent.
/// Values are compared as exact strings (case and spaces count). A tag holding several values
/// separated by ';' (OSM's convention: school:FR=primaire;collège, isced:level=0;1) matches a
/// listed value when one of its parts (spaces around it ignored) is that value.
class TagSelector {
public:
    /// Parses a selector. Throws ConfigError naming the expression and the position (1-based
    /// character) of the error: empty selector, empty key, '&' or '|' with no term on one side,
    /// '=' without a value, an empty value between ';'.
    static TagSelector parse(const std::string& expression);
    /// True if the tags (key/value pairs) satisfy the selector.
    [[nodiscard]] bool matches(const std::vector<std::pair<std::string, std::string>>& tags) const;
    [[nodiscard]] const std::string& expression() const { return m_expression; }

    struct Term {
        std::string key;
        std::vector<std::string> values;  ///< empty: any value ("*")
        bool negated = false;
    };
    /// The parsed form: alternatives (OR) of conjunctions (AND) of terms, in the written order.
    [[nodiscard]] const std::vector<std::vector<Term>>& alternatives() const { return m_alternatives; }

private:
    std::string m_expression;
    std::vector<std::vector<Term>> m_alternatives;  ///< OR of ANDs
};

struct OsmFeature {
    std::string osm_id;   ///< "node/123", "way/45", "relation/6"
    std::string name;     ///< name=* (empty if none)
    LonLat position;
};

/// An object that matched a selector but could not be placed exactly (data defects, mostly
/// objects cut by the edge of the extract). Skipped objects are in no result list.
struct OsmFeatureIssue {
    enum class Kind {
        no_location,             ///< skipped: the extract holds the location of none of its nodes
        partial_location,        ///< kept: a way placed from the nodes the extract holds
        area_not_assembled,      ///< kept: a closed way whose polygon is invalid, placed at the mean of its nodes
        relation_incomplete,     ///< skipped: a multipolygon whose member ways are missing from the extract
        relation_not_assembled,  ///< skipped: a multipolygon whose rings do not close (or lack node locations)
        relation_not_area,       ///< skipped: a relation that is not a multipolygon (type=site, route...)
    };
    std::string osm_id;
    Kind kind = Kind::no_location;
};
[[nodiscard]] const char* to_string(OsmFeatureIssue::Kind kind);

/// What extract_osm_features saw: objects matching at least one selector, by OSM type, and the
/// defects met on them (sorted by osm_id, like the features).
struct OsmFeatureReport {
    std::size_t nodes_matched = 0;
    std::size_t ways_matched = 0;
    std::size_t relations_matched = 0;
    std::vector<OsmFeatureIssue> issues;
    /// Matching objects left out of the results (issues of a "skipped" kind).
    [[nodiscard]] std::size_t skipped() const;
};

/// For each selector, the features matching it (an object matching several selectors appears in
/// each list). Tags are those of the object itself (for a relation, including type=*). Results
/// sorted by osm_id: nodes, then ways, then relations, each by increasing id (deterministic).
/// Two passes over the file: relations first, then nodes and ways. If `report` is given it is
/// filled (overwritten). Throws InputError for missing, unreadable or unsorted files.
[[nodiscard]] std::vector<std::vector<OsmFeature>> extract_osm_features(const std::filesystem::path& extract,
                                                                        const std::vector<TagSelector>& selectors,
                                                                        OsmFeatureReport* report = nullptr);

struct OsmBoundary {
    std::string osm_id;            ///< "relation/123" (or "way/45" for closed ways)
    std::string name;
    std::string ref;               ///< ref:INSEE=* if present, else ref=* (empty if neither)
    std::vector<unsigned char> wkb;  ///< ISO WKB MultiPolygon (little-endian, 2D), WGS84 lon/lat, valid
};

/// Administrative boundaries of one admin_level (boundary=administrative), assembled into
/// polygons with libosmium's multipolygon assembler. Boundaries that cannot be assembled (ways
/// missing from the extract, rings that do not close) are returned in `broken` with their id;
/// in a bounding-box extract these are usually the neighbours cut by the edge. Sorted by osm_id
/// (closed ways, then relations, each by increasing id).
struct OsmBoundaries {
    std::vector<OsmBoundary> boundaries;
    std::vector<std::string> broken;
    /// Ids of boundaries whose assembled polygon GEOS found invalid (self-touching rings...) and
    /// that were made valid (GEOSMakeValid); they are in `boundaries` too.
    std::vector<std::string> repaired;
};
/// Relations of type=boundary or type=multipolygon, and closed ways that are not members of any
/// administrative relation, tagged boundary=administrative and admin_level=<admin_level>.
/// Throws ConfigError for an admin_level outside 1..15, InputError for unreadable files.
[[nodiscard]] OsmBoundaries extract_admin_boundaries(const std::filesystem::path& extract, int admin_level);

/// Both at once, in one two-pass read of the extract instead of two (a study that takes its zones
/// and its services from the same extract reads it once). Same results as the two calls.
struct OsmFeaturesAndBoundaries {
    std::vector<std::vector<OsmFeature>> features;
    OsmBoundaries boundaries;
};
[[nodiscard]] OsmFeaturesAndBoundaries extract_osm_features_and_boundaries(const std::filesystem::path& extract,
                                                                          const std::vector<TagSelector>& selectors,
                                                                          int admin_level,
                                                                          OsmFeatureReport* report = nullptr);

} // namespace proxima
