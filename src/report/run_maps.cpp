#include "proxima/report/run_maps.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <limits>
#include <cmath>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <cpl_error.h>
#include <fmt/format.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>

#include "proxima/analysis/deficit_zones.hpp"
#include "core/gdal_handles.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/threads.hpp"
#include "proxima/core/version.hpp"
#include "proxima/study/study_areas.hpp"
#include "report/cairo_canvas.hpp"
#include "report/map_projection.hpp"

namespace proxima {

namespace {

using detail::QuietGdalErrors;

using detail::Box;
using detail::empty_box;
using detail::grow;
using detail::is_empty;
using detail::ToOutput;

/// Marks in `used` (one flag per facility of the service) the nearest facility of `origin`,
/// when it has one.
void mark_nearest(std::vector<bool>& used, const AccessTable& access, std::size_t s, std::size_t origin) {
    if (const auto f = access.nearest(s, origin); f != invalid_index) {
        if (f >= used.size()) {
            throw Error(fmt::format("map of service {}: origin {} is nearest to facility {} of {}", s, origin, f,
                                    used.size()));
        }
        used[f] = true;
    }
}

/// `core` widened to take in the `used` facilities lying close outside it: within a quarter of
/// its larger side, or 5 km, whichever is more (people cross a border to the nearest site; a
/// far one would shrink the territory on the map).
Box widened(const Box& core, const std::vector<MapPoint>& facilities, const std::vector<bool>& used) {
    const double reach = std::max(5000.0, 0.25 * std::max(core[2] - core[0], core[3] - core[1]));
    Box frame = core;
    for (std::size_t f = 0; f < used.size(); ++f) {
        if (!used[f]) {
            continue;
        }
        const MapPoint& p = facilities.at(f);
        if (p.x >= core[0] - reach && p.x <= core[2] + reach && p.y >= core[1] - reach && p.y <= core[3] + reach) {
            grow(frame, {p.x, p.y, p.x, p.y});
        }
    }
    return frame;
}

/// The WGS84 polygons of an EPCI's zones.
std::vector<std::vector<unsigned char>> epci_wkbs(const StudyInputs& in, const ZoneGroup& epci) {
    std::vector<std::vector<unsigned char>> parts;
    for (std::size_t z : epci.zones) {
        parts.push_back(in.zones.zones[z].wkb);
    }
    return parts;
}

bool grid_origins(const StudyInputs& in) {
    return in.study.origins.kind == StudyFile::Origins::Kind::cells && in.grid.has_value();
}

/// "Au-delà de 30 min : 1 234 habitants sur 45 678 (2,7 %)".
std::string population_note(const AreaSummary& a) {
    const std::string threshold = detail::french_short(a.threshold_min);
    if (!a.share_over) {
        return "Aucun habitant compté";
    }
    if (a.population_over < 0.5) {
        return fmt::format("Au-delà de {}\u00a0min\u00a0: aucun des {} habitants", threshold,
                           detail::french_number(a.population));
    }
    return fmt::format("Au-delà de {}\u00a0min\u00a0: {} habitant{} sur {} ({}\u00a0%)", threshold,
                       detail::french_number(a.population_over),
                       a.population_over >= 1.5 ? "s" : "", detail::french_number(a.population),
                       detail::french_number(100.0 * *a.share_over, 1));
}

const AreaSummary* find_summary(const StudyResults& results, const std::string& scope, const std::string& code,
                                const std::string& service) {
    for (const auto& a : results.summary) {
        if (a.scope == scope && a.service == service && (scope == "study" || a.code == code)) {
            return &a;
        }
    }
    return nullptr;
}

std::string source_line(const StudyInputs& in, std::size_t s) {
    const StudyFile& st = in.study;
    std::vector<std::string> parts;
    parts.push_back(fmt::format("© OpenStreetMap contributors (extrait {})", st.network.osm.filename().string()));
    if (in.communes) {
        parts.push_back(st.cog_year > 0 ? fmt::format("INSEE, COG {} ({})", st.cog_year, st.commune_table.filename().string())
                                        : fmt::format("INSEE ({})", st.commune_table.filename().string()));
    }
    if (!st.zones.file.empty()) {
        parts.push_back(fmt::format("limites : {}", st.zones.file.filename().string()));
    }
    if (!st.population.grid.empty()) {
        parts.push_back(fmt::format("population : INSEE Filosofi ({})", st.population.grid.filename().string()));
    } else if (!st.population.points.empty()) {
        parts.push_back(fmt::format("population : {}", st.population.points.filename().string()));
    }
    if (in.services[s].from_bpe > 0 && !st.bpe.empty()) {
        parts.push_back(fmt::format("équipements : INSEE BPE ({})", st.bpe.filename().string()));
    }
    for (const auto& f : in.services[s].spec.files) {
        parts.push_back(fmt::format("sites : {}", f.file.filename().string()));
    }
    std::string line = "Sources : ";
    for (std::size_t i = 0; i < parts.size(); ++i) {
        line += (i == 0 ? "" : " ; ") + parts[i];
    }
    line += fmt::format(". Temps en voiture sans trafic, calculés avec Proxima {}.", version_string);
    return line;
}

/// "3 063 hab." for a deficit part.
std::string inhabitants_text(double population) {
    return detail::french_number(population) + (population >= 1.5 ? "\u00a0hab." : "\u00a0hab.");
}

/// The notes under the legend: the key figure, and the inhabitants beyond the threshold the
/// hatching cannot show (their point is where the surface, sampled every pixel, is within).
void add_population_notes(MapScene& scene, const AreaSummary& a, const DeficitTerritory& deficit) {
    scene.notes.push_back(population_note(a));
    if (deficit.population_outside >= 0.5) {
        scene.notes.push_back(fmt::format("dont {} hors des zones hachurées (surface des temps au pas de {}\u00a0m)",
                                          detail::french_number(deficit.population_outside),
                                          detail::french_short(deficit.resolution_m)));
    }
}

/// Names of the largest populated places (points studies), after the zones' names: the towns a
/// reader looks for. A place named like its zone is already labelled.
std::vector<MapLabel> place_labels(const StudyInputs& in, ToOutput& to_output) {
    std::vector<MapLabel> labels;
    std::set<std::string> zone_names;
    for (const Zone& z : in.zones.zones) {
        zone_names.insert(z.name);
    }
    std::vector<std::size_t> order;
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        if (in.origins[o].population > 0 && !in.origins[o].id.empty() && zone_names.count(in.origins[o].id) == 0) {
            order.push_back(o);
        }
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return in.origins[a].population > in.origins[b].population; });
    order.resize(std::min<std::size_t>(order.size(), 12));
    for (const std::size_t o : order) {
        const auto [x, y] = to_output.point(in.origins[o].position, fmt::format("origin {}", in.origins[o].id));
        labels.push_back({x, y, in.origins[o].id, in.origins[o].population});
    }
    return labels;
}

} // namespace

