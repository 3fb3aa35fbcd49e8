#include "proxima/run/run_layers.hpp"

#include "proxima/analysis/deficit_zones.hpp"
#include "proxima/run/deficit_area.hpp"
#include "proxima/run/output_folder.hpp"
#include "proxima/study/study_areas.hpp"

namespace proxima {

namespace {

using Type = OutputField::Type;

bool grid_origins(const StudyInputs& in) {
    return in.study.origins.kind == StudyFile::Origins::Kind::cells && in.grid.has_value();
}

} // namespace

OutputLayer zones_layer(const StudyInputs& in, const StudyResults& results) {
    const bool french = in.communes.has_value();
    OutputLayer communes;
    communes.name = "communes";
    communes.geometry = OutputLayer::Geometry::polygon;
    communes.fields = {{french ? "code_insee" : "code", Type::text}, {"nom", Type::text},
                       {"population", Type::real},                   {"epci_siren", Type::text},
                       {"epci_nom", Type::text}};
    const auto& groups = in.study.population.groups;
    for (const auto& g : groups) {
        communes.fields.push_back({"pop_" + g.key, Type::real});
    }
    for (const auto& sv : in.services) {
        const auto& id = sv.spec.id;
        communes.fields.push_back({id + "_min", Type::real});
        communes.fields.push_back({id + "_max_min", Type::real});
        communes.fields.push_back({id + "_pop_over", Type::real});
        communes.fields.push_back({id + "_over", Type::integer});
        for (const auto& g : groups) {
            communes.fields.push_back({id + "_pop_" + g.key + "_over", Type::real});
        }
    }
    // Made row by row as written: zones x services values are never held at once.
    communes.streamed_rows = in.zones.zones.size();
    communes.make_row = [&in, &results, &groups](std::size_t z, std::vector<FieldValue>& row, std::vector<unsigned char>* wkb) {
        const Zone& zone = in.zones.zones[z];
        const Commune* c = commune_of_zone(in, z);
        const double population = results.zones.empty() ? 0.0 : results.zones[0][z].population;
        row = {zone.code, zone.name, rounded(population, 0.1), text_or_null(c != nullptr ? c->epci_siren : std::string()),
               text_or_null(c != nullptr ? c->epci_name : std::string())};
        for (std::size_t g = 0; g < groups.size(); ++g) {
            row.push_back(results.zones.empty() ? FieldValue() : rounded(results.zones[0][z].group_population.at(g), 0.1));
        }
        for (std::size_t s = 0; s < in.services.size(); ++s) {
            const auto& r = results.zones[s][z];
            row.push_back(rounded(r.mean_min));
            row.push_back(rounded(r.max_min));
            // No origin in the zone: nothing is known of it (NULL), not "nobody beyond".
            FieldValue population_over;
            FieldValue over;
            if (r.origins > 0) {
                population_over = rounded(r.population_over, 0.1);
                over = std::int64_t{r.over ? 1 : 0};
            }
            row.push_back(std::move(population_over));
            row.push_back(std::move(over));
            for (std::size_t g = 0; g < groups.size(); ++g) {
                row.push_back(r.origins > 0 ? rounded(r.group_population_over.at(g), 0.1) : FieldValue());
            }
        }
        if (wkb != nullptr) {
            *wkb = zone.wkb;
        }
    };
    return communes;
}

FieldValue origin_population_value(const StudyInputs& in, std::size_t o) {
    return rounded(in.origins[o].population, 0.1);
}

FieldValue origin_minutes_value(const AccessTable& access, std::size_t s, std::size_t o) {
    return rounded(minutes_of(access.time_ds(s, o)));
}

std::vector<unsigned char> origin_geometry(const StudyInputs& in, std::size_t o) {
    const Origin& origin = in.origins[o];
    return grid_origins(in) ? cell_polygon(origin.grid_x, origin.grid_y, in.grid->cell_size_m, in.grid->crs)
                            : point_wkb(origin.position);
}

OutputLayer origins_layer(const StudyInputs& in, const AccessTable& access) {
    const bool grid = grid_origins(in);
    OutputLayer origins;
    origins.name = grid ? "cells" : "origins";
    origins.geometry = grid ? OutputLayer::Geometry::polygon : OutputLayer::Geometry::point;
    origins.fields = {{"id", Type::text}, {"zone", Type::text}, {"population", Type::real}, {"snap_m", Type::real},
                      {"placement", Type::text}};
    const auto& groups = in.study.population.groups;
    for (const auto& g : groups) {
        origins.fields.push_back({"pop_" + g.key, Type::real});
    }
    for (const auto& sv : in.services) {
        origins.fields.push_back({sv.spec.id + "_min", Type::real});
        origins.fields.push_back({sv.spec.id + "_nearest", Type::text});       // the site's id (services layer)
        origins.fields.push_back({sv.spec.id + "_nearest_name", Type::text});  // its name, for people
    }
    // Made row by row as written: origins x services x 3 values are never held at once.
    origins.streamed_rows = in.origins.size();
    origins.make_row = [&in, &access, &groups](std::size_t o, std::vector<FieldValue>& row, std::vector<unsigned char>* wkb) {
        const Origin& origin = in.origins[o];
        row = {origin.id, in.zones.zones[origin.zone].code, origin_population_value(in, o),
               rounded(origin.snap.distance_m, 0.1), std::string(to_string(origin.placement))};
        for (std::size_t g = 0; g < groups.size(); ++g) {
            row.push_back(g < origin.groups.size() ? rounded(origin.groups[g], 0.1) : FieldValue());
        }
        for (std::size_t s = 0; s < in.services.size(); ++s) {
            row.push_back(origin_minutes_value(access, s, o));
            const auto f = access.nearest(s, o);
            const Facility* facility = f == invalid_index ? nullptr : &in.services[s].facilities[f];
            row.push_back(facility == nullptr ? FieldValue() : FieldValue(facility->id));
            row.push_back(facility == nullptr ? FieldValue() : text_or_null(facility->name));
        }
        if (wkb != nullptr) {
            *wkb = origin_geometry(in, o);
        }
    };
    return origins;
}

OutputLayer services_layer(const StudyInputs& in, const FacilityPlaces& places) {
    const bool french = in.communes.has_value();
    OutputLayer services;
    services.name = "services";
    services.geometry = OutputLayer::Geometry::point;
    services.fields = {{"service", Type::text}, {"id", Type::text},       {"name", Type::text},
                       {"provider", Type::text}, {"source", Type::text},  {french ? "code_insee" : "zone", Type::text},
                       {"commune", Type::text},  {"lon", Type::real},     {"lat", Type::real},
                       {"snap_m", Type::real}};
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        const auto& sv = in.services[s];
        for (std::size_t f = 0; f < sv.facilities.size(); ++f) {
            const auto& facility = sv.facilities[f];
            const FacilityPlace& place = places.place(s, f);
            services.rows.push_back({sv.spec.id, facility.id, text_or_null(facility.name),
                                     text_or_null(facility.provider), facility.source, text_or_null(place.code),
                                     text_or_null(place.name), rounded(facility.position.lon, 1e-7),
                                     rounded(facility.position.lat, 1e-7), rounded(sv.snaps[f].distance_m, 0.1)});
            services.wkb.push_back(point_wkb(facility.position));
        }
    }
    return services;
}

