#include "proxima/report/pole_maps.hpp"

#include <algorithm>
#include <array>
#include <map>

#include <fmt/format.h>

#include "proxima/core/error.hpp"
#include "proxima/report/map_style.hpp"
#include "proxima/study/service_poles.hpp"
#include "report/cairo_canvas.hpp"
#include "report/map_projection.hpp"

namespace proxima {

namespace {

constexpr double not_classified = -1.0;
constexpr double not_a_pole = 0.0;

/// Level value of a pole commune on the map: 0 not a pole, 1 proximité, 2 intermédiaire, 3 supérieur.
double level_value(const PoleCommune& c) { return c.level ? static_cast<double>(*c.level) + 1.0 : not_a_pole; }

std::string communes_text(std::size_t n, bool french) {
    return fmt::format("{} {}{}", n, french ? "commune" : "zone", n == 1 ? "" : "s");
}

/// The map of service 0 without what belongs to a time: the frame, roads, borders and names.
MapScene base_scene(const StudyInputs& in, const AccessTable& access, const StudyResults& results,
                    const MapContext& context) {
    if (in.services.empty()) {
        throw Error("pole maps: the study has no service");
    }
    MapScene scene = scene_for_service(in, access, results, 0, DeficitTerritory{}, context);
    scene.places.clear();
    scene.place_squares.reset();  // the pole map's places are made below
    scene.deficit.clear();
    scene.deficit_inhabited.clear();
    scene.deficit_labels.clear();
    scene.threshold_min.reset();
    scene.facilities.clear();
    scene.highlights.clear();
    scene.notes.clear();
    return scene;
}

} // namespace

MapScene poles_scene(const StudyInputs& in, const AccessTable& access, const StudyResults& results,
                     const MapContext& context) {
    if (!in.poles) {
        throw Error("poles map: the study has no pôle classification");
    }
    const PoleClassification& poles = *in.poles;
    const bool french = in.communes.has_value();
    MapScene scene = base_scene(in, access, results, context);
    std::map<std::string, const PoleCommune*> by_code;
    for (const auto& c : poles.communes) {
        by_code.emplace(c.code, &c);
    }
    std::array<std::size_t, 5> per_level{};  // not classified, not a pole, proximité, intermédiaire, supérieur
    for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
        const auto it = by_code.find(in.zones.zones[z].code);
        const double v = it == by_code.end() ? not_classified : level_value(*it->second);
        scene.zones[z].no_data = false;
        scene.zones[z].minutes = v;
        ++per_level[static_cast<std::size_t>(v + 1.0)];
    }
    const auto row = [&](const std::string& what, std::size_t n) {
        return fmt::format("{} ({})", what, communes_text(n, french));
    };
    scene.value_classes = {
        {row("non classée", per_level[0]), std::nullopt, -0.5, map_style::not_classified},
        {row("pas un pôle", per_level[1]), -0.5, 0.5, map_style::not_a_pole},
        {row("pôle de proximité", per_level[2]), 0.5, 1.5, map_style::pole_levels[0]},
        {row("pôle intermédiaire", per_level[3]), 1.5, 2.5, map_style::pole_levels[1]},
        {row("pôle supérieur", per_level[4]), 2.5, std::nullopt, map_style::pole_levels[2]},
    };
    if (per_level[0] == 0) {
        scene.value_classes.erase(scene.value_classes.begin());
    }
    scene.value_caption = "Niveau de pôle de services (gammes INSEE)";
    scene.title = "Pôles de services";
    scene.subtitle = fmt::format("{} — niveau le plus élevé de chaque {}{}", in.study.name,
                                 french ? "commune" : "zone",
                                 poles.approximation ? " (approximation OpenStreetMap)" : "");

    // The service centres of the poles, the buffer's included (people cross borders).
    detail::ToOutput to_output(in.study.output_crs);
    for (const auto& c : poles.communes) {
        if (c.level) {
            const auto [x, y] = to_output.point(c.destination, "pole " + c.code);
            scene.facilities.push_back({x, y, c.name, {}});
        }
    }
    scene.facility_family = ServiceFamily::pole;
    scene.facility_caption = "Centre des services d'un pôle";

    const auto in_study = poles.pole_counts(true);
    const auto with_buffer = poles.pole_counts(false);
    scene.notes.push_back(fmt::format("Pôles de la zone d'étude, par gamme : proximité {}, intermédiaire {}, "
                                      "supérieure {}",
                                      in_study[0], in_study[1], in_study[2]));
    scene.notes.push_back(fmt::format("avec les communes à moins de {} km : {}, {}, {}",
                                      detail::french_short(poles.buffer_km), with_buffer[0], with_buffer[1],
                                      with_buffer[2]));
    scene.notes.push_back("Une commune compte dans chaque gamme dont elle réunit au moins la moitié des équipements");
    if (poles.approximation) {
        scene.notes.push_back("Approximation OpenStreetMap des gammes INSEE (équipements cartographiés)");
    }
    if (!poles.not_classified.empty()) {
        scene.notes.push_back(fmt::format("{} hors de l'extrait ou non comptées", communes_text(poles.not_classified.size(), french)));
    }
    return scene;
}

