#pragma once
// Internal: sections of report.html that stand on their own: the static maps embedded in the
// page, the table of every commune's times (keyboard- and print-friendly), the French names of
// the computation's phases.

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "proxima/report/run_manifest.hpp"

namespace proxima::detail {

/// Static maps above this total are linked instead of embedded (the report says so).
inline constexpr std::size_t static_maps_embed_budget = 40u * 1024u * 1024u;

/// Base64 of `bytes` (RFC 4648, with padding), for data: URIs.
[[nodiscard]] std::string base64(std::string_view bytes);

/// The caption of a static map from its file stem: the service's label for "<id>", "APL : label"
/// for "apl_<id>", "Pôles de services", "Accès aux pôles de services"; else the stem.
[[nodiscard]] std::string static_map_caption(const std::string& stem, const std::vector<ManifestService>& services);

/// "Cartes statiques": every maps/*.png (maps/epci/ too) embedded as a data: URI, in name order,
/// captioned; beyond `budget` bytes in all, the rest is linked by relative path and the section
/// says which. Empty when there is no map.
[[nodiscard]] std::string static_maps_section(const std::filesystem::path& run_dir,
                                              const std::vector<ManifestService>& services,
                                              std::size_t budget = static_maps_embed_budget);

/// "Temps par commune": one row per commune (zone) of the `communes` FeatureCollection, with its
/// population and, per service, the population-weighted mean and the longest time (NULL:
/// "inaccessible", no inhabitant: "—"), beyond the threshold in bold red.
[[nodiscard]] std::string commune_times_section(const nlohmann::ordered_json& communes,
                                                const std::vector<ManifestService>& services, bool french);

/// The French name of a phase of run.json's timings ("load" -> "lecture des données"...); the
/// phase itself when unknown.
[[nodiscard]] std::string phase_name_fr(const std::string& phase);

} // namespace proxima::detail
