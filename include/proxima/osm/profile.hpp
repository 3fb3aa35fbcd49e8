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
    std::vector<std::string> maxspeed_ignored;       ///< e.g. "none", "signals": use the class speed

    std::vector<std::string> access_tags;     ///< checked in order, most specific first
    std::vector<std::string> access_blocked;  ///< values that forbid the way

    std::vector<std::string> oneway_highways;   ///< highway values implying oneway=yes
    std::vector<std::string> oneway_junctions;  ///< junction values implying oneway=yes

    bool ferry_routable = false;  ///< route=ferry usable
    double ferry_kmh = 10.0;      ///< ferry speed when no duration=* tag (km/h)

    /// Class id of a highway value, or -1 if not routable.
    [[nodiscard]] int highway_class(std::string_view highway) const;
    /// Name of a class id; "ferry" for ferry_class().
    [[nodiscard]] const std::string& class_name(int class_id) const;
    /// Class id used for ferry routes (after the highway classes).
    [[nodiscard]] int ferry_class() const { return static_cast<int>(highway_kmh.size()); }
    [[nodiscard]] int class_count() const { return static_cast<int>(highway_kmh.size()) + 1; }
};

/// Parses a profile from TOML text. `source` names it in messages. Throws ConfigError naming the
/// key and line for unknown keys, wrong types and out-of-range values.
[[nodiscard]] Profile parse_profile(const std::string& toml_text, const std::string& source);

/// Reads a profile file. Throws InputError if it cannot be read, ConfigError if invalid.
[[nodiscard]] Profile load_profile(const std::filesystem::path& path);

} // namespace proxima
