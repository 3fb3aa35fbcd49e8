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
#include "proxima/core/sha256.hpp"

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

namespace {

class TomlReader {
public:
    explicit TomlReader(std::string source) : m_source(std::move(source)) {}

    [[noreturn]] void fail(const toml::node& node, const std::string& what) const {
        throw ConfigError(fmt::format("{}:{}: {}", m_source, node.source().begin.line, what));
    }
    [[noreturn]] void fail(const std::string& what) const { throw ConfigError(fmt::format("{}: {}", m_source, what)); }

    /// Refuses keys of `table` not in `allowed`.
    void only_keys(const toml::table& table, const std::string& where, std::initializer_list<std::string_view> allowed) const {
        for (const auto& [key, node] : table) {
            if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
                std::string list;
                for (auto a : allowed) {
                    list += (list.empty() ? "" : ", ") + std::string(a);
                }
                fail(node, fmt::format("unknown key '{}{}' (allowed here: {})", where, key.str(), list));
            }
        }
    }

    const toml::table& table(const toml::table& parent, std::string_view key, const std::string& where) const {
        const toml::node* node = parent.get(key);
        if (node == nullptr) {
            fail(fmt::format("missing section [{}{}]", where, key));
        }
        if (!node->is_table()) {
            fail(*node, fmt::format("'{}{}' must be a table", where, key));
        }
        return *node->as_table();
    }

    double number(const toml::table& t, std::string_view key, const std::string& where, double lo, double hi,
                  std::optional<double> fallback = std::nullopt) const {
        const toml::node* node = t.get(key);
        if (node == nullptr) {
            if (fallback) {
                return *fallback;
            }
            fail(fmt::format("missing key '{}{}'", where, key));
        }
        return number_value(*node, fmt::format("{}{}", where, key), lo, hi);
    }

    double number_value(const toml::node& node, const std::string& name, double lo, double hi) const {
        double v = 0;
        if (auto i = node.value_exact<std::int64_t>()) {
            v = static_cast<double>(*i);
        } else if (auto d = node.value_exact<double>()) {
            v = *d;
        } else {
            fail(node, fmt::format("'{}' must be a number", name));
        }
        if (!(v >= lo && v <= hi)) {
            fail(node, fmt::format("'{}' = {} is out of range [{}, {}]", name, v, lo, hi));
        }
        return v;
    }

    std::string string(const toml::table& t, std::string_view key, const std::string& where) const {
        const toml::node* node = t.get(key);
        if (node == nullptr) {
            fail(fmt::format("missing key '{}{}'", where, key));
        }
        if (auto s = node->value_exact<std::string>()) {
            return *s;
        }
        fail(*node, fmt::format("'{}{}' must be a string", where, key));
    }

    bool boolean(const toml::table& t, std::string_view key, const std::string& where) const {
        const toml::node* node = t.get(key);
        if (node == nullptr) {
            fail(fmt::format("missing key '{}{}'", where, key));
        }
        if (auto b = node->value_exact<bool>()) {
            return *b;
        }
        fail(*node, fmt::format("'{}{}' must be true or false", where, key));
    }

    std::vector<std::string> strings(const toml::table& t, std::string_view key, const std::string& where) const {
        const toml::node* node = t.get(key);
        if (node == nullptr) {
            return {};
        }
        const auto* arr = node->as_array();
        if (arr == nullptr) {
            fail(*node, fmt::format("'{}{}' must be a list of strings", where, key));
        }
        std::vector<std::string> out;
        for (const auto& item : *arr) {
            auto s = item.value_exact<std::string>();
            if (!s) {
                fail(item, fmt::format("'{}{}' must hold only strings", where, key));
            }
            out.push_back(*s);
        }
        return out;
    }

private:
    std::string m_source;
};

} // namespace

Profile parse_profile(const std::string& toml_text, const std::string& source) {
    toml::table root;
    try {
        root = toml::parse(toml_text, source);
    } catch (const toml::parse_error& e) {
        throw ConfigError(fmt::format("{}:{}:{}: {}", source, e.source().begin.line, e.source().begin.column,
                                      e.description()));
    }
    const TomlReader r(source);
    r.only_keys(root, "", {"profile", "speed", "highway", "maxspeed", "access", "oneway", "ferry"});

    Profile p;
    p.source = source;
    p.sha256 = sha256_hex(toml_text);

    const auto& meta = r.table(root, "profile", "");
    r.only_keys(meta, "profile.", {"name", "version", "description"});
    p.name = r.string(meta, "name", "profile.");
    p.version = static_cast<int>(r.number(meta, "version", "profile.", 1, 1e6));

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
    p.ferry_kmh = r.number(ferry, "default_kmh", "ferry.", 1, 100);
    return p;
}

Profile load_profile(const std::filesystem::path& path) {
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
