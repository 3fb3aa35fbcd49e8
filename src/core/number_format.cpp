#include "proxima/core/number_format.hpp"

#include <cmath>

#include <fmt/format.h>

namespace proxima {

std::string format_number(double value, int decimals, const NumberStyle& style) {
    std::string s = fmt::format("{:.{}f}", value, decimals);
    const bool negative = !s.empty() && s[0] == '-';
    if (negative) {
        s.erase(0, 1);
    }
    std::string digits = s;
    std::string fraction;
    if (const auto dot = s.find('.'); dot != std::string::npos) {
        digits = s.substr(0, dot);
        fraction = std::string(style.decimal_mark) + s.substr(dot + 1);
    }
    const bool zero = s.find_first_not_of("0.") == std::string::npos;  // never "-0"
    std::string out = negative && !zero ? std::string(style.minus) : std::string();
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out += style.thousands;
        }
        out += digits[i];
    }
    return out + fraction;
}

} // namespace proxima
