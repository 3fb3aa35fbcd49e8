#pragma once
// Age groups a study reports beside the whole population ([population] groups = ["80+", "65+",
// "0-17"]), made of Filosofi's age bands (territory/population_grid.hpp): "A+" is everyone aged A
// or more, "A-B" everyone from A to B years included. A and B must fall on the bands' edges
// (0, 4, 6, 11, 18, 25, 40, 55, 65, 80 / 3, 5, 10, 17, 24, 39, 54, 64, 79): Filosofi counts no
// finer ages.

#include <array>
#include <string>

#include "proxima/territory/population_grid.hpp"

namespace proxima {

struct AgeGroup {
    std::string label;  ///< as written: "80+", "0-17"
    std::string key;    ///< for column names: "80p", "0_17"
    std::array<bool, filosofi_age_bands.size()> bands{};  ///< which Filosofi bands it adds up

    /// Inhabitants of the group among `ages` (per filosofi_age_bands).
    [[nodiscard]] double of(const AgeCounts& ages) const;
};

/// Parses "A+" or "A-B" (spaces allowed). Throws ConfigError naming `where` and the ages that
/// can be used, for anything else or bounds that are not edges of Filosofi's bands.
[[nodiscard]] AgeGroup parse_age_group(const std::string& text, const std::string& where);

/// The age columns a grid must have for age groups, as a readable list ("ind_0_3, ind_4_5, ...").
[[nodiscard]] std::string filosofi_age_columns();

} // namespace proxima
