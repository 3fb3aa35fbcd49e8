#include "proxima/report/apl_map.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "proxima/analysis/deficit_zones.hpp"
#include "proxima/core/error.hpp"
#include "proxima/report/run_maps.hpp"
#include "report/cairo_canvas.hpp"

namespace proxima {

namespace {

bool grid_origins(const StudyInputs& in) {
    return in.study.origins.kind == StudyFile::Origins::Kind::cells && in.grid.has_value();
}

/// A value with three significant digits at most, the French way ("2,5", "0,000 4" is avoided:
/// small values keep their leading zeros, "0,0004").
std::string apl_number(double v) {
    if (v == 0) {
        return "0";
    }
    const int magnitude = static_cast<int>(std::floor(std::log10(std::abs(v))));
    for (int d = 0; d <= std::max(2, 2 - magnitude); ++d) {
        const double scale = std::pow(10.0, d);
        if (std::abs(std::round(v * scale) - v * scale) < 1e-6 * std::max(1.0, std::abs(v * scale))) {
            return detail::french_number(v, d);
        }
    }
    return detail::french_number(v, std::max(2, 2 - magnitude));
}

/// "site pour 10 000 habitants", "ETP pour 1 habitant".
std::string french_unit(const AplSpec& spec) {
    const std::string supply = apl_supply_unit(spec);
    if (spec.per_inhabitants == 1) {
        return supply + " par habitant";
    }
    return fmt::format("{} pour {} habitants", supply, detail::french_number(spec.per_inhabitants));
}

/// "Offre : 1 par site (hypothèse, aucune colonne d'offre)" or "Offre : colonne etp (ETP)".
std::string supply_note(const AplSpec& spec) {
    if (spec.supply_field.empty()) {
        return "Offre\u00a0: 1 par site (hypothèse\u00a0: aucune donnée d'activité)";
    }
    return fmt::format("Offre\u00a0: colonne «\u00a0{}\u00a0» des fichiers de sites ({})", spec.supply_field,
                       apl_supply_unit(spec));
}

std::string decay_note(const AplSpec& spec) {
    switch (spec.decay) {
    case AplSpec::Decay::bands: {
        std::string out = "Pondération\u00a0: ";
        for (std::size_t i = 0; i < spec.band_upper_min.size(); ++i) {
            out += fmt::format("{} jusqu'à {}\u00a0min, ", apl_number(spec.band_weight[i]),
                               detail::french_short(spec.band_upper_min[i]));
        }
        return out + "0 au-delà";
    }
    case AplSpec::Decay::linear:
        return fmt::format("Pondération linéaire, de 1 à 0 en {}\u00a0min", detail::french_short(spec.max_min));
    case AplSpec::Decay::gaussian:
        return fmt::format("Pondération gaussienne, de 1 à 0 en {}\u00a0min", detail::french_short(spec.max_min));
    }
    return {};
}

} // namespace

std::vector<MapValueClass> apl_map_classes(const AplSpec& spec) {
    const double t = spec.threshold;
    const double tiny = std::numeric_limits<double>::min();
    const std::string reach = detail::french_short(apl_reach_min(spec));
    return {
        {fmt::format("0 (aucun site à {}\u00a0min ou moins)", reach), std::nullopt, tiny, {0x44, 0x01, 0x54}},
        {fmt::format("moins de {}", apl_number(t / 2)), tiny, t / 2, {0x41, 0x44, 0x87}},
        {fmt::format("{} – {} (sous le seuil)", apl_number(t / 2), apl_number(t)), t / 2, t, {0x2a, 0x78, 0x8e}},
        {fmt::format("{} – {}", apl_number(t), apl_number(1.5 * t)), t, 1.5 * t, {0x22, 0xa8, 0x84}},
        {fmt::format("{} – {}", apl_number(1.5 * t), apl_number(2 * t)), 1.5 * t, 2 * t, {0x7a, 0xd1, 0x51}},
        {fmt::format("{} et plus", apl_number(2 * t)), 2 * t, std::nullopt, {0xfd, 0xe7, 0x25}},
    };
}

MapScene apl_scene(const StudyInputs& in, const AccessTable& access, const StudyResults& results, std::size_t s,
                   const AplResult& apl, const AplAreas& areas, const AplSpec& spec, const MapContext& context) {
    const bool grid = grid_origins(in);
    const std::size_t zone_count = in.zones.zones.size();
    if (s >= in.services.size() || apl.apl.size() != in.origins.size() || areas.zones.size() != zone_count) {
        throw Error(fmt::format("APL map of service {}: the results do not match the study inputs ({} origins, {} "
                                "zones)",
                                s, in.origins.size(), zone_count));
    }
    const double scale = spec.per_inhabitants;

    // What is hatched: the zones whose mean APL is under the threshold, or the cells under it.
    std::vector<unsigned char> under;
    if (grid) {
        std::vector<std::pair<double, double>> centres;
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            if (apl.apl[o] * scale < spec.threshold) {
                centres.emplace_back(in.origins[o].grid_x, in.origins[o].grid_y);
            }
        }
        under = dissolve_cells(centres, in.grid->cell_size_m, in.grid->crs);
    } else {
        std::vector<std::vector<unsigned char>> polygons;
        for (std::size_t z = 0; z < zone_count; ++z) {
            if (areas.zones[z].apl && *areas.zones[z].apl < spec.threshold) {
                polygons.push_back(in.zones.zones[z].wkb);
            }
        }
        under = dissolve_polygons(polygons);
    }

