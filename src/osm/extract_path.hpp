#pragma once
// Internal: the checks every reader of an OSM extract makes before opening it.

#include <filesystem>

#include <fmt/format.h>

#include "proxima/core/error.hpp"
#include "proxima/core/input_path.hpp"

namespace proxima::detail {

/// Throws InputError if `extract` is missing or a folder, saying where to get an extract.
inline void check_extract_path(const std::filesystem::path& extract) {
    std::error_code ec;
    if (!std::filesystem::exists(extract, ec)) {
        throw InputError(fmt::format("OSM extract '{}' does not exist; download the .osm.pbf of your département "
                                     "(e.g. from Geofabrik or OpenStreetMap France) or use one in data/osm/",
                                     extract.string()));
    }
    require_input_file(extract, "OSM extract");
}

} // namespace proxima::detail
