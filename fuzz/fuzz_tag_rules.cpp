// Fuzz target: the tag rules of the built-in car profile (proxima/osm/tag_rules.hpp).
//
// Input: lines "key=value" (split at the first '='; a line without '=' is a key with an empty
// value), the tags of one OSM way. Runs evaluate_way() with default_car_profile(), and
// parse_maxspeed(), parse_duration_s(), parse_oneway() on every value.
//
// Invariants:
//  - a routable way is drivable in at least one direction, has a valid class id, and its
//    forward_kmh/backward_kmh are finite and within [profile.min_kmh, profile.max_kmh];
//  - a ferry duration, when returned, is finite, > 0 and at most max_ferry_s (a week: well below
//    the largest arc weight max_arc_ds, about 12 days, and longer than any car ferry);
//  - parse_maxspeed() of kind value has a finite kmh > 0;
//  - parse_duration_s(), when it returns a value, returns a finite, non-negative number.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_common.hpp"
#include "proxima/osm/default_profile.hpp"
#include "proxima/osm/tag_rules.hpp"

namespace {

constexpr double max_ferry_s = 7 * 24 * 3600.0;

const proxima::Profile& car_profile() {
    static const proxima::Profile profile = proxima::default_car_profile();
    return profile;
}

std::vector<proxima::Tag> decode_tags(std::string_view text) {
    std::vector<proxima::Tag> tags;
    while (!text.empty()) {
        const auto eol = text.find('\n');
        const std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) {
            tags.push_back({line, {}});
        } else {
            tags.push_back({line.substr(0, eq), line.substr(eq + 1)});
        }
    }
    return tags;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const proxima::Profile& profile = car_profile();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto tags = decode_tags(text);

    const proxima::WayRule rule = proxima::evaluate_way(profile, tags);
    if (rule.verdict == proxima::WayVerdict::routable) {
        PROXIMA_FUZZ_CHECK(rule.forward || rule.backward, "a routable way is drivable in no direction");
        PROXIMA_FUZZ_CHECK(rule.class_id >= 0 && rule.class_id < profile.class_count(), "class id %d of %d",
                           rule.class_id, profile.class_count());
        for (const double kmh : {rule.forward_kmh, rule.backward_kmh}) {
            PROXIMA_FUZZ_CHECK(std::isfinite(kmh) && kmh >= profile.min_kmh && kmh <= profile.max_kmh,
                               "evaluate_way gives speed %g km/h, outside [%g, %g] (forward %g, backward %g)", kmh,
                               profile.min_kmh, profile.max_kmh, rule.forward_kmh, rule.backward_kmh);
        }
        if (rule.ferry_duration_s) {
            const double s = *rule.ferry_duration_s;
            PROXIMA_FUZZ_CHECK(rule.class_id == profile.ferry_class(), "a ferry duration on a non-ferry class");
            PROXIMA_FUZZ_CHECK(std::isfinite(s) && s > 0 && s <= max_ferry_s,
                               "evaluate_way gives ferry duration %g s, not in (0, %g]", s, max_ferry_s);
        }
    }

    for (const auto& tag : tags) {
        const auto speed = proxima::parse_maxspeed(tag.value, profile);
        if (speed.kind == proxima::MaxspeedValue::Kind::value) {
            PROXIMA_FUZZ_CHECK(std::isfinite(speed.kmh) && speed.kmh > 0,
                               "parse_maxspeed(\"%.*s\") gives kind value with kmh %g", static_cast<int>(tag.value.size()),
                               tag.value.data(), speed.kmh);
        }
        if (const auto seconds = proxima::parse_duration_s(tag.value)) {
            PROXIMA_FUZZ_CHECK(std::isfinite(*seconds) && *seconds >= 0, "parse_duration_s(\"%.*s\") = %g",
                               static_cast<int>(tag.value.size()), tag.value.data(), *seconds);
        }
        (void)proxima::parse_oneway(tag.value);
    }
    return 0;
}
