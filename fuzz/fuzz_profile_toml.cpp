// Fuzz target: profile files (proxima/osm/profile.hpp), parse_profile(text, "<fuzz>").
//
// ConfigError (and any other proxima::Error) is the expected way to refuse input; any other
// exception, or a crash, is a finding.
//
// Invariants on success: every speed (highway classes, aliases, ferry) finite and > 0,
// posted_factor finite and > 0, 0 < min_kmh <= max_kmh, class speeds within [min_kmh, max_kmh],
// each class found again by its name; and, through the tag rules, the profile's promise that "no
// routable way is slower than min_kmh or faster than max_kmh": one way per class (with and without
// a maxspeed) and a ferry are evaluated, and their speeds must lie within [min_kmh, max_kmh].

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "proxima/core/error.hpp"
#include "proxima/osm/profile.hpp"
#include "proxima/osm/tag_rules.hpp"

namespace {

bool positive(double v) { return std::isfinite(v) && v > 0; }

void check_way(const proxima::Profile& p, const std::vector<proxima::Tag>& tags, const std::string& what) {
    const auto rule = proxima::evaluate_way(p, tags);
    if (rule.verdict != proxima::WayVerdict::routable) {
        return;
    }
    for (const double kmh : {rule.forward_kmh, rule.backward_kmh}) {
        PROXIMA_FUZZ_CHECK(std::isfinite(kmh) && kmh >= p.min_kmh && kmh <= p.max_kmh,
                           "%s: routable at %g km/h, outside the profile's [min_kmh, max_kmh] = [%g, %g]",
                           what.c_str(), kmh, p.min_kmh, p.max_kmh);
    }
}

void check_profile(const proxima::Profile& p) {
    PROXIMA_FUZZ_CHECK(positive(p.posted_factor), "posted_factor %g", p.posted_factor);
    PROXIMA_FUZZ_CHECK(positive(p.min_kmh) && positive(p.max_kmh) && p.min_kmh <= p.max_kmh,
                       "min_kmh %g, max_kmh %g", p.min_kmh, p.max_kmh);
    PROXIMA_FUZZ_CHECK(positive(p.ferry_kmh), "ferry default_kmh %g", p.ferry_kmh);
    PROXIMA_FUZZ_CHECK(!p.highway_kmh.empty(), "a profile without highway classes was accepted");
    for (std::size_t i = 0; i < p.highway_kmh.size(); ++i) {
        const auto& [name, kmh] = p.highway_kmh[i];
        PROXIMA_FUZZ_CHECK(positive(kmh) && kmh >= p.min_kmh && kmh <= p.max_kmh, "highway.%s = %g km/h",
                           name.c_str(), kmh);
        PROXIMA_FUZZ_CHECK(p.highway_class(name) == static_cast<int>(i), "class '%s' (%zu) found as %d",
                           name.c_str(), i, p.highway_class(name));
    }
    for (const auto& [alias, kmh] : p.maxspeed_aliases) {
        PROXIMA_FUZZ_CHECK(positive(kmh), "maxspeed alias '%s' = %g km/h", alias.c_str(), kmh);
    }

    // The speeds the tag rules derive from this profile.
    for (const auto& [name, kmh] : p.highway_kmh) {
        check_way(p, {{"highway", name}}, "highway=" + name);
        check_way(p, {{"highway", name}, {"maxspeed", "130"}}, "highway=" + name + " maxspeed=130");
        check_way(p, {{"highway", name}, {"maxspeed", "5"}}, "highway=" + name + " maxspeed=5");
    }
    const std::string& first = p.highway_kmh.front().first;  // aliases on one class: the speed is the alias's
    for (const auto& [alias, posted] : p.maxspeed_aliases) {
        check_way(p, {{"highway", first}, {"maxspeed", alias}}, "highway=" + first + " maxspeed=" + alias);
    }
    check_way(p, {{"route", "ferry"}}, "route=ferry");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const proxima::Profile profile = proxima::parse_profile(text, "<fuzz>");
        check_profile(profile);
        proxima::fuzz::accepted("parse_profile");
    } catch (const proxima::Error& e) {
        proxima::fuzz::refused(e, "parse_profile");  // expected: ConfigError naming key and line
    } catch (const std::exception& e) {
        proxima::fuzz::unexpected_exception(e, "parse_profile");
    }
    return 0;
}
