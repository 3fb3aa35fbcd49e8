#pragma once
// Numbers for people: digits grouped by three, a decimal mark, a minus sign, in the style of
// each output (console, PNG maps, HTML report). One home, so that "3 063" reads the same way
// wherever a population is printed.

#include <string>
#include <string_view>

namespace proxima {

struct NumberStyle {
    std::string_view thousands = " ";   ///< between groups of three digits
    std::string_view decimal_mark = ".";
    std::string_view minus = "-";
};

/// Console: "3 063", "3,8" (plain spaces, readable in any terminal and log; the French decimal
/// comma, as in the maps and tables the same reader opens).
inline constexpr NumberStyle console_numbers{" ", ",", "-"};
/// PNG maps and charts: "3 063,5" with no-break spaces (U+00A0), French decimal comma.
inline constexpr NumberStyle map_numbers{"\u00a0", ",", "-"};
/// HTML report: narrow no-break spaces (U+202F) and the true minus sign (U+2212), as
/// Intl.NumberFormat('fr-FR') writes them in the page's own scripts.
inline constexpr NumberStyle html_numbers{"\u202f", ",", "\u2212"};

/// `value` with `decimals` digits after the mark, grouped by thousands in `style`. A value that
/// rounds to zero is written without a sign.
[[nodiscard]] std::string format_number(double value, int decimals, const NumberStyle& style);

/// A percentage for the console, one decimal: "3,8 %".
[[nodiscard]] inline std::string console_percent(double percent) {
    return format_number(percent, 1, console_numbers) + " %";
}
/// Minutes for the console, one decimal: "9,7".
[[nodiscard]] inline std::string console_minutes(double minutes) { return format_number(minutes, 1, console_numbers); }

} // namespace proxima
