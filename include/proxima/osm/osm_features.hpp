#pragma once
// Points of interest and boundaries from an OSM extract, in one pass each (libosmium).
// Generic: nothing here knows France. A selector is a small tag expression:
//   "amenity=hospital & emergency=yes"     all terms must hold
//   "amenity=doctors | healthcare=doctor"  any alternative (| binds looser than &)
//   "amenity=pharmacy & !dispensing=no"    ! negates a term;  "shop=*" any value;
//   "amenity=school & school:FR=primaire;elementaire"  ; separates accepted values
// Nodes give their location; closed ways and multipolygon relations their centroid (a point on
// the surface if the centroid falls outside); open ways the middle of their length.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "proxima/graph/ids.hpp"

namespace proxima {

class TagSelector {
public:
    /// Parses a selector. Throws ConfigError naming the expression and the position of the error.
    static TagSelector parse(const std::string& expression);
    /// True if the tags (key/value pairs) satisfy the selector.
    [[nodiscard]] bool matches(const std::vector<std::pair<std::string, std::string>>& tags) const;
    [[nodiscard]] const std::string& expression() const { return m_expression; }

    struct Term {
        std::string key;
        std::vector<std::string> values;  ///< empty: any value ("*")
        bool negated = false;
    };

private:
    std::string m_expression;
    std::vector<std::vector<Term>> m_alternatives;  ///< OR of ANDs
};

struct OsmFeature {
    std::string osm_id;   ///< "node/123", "way/45", "relation/6"
    std::string name;     ///< name=* (empty if none)
    LonLat position;
};

/// For each selector, the features matching it (an object matching several selectors appears in
/// each list). Results sorted by osm_id (deterministic). Throws InputError for unreadable files.
[[nodiscard]] std::vector<std::vector<OsmFeature>> extract_osm_features(const std::filesystem::path& extract,
                                                                        const std::vector<TagSelector>& selectors);

struct OsmBoundary {
    std::string osm_id;            ///< "relation/123" (or "way/45" for closed ways)
    std::string name;
    std::string ref;               ///< ref=* or ref:INSEE=* if present
    std::vector<unsigned char> wkb;  ///< (multi)polygon, WGS84 lon/lat, valid
};

/// Administrative boundaries of one admin_level (boundary=administrative), assembled into
/// polygons with libosmium's multipolygon assembler. Boundaries that cannot be assembled (ways
/// missing from the extract) are returned in `broken` with their id. Sorted by osm_id.
struct OsmBoundaries {
    std::vector<OsmBoundary> boundaries;
    std::vector<std::string> broken;
};
[[nodiscard]] OsmBoundaries extract_admin_boundaries(const std::filesystem::path& extract, int admin_level);

} // namespace proxima
