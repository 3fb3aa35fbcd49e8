#pragma once
// How a profile reads the tags of one OSM way: routable or not (and why), directions, speeds.
// Pure functions of (profile, tags), so every rule has a unit test without any OSM file.

#include <optional>
#include <span>
#include <string_view>

#include "proxima/osm/profile.hpp"

namespace proxima {

struct Tag {
    std::string_view key;
    std::string_view value;
};

/// The value of `key`, empty if absent (an empty value reads as absent, as in OSM).
[[nodiscard]] std::string_view find_tag(std::span<const Tag> tags, std::string_view key);
/// True if `key` is present, whatever its value.
[[nodiscard]] bool has_tag(std::span<const Tag> tags, std::string_view key);

/// Why a way is or is not part of the graph. Values are stable: they index build statistics.
enum class WayVerdict : std::uint8_t {
    routable,
    not_a_road,        ///< no highway=*, route=ferry/shuttle_train: not counted as a dropped road
    unroutable_class,  ///< highway=* value not in the profile (footway, construction...) and not opened
    access_denied,     ///< access/motor_vehicle/... forbids it in both directions
    reversible,        ///< oneway=reversible: direction unknown at any given time
    area,              ///< area=yes (a square, not a road)
    closed,            ///< construction, emergency access only, impassable, winter or ice road
    too_small,         ///< maxwidth/width, maxheight or maxweight below the car's in both directions
};
inline constexpr int way_verdict_count = 8;
[[nodiscard]] const char* to_string(WayVerdict v);

struct MaxspeedValue {
    enum class Kind { absent, value, ignored, invalid };
    Kind kind = Kind::absent;
    double kmh = 0.0;  ///< posted speed in km/h when kind == value
};

/// Parses a maxspeed=* value: numbers (km/h), "N mph", "N knots", "N km/h", profile aliases
/// (e.g. FR:urban), profile-ignored values (none, signals...), and "A;B" lists (the lowest).
[[nodiscard]] MaxspeedValue parse_maxspeed(std::string_view value, const Profile& profile);

enum class Oneway { both, forward, backward, reversible, alternating };
/// oneway=* value: yes/1/true → forward; -1/reverse → backward; no/0/false → both;
/// reversible → reversible; alternating → alternating (both ways, one at a time);
/// anything else → nullopt (treated as unset).
[[nodiscard]] std::optional<Oneway> parse_oneway(std::string_view value);

/// Longest crossing a ferry's duration=* may state, in seconds (3 days; the longest car ferries
/// take under two). A longer value is a typo and is read as unreadable.
inline constexpr double max_ferry_duration_s = 3 * 86400.0;

/// duration=* of a ferry: "HH:MM", "HH:MM:SS", "MM" (minutes) or ISO 8601 "PT1H30M". Seconds.
/// Minutes and seconds after an hour field must be below 60; signs, "nan", "inf" and values
/// beyond max_ferry_duration_s are not durations (nullopt).
[[nodiscard]] std::optional<double> parse_duration_s(std::string_view value);

/// A physical limit (maxwidth, width, maxheight) in metres: "2.5", "2.5 m", "2,5", "6'6\"",
/// "7 ft". nullopt for no limit ("default", "none", "unsigned", "no_sign"...) or unreadable text
/// (`unreadable` set then).
[[nodiscard]] std::optional<double> parse_length_m(std::string_view value, bool& unreadable);
/// A weight limit in tonnes: "3.5", "3.5 t", "3500 kg", "7700 lbs"; as parse_length_m.
[[nodiscard]] std::optional<double> parse_weight_t(std::string_view value, bool& unreadable);

/// A plain decimal number as OSM values write them ("50", "7.5"): digits and at most one dot,
/// surrounding spaces allowed; no sign, exponent, "nan" or "inf". nullopt otherwise.
[[nodiscard]] std::optional<double> parse_plain_number(std::string_view value);

struct WayRule {
    WayVerdict verdict = WayVerdict::not_a_road;
    int class_id = -1;             ///< Profile class (highway value), ferry_class() for ferries
    bool forward = false;          ///< drivable along the way's node order
    bool backward = false;         ///< drivable against it
    double forward_kmh = 0.0;      ///< travel speed along
    double backward_kmh = 0.0;     ///< travel speed against
    std::optional<double> ferry_duration_s;  ///< whole-way crossing time from duration=*
    bool invalid_maxspeed = false; ///< a maxspeed or duration tag could not be read (class speed used)
    bool invalid_limit = false;    ///< a width, height or weight limit could not be read (ignored)
    bool urban = false;            ///< tags place it in a built-up area (see is_built_up)
    bool forward_destination = false;   ///< along: only to reach or leave a place on it
    bool backward_destination = false;  ///< against: the same
    bool opened = false;           ///< a class not routable by itself, opened to cars by its tags
    bool alternating = false;      ///< one direction at a time (oneway=alternating)
    bool shuttle_train = false;    ///< route=shuttle_train (a car train)
    double delay_s = 0.0;          ///< extra time for driving the whole way (alternating), seconds
};

/// True if a way's tags place it inside a built-up area: sidewalks, or a speed-limit type (the
/// maxspeed:type, source:maxspeed or zone:maxspeed value, or maxspeed itself) that is an urban
/// limit, i.e. at most profile.urban_limit_kmh (FR:urban, FR:zone30, FR:30...).
[[nodiscard]] bool is_built_up(const Profile& profile, std::span<const Tag> tags);

/// Applies the profile to the tags of one way. The car's access is read per direction: for each
/// key of access.tags (most specific first), "<key>:forward" (or ":backward") then "<key>"; the
/// first present decides (blocked, destination only, or allowed). oneway keys likewise
/// (oneway:motorcar before oneway).
[[nodiscard]] WayRule evaluate_way(const Profile& profile, std::span<const Tag> tags);

} // namespace proxima