namespace {
std::atomic<std::size_t> map_context_count{0};
} // namespace

std::size_t map_contexts_made() { return map_context_count.load(std::memory_order_relaxed); }

MapContext map_context(const StudyInputs& in) {
    map_context_count.fetch_add(1, std::memory_order_relaxed);
    MapContext context;
    std::vector<MapLine> roads;
    ToOutput to_output(in.study.output_crs);
    const RoadGraph& g = in.graph();
    // A département has hundreds of thousands of local roads: beyond that, only the main ones.
    const bool all_roads = g.edge_count() <= 200'000;
    for (std::uint32_t e = 0; e < g.edge_count(); ++e) {
        std::uint32_t arc = g.edge_arc(EdgeId{e}, false);
        if (arc == invalid_index) {
            arc = g.edge_arc(EdgeId{e}, true);
        }
        if (arc == invalid_index || g.travel_ds()[arc] == 0) {
            continue;
        }
        const double kmh = g.length_m()[arc] / seconds_from_ds(g.travel_ds()[arc]) * 3.6;
        MapLine line;
        line.rank = kmh >= 90 ? 2 : kmh >= 60 ? 1 : 0;
        if (line.rank == 0 && !all_roads) {
            continue;
        }
        for (const LonLat p : g.edge_points(EdgeId{e})) {
            line.points.push_back(to_output.point(p, fmt::format("road edge {}", e)));
        }
        roads.push_back(std::move(line));
    }
    context.roads = std::make_shared<const std::vector<MapLine>>(std::move(roads));

    Box zones_box = empty_box();
    for (const Zone& zone : in.zones.zones) {
        Box b;
        context.zone_wkb.push_back(to_output.wkb(zone.wkb, fmt::format("zone {} ({})", zone.code, zone.name), &b));
        grow(zones_box, b);
        const auto [lx, ly] = to_output.point(zone.point_on_surface, fmt::format("zone {} ({})", zone.code, zone.name));
        context.zone_label.push_back({lx, ly});
    }
    context.zones_box = zones_box;
    // EPCI borders: the zones of each EPCI dissolved (GEOS, in WGS84).
    for (const ZoneGroup& epci : study_epcis(in)) {
        context.epci_borders.push_back(
            to_output.wkb(dissolve_polygons(epci_wkbs(in, epci)), fmt::format("EPCI {}", epci.code)));
    }
    const bool grid = grid_origins(in);
    for (const Origin& origin : in.origins) {
        if (grid) {
            context.cell_wkb.push_back(to_output.wkb(
                cell_polygon(origin.grid_x, origin.grid_y, in.grid->cell_size_m, in.grid->crs), fmt::format("cell {}", origin.id)));
        } else if (origin.population > 0) {
            const auto [x, y] = to_output.point(origin.position, fmt::format("origin {}", origin.id));
            context.origin_xy.push_back({x, y});
        } else {
            context.origin_xy.push_back({0.0, 0.0});  // not drawn
        }
    }
    if (!grid) {
        context.place_labels = place_labels(in, to_output);
        // The places scene_for_service() draws (the populated origins, in order), grouped once.
        std::vector<MapValuePoint> places;
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            if (in.origins[o].population > 0) {
                places.push_back({context.origin_xy[o][0], context.origin_xy[o][1], std::nullopt, in.origins[o].population});
            }
        }
        context.place_squares = make_place_squares(places, MapOptions{}.max_places);
    }
    context.zone_count = in.zones.zones.size();
    context.origin_count = in.origins.size();
    return context;
}

