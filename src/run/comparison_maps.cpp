#include "proxima/run/comparison_maps.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "proxima/analysis/aggregation.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/number_format.hpp"
#include "proxima/report/run_maps.hpp"
#include "proxima/run/deficit_area.hpp"
#include "proxima/territory/zone_locator.hpp"

namespace proxima {

std::optional<double> minutes_saved(Deciseconds before, Deciseconds after) {
    const auto b = minutes_of(before);
    const auto a = minutes_of(after);
    if (b && a) {
        return *b - *a;
    }
    if (a) {
        return std::numeric_limits<double>::infinity();  // a first access
    }
    if (b) {
        return -std::numeric_limits<double>::infinity();  // access lost
    }
    return std::nullopt;
}

std::vector<MapValueClass> gain_map_classes() {
    constexpr double unchanged = 0.05;  // 3 seconds: rounding, not a change
    return {
        {"plus long", std::nullopt, -unchanged, {0xd6, 0x60, 0x4d}},
        {"inchangé", -unchanged, unchanged, {0xf2, 0xf2, 0xf2}},
        {"0 – 2 min gagnées", unchanged, 2.0, {0xc6, 0xdb, 0xef}},
        {"2 – 5 min", 2.0, 5.0, {0x9e, 0xca, 0xe1}},
        {"5 – 10 min", 5.0, 10.0, {0x6b, 0xae, 0xd6}},
        {"10 – 20 min", 10.0, 20.0, {0x31, 0x82, 0xbd}},
        {"20 min et plus, ou premier accès", 20.0, std::nullopt, {0x08, 0x51, 0x9c}},
    };
}

ThresholdCrossings threshold_crossings(const StudyInputs& in, const ScenarioResult& r, double threshold_min) {
    ThresholdCrossings c;
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        const bool before = is_over(minutes_of(r.before_ds[o]), threshold_min);
        const bool after = is_over(minutes_of(r.after_ds[o]), threshold_min);
        if (before && !after) {
            c.now_within += in.origins[o].population;
        } else if (!before && after) {
            c.now_beyond += in.origins[o].population;
        }
    }
    return c;
}

namespace {

/// The inputs with one service whose facilities are `facilities` (the graph is shared, not copied).
StudyInputs map_inputs(const StudyInputs& in, std::size_t service, const std::vector<Facility>& facilities,
                       const std::vector<Snap>& snaps) {
    StudyInputs view = in;
    ServiceInputs sv;
    sv.spec = in.services[service].spec;
    sv.facilities = facilities;
    sv.snaps = snaps;
    view.services = {sv};
    return view;
}

/// The service's map in one situation: its own times and deficit; the last `highlighted`
/// facilities (the sites the situation opens) drawn apart.
MapScene situation_scene(const StudyInputs& in, const MapContext& context, const RasterPixels& pixels,
                         const ZonesOutline& outline, std::size_t service,
                         const std::vector<Facility>& facilities, const std::vector<Snap>& snaps,
                         std::span<const Deciseconds> ds, std::span<const std::uint32_t> nearest,
                         std::size_t highlighted, const std::string& highlight_caption, const std::string& subtitle,
                         ComparisonMapStyle style) {
    const StudyInputs view = map_inputs(in, service, facilities, snaps);
    AccessTable table(1, in.origins.size());
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        table.set(0, o, ds[o], nearest[o]);
    }
    const StudyResults results = aggregate(view, table);
    // The deficit of this situation, drawn from its own surface (one more search).
    const TravelTimeRaster raster = travel_time_raster(view, pixels, 0);
    const DeficitTerritory deficit = service_deficit(view, pixels, outline, raster, ds, view.services[0].spec.threshold_min);
    MapScene scene = scene_for_service(view, table, results, 0, deficit, context);
    // The last `highlighted` facilities are the new sites: a distinct symbol.
    const std::size_t keep = scene.facilities.size() - std::min(highlighted, scene.facilities.size());
    scene.highlights.assign(scene.facilities.begin() + static_cast<std::ptrdiff_t>(keep), scene.facilities.end());
    scene.facilities.resize(keep);
    if (style == ComparisonMapStyle::numbered_sites) {
        const ZoneLocator locator(in.zones);
        for (std::size_t i = 0; i < scene.highlights.size(); ++i) {
            const Facility& f = facilities[keep + i];
            const auto z = locator.zone_of(f.position);
            scene.highlights[i].number = std::to_string(i + 1);
            if (z && !in.zones.zones[*z].name.empty()) {
                scene.highlights[i].name = in.zones.zones[*z].name;
            }
        }
    }
    if (!scene.highlights.empty()) {
        scene.highlight_caption = highlight_caption;
    }
    scene.subtitle = subtitle + (scene.subtitle.empty() ? "" : " — " + scene.subtitle);
    return scene;
}

/// "3 063 habitants passent sous 30 min" (and those who pass beyond), for the notes of a map.
std::vector<std::string> crossing_notes(const ThresholdCrossings& c, double threshold_min) {
    const auto people = [](double v) {
        return format_number(v, 0, map_numbers) + (v >= 1.5 ? "\u00a0habitants" : "\u00a0habitant");
    };
    const std::string t = format_number(threshold_min, threshold_min == std::floor(threshold_min) ? 0 : 1, map_numbers);
    std::vector<std::string> notes;
    if (c.now_within >= 0.5) {
        notes.push_back(fmt::format("{} {} sous {}\u00a0min", people(c.now_within),
                                    c.now_within >= 1.5 ? "passent" : "passe", t));
    }
    if (c.now_beyond >= 0.5) {
        notes.push_back(fmt::format("{} {} au-delà de {}\u00a0min", people(c.now_beyond),
                                    c.now_beyond >= 1.5 ? "passent" : "passe", t));
    }
    if (notes.empty()) {
        notes.push_back(fmt::format("Personne ne franchit le seuil de {}\u00a0min", t));
    }
    return notes;
}

