#pragma once
// From times per origin to what a schéma says: per zone (commune) and per service the
// population-weighted mean time, the worst time, the population beyond the threshold; and by
// commune, EPCI, département and the whole study the population beyond the threshold, its
// share, and the population in standard time bands.
//
// Conventions (tested at the exact boundaries):
//  - an origin is "over" a threshold when its time is strictly greater than it, or unreachable:
//    30.0 min is within a 30 min threshold;
//  - bands include their upper bound: [0, 10], (10, 20], (20, 30], (30, 45], (45, 60], > 60,
//    plus "unreachable"; so "within 30 min" = the first three bands;
//  - times are minutes (seconds / 60) at this boundary; unreachable is std::nullopt (NULL).

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "proxima/analysis/access_times.hpp"

namespace proxima {

inline constexpr std::array<double, 5> band_upper_min = {10, 20, 30, 45, 60};
inline constexpr std::array<const char*, 7> band_names = {"0_10", "10_20", "20_30", "30_45", "45_60", "over_60",
                                                          "unreachable"};

struct Bands {
    std::array<double, 7> population{};  ///< per band_names
    void add(std::optional<double> minutes, double population);
};

/// Minutes of a search result, nullopt when unreachable.
[[nodiscard]] std::optional<double> minutes_of(Deciseconds ds);
/// Whether a time is beyond a threshold (unreachable is).
[[nodiscard]] bool is_over(std::optional<double> minutes, double threshold_min);

struct ZoneServiceResult {
    std::optional<double> mean_min;  ///< population-weighted mean over reachable origins (unweighted if no population)
    std::optional<double> max_min;   ///< worst origin; nullopt if any origin is unreachable (or none)
    double population = 0.0;
    double population_over = 0.0;   ///< beyond the threshold, unreachable included
    bool over = false;               ///< the zone's value (mean) is beyond the threshold, or unknown
    std::size_t origins = 0;
    std::vector<double> group_population{};       ///< per study age group
    std::vector<double> group_population_over{};  ///< per study age group, beyond the threshold
};

struct AreaSummary {
    std::string scope;               ///< "study", "departement", "epci", "commune" (or "zone" without a commune table)
    std::string code;
    std::string name;
    std::string service;
    double threshold_min = 0.0;
    double population = 0.0;
    double population_over = 0.0;
    std::optional<double> share_over;  ///< population_over / population; nullopt when population is 0
    Bands bands;
    std::vector<double> group_population{};       ///< per study age group (StudyFile::Population::groups)
    std::vector<double> group_population_over{};  ///< per study age group, beyond the threshold
};

struct StudyResults {
    std::vector<std::vector<ZoneServiceResult>> zones;  ///< [service][zone]
    std::vector<AreaSummary> summary;                   ///< per service: study, départements, EPCI, zones
};

[[nodiscard]] StudyResults aggregate(const StudyInputs& inputs, const AccessTable& access);

} // namespace proxima
