#pragma once
// The bounds every threshold and cap in minutes must respect, wherever it comes from (study
// file, command line, siting): one rule, one message.

#include <string_view>

namespace proxima {

/// A threshold is a travel time a public service should be within: at most a day.
inline constexpr double max_threshold_min = 24 * 60;
/// A cap (siting's mean-time objective) bounds every time and stands for "unreachable": at most 10 days.
inline constexpr double max_cap_min = 10 * 24 * 60;

[[nodiscard]] constexpr bool valid_threshold_min(double v) { return v > 0 && v <= max_threshold_min; }

/// Throws ConfigError "<what> <v> min: it must be more than 0 and at most 1440 minutes" unless valid.
void check_threshold_min(double v, std::string_view what);
/// Throws ConfigError "<what> <v> min: it must be more than 0 and at most 14400 minutes" unless
/// 0 < v <= max_cap_min.
void check_cap_min(double v, std::string_view what);

} // namespace proxima
