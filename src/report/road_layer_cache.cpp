#include "road_layer_cache.hpp"

#include <cstring>

#include <fmt/format.h>

#include "proxima/core/error.hpp"

namespace proxima {

RoadLayerCache::Layer RoadLayerCache::layer(const Key& key, int width, int height,
                                            const std::function<void(cairo_t*)>& draw) {
    {
        const std::lock_guard lock(m_mutex);
        for (auto it = m_layers.begin(); it != m_layers.end(); ++it) {
            if (it->first == key) {
                m_layers.splice(m_layers.begin(), m_layers, it);
                ++m_reused;
                return m_layers.front().second;
            }
        }
    }
    Layer made(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height), cairo_surface_destroy);
    if (cairo_surface_status(made.get()) != CAIRO_STATUS_SUCCESS) {
        throw OutputError(fmt::format("cannot create a {}×{} px road layer: {}", width, height,
                                      cairo_status_to_string(cairo_surface_status(made.get()))));
    }
    cairo_t* cr = cairo_create(made.get());
    draw(cr);
    const cairo_status_t status = cairo_status(cr);
    cairo_destroy(cr);
    if (status != CAIRO_STATUS_SUCCESS) {
        throw OutputError(fmt::format("cannot draw the road layer: {}", cairo_status_to_string(status)));
    }
    cairo_surface_flush(made.get());
    const std::lock_guard lock(m_mutex);
    ++m_drawn;
    m_layers.emplace_front(key, made);
    if (m_layers.size() > m_capacity) {
        m_layers.pop_back();
    }
    return made;
}

std::size_t RoadLayerCache::drawn() const {
    const std::lock_guard lock(m_mutex);
    return m_drawn;
}

std::size_t RoadLayerCache::reused() const {
    const std::lock_guard lock(m_mutex);
    return m_reused;
}

std::uint64_t roads_digest(const std::vector<MapLine>& roads) {
    std::uint64_t h = 14695981039346656037ULL;
    const auto mix = [&](std::uint64_t word) { h = (h ^ word) * 1099511628211ULL; };  // a word at a time
    mix(roads.size());
    for (const MapLine& road : roads) {
        mix(static_cast<std::uint64_t>(road.rank));
        mix(road.points.size());
        for (const auto& p : road.points) {
            std::uint64_t x = 0;
            std::uint64_t y = 0;
            std::memcpy(&x, &p[0], sizeof x);
            std::memcpy(&y, &p[1], sizeof y);
            mix(x);
            mix(y);
        }
    }
    return h;
}

std::shared_ptr<RoadLayerCache> make_road_layer_cache(std::size_t capacity) {
    return std::make_shared<RoadLayerCache>(capacity);
}

} // namespace proxima
