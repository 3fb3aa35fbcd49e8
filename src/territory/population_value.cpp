#include "proxima/territory/population_value.hpp"

#include <cmath>

#include <fmt/format.h>

#include "proxima/core/csv_reader.hpp"
#include "proxima/core/error.hpp"

namespace proxima {

double read_population(std::string_view text, const std::string& where, const std::string& of,
                       PopulationFigure figure) {
    const std::string subject = of.empty() ? std::string() : " of " + of;
    if (text.find_first_not_of(' ') == std::string_view::npos) {
        throw InputError(fmt::format("{}: the population{} is empty; write the number of inhabitants (0 for nobody)",
                                     where, subject));
    }
    const auto v = parse_decimal(text);
    if (!v) {
        throw InputError(fmt::format("{}: population '{}'{} is not a number of inhabitants", where, text, subject));
    }
    if (*v < 0) {
        throw InputError(fmt::format("{}: population '{}'{} is negative", where, text, subject));
    }
    if (*v > max_population_per_record) {
        throw InputError(fmt::format("{}: population '{}'{} is more than {:.0f} million inhabitants: a typo, or the "
                                     "wrong column?",
                                     where, text, subject, max_population_per_record / 1e6));
    }
    if (figure == PopulationFigure::whole && std::floor(*v) != *v) {
        throw InputError(fmt::format("{}: population '{}'{} is not a whole number of inhabitants", where, text,
                                     subject));
    }
    return *v;
}

} // namespace proxima
