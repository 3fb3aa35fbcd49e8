#include "proxima/osm/profile.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "proxima/core/error.hpp"
#include "proxima/core/input_path.hpp"
#include "proxima/core/sha256.hpp"
#include "core/toml_reader.hpp"

namespace proxima {

int Profile::highway_class(std::string_view highway) const {
    for (std::size_t i = 0; i < highway_kmh.size(); ++i) {
        if (highway_kmh[i].first == highway) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

const std::string& Profile::class_name(int class_id) const {
    static const std::string ferry = "ferry";
    static const std::string opened = "opened";
    if (class_id >= 0 && static_cast<std::size_t>(class_id) < highway_kmh.size()) {
        return highway_kmh[static_cast<std::size_t>(class_id)].first;
    }
    return class_id == opened_class() ? opened : ferry;
}

int Profile::importance_rank(int class_id) const {
    const std::string& name = class_name(class_id);
    std::string_view base = name;
    if (base.size() > 5 && base.substr(base.size() - 5) == "_link") {
        base.remove_suffix(5);
    }
    for (std::size_t i = 0; i < turns.importance.size(); ++i) {
        if (turns.importance[i] == base) {
            return static_cast<int>(i);
        }
    }
    return static_cast<int>(turns.importance.size());
}

namespace {

/// [turns], [junctions] and [barriers]: optional (a profile without them has free turns).
void read_turn_sections(const toml::table& root, const detail::TomlReader& r, Profile& p) {
    if (const auto* node = root.get("turns")) {
        const auto& t = r.table(root, "turns", "");
        r.only_keys(t, "turns.", {"max_turn_s", "curve_steepness", "curve_centre", "left_bias", "u_turns", "u_turn_s",
                                  "yield_s", "importance"});
        p.turns.max_turn_s = r.number(t, "max_turn_s", "turns.", 0, 600, 0.0);
        p.turns.curve_steepness = r.number(t, "curve_steepness", "turns.", 0.1, 100, 13.0);
        p.turns.curve_centre = r.number(t, "curve_centre", "turns.", 0, 100, 6.5);
        p.turns.left_bias = r.number(t, "left_bias", "turns.", 0.5, 2, 1.0);
        p.turns.u_turn_s = r.number(t, "u_turn_s", "turns.", 0, 3600, 0.0);
        p.turns.yield_s = r.number(t, "yield_s", "turns.", 0, 600, 0.0);
        p.turns.importance = r.strings(t, "importance", "turns.");
        if (t.get("u_turns") != nullptr) {
            const std::string where = r.string(t, "u_turns", "turns.");
            if (where != "dead_ends" && where != "anywhere") {
                r.fail(*t.get("u_turns"), "'turns.u_turns' must be \"dead_ends\" or \"anywhere\"");
            }
            p.turns.u_turns_anywhere = where == "anywhere";
        }
        (void)node;
    }
    if (root.get("junctions") != nullptr) {
        const auto& j = r.table(root, "junctions", "");
        r.only_keys(j, "junctions.", {"traffic_signals_s", "stop_s", "give_way_s", "crossing_s", "level_crossing_s"});
        p.junctions.traffic_signals_s = r.number(j, "traffic_signals_s", "junctions.", 0, 600, 0.0);
        p.junctions.stop_s = r.number(j, "stop_s", "junctions.", 0, 600, 0.0);
        p.junctions.give_way_s = r.number(j, "give_way_s", "junctions.", 0, 600, 0.0);
        p.junctions.crossing_s = r.number(j, "crossing_s", "junctions.", 0, 600, 0.0);
        p.junctions.level_crossing_s = r.number(j, "level_crossing_s", "junctions.", 0, 600, 0.0);
    }
    if (root.get("barriers") != nullptr) {
        const auto& b = r.table(root, "barriers", "");
        r.only_keys(b, "barriers.", {"passable", "delay_s"});
        p.barriers.passable = r.strings(b, "passable", "barriers.");
        if (const auto* delays = b.get("delay_s")) {
            if (!delays->is_table()) {
                r.fail(*delays, "'barriers.delay_s' must be a table of barrier = seconds");
            }
            for (const auto& [key, node] : *delays->as_table()) {
                p.barriers.delay_s[std::string(key.str())] =
                    r.number_value(node, "barriers.delay_s." + std::string(key.str()), 0, 3600);
            }
        }
    }
}

} // namespace

Profile parse_profile(const std::string& toml_text, const std::string& source) {
    toml::table root;
    try {
        root = toml::parse(toml_text, source);
    } catch (const toml::parse_error& e) {
        throw ConfigError(fmt::format("{}:{}:{}: {}", source, e.source().begin.line, e.source().begin.column,
                                      e.description()));
    }
    const detail::TomlReader r(source);
    r.only_keys(root, "", {"profile", "speed", "highway", "maxspeed", "urban", "access", "oneway", "closed", "vehicle",
                          "ferry", "turns", "junctions", "barriers"});

    Profile p;
    p.source = source;
    p.sha256 = sha256_hex(toml_text);

    const auto& meta = r.table(root, "profile", "");
    r.only_keys(meta, "profile.", {"name", "version", "description"});
    p.name = r.string(meta, "name", "profile.");
    p.version = static_cast<int>(r.integer(meta, "version", "profile.", 1, 1000000));

    const auto& speed = r.table(root, "speed", "");
    r.only_keys(speed, "speed.", {"posted_factor", "min_kmh", "max_kmh"});
    p.posted_factor = r.number(speed, "posted_factor", "speed.", 0.05, 1.5);
    p.min_kmh = r.number(speed, "min_kmh", "speed.", 0.5, 100);
    p.max_kmh = r.number(speed, "max_kmh", "speed.", p.min_kmh, 400);

    const auto& highway = r.table(root, "highway", "");
    if (highway.empty()) {
        r.fail(highway, "[highway] lists no routable class");
    }
    // toml++ tables iterate in key order; keep file order (by line) for stable class ids.
    std::vector<std::pair<std::uint32_t, std::pair<std::string, double>>> classes;
    for (const auto& [key, node] : highway) {
        const double kmh = r.number_value(node, "highway." + std::string(key.str()), p.min_kmh, p.max_kmh);
        classes.push_back({node.source().begin.line, {std::string(key.str()), kmh}});
    }
    std::sort(classes.begin(), classes.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& c : classes) {
        p.highway_kmh.push_back(std::move(c.second));
    }

    const auto& maxspeed = r.table(root, "maxspeed", "");
    r.only_keys(maxspeed, "maxspeed.", {"ignore", "aliases"});
    p.maxspeed_ignored = r.strings(maxspeed, "ignore", "maxspeed.");
    if (const auto* aliases = maxspeed.get("aliases")) {
        if (!aliases->is_table()) {
            r.fail(*aliases, "'maxspeed.aliases' must be a table of value = km/h");
        }
        for (const auto& [key, node] : *aliases->as_table()) {
            p.maxspeed_aliases[std::string(key.str())] =
                r.number_value(node, "maxspeed.aliases." + std::string(key.str()), 1, 400);
        }
    }

    if (root.get("urban") != nullptr) {
        const auto& urban = r.table(root, "urban", "");
        r.only_keys(urban, "urban.", {"limit_kmh"});
        p.urban_limit_kmh = r.number(urban, "limit_kmh", "urban.", 5, 200);
    }

    const auto& access = r.table(root, "access", "");
    r.only_keys(access, "access.", {"tags", "blocked", "destination", "opening", "never_opened", "opened_kmh"});
    p.access_tags = r.strings(access, "tags", "access.");
    p.access_blocked = r.strings(access, "blocked", "access.");
    p.access_destination = r.strings(access, "destination", "access.");
    p.access_opening = r.strings(access, "opening", "access.");
    p.never_opened = r.strings(access, "never_opened", "access.");
    p.opened_kmh = r.number(access, "opened_kmh", "access.", p.min_kmh, p.max_kmh, std::max(p.min_kmh, 10.0));
    if (p.access_tags.empty()) {
        r.fail(access, "'access.tags' must list at least one tag (e.g. \"access\")");
    }

    const auto& oneway = r.table(root, "oneway", "");
    r.only_keys(oneway, "oneway.", {"implied_by_highway", "implied_by_junction", "tags", "alternating_s"});
    p.oneway_highways = r.strings(oneway, "implied_by_highway", "oneway.");
    p.oneway_junctions = r.strings(oneway, "implied_by_junction", "oneway.");
    if (oneway.get("tags") != nullptr) {
        p.oneway_tags = r.strings(oneway, "tags", "oneway.");
    }
    p.alternating_s = r.number(oneway, "alternating_s", "oneway.", 0, 3600, 0.0);

    if (root.get("closed") != nullptr) {
        const auto& closed = r.table(root, "closed", "");
        r.only_keys(closed, "closed.", {"construction_open", "service", "smoothness", "seasonal"});
        p.closed.construction_open = r.strings(closed, "construction_open", "closed.");
        p.closed.service = r.strings(closed, "service", "closed.");
        p.closed.smoothness = r.strings(closed, "smoothness", "closed.");
        p.closed.seasonal = r.strings(closed, "seasonal", "closed.");
    }
    if (root.get("vehicle") != nullptr) {
        const auto& v = r.table(root, "vehicle", "");
        r.only_keys(v, "vehicle.", {"width_m", "height_m", "weight_t"});
        p.vehicle.width_m = r.number(v, "width_m", "vehicle.", 0, 10, 0.0);
        p.vehicle.height_m = r.number(v, "height_m", "vehicle.", 0, 10, 0.0);
        p.vehicle.weight_t = r.number(v, "weight_t", "vehicle.", 0, 100, 0.0);
    }

    const auto& ferry = r.table(root, "ferry", "");
    r.only_keys(ferry, "ferry.", {"routable", "default_kmh", "shuttle_train_kmh"});
    p.ferry_routable = r.boolean(ferry, "routable", "ferry.");
    p.ferry_kmh = r.number(ferry, "default_kmh", "ferry.", p.min_kmh, std::min(100.0, p.max_kmh));
    p.shuttle_train_kmh =
        r.number(ferry, "shuttle_train_kmh", "ferry.", p.min_kmh, std::min(200.0, p.max_kmh), p.ferry_kmh);
    read_turn_sections(root, r, p);
    return p;
}

Profile load_profile(const std::filesystem::path& path) {
    return parse_profile(read_settings_file(path, "profile", "the bundled car profile data/profiles/car.toml"),
                         path.string());
}

} // namespace proxima
