#pragma once
// The car profile shipped with Proxima (data/profiles/car.toml), compiled in so that
// `proxima build-graph` works from any folder. Its sha256 is that of the file's text, so a graph
// built with the file or with the embedded copy has the same provenance.

#include "proxima/osm/profile.hpp"

namespace proxima {

/// Parses the embedded copy of data/profiles/car.toml.
[[nodiscard]] Profile default_car_profile();

} // namespace proxima
