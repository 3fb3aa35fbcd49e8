#pragma once
// The cost of a turn between two roads at a junction, from the profile's [turns]: angles from
// the geometry, a logistic cost curve, U-turns, yielding to a more important road. Pure
// functions, so that every value has a unit test.

#include "proxima/graph/ids.hpp"
#include "proxima/osm/profile.hpp"

namespace proxima {

/// Initial bearing from a to b, degrees clockwise from north in [0, 360).
[[nodiscard]] double bearing_deg(LonLat a, LonLat b);

/// The signed turn from a road arriving on bearing `in` to one leaving on bearing `out`, in
/// (-180, 180]: 0 straight on, positive to the right, negative to the left, 180 a turn back.
[[nodiscard]] double turn_angle_deg(double in_bearing, double out_bearing);

/// The angle part of a turn's cost (seconds): 0 straight on, max_turn_s turning back; left
/// turns dearer than right ones by left_bias (see data/profiles/car.toml).
[[nodiscard]] double turn_angle_cost_s(const Profile::Turns& turns, double angle_deg);

} // namespace proxima
