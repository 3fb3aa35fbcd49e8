// Cutting an OSM extract to a polygon: one pass decides what to keep (nodes inside, ways with a
// node inside and all their nodes, relations with a member kept), a second pass writes it.

#include "proxima/osm/extract_cut.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <unistd.h>

#include <fmt/format.h>
#include <osmium/index/id_set.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/io/any_output.hpp>
#include <osmium/osm.hpp>

#include "core/geos_context.hpp"
#include "osm/extract_path.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/temporaries.hpp"

namespace proxima {
namespace {

/// Runs `read`, turning libosmium and I/O errors into InputError naming the file.
template <typename Read>
void reading(const std::filesystem::path& extract, Read&& read) {
    try {
        read();
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw InputError(fmt::format("cannot read OSM extract '{}': {}. Is it an OpenStreetMap file (.osm.pbf, "
                                     ".osm or .opl) and complete?",
                                     extract.string(), e.what()));
    }
}

/// Objects must come nodes, then ways, then relations, each by increasing id: the first pass
/// decides a way from its nodes and a relation from its members, already seen.
class OrderCheck {
public:
    explicit OrderCheck(const std::filesystem::path& extract) : m_extract(extract) {}
    void see(osmium::item_type type, osmium::object_id_type id) {
        const int rank = type == osmium::item_type::node ? 0 : type == osmium::item_type::way ? 1 : 2;
        if (rank < m_rank || (rank == m_rank && id <= m_last)) {
            throw InputError(fmt::format("OSM extract '{}' is not sorted by type and id ({} {} after {} {}); sort it "
                                         "with 'osmium sort {} -o sorted.osm.pbf'",
                                         m_extract.string(), osmium::item_type_to_name(type), id,
                                         rank == 0 ? "node" : rank == 1 ? "way" : "relation", m_last,
                                         m_extract.string()));
        }
        m_rank = rank;
        m_last = id;
    }

private:
    std::filesystem::path m_extract;
    int m_rank = 0;
    osmium::object_id_type m_last = std::numeric_limits<osmium::object_id_type>::min();
};

/// Inside-polygon test for node locations: the envelope first, then GEOS's prepared geometry.
class PolygonTest {
public:
    explicit PolygonTest(const std::vector<unsigned char>& wkb) : m_polygon(m_geos.read_wkb(wkb)) {
        if (!m_polygon) {
            throw Error(fmt::format("the cut polygon cannot be read: {}", m_geos.last_error()));
        }
        m_prepared = GEOSPrepare_r(m_geos.ctx(), m_polygon.get());
        if (m_prepared == nullptr || GEOSGeom_getXMin_r(m_geos.ctx(), m_polygon.get(), &m_box.west) == 0 ||
            GEOSGeom_getXMax_r(m_geos.ctx(), m_polygon.get(), &m_box.east) == 0 ||
            GEOSGeom_getYMin_r(m_geos.ctx(), m_polygon.get(), &m_box.south) == 0 ||
            GEOSGeom_getYMax_r(m_geos.ctx(), m_polygon.get(), &m_box.north) == 0) {
            throw Error(fmt::format("the cut polygon cannot be prepared: {}", m_geos.last_error()));
        }
    }
    ~PolygonTest() { GEOSPreparedGeom_destroy_r(m_geos.ctx(), m_prepared); }
    PolygonTest(const PolygonTest&) = delete;
    PolygonTest& operator=(const PolygonTest&) = delete;

