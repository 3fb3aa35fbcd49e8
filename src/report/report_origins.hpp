#pragma once
// Internal: the origins (or cells) layer as report.html embeds it. The page carries what its map
// shows: each feature's id, zone and population, and each service's minutes as one column beside
// the layer (one number per feature, in feature order) rather than a property of every feature:
// a région's 100 services made each square carry 100 keys, and the layer 40 MB. Above a number
// of origins a browser and an e-mail cannot take, they are aggregated into squares, and the
// report says so.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <ogr_api.h>

namespace proxima::detail {

struct ReportOrigins {
    nlohmann::ordered_json layer;   ///< GeoJSON FeatureCollection in WGS84 (id, zone, population)
    /// Per service id, in `service_ids` order: an array of minutes (null: unreachable), one per
    /// feature of `layer`, in the same order.
    nlohmann::ordered_json minutes = nlohmann::ordered_json::object();
    std::size_t origins = 0;        ///< features of the GeoPackage layer
    std::size_t shown = 0;          ///< features embedded (== origins unless aggregated)
    double square_m = 0.0;          ///< side of the aggregation squares (0: not aggregated)
};

/// Reads layer `l` (`name` of `gpkg`, in a projected CRS) for the report. Up to `max_origins`
/// features, each is embedded with its id, zone and population, its <id>_min for `service_ids`
/// in the columns `minutes`.
/// Beyond, the features are grouped into squares of the layer's CRS, the smallest side of 200 m,
/// 500 m, 1, 2, 5, 10, 20, 50, 100, 200 km that gives at most `max_origins` non-empty squares;
/// each square is one feature: id "<n> lieux", zone of its most populated origin, population
/// summed, `origins` = n, its minutes the population-weighted mean of the times of the origins
/// that reach the service (NULL when none does), a point at the population-weighted centre (a
/// square polygon for a cells layer). `max_origins` 0: no feature is embedded.
[[nodiscard]] ReportOrigins read_report_origins(OGRLayerH l, const std::string& name, const std::filesystem::path& gpkg,
                                                const std::vector<std::string>& service_ids, std::size_t max_origins,
                                                OGRCoordinateTransformationH to_wgs84);

} // namespace proxima::detail
