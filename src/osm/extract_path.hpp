#pragma once
// Internal: the checks every reader of an OSM extract makes before opening it.

#include <filesystem>

#include <fmt/format.h>

#include "proxima/core/error.hpp"

namespace proxima::detail {

/// Throws InputError if `extract` is missing or a folder, saying where to get an extract.
inline void check_extract_path(const std::filesystem::path& extract) {
    std::error_code ec;
    if (!std::filesystem::exists(extract, ec)) {
        throw InputError(fmt::format("OSM extract '{}' does not exist; download the .osm.pbf of your département "
                                     "(e.g. from Geofabrik or OpenStreetMap France) or use one in data/osm/",
                                     extract.string()));
    }
    if (std::filesystem::is_directory(extract, ec)) {
        throw InputError(fmt::format("'{}' is a folder; give the path of an .osm.pbf file", extract.string()));
    }
}

} // namespace proxima::detail
