#pragma once
// Which study zone a point lies in: an envelope index over the zones' polygons, each point tested
// against the few zones whose box holds it. A point exactly on a border shared by two zones
// belongs to the one listed first, so that it counts once. Not to be shared between threads.

#include <cstddef>
#include <memory>
#include <optional>

#include "proxima/graph/ids.hpp"
#include "proxima/territory/zones.hpp"

namespace proxima {

class ZoneLocator {
public:
    /// Throws InputError naming the zone if a polygon cannot be read or prepared.
    explicit ZoneLocator(const ZoneLayer& zones);
    ~ZoneLocator();
    ZoneLocator(const ZoneLocator&) = delete;
    ZoneLocator& operator=(const ZoneLocator&) = delete;

    /// Index into zones.zones of the zone holding `p` (WGS84), nullopt if none.
    [[nodiscard]] std::optional<std::size_t> zone_of(LonLat p) const;

private:
    struct Index;
    std::unique_ptr<Index> m_index;
};

} // namespace proxima
