#include "proxima/study/time_limits.hpp"

#include <fmt/format.h>

#include "proxima/core/error.hpp"

namespace proxima {

void check_threshold_min(double v, std::string_view what) {
    if (!valid_threshold_min(v)) {
        throw ConfigError(fmt::format("{} {} min: it must be more than 0 and at most {:g} minutes", what, v,
                                      max_threshold_min));
    }
}

void check_cap_min(double v, std::string_view what) {
    if (!(v > 0) || v > max_cap_min) {
        throw ConfigError(fmt::format("{} {} min: it must be more than 0 and at most {:g} minutes", what, v,
                                      max_cap_min));
    }
}

} // namespace proxima
