#pragma once
// A metric projection fit for a study area: transverse Mercator centred on the area (PROJ), so
// distances in projected metres are within a fraction of a percent of true distances for a few
// hundred kilometres around the centre. Used for snapping and off-network legs.
// Not thread-safe (one PROJ context per object); project in batches, then share the results.

#include <memory>
#include <span>
#include <vector>

#include "proxima/graph/ids.hpp"

namespace proxima {

struct XY {
    double x = 0.0;
    double y = 0.0;
};

class LocalProjection {
public:
    /// Projection centred on `centre`. Throws Error if PROJ cannot create it.
    explicit LocalProjection(LonLat centre);
    ~LocalProjection();
    LocalProjection(const LocalProjection&) = delete;
    LocalProjection& operator=(const LocalProjection&) = delete;
    LocalProjection(LocalProjection&&) noexcept;
    LocalProjection& operator=(LocalProjection&&) noexcept;

    [[nodiscard]] XY forward(LonLat p) const;
    [[nodiscard]] LonLat inverse(XY p) const;
    [[nodiscard]] std::vector<XY> forward(std::span<const LonLat> points) const;
    [[nodiscard]] LonLat centre() const { return m_centre; }
    /// PROJ string of the projection, for logs and provenance.
    [[nodiscard]] std::string definition() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    LonLat m_centre;
};

/// Centre of the bounding box of a set of points (for choosing a LocalProjection).
[[nodiscard]] LonLat bbox_centre(std::span<const LonLat> points);

} // namespace proxima