MapScene scene_for_service(const StudyInputs& in, const AccessTable& access, const StudyResults& results,
                           std::size_t s, const DeficitTerritory& deficit, const MapContext& context) {
    if (s >= in.services.size() || s >= results.zones.size() || results.zones[s].size() != in.zones.zones.size() ||
        access.origin_count() != in.origins.size() || s >= access.service_count()) {
        throw Error(fmt::format("map of service {}: the results do not match the study inputs ({} services, {} zones, "
                                "{} origins)",
                                s, in.services.size(), in.zones.zones.size(), in.origins.size()));
    }
    if (context.zone_count != in.zones.zones.size() || context.origin_count != in.origins.size()) {
        throw Error(fmt::format("map of service {}: the map context was made for {} zones and {} origins, the inputs "
                                "have {} and {}",
                                s, context.zone_count, context.origin_count, in.zones.zones.size(), in.origins.size()));
    }
    const ServiceInputs& service = in.services[s];
    const ServiceSpec& spec = service.spec;
    ToOutput to_output(in.study.output_crs);
    const bool grid = grid_origins(in);
    const bool french = in.communes.has_value();
    const std::string units = french ? "commune" : "zone";

    MapScene scene;
    scene.crs = in.study.output_crs;
    const bool outward = spec.direction == TravelDirection::from_service;
    scene.title = fmt::format("{} : {}", outward ? "Temps d'intervention en voiture" : "Temps d'accès en voiture", spec.label);
    if (grid) {
        const double size = in.grid->cell_size_m;
        const std::string cell = std::fmod(size, 1000.0) == 0.0 ? detail::french_number(size / 1000) + "\u00a0km"
                                                                : detail::french_short(size) + "\u00a0m";
        scene.subtitle = fmt::format("{} — temps {} chaque carreau habité de {}, {} le plus proche", in.study.name,
                                     outward ? "pour atteindre" : "depuis", cell,
                                     outward ? "depuis le site" : "jusqu'au site");
        scene.value_caption = "Temps en voiture (minutes)";
    } else {
        scene.subtitle = fmt::format("{} — {} : temps moyen de leurs habitants ; points : lieux habités ; {} le plus "
                                     "proche",
                                     in.study.name, french ? "communes" : "zones",
                                     outward ? "depuis le site" : "jusqu'au site");
        scene.value_caption = "Temps en voiture (minutes)";
    }
    scene.threshold_min = spec.threshold_min;
    scene.deficit_caption = fmt::format("Territoire au-delà de {}\u00a0min", detail::french_short(spec.threshold_min));
    scene.facility_caption = spec.label;
    scene.facility_family = service_family(spec.family);
    scene.commune_border_caption = french ? "Limite de commune" : "Limite de zone";
    scene.source_line = source_line(in, s);
    scene.roads = context.roads;
    if (const AreaSummary* a = find_summary(results, "study", "", spec.id)) {
        add_population_notes(scene, *a, deficit);
    }

    // Zones: the choropleth (communes), or a blank base under the cells.
    const Box zones_box = context.zones_box;
    for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
        const Zone& zone = in.zones.zones[z];
        const ZoneServiceResult& r = results.zones[s][z];
        MapZone mz;
        mz.wkb = context.zone_wkb[z];
        mz.no_data = grid || r.origins == 0;
        mz.minutes = mz.no_data ? std::nullopt : r.mean_min;
        scene.zones.push_back(std::move(mz));
        scene.commune_borders.push_back(context.zone_wkb[z]);
        scene.labels.push_back(
            {context.zone_label[z][0], context.zone_label[z][1], zone.name.empty() ? zone.code : zone.name, r.population});
    }
    if (!grid) {
        // The inhabited places, each in the colour of its own time: where the people beyond live.
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            const Origin& origin = in.origins[o];
            if (origin.population > 0) {
                scene.places.push_back(
                    {context.origin_xy[o][0], context.origin_xy[o][1], minutes_of(access.time_ds(s, o)), origin.population});
            }
        }
        scene.place_squares = context.place_squares;
        scene.labels.insert(scene.labels.end(), context.place_labels.begin(), context.place_labels.end());
    }
    if (grid) {
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            MapZone cell;
            cell.wkb = context.cell_wkb[o];
            cell.minutes = minutes_of(access.time_ds(s, o));
            scene.zones.push_back(std::move(cell));
        }
    }
    // Deficit areas come in the output CRS (as the run makes them) or in WGS84.
    const auto deficit_wkb = [&](const std::vector<unsigned char>& wgs84, const std::vector<unsigned char>& projected,
                                 const std::string& what) {
        return projected.empty() ? to_output.wkb(wgs84, what) : to_output.wkb_in(projected, deficit.raster_crs, what);
    };
    scene.deficit = deficit_wkb(deficit.wkb_wgs84, deficit.wkb_raster_crs,
                                fmt::format("deficit area of service '{}'", spec.id));
    for (const DeficitPart& part : deficit.parts) {
        if (part.origins_over > 0) {
            scene.deficit_inhabited.push_back(deficit_wkb(part.wkb_wgs84, part.wkb_raster_crs, "a deficit part"));
        }
        if (part.population_over >= 0.5) {
            const auto [x, y] = to_output.point(part.label_point, "a deficit part");
            scene.deficit_labels.push_back({x, y, inhabitants_text(part.population_over), part.population_over});
        }
    }

    scene.epci_borders = context.epci_borders;

    // Facilities; the frame takes in those that serve the study from just outside it. A flag per
    // facility: a set's insert for each of millions of origins was seconds of a national run.
    std::vector<bool> used(service.facilities.size(), false);
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        mark_nearest(used, access, s, o);
    }
    for (const Facility& facility : service.facilities) {
        const auto [x, y] = to_output.point(facility.position, fmt::format("facility {}", facility.id));
        scene.facilities.push_back({x, y, facility.name.empty() ? facility.id : facility.name, {}});
    }
    if (!is_empty(zones_box)) {
        scene.frame = widened(zones_box, scene.facilities, used);
    }
    return scene;
}

