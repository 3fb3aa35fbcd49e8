#include "proxima/osm/tag_rules.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace proxima {

const char* to_string(WayVerdict v) {
    switch (v) {
    case WayVerdict::routable: return "routable";
    case WayVerdict::not_a_road: return "not a road";
    case WayVerdict::unroutable_class: return "class not routable by the profile";
    case WayVerdict::access_denied: return "access forbidden";
    case WayVerdict::reversible: return "reversible one-way";
    case WayVerdict::area: return "area, not a road";
    case WayVerdict::closed: return "closed (works, impassable...)";
    case WayVerdict::too_small: return "too narrow, low or weak for a car";
    }
    return "?";
}

std::string_view find_tag(std::span<const Tag> tags, std::string_view key) {
    for (const auto& t : tags) {
        if (t.key == key) {
            return t.value;
        }
    }
    return {};
}

bool has_tag(std::span<const Tag> tags, std::string_view key) {
    return std::any_of(tags.begin(), tags.end(), [&](const Tag& t) { return t.key == key; });
}

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

/// A plain decimal number as OSM writes them ("50", "7.5", ".5"): digits with at most one dot, no
/// sign, no exponent, no "nan"/"inf" (std::from_chars alone accepts all of those). Parses the
/// longest such prefix of `s`; `rest` receives what follows, trimmed.
std::optional<double> parse_number_prefix(std::string_view s, std::string_view& rest) {
    std::size_t end = 0;
    bool digits = false;
    bool dot = false;
    for (; end < s.size(); ++end) {
        const char c = s[end];
        if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
            digits = true;
        } else if (c == '.' && !dot) {
            dot = true;
        } else {
            break;
        }
    }
    if (!digits) {
        return std::nullopt;
    }
    double v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + end, v);
    if (ec != std::errc() || ptr != s.data() + end || !std::isfinite(v)) {
        return std::nullopt;
    }
    rest = trim(s.substr(end));
    return v;
}

/// The whole of `s` as a plain decimal number (see parse_number_prefix).
std::optional<double> plain_number(std::string_view s) {
    std::string_view rest;
    const auto v = parse_number_prefix(trim(s), rest);
    if (!v || !rest.empty()) {
        return std::nullopt;
    }
    return v;
}

MaxspeedValue parse_single_maxspeed(std::string_view value, const Profile& profile) {
    value = trim(value);
    if (value.empty()) {
        return {MaxspeedValue::Kind::invalid, 0};
    }
    for (const auto& ignored : profile.maxspeed_ignored) {
        if (iequals(value, ignored)) {
            return {MaxspeedValue::Kind::ignored, 0};
        }
    }
    for (const auto& [alias, kmh] : profile.maxspeed_aliases) {
        if (iequals(value, alias)) {
            return {MaxspeedValue::Kind::value, kmh};
        }
    }
    std::string_view unit;
    auto number = parse_number_prefix(value, unit);
    if (!number || *number <= 0) {
        return {MaxspeedValue::Kind::invalid, 0};
    }
    double factor = 0;
    if (unit.empty() || iequals(unit, "km/h") || iequals(unit, "kmh") || iequals(unit, "kph")) {
        factor = 1.0;
    } else if (iequals(unit, "mph")) {
        factor = 1.609344;
    } else if (iequals(unit, "knots")) {
        factor = 1.852;
    } else {
        return {MaxspeedValue::Kind::invalid, 0};
    }
    return {MaxspeedValue::Kind::value, *number * factor};
}

bool contains(const std::vector<std::string>& list, std::string_view v) {
    return std::find(list.begin(), list.end(), v) != list.end();
}

