#pragma once
// The visual language every output shares beyond the time classes (time_classes.hpp): the mark of
// the territory beyond a threshold, the isochrone lines, the colours of the pôle levels. The PNG
// and PDF maps, the HTML report (through its data block) and the QGIS styles all take their
// colours from here, so that a reader sees the same thing in each.

#include <array>

#include "proxima/report/time_classes.hpp"

namespace proxima::map_style {

/// Ink: text, outlines, and the hatching of the territory beyond the threshold where people live.
inline constexpr Rgb ink{0x1a, 0x1a, 0x1a};
/// The hatching of the territory beyond the threshold where nobody lives: quieter.
inline constexpr Rgb uninhabited_hatch{0x80, 0x80, 0x80};
/// Isochrone lines (HTML report, QGIS): a dark blue apart from the ink of the deficit mark.
inline constexpr Rgb isochrone_line{0x1f, 0x4e, 0x79};
/// A commune that is not a pôle de services, then the pole levels proximité, intermédiaire,
/// supérieur (a sequential orange-red ramp, apart from the time classes' viridis).
inline constexpr Rgb not_a_pole{0xf7, 0xf4, 0xe9};
inline constexpr std::array<Rgb, 3> pole_levels = {{{0xfd, 0xd4, 0x9e}, {0xf0, 0x7a, 0x3c}, {0xa6, 0x1c, 0x1c}}};
/// A zone the pole classification could not count, and "no pole within reach" on the access map.
inline constexpr Rgb not_classified{0xd9, 0xd9, 0xd9};
inline constexpr Rgb no_pole_within_reach{0x4a, 0x4a, 0x4a};

} // namespace proxima::map_style
