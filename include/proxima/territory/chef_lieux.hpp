#pragma once
// The chefs-lieux of communes (IGN ADMIN EXPRESS, layer CHFLIEU_COMMUNE: the point of the town
// hall's settlement), where INSEE measures commune-to-service times. Read from a shapefile or a
// GeoPackage layer (its own CRS, converted to WGS84). A point names its commune by INSEE_COM
// (the INSEE code, older editions) or by ID_COM (the commune's ADMIN EXPRESS `ID`, current
// editions), whichever the layer has.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "proxima/graph/ids.hpp"

namespace proxima {

struct ChefLieu {
    std::string commune;      ///< INSEE code (link "INSEE_COM") or ADMIN EXPRESS commune ID (link "ID_COM")
    std::string name;         ///< NOM, if any
    LonLat position;          ///< WGS84
    std::int64_t feature_id = 0;
};

struct ChefLieuLayer {
    std::vector<ChefLieu> points;  ///< in file order
    std::string source;            ///< "file (layer L)"
    std::string link;              ///< "INSEE_COM" or "ID_COM": what ChefLieu::commune holds
};

/// The name of the chef-lieu layer of an ADMIN EXPRESS GeoPackage (CHFLIEU_COMMUNE, any case), or
/// empty when `path` is not a vector file holding one.
[[nodiscard]] std::string find_chef_lieu_layer(const std::filesystem::path& path);

/// Reads the layer `layer` (empty: CHFLIEU_COMMUNE if present, else the first). Throws
/// InputError naming the file and feature for a missing file or layer, a layer with neither
/// INSEE_COM nor ID_COM (listing its fields), an undefined CRS, a geometry that is not a point,
/// an empty link value, or a commune given two points.
[[nodiscard]] ChefLieuLayer read_chef_lieux(const std::filesystem::path& path, const std::string& layer = {});

} // namespace proxima
