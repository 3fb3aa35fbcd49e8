#pragma once
// The travel-time classes every map, legend, QGIS style and report uses, so that a PNG, the
// GeoPackage opened in QGIS and the HTML report show the same colours for the same minutes.
//
// Classes follow the aggregation bands (upper bound included): [0, 10], (10, 20], (20, 30],
// (30, 45], (45, 60], > 60 min, plus "unreachable". Colours are the six-step viridis palette,
// reversed (light = near, dark = far): readable with every common colour-vision deficiency and in
// greyscale print, which a red-green ramp is not.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "proxima/analysis/aggregation.hpp"

namespace proxima {

struct Rgb {
    std::uint8_t r = 0, g = 0, b = 0;
};

struct TimeClass {
    std::string_view label;       ///< legend text, e.g. "10 – 20 min"
    std::optional<double> lower;  ///< exclusive lower bound in minutes (nullopt: from 0, inclusive)
    std::optional<double> upper;  ///< inclusive upper bound in minutes (nullopt: no bound)
    Rgb colour;
};

/// The six classes of reachable times then the unreachable class, in band_names order.
inline constexpr std::array<TimeClass, 7> time_classes = {{
    {"0 – 10 min", std::nullopt, 10.0, {0xfd, 0xe7, 0x25}},
    {"10 – 20 min", 10.0, 20.0, {0x7a, 0xd1, 0x51}},
    {"20 – 30 min", 20.0, 30.0, {0x22, 0xa8, 0x84}},
    {"30 – 45 min", 30.0, 45.0, {0x2a, 0x78, 0x8e}},
    {"45 – 60 min", 45.0, 60.0, {0x41, 0x44, 0x87}},
    {"plus de 60 min", 60.0, std::nullopt, {0x44, 0x01, 0x54}},
    {"inaccessible", std::nullopt, std::nullopt, {0xbd, 0xbd, 0xbd}},
}};
inline constexpr std::size_t unreachable_class = 6;

/// Index into time_classes of a time in minutes (nullopt = unreachable). Same boundaries as Bands.
[[nodiscard]] inline std::size_t time_class_of(std::optional<double> minutes) {
    if (!minutes) {
        return unreachable_class;
    }
    for (std::size_t i = 0; i < band_upper_min.size(); ++i) {
        if (*minutes <= band_upper_min[i]) {
            return i;
        }
    }
    return band_upper_min.size();
}

/// "#rrggbb", for HTML and QML.
[[nodiscard]] inline std::array<char, 8> hex_colour(Rgb c) {
    constexpr char digits[] = "0123456789abcdef";
    return {'#', digits[c.r >> 4], digits[c.r & 15], digits[c.g >> 4], digits[c.g & 15], digits[c.b >> 4],
            digits[c.b & 15], '\0'};
}

} // namespace proxima
