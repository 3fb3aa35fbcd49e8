#pragma once
// One rule for every population figure Proxima reads (commune tables, zone layers, grid cells,
// populated points): what a number of inhabitants may be, and the message when it is not.

#include <string>
#include <string_view>

namespace proxima {

/// No single record (a commune, a cell, a settlement) holds more people than this: 100 million,
/// more than France. A larger figure is a typo or a wrong column, never a population.
inline constexpr double max_population_per_record = 1e8;

enum class PopulationFigure {
    whole,    ///< counts of people (population municipale): a whole number
    decimal,  ///< estimates (Filosofi cells, weighted points): may have decimals
};

/// Reads a population field. `where` is "file:line" or the feature, `of` names what it belongs to
/// (e.g. "commune 06012"). Throws InputError for an empty field, text, "nan"/"inf", a negative
/// value, a fraction when `figure` is whole, or more than max_population_per_record.
[[nodiscard]] double read_population(std::string_view text, const std::string& where, const std::string& of,
                                     PopulationFigure figure);

} // namespace proxima
