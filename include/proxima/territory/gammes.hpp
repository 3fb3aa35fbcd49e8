#pragma once
// INSEE "gammes d'équipements" as data, and the pole rule. A gamme is a list of items; an item
// groups the equipment types INSEE merges into one (école maternelle = C101 + C102): a commune
// has the item when it has any of them, and the item counts once. A commune is a pôle of a gamme
// when it has at least half of the gamme's items (INSEE's rule for the gamme intermédiaire,
// applied to every gamme as a convention, which outputs say).
//
// Files (TOML, see data/services/gammes-2025.toml and gammes-osm.toml): [gammes] name, year,
// kind ("bpe" or "osm-approximation"), pole_rule; [gammes.proximite|intermediaire|superieure]
// label, published_items, items = [{ id, label, bpe = [TYPEQU...], osm = [selector...], mapping }].

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace proxima {

/// The three gammes, in increasing order of rarity.
enum class Gamme : std::size_t { proximite = 0, intermediaire = 1, superieure = 2 };
inline constexpr std::array<Gamme, 3> all_gammes = {Gamme::proximite, Gamme::intermediaire, Gamme::superieure};
/// "proximite", "intermediaire", "superieure" (keys in files, fields and service ids).
[[nodiscard]] const char* gamme_key(Gamme g);
/// "pôle de proximité", "pôle intermédiaire", "pôle supérieur".
[[nodiscard]] const char* pole_name(Gamme g);
/// "pôles de proximité", "pôles intermédiaires", "pôles supérieurs".
[[nodiscard]] const char* poles_name(Gamme g);

struct GammeItem {
    std::string id;
    std::string label;
    std::vector<std::string> bpe_codes;      ///< TYPEQU codes merged into this item
    std::vector<std::string> osm_selectors;  ///< OSM tag selectors (approximation files)
    std::string mapping;                     ///< how sure the code list is ("label", "inferred"...)
};

struct GammeDefinition {
    std::string label;
    std::size_t published_items = 0;         ///< the gamme's size as published
    std::vector<GammeItem> items;
    /// Whether every item is listed: only then can the pole rule be applied.
    [[nodiscard]] bool complete() const { return !items.empty() && items.size() == published_items; }
    /// Items needed to be a pole: at least half, rounded up (13 of 26, 14 of 27).
    [[nodiscard]] std::size_t pole_threshold() const { return (items.size() + 1) / 2; }
};

struct GammeSet {
    std::string name;                        ///< e.g. "INSEE BPE 2025"
    int year = 0;
    bool osm_approximation = false;          ///< kind = "osm-approximation"
    std::string pole_rule;
    std::string source;                      ///< file it was read from
    std::array<GammeDefinition, 3> gammes;   ///< by Gamme
    [[nodiscard]] const GammeDefinition& operator[](Gamme g) const { return gammes[static_cast<std::size_t>(g)]; }
};

/// Parses a gammes file. Throws ConfigError naming the file, key and line: unknown keys, a gamme
/// missing, an item without id or label, an id given twice in a gamme, a BPE code unknown to
/// every vintage (data/bpe/typequ.csv), a code in two items of one gamme, an item with neither
/// codes nor selectors, more items than published_items, an invalid OSM selector.
[[nodiscard]] GammeSet parse_gammes(const std::string& toml_text, const std::string& source);
[[nodiscard]] GammeSet load_gammes(const std::string& path);
/// Built in: data/services/gammes-2025.toml and data/services/gammes-osm.toml.
[[nodiscard]] const GammeSet& builtin_gammes_insee_2025();
[[nodiscard]] const GammeSet& builtin_gammes_osm();

/// Per gamme, how many of its items a commune has, and whether it is a pole of it.
struct GammeCounts {
    std::array<std::size_t, 3> items_present{};
    std::array<bool, 3> is_pole{};
    /// The highest gamme it is a pole of; nullopt: no pole.
    [[nodiscard]] std::optional<Gamme> level() const;
};

/// Applies the rule to the item flags of one commune (`present[g][i]`: item i of gamme g).
/// A gamme that is not complete() is never a pole (the caller refuses it earlier, with the fix).
[[nodiscard]] GammeCounts classify_items(const GammeSet& set, const std::array<std::vector<bool>, 3>& present);

} // namespace proxima