/// The after map turned into the map of minutes saved: zones and places in the gain classes,
/// no deficit hatching (it belongs to one situation), the sites of the after situation.
MapScene gain_scene(MapScene after, const StudyInputs& in, const ScenarioResult& r,
                    const ThresholdCrossings& crossings, double threshold_min) {
    const std::size_t zone_count = in.zones.zones.size();
    const bool grid = in.grid.has_value();
    std::vector<double> weighted(zone_count, 0.0);
    std::vector<double> population(zone_count, 0.0);
    std::vector<bool> first_access(zone_count, false);
    std::vector<bool> lost_access(zone_count, false);
    std::vector<bool> inhabited(zone_count, false);
    std::size_t place = 0;
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        const Origin& origin = in.origins[o];
        const auto saved = minutes_saved(r.before_ds[o], r.after_ds[o]);
        if (grid) {
            after.zones[zone_count + o].minutes = saved;  // one cell per origin, after the zones
        } else if (origin.population > 0) {
            after.places[place++].minutes = saved;        // one dot per populated origin, in order
        }
        if (origin.population <= 0) {
            continue;
        }
        inhabited[origin.zone] = true;
        if (saved && std::isfinite(*saved)) {
            weighted[origin.zone] += origin.population * *saved;
            population[origin.zone] += origin.population;
        } else if (saved) {
            (*saved > 0 ? first_access : lost_access)[origin.zone] = true;
        }
    }
    for (std::size_t z = 0; z < zone_count && !grid; ++z) {
        MapZone& mz = after.zones[z];
        mz.no_data = !inhabited[z];
        if (population[z] > 0) {
            mz.minutes = weighted[z] / population[z];
        } else if (first_access[z] || lost_access[z]) {
            mz.minutes = first_access[z] ? std::numeric_limits<double>::infinity()
                                         : -std::numeric_limits<double>::infinity();
        } else {
            mz.minutes.reset();
        }
    }
    after.value_classes = gain_map_classes();
    after.value_caption = "Temps gagné (minutes)";
    after.places_caption = "Lieu habité : couleur de son gain, taille selon sa population";
    after.threshold_min.reset();
    after.deficit.clear();
    after.deficit_inhabited.clear();
    after.deficit_labels.clear();
    const std::string label = in.services[r.service].spec.label;
    after.title = fmt::format("Temps gagné : {}", label);
    after.subtitle = grid ? fmt::format("{} — minutes gagnées par chaque carreau habité (avant − après)", in.study.name)
                          : fmt::format("{} — {} : gain moyen de leurs habitants ; points : gain de chaque lieu habité",
                                        in.study.name, in.communes ? "communes" : "zones");
    after.notes = crossing_notes(crossings, threshold_min);
    return after;
}



} // namespace

std::vector<std::string> write_comparison_maps(const std::filesystem::path& dir, const StudyInputs& in,
                                               const ScenarioResult& r, const std::string& highlight_caption,
                                               bool after_only, ComparisonMapStyle style) {
    std::error_code ec;
    std::filesystem::create_directories(dir / "maps", ec);
    if (ec) {
        throw OutputError(fmt::format("cannot create folder '{}': {}", (dir / "maps").string(), ec.message()));
    }
    std::vector<std::string> written;
    const ServiceInputs& sv = in.services[r.service];
    const RasterPixels pixels = raster_pixels(in, RasterOptions{default_surface_resolution_m, in.study.output_crs, 0});
    const ZonesOutline outline = zones_outline(in.zones, pixels.grid.crs);
    // The zones, roads and places in the output CRS: the same for the before and after maps.
    const MapContext context = map_context(in);
    if (!after_only) {
        render_map_png(situation_scene(in, context, pixels, outline, r.service, sv.facilities, sv.snaps, r.before_ds,
                                       r.before_nearest, 0, "", "Avant", style),
                       dir / "maps" / "before.png");
        written.push_back("maps/before.png");
    }
    std::size_t opened = 0;
    for (const auto& ch : r.changes) {
        opened += ch.kind == ScenarioSiteChange::Kind::added || ch.kind == ScenarioSiteChange::Kind::moved_to ? 1 : 0;
    }
    MapScene after = situation_scene(in, context, pixels, outline, r.service, r.facilities_after, r.snaps_after,
                                     r.after_ds, r.after_nearest, opened, highlight_caption, "Après", style);
    const double threshold = sv.spec.threshold_min;
    const ThresholdCrossings crossings = threshold_crossings(in, r, threshold);
    // The headline of the after map: who passes under the threshold, first.
    const auto headline = crossing_notes(crossings, threshold);
    after.notes.insert(after.notes.begin(), headline.begin(), headline.end());
    render_map_png(after, dir / "maps" / "after.png");
    written.push_back("maps/after.png");
    if (!after_only) {
        render_map_png(gain_scene(std::move(after), in, r, crossings, threshold), dir / "maps" / "gain.png");
        written.push_back("maps/gain.png");
    }
    return written;
}

} // namespace proxima