OutputLayer deficit_layer(const StudyInputs& in, std::size_t service, const DeficitTerritory& territory) {
    const auto& spec = in.services[service].spec;
    OutputLayer deficit;
    deficit.name = "deficit_" + spec.id;
    deficit.geometry = OutputLayer::Geometry::polygon;
    deficit.fields = {{"service", Type::text},         {"threshold_min", Type::real}, {"part", Type::integer},
                      {"area_km2", Type::real},        {"inhabited", Type::integer},  {"population_over", Type::real},
                      {"origins_over", Type::integer}, {"method", Type::text}};
    for (std::size_t k = 0; k < territory.parts.size(); ++k) {
        const DeficitPart& part = territory.parts[k];
        deficit.rows.push_back({spec.id, spec.threshold_min, static_cast<std::int64_t>(k + 1),
                                rounded(part.area_km2, 0.001), std::int64_t{part.origins_over > 0 ? 1 : 0},
                                rounded(part.population_over, 0.1), static_cast<std::int64_t>(part.origins_over),
                                std::string(deficit_method)});
        if (!part.wkb_raster_crs.empty()) {
            deficit.wkb_crs = territory.raster_crs;  // as deficit_territory made it: no conversion
        }
        deficit.wkb.push_back(part.wkb_raster_crs.empty() ? part.wkb_wgs84 : part.wkb_raster_crs);
    }
    if (territory.origins_outside > 0) {
        // Counted beyond by their own times, but their point lies where the surface (sampled at
        // pixel centres) is within: no area to draw, the people still counted.
        deficit.rows.push_back({spec.id, spec.threshold_min, FieldValue(), FieldValue(), std::int64_t{1},
                                rounded(territory.population_outside, 0.1),
                                static_cast<std::int64_t>(territory.origins_outside),
                                std::string("origins beyond the threshold in pixels whose centre is within it (surface "
                                            "resolution): no area drawn")});
        deficit.wkb.emplace_back();
    }
    return deficit;
}