/// "MM", "HH:MM" or "HH:MM:SS": whole numbers, minutes and seconds below 60 after hours.
std::optional<double> parse_clock_duration(std::string_view value) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const auto end = value.find(':', start);
        parts.push_back(value.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) {
            break;
        }
        start = end + 1;
    }
    if (parts.size() > 3) {
        return std::nullopt;
    }
    static constexpr double unit[3][3] = {{60, 0, 0}, {3600, 60, 0}, {3600, 60, 1}};
    double total = 0;
    for (std::size_t k = 0; k < parts.size(); ++k) {
        const auto n = plain_number(parts[k]);
        if (!n || parts[k].size() > 9) {
            return std::nullopt;
        }
        // "99:99" or "00:60" is not a time of day nor a duration: minutes and seconds after an
        // hour field stay below 60. A lone number is minutes and may be any size.
        if (k > 0 && *n >= 60) {
            return std::nullopt;
        }
        total += *n * unit[parts.size() - 1][k];
    }
    return total;
}

/// ISO 8601 "PnDTnHnMnS" (days and time parts only; ferries take hours at most).
std::optional<double> parse_iso8601_duration(std::string_view value) {
    double total = 0;
    bool in_time = false;
    bool any = false;
    std::size_t i = 1;
    while (i < value.size()) {
        if (value[i] == 'T' || value[i] == 't') {
            in_time = true;
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < value.size() && (std::isdigit(static_cast<unsigned char>(value[j])) || value[j] == '.')) {
            ++j;
        }
        if (j == i || j == value.size() || j - i > 9) {
            return std::nullopt;
        }
        const auto n = plain_number(value.substr(i, j - i));
        if (!n) {
            return std::nullopt;
        }
        const char u = static_cast<char>(std::toupper(static_cast<unsigned char>(value[j])));
        if (u == 'D' && !in_time) {
            total += *n * 86400;
        } else if (u == 'H' && in_time) {
            total += *n * 3600;
        } else if (u == 'M' && in_time) {
            total += *n * 60;
        } else if (u == 'S' && in_time) {
            total += *n;
        } else {
            return std::nullopt;
        }
        any = true;
        i = j + 1;
    }
    return any ? std::optional<double>(total) : std::nullopt;
}

} // namespace

std::optional<double> parse_plain_number(std::string_view value) { return plain_number(value); }

MaxspeedValue parse_maxspeed(std::string_view value, const Profile& profile) {
    if (value.find(';') == std::string_view::npos) {
        return parse_single_maxspeed(value, profile);
    }
    // Several values (lanes, conditions): the lowest usable one is the conservative reading.
    MaxspeedValue best{MaxspeedValue::Kind::invalid, 0};
    std::size_t start = 0;
    while (start <= value.size()) {
        const auto end = std::min(value.find(';', start), value.size());
        const auto part = parse_single_maxspeed(value.substr(start, end - start), profile);
        if (part.kind == MaxspeedValue::Kind::value &&
            (best.kind != MaxspeedValue::Kind::value || part.kmh < best.kmh)) {
            best = part;
        } else if (part.kind == MaxspeedValue::Kind::ignored && best.kind == MaxspeedValue::Kind::invalid) {
            best = part;
        }
        start = end + 1;
    }
    return best;
}

std::optional<Oneway> parse_oneway(std::string_view value) {
    value = trim(value);
    if (value == "yes" || value == "1" || value == "true") {
        return Oneway::forward;
    }
    if (value == "-1" || value == "reverse") {
        return Oneway::backward;
    }
    if (value == "no" || value == "0" || value == "false") {
        return Oneway::both;
    }
    if (value == "reversible") {
        return Oneway::reversible;
    }
    if (value == "alternating") {
        return Oneway::alternating;
    }
    return std::nullopt;
}

std::optional<double> parse_duration_s(std::string_view value) {
    value = trim(value);
    if (value.empty()) {
        return std::nullopt;
    }
    std::optional<double> total;
    if (value.size() > 2 && (value[0] == 'P' || value[0] == 'p')) {
        total = parse_iso8601_duration(value);
    } else {
        total = parse_clock_duration(value);
    }
    // A value beyond any real crossing is a typo or vandalism, not a duration: refusing it keeps
    // arc times far from the limits of the graph's integer times.
    if (!total || !std::isfinite(*total) || *total > max_ferry_duration_s) {
        return std::nullopt;
    }
    return total;
}

