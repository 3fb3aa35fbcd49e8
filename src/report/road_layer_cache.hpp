#pragma once
// Internal to report/: the road layers of a run's maps, stroked once per frame and shared.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <utility>

#include <cairo/cairo.h>  // as the tests include it (their include path has no cairo folder)

#include "proxima/report/map_renderer.hpp"

namespace proxima {

/// Every service's map of a study (and of each EPCI) shows the same roads in the same frame: they
/// are stroked once per frame onto a transparent image the size of the map, then laid over each
/// map (painting a layer drawn on transparent pixels gives what drawing in place gives, up to the
/// rounding of 8-bit colours). The most recent `capacity` layers are kept; safe from several threads.
class RoadLayerCache {
public:
    explicit RoadLayerCache(std::size_t capacity) : m_capacity(capacity) {}

    /// What identifies a layer: the roads (a digest of their points and ranks) and every number
    /// that places them on the image (the layout's, and the scale from its pixels to the image's).
    struct Key {
        std::uint64_t roads = 0;
        std::array<double, 11> placement{};
        bool operator==(const Key&) const = default;
    };

    using Layer = std::shared_ptr<cairo_surface_t>;

    /// The layer for `key`: the kept one, or a new one of `width` × `height` pixels that `draw`
    /// fills (called without the lock held: two threads may draw the same layer at once the first
    /// time, and one of the two is kept).
    Layer layer(const Key& key, int width, int height, const std::function<void(cairo_t*)>& draw);

    [[nodiscard]] std::size_t drawn() const;   ///< layers stroked so far
    [[nodiscard]] std::size_t reused() const;  ///< maps that took a kept layer

private:
    std::size_t m_capacity;
    mutable std::mutex m_mutex;
    std::list<std::pair<Key, Layer>> m_layers;  ///< most recently used first
    std::size_t m_drawn = 0;
    std::size_t m_reused = 0;
};

/// The digest of a scene's roads for RoadLayerCache::Key (FNV-1a over ranks and coordinates).
[[nodiscard]] std::uint64_t roads_digest(const std::vector<MapLine>& roads);

} // namespace proxima