OutputLayer zones_over_layer(const StudyInputs& in, const StudyResults& results, std::size_t service) {
    const auto& spec = in.services[service].spec;
    const bool french = in.communes.has_value();
    OutputLayer layer;
    layer.name = (french ? "communes_over_" : "zones_over_") + spec.id;
    layer.geometry = OutputLayer::Geometry::polygon;
    layer.fields = {{french ? "code_insee" : "code", Type::text}, {"nom", Type::text},
                    {"population", Type::real},                   {"mean_min", Type::real},
                    {"max_min", Type::real},                      {"population_over", Type::real},
                    {"threshold_min", Type::real}};
    for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
        const auto& r = results.zones[service][z];
        if (r.origins == 0 || !r.over) {
            continue;
        }
        const Zone& zone = in.zones.zones[z];
        layer.rows.push_back({zone.code, zone.name, rounded(r.population, 0.1), rounded(r.mean_min),
                              rounded(r.max_min), rounded(r.population_over, 0.1), spec.threshold_min});
        layer.wkb.push_back(zone.wkb);
    }
    return layer;
}

OutputLayer summary_table(const StudyResults& results, const std::vector<AgeGroup>& groups) {
    OutputLayer table;
    table.name = "summary";
    table.fields = {{"scope", Type::text},         {"code", Type::text},
                    {"nom", Type::text},           {"service", Type::text},
                    {"threshold_min", Type::real}, {"population", Type::real},
                    {"population_over", Type::real}, {"share_over", Type::real}};
    for (const char* band : band_names) {
        table.fields.push_back({std::string("pop_") + band, Type::real});
    }
    for (const auto& g : groups) {
        table.fields.push_back({"pop_" + g.key, Type::real});
        table.fields.push_back({"pop_" + g.key + "_over", Type::real});
        table.fields.push_back({"share_" + g.key + "_over", Type::real});
    }
    for (const auto& a : results.summary) {
        std::vector<FieldValue> row = {a.scope,
                                       text_or_null(a.code),
                                       text_or_null(a.name),
                                       a.service,
                                       a.threshold_min,
                                       rounded(a.population, 0.1),
                                       rounded(a.population_over, 0.1),
                                       rounded(a.share_over, 0.0001)};
        for (double p : a.bands.population) {
            row.push_back(rounded(p, 0.1));
        }
        for (std::size_t g = 0; g < groups.size(); ++g) {
            const double population = a.group_population.at(g);
            const double over = a.group_population_over.at(g);
            row.push_back(rounded(population, 0.1));
            row.push_back(rounded(over, 0.1));
            row.push_back(population > 0 ? rounded(over / population, 0.0001) : FieldValue());
        }
        table.rows.push_back(std::move(row));
    }
    return table;
}

bool run_layer_has_csv(const OutputLayer& layer) {
    for (const char* polygons_only : {"deficit_", "isochrones_", "communes_over_", "zones_over_"}) {
        if (layer.name.rfind(polygons_only, 0) == 0) {
            return false;
        }
    }
    return true;
}

} // namespace proxima