bool is_built_up(const Profile& profile, std::span<const Tag> tags) {
    if (profile.urban_limit_kmh <= 0) {
        return false;
    }
    for (const char* key : {"sidewalk", "sidewalk:both", "sidewalk:left", "sidewalk:right"}) {
        const auto v = trim(find_tag(tags, key));
        if (!v.empty() && v != "no" && v != "none") {
            return true;
        }
    }
    // A limit type: an alias (FR:urban, FR:zone30) or "XX:<km/h>" (zone:maxspeed=FR:30).
    auto urban_limit = [&](std::string_view v) {
        v = trim(v);
        if (v.empty()) {
            return false;
        }
        const auto parsed = parse_maxspeed(v, profile);
        if (parsed.kind == MaxspeedValue::Kind::value) {
            return parsed.kmh <= profile.urban_limit_kmh;
        }
        const auto colon = v.find(':');
        if (colon != std::string_view::npos) {
            const auto n = plain_number(v.substr(colon + 1));
            return n && *n > 0 && *n <= profile.urban_limit_kmh;
        }
        return false;
    };
    for (const char* key : {"maxspeed:type", "source:maxspeed", "zone:maxspeed"}) {
        if (urban_limit(find_tag(tags, key))) {
            return true;
        }
    }
    return false;
}