    // The time map's frame, borders, roads and sites, with the under-threshold units as its
    // hatched area; the dots and boxes of the time map (people beyond a time) do not apply.
    DeficitTerritory hatched;
    hatched.wkb_wgs84 = std::move(under);
    MapScene scene = scene_for_service(in, access, results, s, hatched, context);
    scene.places.clear();
    scene.place_squares.reset();
    scene.places_caption.clear();
    scene.deficit_labels.clear();
    scene.deficit_inhabited.clear();
    // scene_for_service draws every zone, then every cell of a grid study, in that order.
    if (scene.zones.size() != zone_count + (grid ? in.origins.size() : 0)) {
        throw Error(fmt::format("APL map of service {}: {} map zones for {} zones and {} origins", s,
                                scene.zones.size(), zone_count, in.origins.size()));
    }
    const ServiceSpec& service = in.services[s].spec;
    const std::string french = in.communes.has_value() ? "commune" : "zone";
    for (std::size_t z = 0; z < zone_count && !grid; ++z) {
        scene.zones[z].no_data = areas.zones[z].origins == 0;
        scene.zones[z].minutes = areas.zones[z].apl;
    }
    for (std::size_t o = 0; grid && o < in.origins.size(); ++o) {
        scene.zones[zone_count + o].no_data = false;
        scene.zones[zone_count + o].minutes = apl.apl[o] * scale;
    }
    scene.value_classes = apl_map_classes(spec);
    scene.threshold_min.reset();
    scene.title = fmt::format("Accessibilité potentielle localisée (APL) : {}", service.label);
    scene.subtitle = grid ? fmt::format("{} — APL de chaque carreau habité", in.study.name)
                          : fmt::format("{} — APL moyenne des habitants de chaque {} (pondérée par la population)",
                                        in.study.name, french);
    scene.value_caption = fmt::format("APL ({})", french_unit(spec));
    scene.deficit_caption = fmt::format("{} sous le seuil de {}{}", grid ? "Carreaux" : french == "commune" ? "Communes" : "Zones",
                                        apl_number(spec.threshold), grid ? "" : " (APL moyenne)");
    scene.notes.clear();
    const AplArea& study = areas.areas.front();
    if (study.population > 0) {
        scene.notes.push_back(fmt::format("Sous le seuil de {}\u00a0: {} habitant{} sur {} ({}\u00a0%)",
                                          apl_number(spec.threshold), detail::french_number(study.population_under),
                                          study.population_under >= 1.5 ? "s" : "",
                                          detail::french_number(study.population),
                                          detail::french_number(100.0 * study.population_under / study.population, 1)));
        if (study.population_no_site >= 0.5) {
            scene.notes.push_back(fmt::format("dont {} sans aucun site à {}\u00a0min ou moins (APL 0)",
                                              detail::french_number(study.population_no_site),
                                              detail::french_short(apl_reach_min(spec))));
        }
    } else {
        scene.notes.push_back("Aucun habitant compté");
    }
    scene.notes.push_back(supply_note(spec));
    scene.notes.push_back(decay_note(spec));
    scene.notes.push_back("Demande\u00a0: population, sans pondération par âge");
    return scene;
}

} // namespace proxima
