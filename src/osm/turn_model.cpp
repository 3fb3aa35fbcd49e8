#include "proxima/osm/turn_model.hpp"

#include <cmath>
#include <numbers>

namespace proxima {

double bearing_deg(LonLat a, LonLat b) {
    constexpr double rad = std::numbers::pi / 180.0;
    const double phi1 = a.lat * rad;
    const double phi2 = b.lat * rad;
    const double dl = (b.lon - a.lon) * rad;
    const double y = std::sin(dl) * std::cos(phi2);
    const double x = std::cos(phi1) * std::sin(phi2) - std::sin(phi1) * std::cos(phi2) * std::cos(dl);
    const double deg = std::atan2(y, x) / rad;
    return deg < 0 ? deg + 360.0 : deg;
}

double turn_angle_deg(double in_bearing, double out_bearing) {
    double d = std::fmod(out_bearing - in_bearing, 360.0);
    if (d <= -180.0) {
        d += 360.0;
    } else if (d > 180.0) {
        d -= 360.0;
    }
    return d;
}

double turn_angle_cost_s(const Profile::Turns& t, double angle_deg) {
    if (t.max_turn_s <= 0.0) {
        return 0.0;
    }
    // Where traffic keeps right, a left turn waits for a gap in the oncoming traffic: its curve
    // rises earlier and steeper; a right turn's later and gentler.
    const bool left = angle_deg < 0.0;
    const double steepness = left ? t.curve_steepness * t.left_bias : t.curve_steepness / t.left_bias;
    const double centre = left ? t.curve_centre / t.left_bias : t.curve_centre * t.left_bias;
    const double x = std::abs(angle_deg) / 180.0;
    return t.max_turn_s / (1.0 + std::exp(centre - steepness * x));
}

} // namespace proxima