namespace {

bool non_numeric_limit(std::string_view v) {
    for (const char* word : {"default", "none", "unsigned", "no_sign", "no-sign", "no_indications", "below_default"}) {
        if (iequals(v, word)) {
            return true;
        }
    }
    return false;
}

/// The first of `keys` present for one direction: "<key>:<direction>" before "<key>".
std::string_view directional(std::span<const Tag> tags, std::initializer_list<std::string_view> keys,
                             std::string_view direction) {
    std::string key;
    for (const auto k : keys) {
        key.assign(k);
        key += ':';
        key += direction;
        if (has_tag(tags, key)) {
            return find_tag(tags, key);
        }
        if (has_tag(tags, k)) {
            return find_tag(tags, k);
        }
    }
    return {};
}

enum class Access { unset, allowed, destination, denied };

/// The value of the most specific access key present for the car in one direction ("forward"
/// or "backward"): <key>:<direction> before <key>, keys in the profile's order; nullopt if none.
std::optional<std::string_view> deciding_access(const Profile& profile, std::span<const Tag> tags,
                                                std::string_view direction) {
    for (const auto& k : profile.access_tags) {
        const std::string key = k + ":" + std::string(direction);
        if (has_tag(tags, key)) {
            return trim(find_tag(tags, key));
        }
        if (has_tag(tags, k)) {
            return trim(find_tag(tags, k));
        }
    }
    return std::nullopt;
}

Access car_access(const Profile& profile, std::span<const Tag> tags, std::string_view direction) {
    const auto value = deciding_access(profile, tags, direction);
    if (!value) {
        return Access::unset;
    }
    if (contains(profile.access_blocked, *value)) {
        return Access::denied;
    }
    if (contains(profile.access_destination, *value)) {
        return Access::destination;
    }
    return Access::allowed;  // yes, designated... and unknown values: not a ban (as OSRM)
}

/// True if the value that decided a direction's access opens a way of another class.
bool opens(const Profile& profile, std::span<const Tag> tags, std::string_view direction) {
    const auto value = deciding_access(profile, tags, direction);
    return value && (contains(profile.access_opening, *value) || contains(profile.access_destination, *value));
}

/// Closed whatever the class: works, emergency access only, impassable, seasonal roads.
bool closed_way(const Profile& profile, std::span<const Tag> tags) {
    const auto& c = profile.closed;
    if (has_tag(tags, "construction") && !contains(c.construction_open, trim(find_tag(tags, "construction")))) {
        return !c.construction_open.empty();
    }
    if (contains(c.service, trim(find_tag(tags, "service"))) || contains(c.smoothness, trim(find_tag(tags, "smoothness")))) {
        return true;
    }
    if (!c.smoothness.empty() && (find_tag(tags, "impassable") == "yes" || find_tag(tags, "status") == "impassable")) {
        return true;
    }
    for (const auto& key : c.seasonal) {
        if (find_tag(tags, key) == "yes") {
            return true;
        }
    }
    return false;
}

/// True if a car fits the way in one direction (width, height, weight limits of the profile).
bool car_fits(const Profile& profile, std::span<const Tag> tags, std::string_view direction, bool& unreadable) {
    const auto& v = profile.vehicle;
    if (v.width_m > 0) {
        const auto w = parse_length_m(directional(tags, {"maxwidth:physical", "maxwidth", "width"}, direction), unreadable);
        if (w && *w <= v.width_m) {
            return false;
        }
    }
    if (v.height_m > 0) {
        const auto h = parse_length_m(directional(tags, {"maxheight:physical", "maxheight"}, direction), unreadable);
        if (h && *h < v.height_m) {
            return false;
        }
    }
    if (v.weight_t > 0) {
        const auto t = parse_weight_t(directional(tags, {"maxweightrating", "maxweight"}, direction), unreadable);
        if (t && *t < v.weight_t) {
            return false;
        }
    }
    return true;
}

/// The way's one-way rule for cars: the most specific oneway key present with a readable value,
/// else the implied one-ways.
Oneway car_oneway(const Profile& profile, std::span<const Tag> tags, std::string_view highway, bool ferry) {
    for (const auto& key : profile.oneway_tags) {
        if (has_tag(tags, key)) {
            if (const auto v = parse_oneway(find_tag(tags, key))) {
                return *v;
            }
        }
    }
    const bool implied = (!ferry && contains(profile.oneway_highways, highway)) ||
                         contains(profile.oneway_junctions, find_tag(tags, "junction"));
    return implied ? Oneway::forward : Oneway::both;
}

/// A physical limit's number and what follows it ("2,10 m" -> 2.1 and "m"; a decimal comma
/// reads as a point). nullopt for an empty or non-numeric value ("none", "default"), with
/// `unreadable` set when it should have been a number and is not.
struct Measure {
    double number = 0.0;
    std::string unit;
};
std::optional<Measure> leading_measure(std::string_view value, bool& unreadable) {
    value = trim(value);
    if (value.empty() || non_numeric_limit(value)) {
        return std::nullopt;
    }
    std::string text(value);
    std::replace(text.begin(), text.end(), ',', '.');
    std::string_view rest;
    const auto n = parse_number_prefix(text, rest);
    if (!n) {
        unreadable = true;
        return std::nullopt;
    }
    return Measure{*n, std::string(rest)};
}

} // namespace

std::optional<double> parse_length_m(std::string_view value, bool& unreadable) {
    const auto measure = leading_measure(value, unreadable);
    if (!measure) {
        return std::nullopt;
    }
    const double n = measure->number;
    std::string_view rest = measure->unit;
    if (rest.empty() || iequals(rest, "m")) {
        return n;
    }
    if (iequals(rest, "ft") || iequals(rest, "feet")) {
        return n * 0.3048;
    }
    if (!rest.empty() && rest.front() == '\'') {  // 6'6" (feet and inches)
        rest.remove_prefix(1);
        double inches = 0;
        if (!rest.empty() && rest.back() == '"') {
            std::string_view tail;
            const auto in = parse_number_prefix(trim(rest.substr(0, rest.size() - 1)), tail);
            if (!in || !tail.empty()) {
                unreadable = true;
                return std::nullopt;
            }
            inches = *in;
        } else if (!rest.empty()) {
            unreadable = true;
            return std::nullopt;
        }
        return (n * 12 + inches) * 0.0254;
    }
    unreadable = true;
    return std::nullopt;
}

