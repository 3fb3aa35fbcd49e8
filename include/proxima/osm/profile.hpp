#pragma once
// A routing profile: which OSM ways a vehicle may use, in which direction, and how fast.
// Profiles are data (a versioned TOML file, see data/profiles/car.toml), parsed once into this
// plain struct; the graph builder sees only per-way results (see tag_rules.hpp).

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace proxima {

struct Profile {
    std::string name;           ///< e.g. "car"
    int version = 0;            ///< version of the profile's rules
    std::string sha256;         ///< SHA-256 of the profile text (provenance, cache staleness)
    std::string source;         ///< where it was read from (file path or "<string>")

    /// Routable highway=* values and their default travel speed in km/h (used when no usable
    /// maxspeed is tagged). Order as in the file; index = class id.
    std::vector<std::pair<std::string, double>> highway_kmh;

    double posted_factor = 1.0;   ///< travel speed = posted maxspeed (km/h) × posted_factor
    double min_kmh = 1.0;         ///< no routable way is slower than this (km/h)
    double max_kmh = 200.0;       ///< no routable way is faster than this (km/h)

    std::map<std::string, double> maxspeed_aliases;  ///< e.g. "FR:urban" -> 50 (km/h, posted)
    /// [urban] limit_kmh: the general limit inside built-up areas (km/h, posted). A road there with
    /// no usable maxspeed is driven as a road posted at this limit when its class default is
    /// faster. 0: no such rule.
    double urban_limit_kmh = 0.0;
    std::vector<std::string> maxspeed_ignored;       ///< e.g. "none", "signals": use the class speed

    std::vector<std::string> access_tags;     ///< checked in order, most specific first
    std::vector<std::string> access_blocked;  ///< values that forbid the way
    /// Values that let a car in only to reach a place on the way (private, destination...): such
    /// a way can be entered or left only at a trip's ends, never driven through.
    std::vector<std::string> access_destination;
    /// Values that open to cars a way whose class is not routable (a footway with
    /// motor_vehicle=designated, a road with access=permissive).
    std::vector<std::string> access_opening;
    /// Classes never opened, whatever their tags (construction, proposed, steps...).
    std::vector<std::string> never_opened;
    double opened_kmh = 10.0;  ///< speed of an opened way without a usable maxspeed (km/h)

    std::vector<std::string> oneway_highways;   ///< highway values implying oneway=yes
    std::vector<std::string> oneway_junctions;  ///< junction values implying oneway=yes
    /// oneway keys, most specific for a car first (oneway:motorcar ... oneway).
    std::vector<std::string> oneway_tags{"oneway"};
    double alternating_s = 0.0;  ///< oneway=alternating: delay for driving the way (seconds)

    /// [closed]: ways a car cannot use whatever their class and access.
    struct Closed {
        std::vector<std::string> construction_open;  ///< construction=* values that leave the road open
        std::vector<std::string> service;            ///< service=* values that close (emergency_access)
        std::vector<std::string> smoothness;         ///< smoothness=* values that close (impassable)
        std::vector<std::string> seasonal;           ///< keys whose "yes" closes (winter_road, ice_road)
    } closed;

    /// [vehicle]: the car's size, against maxwidth/width, maxheight and maxweight.
    struct Vehicle {
        double width_m = 0.0;    ///< closed where maxwidth or width <= this
        double height_m = 0.0;   ///< closed where maxheight < this
        double weight_t = 0.0;   ///< closed where maxweight < this
    } vehicle;

    bool ferry_routable = false;  ///< route=ferry and route=shuttle_train (car trains) usable
    double ferry_kmh = 10.0;      ///< ferry speed when no duration=* tag (km/h)
    double shuttle_train_kmh = 10.0;  ///< car-train speed when no duration=* tag (km/h)

    /// [turns]: the cost of turning at a junction (seconds). See turn_model.hpp for the curve.
    struct Turns {
        double max_turn_s = 0.0;        ///< cost of the sharpest turn (180°); 0: no angle cost
        double curve_steepness = 13.0;  ///< logistic steepness over the angle in half-turns
        double curve_centre = 6.5;      ///< logistic centre (steepness / 2: centred on 90°)
        double left_bias = 1.0;         ///< > 1: left turns (across oncoming traffic) cost more
        bool u_turns_anywhere = false;  ///< false: only where no other way out exists (dead ends)
        double u_turn_s = 0.0;          ///< added to a U-turn's angle cost
        double yield_s = 0.0;           ///< crossing or joining a more important road, no signals
        /// Road classes from most to least important (links count as their road); classes not
        /// listed rank below all.
        std::vector<std::string> importance;
    } turns;

    /// [junctions]: delays (seconds) for traffic passing a node with these tags.
    struct Junctions {
        double traffic_signals_s = 0.0;  ///< highway=traffic_signals (or crossing=traffic_signals)
        double stop_s = 0.0;             ///< highway=stop
        double give_way_s = 0.0;         ///< highway=give_way
        double crossing_s = 0.0;         ///< highway=crossing without signals (pedestrians)
        double level_crossing_s = 0.0;   ///< railway=level_crossing
    } junctions;

    /// [barriers]: barrier=* on a node of a road.
    struct Barriers {
        std::vector<std::string> passable;           ///< no effect (cattle_grid, entrance...)
        std::map<std::string, double> delay_s;       ///< passable with a delay (gate, toll_booth...)
        // Every other barrier value blocks cars (bollard, block, chain...), unless the node's
        // access tags (access.tags) let cars through; access.blocked values block any barrier.
    } barriers;

    /// Rank of a class in turns.importance (0 = most important); importance.size() if unlisted.
    [[nodiscard]] int importance_rank(int class_id) const;

    /// Class id of a highway value, or -1 if not routable.
    [[nodiscard]] int highway_class(std::string_view highway) const;
    /// Name of a class id; "ferry" for ferry_class(), "opened" for opened_class().
    [[nodiscard]] const std::string& class_name(int class_id) const;
    /// Class id used for ferry routes and car trains (after the highway classes).
    [[nodiscard]] int ferry_class() const { return static_cast<int>(highway_kmh.size()); }
    /// Class id of ways of another class opened to cars by their access tags.
    [[nodiscard]] int opened_class() const { return static_cast<int>(highway_kmh.size()) + 1; }
    [[nodiscard]] int class_count() const { return static_cast<int>(highway_kmh.size()) + 2; }
};

/// Parses a profile from TOML text. `source` names it in messages. Throws ConfigError naming the
/// key and line for unknown keys, wrong types and out-of-range values.
[[nodiscard]] Profile parse_profile(const std::string& toml_text, const std::string& source);

/// Reads a profile file. Throws InputError if it cannot be read, ConfigError if invalid.
[[nodiscard]] Profile load_profile(const std::filesystem::path& path);

} // namespace proxima