MapScene pole_access_scene(const StudyInputs& in, const AccessTable& access, const StudyResults& results,
                           const PoleAccess& poles, const MapContext& context) {
    if (poles.gammes.empty() || poles.level.size() != in.origins.size()) {
        throw Error("pole access map: no pole level computed for these inputs");
    }
    const bool french = in.communes.has_value();
    const bool grid = in.grid.has_value();
    MapScene scene = base_scene(in, access, results, context);
    detail::ToOutput to_output(in.study.output_crs);
    // Classes: none, then each level computed, lowest first.
    const auto& colours = map_style::pole_levels;
    std::vector<double> population(poles.gammes.size() + 1, 0.0);
    scene.value_classes.push_back({"aucun pôle à portée de ces seuils", std::nullopt, -0.5, map_style::no_pole_within_reach});
    for (std::size_t k = 0; k < poles.gammes.size(); ++k) {
        const Gamme g = poles.gammes[k];
        scene.value_classes.push_back({fmt::format("{} à {}\u00a0min ou moins", pole_name(g),
                                                   detail::french_short(poles.threshold_min[k])),
                                       static_cast<double>(k) - 0.5,
                                       k + 1 == poles.gammes.size() ? std::nullopt
                                                                    : std::optional<double>(static_cast<double>(k) + 0.5),
                                       colours[static_cast<std::size_t>(g)]});
    }
    // Each zone in the class most of its inhabitants are in; places and cells in their own.
    const std::size_t zone_count = in.zones.zones.size();
    std::vector<std::vector<double>> zone_population(zone_count, std::vector<double>(poles.gammes.size() + 1, 0.0));
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        const Origin& origin = in.origins[o];
        const double v = static_cast<double>(poles.level[o]);
        if (grid) {
            scene.zones[zone_count + o].minutes = v;
            scene.zones[zone_count + o].no_data = false;
        }
        if (origin.population <= 0) {
            continue;
        }
        zone_population[origin.zone][static_cast<std::size_t>(poles.level[o] + 1)] += origin.population;
        population[static_cast<std::size_t>(poles.level[o] + 1)] += origin.population;
        if (!grid) {
            MapValuePoint p;
            const auto [x, y] = to_output.point(origin.position, "origin " + origin.id);
            p.x = x;
            p.y = y;
            p.minutes = v;
            p.population = origin.population;
            scene.places.push_back(p);
        }
    }
    for (std::size_t z = 0; z < zone_count && !grid; ++z) {
        const auto& pop = zone_population[z];
        const auto best = std::max_element(pop.begin(), pop.end());
        scene.zones[z].no_data = *best <= 0;
        scene.zones[z].minutes = *best > 0 ? std::optional<double>(static_cast<double>(best - pop.begin()) - 1.0)
                                           : std::nullopt;
    }
    scene.places_caption = "Lieu habité : couleur de son accès, taille selon sa population";
    scene.value_caption = "Pôle le plus élevé à portée";
    scene.title = "Accès aux pôles de services";
    scene.subtitle = grid ? fmt::format("{} — chaque carreau habité : pôle le plus élevé atteint dans son seuil",
                                        in.study.name)
                          : fmt::format("{} — {} : la classe de la majorité de leurs habitants ; points : lieux habités",
                                        in.study.name, french ? "communes" : "zones");
    double total = 0.0;
    for (double p : population) {
        total += p;
    }
    for (std::size_t k = population.size(); k-- > 0;) {
        if (total > 0 && population[k] >= 0.5) {
            const std::string what = k == 0 ? "sans pôle à portée"
                                            : fmt::format("{} à portée", pole_name(poles.gammes[k - 1]));
            scene.notes.push_back(fmt::format("{} habitant{} ({}\u00a0%) : {}", detail::french_number(population[k]),
                                              population[k] >= 1.5 ? "s" : "",
                                              detail::french_number(100.0 * population[k] / total, 1), what));
        }
    }
    scene.notes.push_back(in.poles->nested
                              ? "Lecture emboîtée : un pôle supérieur compte aussi comme pôle intermédiaire et de "
                                "proximité, un pôle intermédiaire comme pôle de proximité"
                              : "Lecture stricte : seuls les pôles de chaque gamme comptent pour l'accès à cette gamme");
    if (poles.unsnapped > 0) {
        scene.notes.push_back(fmt::format("{} centre{} de pôle loin de toute route, non compté{}", poles.unsnapped,
                                          poles.unsnapped == 1 ? "" : "s", poles.unsnapped == 1 ? "" : "s"));
    }
    return scene;
}

std::vector<std::string> write_pole_maps(const std::filesystem::path& dir, const StudyInputs& in,
                                         const AccessTable& access, const StudyResults& results,
                                         const PoleAccess& poles, const MapContext& context) {
    std::vector<std::string> written;
    if (!in.poles) {
        return written;
    }
    std::filesystem::create_directories(dir / "maps");
    render_map_png(poles_scene(in, access, results, context), dir / "maps" / "poles.png");
    written.push_back("maps/poles.png");
    if (!poles.gammes.empty()) {
        render_map_png(pole_access_scene(in, access, results, poles, context), dir / "maps" / "poles_access.png");
        written.push_back("maps/poles_access.png");
    }
    return written;
}

} // namespace proxima
