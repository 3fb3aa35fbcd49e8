#pragma once
// Internal: the origins (or cells) layer as report.html embeds it. The page carries what its map
// shows: each feature's id, zone and population, and each service's minutes as one column beside
// the layer (one number per feature, in feature order) rather than a property of every feature:
// a région's 100 services made each square carry 100 keys, and the layer 40 MB. Above a number
// of origins a browser and an e-mail cannot take, they are aggregated into squares, and the
// report says so.

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <ogr_api.h>

#include "report/place_squares.hpp"

namespace proxima::detail {

struct ReportOrigins {
    nlohmann::ordered_json layer;   ///< GeoJSON FeatureCollection in WGS84 (id, zone, population)
    /// Per service id, in `service_ids` order: an array of minutes (null: unreachable), one per
    /// feature of `layer`, in the same order.
    nlohmann::ordered_json minutes = nlohmann::ordered_json::object();
    std::size_t origins = 0;        ///< features of the GeoPackage layer
    std::size_t shown = 0;          ///< features embedded (== origins unless aggregated)
    double square_m = 0.0;          ///< side of the aggregation squares (0: not aggregated)
    bool squares_from_run = false;  ///< the squares were given (OriginSquares), not read
};

/// The origins of one square, summed as they come (in the layer's feature order).
struct OriginSquare {
    std::size_t origins = 0;
    double population = 0.0;
    double x_weighted = 0.0, y_weighted = 0.0, weight = 0.0;
    double x_sum = 0.0, y_sum = 0.0;
    nlohmann::ordered_json zone;   ///< of its most populated origin (the first of them)
    double zone_population = -1.0;
    std::vector<double> minutes_weighted, minutes_weight, minutes_sum;
    std::vector<std::size_t> minutes_count;
};

/// An origins (or cells) layer grouped into squares, before it is made into the page's GeoJSON:
/// read from access.gpkg by `proxima report`, or made by `proxima run` from its memory (the same
/// values as written, see run/report_squares.hpp) while the GeoPackage is being written.
struct OriginSquares {
    std::string layer;                     ///< "origins" or "cells"
    std::vector<std::string> service_ids;  ///< the minute columns, in this order
    std::size_t max_origins = 0;           ///< the cap they were grouped for
    std::size_t origins = 0;               ///< features of the layer
    double square_m = 0.0;                 ///< chosen by choose_square_side for `max_origins`
    std::map<SquareKey, OriginSquare> squares;  // ordered: same folder, same page

    /// Adds the next origin of the layer: where it stands (x, y in the layer's CRS), its population
    /// as written (NULL: 0), `zone()` its zone as a JSON string or null (asked only when needed),
    /// `minutes(s)` its minutes to service s as written (nullopt: NULL).
    template <class Zone, class Minutes>
    void add(std::pair<double, double> p, double population, Zone&& zone, Minutes&& minutes) {
        OriginSquare& q = squares[square_of(p, square_m)];
        const std::size_t services = service_ids.size();
        if (q.origins == 0) {
            q.minutes_weighted.assign(services, 0.0);
            q.minutes_weight.assign(services, 0.0);
            q.minutes_sum.assign(services, 0.0);
            q.minutes_count.assign(services, 0);
        }
        ++q.origins;
        q.population += population;
        q.x_weighted += population * p.first, q.y_weighted += population * p.second, q.weight += population;
        q.x_sum += p.first, q.y_sum += p.second;
        if (population > q.zone_population) {
            q.zone_population = population;
            q.zone = zone();
        }
        for (std::size_t s = 0; s < services; ++s) {
            if (const std::optional<double> m = minutes(s)) {
                q.minutes_weighted[s] += population * *m;
                q.minutes_weight[s] += population;
                q.minutes_sum[s] += *m;
                ++q.minutes_count[s];
            }
        }
    }
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
/// `made`, when given for this layer, services, cap and number of features, are the squares
/// already made (by the run, from its memory): the layer's features are then not read.
[[nodiscard]] ReportOrigins read_report_origins(OGRLayerH l, const std::string& name, const std::filesystem::path& gpkg,
                                                const std::vector<std::string>& service_ids, std::size_t max_origins,
                                                OGRCoordinateTransformationH to_wgs84,
                                                const OriginSquares* made = nullptr);

} // namespace proxima::detail
