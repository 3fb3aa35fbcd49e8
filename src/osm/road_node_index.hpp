#pragma once
// Internal: node locations for the road network only. A national extract holds hundreds of
// millions of nodes (buildings, land use...) with ids up to about 10^10, so an index over every
// id (FlexMem goes dense there: 8 bytes per id) needs tens of GB, while the graph needs the
// nodes of roads only. The builder first reads the ways and lists the nodes of those the profile
// does not reject as "not a road"; this index then keeps only their locations (16 bytes each).

#include <algorithm>
#include <cstddef>
#include <vector>

#include <osmium/index/index.hpp>
#include <osmium/index/map.hpp>
#include <osmium/osm/location.hpp>
#include <osmium/osm/types.hpp>

#include "proxima/core/memory_use.hpp"

namespace proxima::detail {

class RoadNodeLocations final : public osmium::index::map::Map<osmium::unsigned_object_id_type, osmium::Location> {
public:
    using id_type = osmium::unsigned_object_id_type;

    /// `ids`: the nodes to keep, sorted, without duplicates.
    explicit RoadNodeLocations(std::vector<id_type> ids) : m_ids(std::move(ids)), m_locations(m_ids.size()) {}

    /// Nodes of a sorted extract come in increasing id order: a cursor finds them in one sweep;
    /// an unsorted file (.osm written by an editor) falls back to a binary search.
    void set(const id_type id, const osmium::Location value) override {
        if (id < m_last) {
            m_cursor = static_cast<std::size_t>(std::lower_bound(m_ids.begin(), m_ids.end(), id) - m_ids.begin());
        }
        m_last = id;
        while (m_cursor < m_ids.size() && m_ids[m_cursor] < id) {
            ++m_cursor;
        }
        if (m_cursor < m_ids.size() && m_ids[m_cursor] == id) {
            m_locations[m_cursor] = value;
        }
    }
    [[nodiscard]] osmium::Location get_noexcept(const id_type id) const noexcept override {
        const auto it = std::lower_bound(m_ids.begin(), m_ids.end(), id);
        return it != m_ids.end() && *it == id ? m_locations[static_cast<std::size_t>(it - m_ids.begin())]
                                              : osmium::Location{};
    }
    [[nodiscard]] osmium::Location get(const id_type id) const override {
        const osmium::Location l = get_noexcept(id);
        if (!l.valid()) {
            throw osmium::not_found{id};
        }
        return l;
    }
    [[nodiscard]] std::size_t size() const override { return m_ids.size(); }
    [[nodiscard]] std::size_t used_memory() const override {
        return m_ids.capacity() * sizeof(id_type) + m_locations.capacity() * sizeof(osmium::Location);
    }
    void clear() override {
        release_memory(m_ids);
        release_memory(m_locations);
    }

private:
    std::vector<id_type> m_ids;
    std::vector<osmium::Location> m_locations;
    std::size_t m_cursor = 0;
    id_type m_last = 0;
};

} // namespace proxima::detail
