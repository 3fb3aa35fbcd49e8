#include "proxima/run/run_layers.hpp"

#include "proxima/analysis/deficit_zones.hpp"
#include "proxima/run/deficit_area.hpp"
#include "proxima/run/output_folder.hpp"

namespace proxima {

namespace {

using Type = OutputField::Type;

bool grid_origins(const StudyInputs& in) {
    return in.study.origins.kind == StudyFile::Origins::Kind::cells && in.grid.has_value();
}

const Commune* commune_of_zone(const StudyInputs& in, std::size_t z) {
    if (!in.communes || in.join.commune_of_zone[z] == ZoneJoin::no_commune) {
        return nullptr;
    }
    return &in.communes->communes()[in.join.commune_of_zone[z]];
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
    for (const auto& sv : in.services) {
        const auto& id = sv.spec.id;
        communes.fields.push_back({id + "_min", Type::real});
        communes.fields.push_back({id + "_max_min", Type::real});
        communes.fields.push_back({id + "_pop_over", Type::real});
        communes.fields.push_back({id + "_over", Type::integer});
    }
    for (std::size_t z = 0; z < in.zones.zones.size(); ++z) {
        const Zone& zone = in.zones.zones[z];
        const Commune* c = commune_of_zone(in, z);
        const double population = results.zones.empty() ? 0.0 : results.zones[0][z].population;
        std::vector<FieldValue> row = {zone.code, zone.name, rounded(population, 0.1),
                                       text_or_null(c != nullptr ? c->epci_siren : std::string()),
                                       text_or_null(c != nullptr ? c->epci_name : std::string())};
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
        }
        communes.rows.push_back(std::move(row));
        communes.wkb.push_back(zone.wkb);
    }
    return communes;
}

OutputLayer origins_layer(const StudyInputs& in, const AccessTable& access) {
    const bool grid = grid_origins(in);
    OutputLayer origins;
    origins.name = grid ? "cells" : "origins";
    origins.geometry = grid ? OutputLayer::Geometry::polygon : OutputLayer::Geometry::point;
    origins.fields = {{"id", Type::text}, {"zone", Type::text}, {"population", Type::real}, {"snap_m", Type::real}};
    for (const auto& sv : in.services) {
        origins.fields.push_back({sv.spec.id + "_min", Type::real});
        origins.fields.push_back({sv.spec.id + "_nearest", Type::text});
    }
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        const Origin& origin = in.origins[o];
        std::vector<FieldValue> row = {origin.id, in.zones.zones[origin.zone].code, rounded(origin.population, 0.1),
                                       rounded(origin.snap.distance_m, 0.1)};
        for (std::size_t s = 0; s < in.services.size(); ++s) {
            row.push_back(rounded(minutes_of(access.time_ds(s, o))));
            const auto f = access.nearest(s, o);
            const Facility* facility = f == invalid_index ? nullptr : &in.services[s].facilities[f];
            row.push_back(facility == nullptr ? FieldValue(std::monostate{})
                                              : FieldValue(facility->name.empty() ? facility->id : facility->name));
        }
        origins.rows.push_back(std::move(row));
        origins.wkb.push_back(grid ? cell_polygon(origin.grid_x, origin.grid_y, in.grid->cell_size_m, in.grid->crs)
                                   : point_wkb(origin.position));
    }
    return origins;
}

OutputLayer services_layer(const StudyInputs& in) {
    OutputLayer services;
    services.name = "services";
    services.geometry = OutputLayer::Geometry::point;
    services.fields = {{"service", Type::text}, {"id", Type::text}, {"name", Type::text},
                       {"source", Type::text},  {"snap_m", Type::real}};
    for (const auto& sv : in.services) {
        for (std::size_t f = 0; f < sv.facilities.size(); ++f) {
            const auto& facility = sv.facilities[f];
            services.rows.push_back({sv.spec.id, facility.id, text_or_null(facility.name), facility.source,
                                     rounded(sv.snaps[f].distance_m, 0.1)});
            services.wkb.push_back(point_wkb(facility.position));
        }
    }
    return services;
}

OutputLayer deficit_layer(const StudyInputs& in, const StudyResults& results, std::size_t service,
                          std::vector<unsigned char> area) {
    const auto& spec = in.services[service].spec;
    OutputLayer deficit;
    deficit.name = "deficit_" + spec.id;
    deficit.geometry = OutputLayer::Geometry::polygon;
    deficit.fields = {{"service", Type::text},
                      {"threshold_min", Type::real},
                      {"population_over", Type::real},
                      {"method", Type::text}};
    double over = 0;
    for (const auto& a : results.summary) {
        if (a.scope == "study" && a.service == spec.id) {
            over = a.population_over;
        }
    }
    deficit.rows.push_back({spec.id, spec.threshold_min, rounded(over, 0.1), std::string(deficit_method(in))});
    deficit.wkb.push_back(std::move(area));
    return deficit;
}

OutputLayer summary_table(const StudyResults& results) {
    OutputLayer table;
    table.name = "summary";
    table.fields = {{"scope", Type::text},         {"code", Type::text},
                    {"nom", Type::text},           {"service", Type::text},
                    {"threshold_min", Type::real}, {"population", Type::real},
                    {"population_over", Type::real}, {"share_over", Type::real}};
    for (const char* band : band_names) {
        table.fields.push_back({std::string("pop_") + band, Type::real});
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
        table.rows.push_back(std::move(row));
    }
    return table;
}

bool run_layer_has_csv(const OutputLayer& layer) {
    return layer.name.rfind("deficit_", 0) != 0 && layer.name.rfind("isochrones_", 0) != 0;
}

} // namespace proxima