std::vector<std::string> write_run_maps(const std::filesystem::path& dir, const StudyInputs& in,
                                        const AccessTable& access, const StudyResults& results,
                                        const std::vector<DeficitTerritory>& deficits, const RunMapOptions& options) {
    if (deficits.size() != in.services.size()) {
        throw Error(fmt::format("maps: {} deficit areas for {} services; give one per service",
                                deficits.size(), in.services.size()));
    }
    std::optional<MapContext> own;
    if (options.context == nullptr) {
        own = map_context(in);
    }
    const MapContext& context = options.context != nullptr ? *options.context : *own;
    const auto make_dir = [](const std::filesystem::path& p) {
        std::error_code ec;
        std::filesystem::create_directories(p, ec);
        if (ec) {
            throw OutputError(fmt::format("cannot create folder '{}': {}", p.string(), ec.message()));
        }
    };
    make_dir(dir / "maps");
    const auto epcis = options.per_epci ? study_epcis(in) : std::vector<ZoneGroup>{};
    if (!epcis.empty()) {
        make_dir(dir / "maps" / "epci");
    }
    // One road layer per frame: each EPCI's, and the study's (one per thread at most, as
    // facilities just outside can widen a service's frame); at most 16 (a layer is the map's
    // size, 17 MB at 2 000 px): beyond, an EPCI's layer is drawn again for each service.
    MapOptions map_options = options.map;
    if (!map_options.road_layers) {
        map_options.road_layers =
            make_road_layer_cache(std::min<std::size_t>(epcis.size() + thread_count(options.threads) + 1, 16));
    }
    ToOutput to_output(in.study.output_crs);
    struct Focus {
        std::vector<unsigned char> wkb;  // output CRS
        Box box;
    };
    std::map<std::string, Focus> focus;
    for (const ZoneGroup& epci : epcis) {
        const std::string& siren = epci.code;
        Focus& f = focus[siren];
        f.wkb = to_output.wkb(dissolve_polygons(epci_wkbs(in, epci)), fmt::format("EPCI {}", siren), &f.box);
    }
    // The EPCIs of each zone: a service's origins are read once for all its EPCI maps.
    std::vector<std::vector<std::size_t>> epcis_of_zone(epcis.empty() ? 0 : in.zones.zones.size());
    for (std::size_t e = 0; e < epcis.size(); ++e) {
        for (const std::size_t z : epcis[e].zones) {
            epcis_of_zone.at(z).push_back(e);
        }
    }

    // Services side by side (each map has its own cairo surface; the inputs are only read), each
    // into its own slot so that the list of files keeps the service order.
    std::vector<std::vector<std::string>> written_by(in.services.size());
    std::vector<std::exception_ptr> failed(in.services.size());
    const auto draw_service = [&](std::size_t s, std::vector<std::string>& written) {
        MapScene scene = scene_for_service(in, access, results, s, deficits[s], context);
        const std::string id = in.services[s].spec.id;
        const std::string relative = "maps/" + id + ".png";
        render_map_png(scene, dir / relative, map_options);
        written.push_back(relative);

        const std::string study_subtitle = scene.subtitle;
        // Each EPCI's map is widened like the study's to the facilities its inhabitants go to.
        std::vector<std::vector<bool>> used_by(epcis.size(), std::vector<bool>(scene.facilities.size(), false));
        for (std::size_t o = 0; o < in.origins.size() && !epcis.empty(); ++o) {
            for (const std::size_t e : epcis_of_zone.at(in.origins[o].zone)) {
                mark_nearest(used_by[e], access, s, o);
            }
        }
        for (std::size_t e = 0; e < epcis.size(); ++e) {
            const ZoneGroup& epci = epcis[e];
            const std::string& siren = epci.code;
            MapScene local = scene;
            local.frame = widened(focus.at(siren).box, scene.facilities, used_by[e]);
            local.focus = focus.at(siren).wkb;
            const std::string name = epci.name.empty() ? "EPCI " + siren : epci.name;
            // "<EPCI name> — temps moyen des habitants..." in place of the study name.
            const auto dash = study_subtitle.find(" — ");
            local.subtitle = name + (dash == std::string::npos ? "" : study_subtitle.substr(dash));
            local.notes.clear();
            if (const AreaSummary* a = find_summary(results, "epci", siren, id)) {
                local.notes.push_back(population_note(*a));
            }
            std::string safe;
            for (char c : siren) {
                safe += std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '_';
            }
            const std::string path = "maps/epci/" + safe + "_" + id + ".png";
            render_map_png(local, dir / path, map_options);
            written.push_back(path);
        }
    };
#pragma omp parallel for schedule(dynamic, 1) num_threads(thread_count(options.threads))
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        try {
            draw_service(s, written_by[s]);
        } catch (...) {
            failed[s] = std::current_exception();  // an exception must not leave the OpenMP region
        }
    }
    std::vector<std::string> written;
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        if (failed[s]) {
            std::rethrow_exception(failed[s]);
        }
        written.insert(written.end(), written_by[s].begin(), written_by[s].end());
    }
    return written;
}

} // namespace proxima
