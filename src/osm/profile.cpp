#include "proxima/osm/profile.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

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
    if (class_id >= 0 && static_cast<std::size_t>(class_id) < highway_kmh.size()) {
        return highway_kmh[static_cast<std::size_t>(class_id)].first;
    }
    return ferry;
}

Profile parse_profile(const std::string& toml_text, const std::string& source) {
    toml::table root;
    try {
        root = toml::parse(toml_text, source);
    } catch (const toml::parse_error& e) {
        throw ConfigError(fmt::format("{}:{}:{}: {}", source, e.source().begin.line, e.source().begin.column,
                                      e.description()));
    }
    const detail::TomlReader r(source);
    r.only_keys(root, "", {"profile", "speed", "highway", "maxspeed", "access", "oneway", "ferry"});

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

    const auto& access = r.table(root, "access", "");
    r.only_keys(access, "access.", {"tags", "blocked"});
    p.access_tags = r.strings(access, "tags", "access.");
    p.access_blocked = r.strings(access, "blocked", "access.");
    if (p.access_tags.empty()) {
        r.fail(access, "'access.tags' must list at least one tag (e.g. \"access\")");
    }

    const auto& oneway = r.table(root, "oneway", "");
    r.only_keys(oneway, "oneway.", {"implied_by_highway", "implied_by_junction"});
    p.oneway_highways = r.strings(oneway, "implied_by_highway", "oneway.");
    p.oneway_junctions = r.strings(oneway, "implied_by_junction", "oneway.");

    const auto& ferry = r.table(root, "ferry", "");
    r.only_keys(ferry, "ferry.", {"routable", "default_kmh"});
    p.ferry_routable = r.boolean(ferry, "routable", "ferry.");
    p.ferry_kmh = r.number(ferry, "default_kmh", "ferry.", p.min_kmh, std::min(100.0, p.max_kmh));
    return p;
}

Profile load_profile(const std::filesystem::path& path) {
    require_input_file(path, "profile");
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw InputError(fmt::format("cannot open profile '{}': {}; the bundled car profile is "
                                     "data/profiles/car.toml",
                                     path.string(), std::strerror(errno)));
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_profile(text.str(), path.string());
}

} // namespace proxima
