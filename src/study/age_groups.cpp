#include "proxima/study/age_groups.hpp"

#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "proxima/core/error.hpp"

namespace proxima {

namespace {

std::optional<int> whole_years(const std::string& text) {
    if (text.empty() || text.size() > 3) {
        return std::nullopt;
    }
    int value = 0;
    for (const char c : text) {
        if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    return value;
}

std::string trimmed(const std::string& text) {
    std::size_t from = 0;
    std::size_t to = text.size();
    while (from < to && std::isspace(static_cast<unsigned char>(text[from])) != 0) {
        ++from;
    }
    while (to > from && std::isspace(static_cast<unsigned char>(text[to - 1])) != 0) {
        --to;
    }
    return text.substr(from, to - from);
}

[[noreturn]] void refuse(const std::string& text, const std::string& where, const std::string& why) {
    std::string lower;
    std::string upper;
    for (const auto& band : filosofi_age_bands) {
        lower += fmt::format("{}{}", lower.empty() ? "" : ", ", band.from_years);
        if (band.to_years >= 0) {
            upper += fmt::format("{}{}", upper.empty() ? "" : ", ", band.to_years);
        }
    }
    throw ConfigError(fmt::format("{}: age group \"{}\" {}; write \"A+\" or \"A-B\" in years, A one of {} and B one "
                                  "of {} (the edges of Filosofi's age columns), e.g. \"80+\", \"65+\", \"0-17\"",
                                  where, text, why, lower, upper));
}

} // namespace

double AgeGroup::of(const AgeCounts& ages) const {
    double sum = 0.0;
    for (std::size_t k = 0; k < bands.size(); ++k) {
        sum += bands[k] ? ages[k] : 0.0;
    }
    return sum;
}

AgeGroup parse_age_group(const std::string& raw, const std::string& where) {
    const std::string text = trimmed(raw);
    AgeGroup group;
    group.label = text;
    std::optional<int> from;
    std::optional<int> to;  // nullopt with from: open ("80+")
    if (!text.empty() && text.back() == '+') {
        from = whole_years(trimmed(text.substr(0, text.size() - 1)));
        if (!from) {
            refuse(raw, where, "is not a number of years followed by '+'");
        }
        group.key = fmt::format("{}p", *from);
    } else {
        const auto dash = text.find('-');
        if (dash == std::string::npos) {
            refuse(raw, where, "is neither \"A+\" nor \"A-B\"");
        }
        from = whole_years(trimmed(text.substr(0, dash)));
        to = whole_years(trimmed(text.substr(dash + 1)));
        if (!from || !to || *to < *from) {
            refuse(raw, where, "is not two numbers of years A-B with A <= B");
        }
        group.key = fmt::format("{}_{}", *from, *to);
    }
    bool starts = false;
    bool ends = !to.has_value();
    for (std::size_t k = 0; k < filosofi_age_bands.size(); ++k) {
        const auto& band = filosofi_age_bands[k];
        starts = starts || band.from_years == *from;
        const bool open_end = band.to_years < 0;
        const bool inside = band.from_years >= *from && (!to || (!open_end && band.to_years <= *to));
        group.bands[k] = inside;
        ends = ends || (to && band.to_years == *to);
    }
    if (!starts) {
        refuse(raw, where, fmt::format("starts at {} years, inside one of Filosofi's age bands", *from));
    }
    if (!ends) {
        refuse(raw, where, fmt::format("ends at {} years, inside one of Filosofi's age bands", *to));
    }
    return group;
}

std::string filosofi_age_columns() {
    std::string out;
    for (const auto& band : filosofi_age_bands) {
        out += fmt::format("{}{}", out.empty() ? "" : ", ", band.column);
    }
    return out;
}

} // namespace proxima