std::optional<double> parse_weight_t(std::string_view value, bool& unreadable) {
    const auto measure = leading_measure(value, unreadable);
    if (!measure) {
        return std::nullopt;
    }
    const double n = measure->number;
    const std::string_view rest = measure->unit;
    if (rest.empty() || iequals(rest, "t") || iequals(rest, "tonnes")) {
        return n;
    }
    if (iequals(rest, "kg")) {
        return n / 1000.0;
    }
    if (iequals(rest, "lbs") || iequals(rest, "lb")) {
        return n * 0.45359237 / 1000.0;
    }
    if (iequals(rest, "st")) {  // short tons
        return n * 0.90718474;
    }
    unreadable = true;
    return std::nullopt;
}

namespace {

/// The class of a way that is not a ferry, opened to cars by its access tags if the profile does not
/// route it. False, with the verdict set, if cars cannot use it (area, closed, not opened).
bool read_road_class(const Profile& profile, std::span<const Tag> tags, std::string_view highway,
                     std::string_view aeroway, WayRule& rule) {
    if (find_tag(tags, "area") == "yes") {
        rule.verdict = WayVerdict::area;
        return false;
    }
    rule.class_id = highway.empty() ? -1 : profile.highway_class(highway);
    if (rule.class_id < 0) {
        // Another class (footway, road, a runway...) opened to cars by its access tags.
        const std::string_view what = highway.empty() ? aeroway : highway;
        if (contains(profile.never_opened, what) ||
            (!opens(profile, tags, "forward") && !opens(profile, tags, "backward"))) {
            rule.verdict = highway.empty() ? WayVerdict::not_a_road : WayVerdict::unroutable_class;
            return false;
        }
        rule.class_id = profile.opened_class();
        rule.opened = true;
    }
    if (closed_way(profile, tags)) {
        rule.verdict = WayVerdict::closed;
        return false;
    }
    return true;
}

/// The directions a car may drive: the one-way rule, then per direction the car's access and
/// physical limits. False, with the verdict set, if it may drive neither.
bool read_directions(const Profile& profile, std::span<const Tag> tags, std::string_view highway, bool ferry,
                     WayRule& rule) {
    const Oneway oneway = car_oneway(profile, tags, highway, ferry);
    if (oneway == Oneway::reversible) {
        rule.verdict = WayVerdict::reversible;
        return false;
    }
    rule.alternating = oneway == Oneway::alternating;
    bool along = oneway != Oneway::backward;
    bool against = oneway != Oneway::forward;  // both for alternating: one at a time
    const Access fwd_access = car_access(profile, tags, "forward");
    const Access bwd_access = car_access(profile, tags, "backward");
    const bool fwd_fits = car_fits(profile, tags, "forward", rule.invalid_limit);
    const bool bwd_fits = car_fits(profile, tags, "backward", rule.invalid_limit);
    // An opened class needs the opening in that direction; a routable one only a lack of ban.
    along = along && (rule.opened ? opens(profile, tags, "forward") : fwd_access != Access::denied);
    against = against && (rule.opened ? opens(profile, tags, "backward") : bwd_access != Access::denied);
    if (!along && !against) {
        rule.verdict = WayVerdict::access_denied;
        return false;
    }
    rule.forward = along && fwd_fits;
    rule.backward = against && bwd_fits;
    if (!rule.forward && !rule.backward) {
        rule.verdict = WayVerdict::too_small;
        return false;
    }
    rule.forward_destination = fwd_access == Access::destination;
    rule.backward_destination = bwd_access == Access::destination;
    if (rule.alternating) {
        rule.delay_s = profile.alternating_s;
    }
    return true;
}

/// A ferry's (or car train's) speed from the profile, and its crossing time from duration=*.
void read_ferry_speed(const Profile& profile, std::span<const Tag> tags, WayRule& rule) {
    const double kmh = rule.shuttle_train ? profile.shuttle_train_kmh : profile.ferry_kmh;
    rule.forward_kmh = rule.backward_kmh = std::clamp(kmh, profile.min_kmh, profile.max_kmh);
    if (has_tag(tags, "duration")) {
        rule.ferry_duration_s = parse_duration_s(find_tag(tags, "duration"));
        if (!rule.ferry_duration_s || *rule.ferry_duration_s <= 0) {
            rule.ferry_duration_s.reset();
            rule.invalid_maxspeed = true;  // reported with the unreadable speed tags
        }
    }
}

/// A road's speed in one direction: the posted limit (`directional_key` before maxspeed) times the
/// profile's factor, else `class_kmh`; within the profile's range. Unreadable limits are flagged.
double direction_kmh(const Profile& profile, std::span<const Tag> tags, std::string_view directional_key,
                     double class_kmh, bool& invalid_maxspeed) {
    MaxspeedValue v;
    if (has_tag(tags, directional_key)) {
        v = parse_maxspeed(find_tag(tags, directional_key), profile);
    }
    if (v.kind == MaxspeedValue::Kind::absent || v.kind == MaxspeedValue::Kind::invalid) {
        const bool directional_invalid = v.kind == MaxspeedValue::Kind::invalid;
        v = has_tag(tags, "maxspeed") ? parse_maxspeed(find_tag(tags, "maxspeed"), profile) : MaxspeedValue{};
        if (directional_invalid) {
            invalid_maxspeed = true;
        }
    }
    if (v.kind == MaxspeedValue::Kind::invalid) {
        invalid_maxspeed = true;
    }
    double kmh = v.kind == MaxspeedValue::Kind::value ? v.kmh * profile.posted_factor : class_kmh;
    if (!std::isfinite(kmh)) {  // std::clamp would pass a NaN through: never a zero-time arc
        invalid_maxspeed = true;
        kmh = class_kmh;
    }
    return std::clamp(kmh, profile.min_kmh, profile.max_kmh);
}

/// A road's speeds both ways: posted limits, else its class speed (capped in built-up areas).
void read_road_speeds(const Profile& profile, std::span<const Tag> tags, WayRule& rule) {
    rule.urban = is_built_up(profile, tags);
    double class_kmh =
        rule.opened ? profile.opened_kmh : profile.highway_kmh[static_cast<std::size_t>(rule.class_id)].second;
    if (rule.urban) {
        // In a built-up area the general limit applies to every class (Code de la route R413-3).
        class_kmh = std::min(class_kmh, profile.urban_limit_kmh * profile.posted_factor);
    }
    rule.forward_kmh = direction_kmh(profile, tags, "maxspeed:forward", class_kmh, rule.invalid_maxspeed);
    rule.backward_kmh = direction_kmh(profile, tags, "maxspeed:backward", class_kmh, rule.invalid_maxspeed);
}

} // namespace

WayRule evaluate_way(const Profile& profile, std::span<const Tag> tags) {
    WayRule rule;
    const auto highway = find_tag(tags, "highway");
    const auto route = find_tag(tags, "route");
    const bool ferry = route == "ferry" || route == "shuttle_train";
    const auto aeroway = find_tag(tags, "aeroway");
    if (!ferry && highway.empty() && aeroway != "runway" && aeroway != "taxiway") {
        rule.verdict = WayVerdict::not_a_road;
        return rule;
    }
    if (ferry) {
        if (!profile.ferry_routable) {
            rule.verdict = WayVerdict::unroutable_class;
            return rule;
        }
        rule.class_id = profile.ferry_class();
        rule.shuttle_train = route == "shuttle_train";
    } else if (!read_road_class(profile, tags, highway, aeroway, rule)) {
        return rule;
    }
    if (!read_directions(profile, tags, highway, ferry, rule)) {
        return rule;
    }
    if (ferry) {
        read_ferry_speed(profile, tags, rule);
    } else {
        read_road_speeds(profile, tags, rule);
    }
    rule.verdict = WayVerdict::routable;
    return rule;
}

} // namespace proxima
