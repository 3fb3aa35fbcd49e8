#pragma once
// The `poles` layer (access.gpkg of a run, or `proxima poles -o`): one polygon per classified
// commune with its level, the number of items of each gamme it has, and how it was classified.

#include "proxima/report/layer_writer.hpp"
#include "proxima/study/service_poles.hpp"

namespace proxima {

/// Fields: code, nom, in_study (0/1), level (proximite|intermediaire|superieure, NULL: no pole),
/// per gamme pole_<g> (0/1, NULL when the gamme is not classified), items_<g> (items present,
/// NULL when not counted: list source or gamme not classified), of_<g> (items in the gamme),
/// equipment, destination_kind, method, approximation (0/1). Geometry: the zone polygon.
[[nodiscard]] OutputLayer poles_layer(const PoleClassification& poles);

} // namespace proxima
