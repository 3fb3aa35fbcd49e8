#include "proxima/study/apl_spec.hpp"

#include <cmath>

#include <fmt/format.h>

#include "proxima/core/error.hpp"
#include "proxima/study/time_limits.hpp"

namespace proxima {

namespace {

bool printable(const std::string& s) {
    for (const unsigned char c : s) {
        if (c < 0x20 || c == 0x7f) {
            return false;
        }
    }
    return true;
}

} // namespace

const char* to_string(AplSpec::Decay decay) {
    switch (decay) {
    case AplSpec::Decay::bands: return "bands";
    case AplSpec::Decay::linear: return "linear";
    case AplSpec::Decay::gaussian: return "gaussian";
    }
    return "?";
}

double apl_reach_min(const AplSpec& spec) {
    if (spec.decay == AplSpec::Decay::bands) {
        return spec.band_upper_min.empty() ? 0.0 : spec.band_upper_min.back();
    }
    return spec.max_min;
}

void check_apl_spec(const AplSpec& spec, const std::string& where) {
    if (spec.decay == AplSpec::Decay::bands) {
        if (spec.band_upper_min.empty()) {
            throw ConfigError(fmt::format("{}: no band: give bands_min (e.g. [10, 15, 20]) and weights (e.g. [1, "
                                          "0.66, 0.33])",
                                          where));
        }
        if (spec.band_upper_min.size() != spec.band_weight.size()) {
            throw ConfigError(fmt::format("{}: {} bands but {} weights: give one weight per band", where,
                                          spec.band_upper_min.size(), spec.band_weight.size()));
        }
        for (std::size_t i = 0; i < spec.band_upper_min.size(); ++i) {
            const double upper = spec.band_upper_min[i];
            if (!valid_threshold_min(upper)) {
                throw ConfigError(fmt::format("{}: band bound {} min: each bound must be more than 0 and at most {:g} "
                                              "minutes",
                                              where, upper, max_threshold_min));
            }
            if (i > 0 && !(upper > spec.band_upper_min[i - 1])) {
                throw ConfigError(fmt::format("{}: band bounds must increase ({} min comes after {} min)", where, upper,
                                              spec.band_upper_min[i - 1]));
            }
            const double w = spec.band_weight[i];
            if (!(w > 0 && w <= 1)) {
                throw ConfigError(fmt::format("{}: weight {} of the band up to {} min: weights are more than 0 and at "
                                              "most 1 (leave out a band of weight 0: beyond the last band, the weight "
                                              "is 0)",
                                              where, w, upper));
            }
            if (i > 0 && w > spec.band_weight[i - 1]) {
                throw ConfigError(fmt::format("{}: weight {} up to {} min is more than the weight {} of the band before: "
                                              "a decay never weighs farther sites more",
                                              where, w, upper, spec.band_weight[i - 1]));
            }
        }
    } else if (!valid_threshold_min(spec.max_min)) {
        throw ConfigError(fmt::format("{}: max_min = {}: the {} decay needs the minutes at which the weight reaches 0, "
                                      "more than 0 and at most {:g}",
                                      where, spec.max_min, to_string(spec.decay), max_threshold_min));
    }
    bool power_of_ten = false;
    for (double p = 1; p <= 1e6; p *= 10) {
        power_of_ten = power_of_ten || spec.per_inhabitants == p;
    }
    if (!power_of_ten) {
        throw ConfigError(fmt::format("{}: per_inhabitants = {}: give 1, 1000, 10000, 100000 or 1000000 (APL is "
                                      "written per that many inhabitants)",
                                      where, spec.per_inhabitants));
    }
    if (!(std::isfinite(spec.threshold) && spec.threshold > 0)) {
        throw ConfigError(fmt::format("{}: threshold = {}: the APL threshold is a number more than 0, in the unit of "
                                      "the APL (e.g. 2.5 consultations per inhabitant a year)",
                                      where, spec.threshold));
    }
    if (!printable(spec.supply_field) || !printable(spec.supply_unit)) {
        throw ConfigError(fmt::format("{}: supply_field and supply_unit must be printable text", where));
    }
}

std::string apl_supply_unit(const AplSpec& spec) {
    if (spec.supply_field.empty()) {
        return "site";
    }
    return spec.supply_unit.empty() ? spec.supply_field : spec.supply_unit;
}

std::string apl_unit(const AplSpec& spec) {
    if (spec.per_inhabitants == 1) {
        return apl_supply_unit(spec) + " per inhabitant";
    }
    return fmt::format("{} per {:.0f} inhabitants", apl_supply_unit(spec), spec.per_inhabitants);
}

std::string apl_scale_suffix(const AplSpec& spec) {
    if (spec.per_inhabitants == 1) {
        return "per_inh";
    }
    return fmt::format("per_{:.0f}_inh", spec.per_inhabitants);
}

std::string describe_decay(const AplSpec& spec) {
    switch (spec.decay) {
    case AplSpec::Decay::bands: {
        std::string out = "bands: ";
        for (std::size_t i = 0; i < spec.band_upper_min.size() && i < spec.band_weight.size(); ++i) {
            out += fmt::format("{:.4g} up to {:g} min, ", spec.band_weight[i], spec.band_upper_min[i]);
        }
        return out + "0 beyond";
    }
    case AplSpec::Decay::linear:
        return fmt::format("linear: 1 - t / {:g} min up to {:g} min, 0 beyond", spec.max_min, spec.max_min);
    case AplSpec::Decay::gaussian:
        return fmt::format("gaussian (Dai 2010): (exp(-(t/{:g})^2/2) - exp(-1/2)) / (1 - exp(-1/2)) up to {:g} min, 0 "
                           "beyond",
                           spec.max_min, spec.max_min);
    }
    return "?";
}

} // namespace proxima
