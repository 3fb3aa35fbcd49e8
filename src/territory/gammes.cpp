#include "proxima/territory/gammes.hpp"

#include <set>

#include "core/toml_reader.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/input_path.hpp"
#include "proxima/osm/osm_features.hpp"
#include "proxima/territory/bpe_types.hpp"

namespace proxima {

using detail::TomlReader;

const char* gamme_key(Gamme g) {
    switch (g) {
    case Gamme::proximite: return "proximite";
    case Gamme::intermediaire: return "intermediaire";
    case Gamme::superieure: return "superieure";
    }
    return "?";
}

const char* poles_name(Gamme g) {
    switch (g) {
    case Gamme::proximite: return "pôles de proximité";
    case Gamme::intermediaire: return "pôles intermédiaires";
    case Gamme::superieure: return "pôles supérieurs";
    }
    return "?";
}

const char* pole_name(Gamme g) {
    switch (g) {
    case Gamme::proximite: return "pôle de proximité";
    case Gamme::intermediaire: return "pôle intermédiaire";
    case Gamme::superieure: return "pôle supérieur";
    }
    return "?";
}

namespace {

std::string optional_text(const TomlReader& r, const toml::table& t, std::string_view key, const std::string& where) {
    return t.get(key) == nullptr ? std::string() : r.string(t, key, where);
}

GammeDefinition read_gamme(const TomlReader& r, const toml::table& t, const std::string& where) {
    r.only_keys(t, where, {"label", "published_items", "items"});
    GammeDefinition g;
    g.label = r.string(t, "label", where);
    g.published_items = static_cast<std::size_t>(r.integer(t, "published_items", where, 0, 1000));
    const toml::node* items = t.get("items");
    if (items == nullptr) {
        r.fail(t, fmt::format("missing key '{}items' (a list, possibly empty when the composition is unknown)", where));
    }
    const toml::array* arr = items->as_array();
    if (arr == nullptr) {
        r.fail(*items, fmt::format("'{}items' must be a list of {{ id, label, bpe, osm }} tables", where));
    }
    std::set<std::string> ids;
    std::set<std::string> codes;
    for (const toml::node& node : *arr) {
        const toml::table* it = node.as_table();
        if (it == nullptr) {
            r.fail(node, fmt::format("'{}items' must hold only {{ id, label, bpe, osm }} tables", where));
        }
        const std::string iw = where + "items.";
        r.only_keys(*it, iw, {"id", "label", "bpe", "osm", "mapping"});
        GammeItem item;
        item.id = r.string(*it, "id", iw);
        item.label = r.string(*it, "label", iw);
        item.mapping = optional_text(r, *it, "mapping", iw);
        item.bpe_codes = r.strings(*it, "bpe", iw);
        item.osm_selectors = r.strings(*it, "osm", iw);
        if (item.id.empty() || !ids.insert(item.id).second) {
            r.fail(node, fmt::format("item id '{}' in {} is empty or given twice", item.id, where));
        }
        if (item.bpe_codes.empty() && item.osm_selectors.empty()) {
            r.fail(node, fmt::format("item '{}' in {} has neither bpe codes nor osm selectors", item.id, where));
        }
        for (const auto& code : item.bpe_codes) {
            if (known_bpe_types().count(code) == 0) {
                r.fail(node, fmt::format("item '{}' lists BPE code '{}', which is no equipment type of any known "
                                         "vintage (data/bpe/typequ.csv)",
                                         item.id, code));
            }
            if (!codes.insert(code).second) {
                r.fail(node, fmt::format("BPE code '{}' is in two items of {}: an equipment type belongs to one item",
                                         code, where));
            }
        }
        for (const auto& selector : item.osm_selectors) {
            try {
                (void)TagSelector::parse(selector);
            } catch (const ConfigError& e) {
                r.fail(node, fmt::format("item '{}': {}", item.id, e.what()));
            }
        }
        g.items.push_back(std::move(item));
    }
    if (g.items.size() > g.published_items) {
        r.fail(t, fmt::format("{} lists {} items but published_items = {}", where, g.items.size(), g.published_items));
    }
    return g;
}

} // namespace

GammeSet parse_gammes(const std::string& toml_text, const std::string& source) {
    const toml::table root = detail::parse_toml(toml_text, source);
    const TomlReader r(source);
    r.only_keys(root, "", {"gammes"});
    const auto& top = r.table(root, "gammes", "");
    r.only_keys(top, "gammes.", {"name", "year", "kind", "pole_rule", "proximite", "intermediaire", "superieure"});
    GammeSet set;
    set.source = source;
    set.name = r.string(top, "name", "gammes.");
    set.year = static_cast<int>(r.integer(top, "year", "gammes.", 1990, 2100));
    const std::string kind = r.string(top, "kind", "gammes.");
    if (kind != "bpe" && kind != "osm-approximation") {
        r.fail(*top.get("kind"), "'gammes.kind' must be \"bpe\" or \"osm-approximation\"");
    }
    set.osm_approximation = kind == "osm-approximation";
    set.pole_rule = r.string(top, "pole_rule", "gammes.");
    for (Gamme g : all_gammes) {
        const std::string key = gamme_key(g);
        set.gammes[static_cast<std::size_t>(g)] = read_gamme(r, r.table(top, key, "gammes."), "gammes." + key + ".");
    }
    return set;
}

GammeSet load_gammes(const std::string& path) {
    return parse_gammes(read_settings_file(path, "gammes file", "data/services/gammes-osm.toml, named by the study's [poles] gammes"), path);
}

std::optional<Gamme> GammeCounts::level() const {
    for (std::size_t i = 3; i-- > 0;) {
        if (is_pole[i]) {
            return static_cast<Gamme>(i);
        }
    }
    return std::nullopt;
}

GammeCounts classify_items(const GammeSet& set, const std::array<std::vector<bool>, 3>& present) {
    GammeCounts out;
    for (Gamme g : all_gammes) {
        const auto k = static_cast<std::size_t>(g);
        const GammeDefinition& def = set[g];
        if (present[k].size() != def.items.size()) {
            throw Error(fmt::format("classify_items: {} flags for {} items of {}", present[k].size(), def.items.size(),
                                    def.label));
        }
        for (bool p : present[k]) {
            out.items_present[k] += p ? 1 : 0;
        }
        out.is_pole[k] = def.complete() && out.items_present[k] >= def.pole_threshold();
    }
    return out;
}

} // namespace proxima
