#pragma once
// Cutting an OSM extract to a polygon (libosmium), the way osmium-tool's "complete_ways" strategy
// does: a way with at least one node inside is kept whole, with all its nodes (roads crossing the
// boundary stay drivable to their end), and a relation is kept when one of its members is
// (turn restrictions, boundaries, multipolygons; their members outside are not added). Generic:
// the polygon is any WGS84 area, nothing here knows France.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

namespace proxima {

/// A lon/lat box, degrees.
struct LonLatBox {
    double west = 0.0;
    double south = 0.0;
    double east = 0.0;
    double north = 0.0;
    [[nodiscard]] bool contains(const LonLatBox& other) const {
        return other.west >= west && other.east <= east && other.south >= south && other.north <= north;
    }
};

/// The area an extract covers: the bounding box of its header when it has one (Geofabrik's and
/// osmconvert's have), else the extent of its nodes. Throws InputError for a missing or
/// unreadable file, or one without any node.
struct ExtractCoverage {
    LonLatBox box;
    bool from_header = false;  ///< false: the extent of the nodes
};
[[nodiscard]] ExtractCoverage read_extract_coverage(const std::filesystem::path& extract);

struct ExtractCutReport {
    std::uint64_t nodes_read = 0;
    std::uint64_t ways_read = 0;
    std::uint64_t relations_read = 0;
    std::uint64_t nodes_inside = 0;         ///< nodes whose location is inside the polygon
    std::uint64_t nodes_written = 0;        ///< those and the other nodes of the ways kept
    std::uint64_t ways_written = 0;
    std::uint64_t relations_written = 0;
    std::uint64_t restrictions_written = 0; ///< relations with type=restriction among them
};

/// Writes the objects of `input` inside `polygon_wkb` (WKB Polygon or MultiPolygon, WGS84
/// lon/lat) to `output` (.osm.pbf), atomically: a temporary beside it, renamed when complete
/// (removed on error or interruption). The header keeps the input's options; its bounding box is
/// the polygon's envelope. `progress` (may be empty) gets the fraction of both passes done.
/// Throws InputError for a missing, unreadable or unsorted input (objects must come sorted by type
/// then id, as every published extract), Error for an unreadable polygon, OutputError when the
/// output cannot be written.
[[nodiscard]] ExtractCutReport cut_extract(const std::filesystem::path& input, const std::filesystem::path& output,
                                           const std::vector<unsigned char>& polygon_wkb,
                                           const std::function<void(double)>& progress = {});

} // namespace proxima