    [[nodiscard]] bool contains(double lon, double lat) const {
        if (lon < m_box.west || lon > m_box.east || lat < m_box.south || lat > m_box.north) {
            return false;
        }
        const detail::Geos::Ptr point = m_geos.own(GEOSGeom_createPointFromXY_r(m_geos.ctx(), lon, lat));
        return point && GEOSPreparedIntersects_r(m_geos.ctx(), m_prepared, point.get()) == 1;
    }
    [[nodiscard]] const LonLatBox& box() const { return m_box; }

private:
    detail::Geos m_geos;
    detail::Geos::Ptr m_polygon;
    const GEOSPreparedGeometry* m_prepared = nullptr;
    LonLatBox m_box;
};

/// A bit per id, allocated in chunks of 2^16 bytes (512 Ki ids) where ids occur. libosmium's
/// default chunk (4 MiB, 32 Mi ids) suits a whole country; a département's extract has its ids
/// scattered over the whole id range (old and new objects), so those chunks were mostly empty:
/// 1.1 GB zeroed for the Riviera's 180 000 nodes, most of `init`'s time.
using IdBits = osmium::index::IdSetDense<osmium::unsigned_object_id_type, 16>;

/// What the cut keeps, by id.
struct Keep {
    IdBits nodes;
    IdBits ways;
    IdBits relations;
    IdBits nodes_inside;
};

/// A relation's member is kept (relations among members count when seen before it).
bool member_kept(const Keep& keep, const osmium::RelationMember& m) {
    const auto id = static_cast<osmium::unsigned_object_id_type>(m.positive_ref());
    switch (m.type()) {
    case osmium::item_type::node: return keep.nodes.get(id);
    case osmium::item_type::way: return keep.ways.get(id);
    case osmium::item_type::relation: return keep.relations.get(id);
    default: return false;
    }
}

/// Pass 1: decides every object.
void choose(const std::filesystem::path& input, const PolygonTest& polygon, Keep& keep, ExtractCutReport& report,
            const std::function<void(double)>& progress) {
    OrderCheck order(input);
    osmium::io::Reader reader(osmium::io::File(input.string()), osmium::osm_entity_bits::nwr,
                              osmium::io::read_meta::no);
    const double size = static_cast<double>(std::max<std::size_t>(reader.file_size(), 1));
    while (osmium::memory::Buffer buffer = reader.read()) {
        for (const auto& object : buffer.select<osmium::OSMObject>()) {
            order.see(object.type(), object.id());
            const auto id = static_cast<osmium::unsigned_object_id_type>(object.positive_id());
            if (object.type() == osmium::item_type::node) {
                ++report.nodes_read;
                const auto& location = static_cast<const osmium::Node&>(object).location();
                if (location.valid() && polygon.contains(location.lon(), location.lat())) {
                    keep.nodes_inside.set(id);
                    ++report.nodes_inside;
                }
            } else if (object.type() == osmium::item_type::way) {
                ++report.ways_read;
                const auto& nodes = static_cast<const osmium::Way&>(object).nodes();
                const bool inside = std::any_of(nodes.begin(), nodes.end(), [&](const osmium::NodeRef& n) {
                    return keep.nodes_inside.get(static_cast<osmium::unsigned_object_id_type>(n.positive_ref()));
                });
                if (inside) {
                    keep.ways.set(id);
                    for (const auto& n : nodes) {
                        keep.nodes.set(static_cast<osmium::unsigned_object_id_type>(n.positive_ref()));
                    }
                }
            } else if (object.type() == osmium::item_type::relation) {
                ++report.relations_read;
                const auto& members = static_cast<const osmium::Relation&>(object).members();
                if (std::any_of(members.begin(), members.end(),
                                [&](const osmium::RelationMember& m) { return member_kept(keep, m); })) {
                    keep.relations.set(id);
                }
            }
        }
        if (progress) {
            progress(0.5 * std::min(1.0, static_cast<double>(reader.offset()) / size));
        }
    }
    reader.close();
}

/// Pass 2: writes what pass 1 kept into `temporary`.
void write_kept(const std::filesystem::path& input, const std::filesystem::path& temporary, const LonLatBox& box,
                Keep& keep, ExtractCutReport& report, const std::function<void(double)>& progress) {
    osmium::io::Reader reader(osmium::io::File(input.string()), osmium::osm_entity_bits::nwr);
    osmium::io::Header header = reader.header();
    header.boxes().clear();
    header.add_box(osmium::Box(box.west, box.south, box.east, box.north));
    header.set("generator", "proxima init (libosmium, complete ways)");
    osmium::io::Writer writer(osmium::io::File(temporary.string(), "pbf"), header, osmium::io::overwrite::allow);
    const double size = static_cast<double>(std::max<std::size_t>(reader.file_size(), 1));
    while (osmium::memory::Buffer buffer = reader.read()) {
        for (const auto& object : buffer.select<osmium::OSMObject>()) {
            const auto id = static_cast<osmium::unsigned_object_id_type>(object.positive_id());
            bool kept = false;
            if (object.type() == osmium::item_type::node) {
                kept = keep.nodes_inside.get(id) || keep.nodes.get(id);
                report.nodes_written += kept ? 1 : 0;
            } else if (object.type() == osmium::item_type::way) {
                kept = keep.ways.get(id);
                report.ways_written += kept ? 1 : 0;
            } else if (object.type() == osmium::item_type::relation) {
                kept = keep.relations.get(id);
                if (kept) {
                    ++report.relations_written;
                    const char* type = object.tags()["type"];
                    report.restrictions_written += (type != nullptr && std::strcmp(type, "restriction") == 0) ? 1 : 0;
                }
            }
            if (kept) {
                writer(object);
            }
        }
        if (progress) {
            progress(0.5 + 0.5 * std::min(1.0, static_cast<double>(reader.offset()) / size));
        }
    }
    writer.close();
    reader.close();
}

} // namespace

ExtractCoverage read_extract_coverage(const std::filesystem::path& extract) {
    detail::check_extract_path(extract);
    ExtractCoverage coverage;
    reading(extract, [&] {
        {
            osmium::io::Reader reader(osmium::io::File(extract.string()), osmium::osm_entity_bits::nothing);
            const osmium::io::Header header = reader.header();
            reader.close();
            const osmium::Box box = header.joined_boxes();
            if (box.valid()) {
                coverage.box = {box.bottom_left().lon(), box.bottom_left().lat(), box.top_right().lon(),
                                box.top_right().lat()};
                coverage.from_header = true;
                return;
            }
        }
        osmium::Box extent;
        osmium::io::Reader reader(osmium::io::File(extract.string()), osmium::osm_entity_bits::node,
                                  osmium::io::read_meta::no);
        while (osmium::memory::Buffer buffer = reader.read()) {
            for (const auto& node : buffer.select<osmium::Node>()) {
                extent.extend(node.location());
            }
        }
        reader.close();
        if (!extent.valid()) {
            throw InputError(fmt::format("OSM extract '{}' holds no node: is it the extract you downloaded?",
                                         extract.string()));
        }
        coverage.box = {extent.bottom_left().lon(), extent.bottom_left().lat(), extent.top_right().lon(),
                        extent.top_right().lat()};
    });
    return coverage;
}

ExtractCutReport cut_extract(const std::filesystem::path& input, const std::filesystem::path& output,
                             const std::vector<unsigned char>& polygon_wkb,
                             const std::function<void(double)>& progress) {
    detail::check_extract_path(input);
    const PolygonTest polygon(polygon_wkb);
    ExtractCutReport report;
    Keep keep;
    reading(input, [&] { choose(input, polygon, keep, report, progress); });

    // Written beside the target under a temporary name, renamed when complete.
    const std::filesystem::path temporary = output.string() + fmt::format(".tmp-{}.osm.pbf", ::getpid());
    register_temporary(temporary);
    try {
        write_kept(input, temporary, polygon.box(), keep, report, progress);
        const auto lock = hold_temporaries();
        std::error_code ec;
        std::filesystem::rename(temporary, output, ec);
        if (ec) {
            throw OutputError(fmt::format("cannot write the cut extract '{}': {}", output.string(), ec.message()));
        }
        unregister_temporary(temporary);
    } catch (const Error&) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        unregister_temporary(temporary);
        throw;
    } catch (const std::exception& e) {  // the input read well in pass 1: the writing failed
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        unregister_temporary(temporary);
        throw OutputError(fmt::format("cannot write the cut extract '{}': {}", output.string(), e.what()));
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        unregister_temporary(temporary);
        throw;
    }
    return report;
}

} // namespace proxima
