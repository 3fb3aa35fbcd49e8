#include "proxima/study/study_areas.hpp"
#include "proxima/analysis/aggregation.hpp"

#include <map>

namespace proxima {

void Bands::add(std::optional<double> minutes, double p) {
    if (!minutes) {
        population[6] += p;
        return;
    }
    std::size_t band = 0;
    while (band < band_upper_min.size() && *minutes > band_upper_min[band]) {
        ++band;
    }
    population[band] += p;
}

std::optional<double> minutes_of(Deciseconds ds) {
    if (ds == unreachable_ds) {
        return std::nullopt;
    }
    return minutes_from_ds(ds);
}

bool is_over(std::optional<double> minutes, double threshold_min) { return !minutes || *minutes > threshold_min; }

StudyResults aggregate(const StudyInputs& in, const AccessTable& access) {
    StudyResults out;
    const std::vector<ZoneGroup> epci_groups = study_epcis(in);
    std::vector<const ZoneGroup*> epci_of_zone(in.zones.zones.size(), nullptr);
    for (const ZoneGroup& g : epci_groups) {
        for (const std::size_t z : g.zones) {
            epci_of_zone[z] = &g;
        }
    }
    const std::size_t zone_count = in.zones.zones.size();
    const bool french = in.communes.has_value();
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        const auto& spec = in.services[s].spec;
        const double threshold = spec.threshold_min;
        const std::size_t groups = in.study.population.groups.size();
        std::vector<ZoneServiceResult> zones(zone_count);
        for (auto& z : zones) {
            z.group_population.assign(groups, 0.0);
            z.group_population_over.assign(groups, 0.0);
        }
        std::vector<double> weighted(zone_count, 0.0);
        std::vector<double> weight(zone_count, 0.0);
        std::vector<double> plain(zone_count, 0.0);
        std::vector<std::size_t> reached(zone_count, 0);
        std::vector<bool> any_unreachable(zone_count, false);
        std::vector<Bands> zone_bands(zone_count);
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            const Origin& origin = in.origins[o];
            const auto minutes = minutes_of(access.time_ds(s, o));
            auto& z = zones[origin.zone];
            ++z.origins;
            z.population += origin.population;
            zone_bands[origin.zone].add(minutes, origin.population);
            const bool over = is_over(minutes, threshold);
            if (over) {
                z.population_over += origin.population;
            }
            // An origin without group figures (none placed there) adds nothing to the groups.
            for (std::size_t g = 0; g < groups && g < origin.groups.size(); ++g) {
                z.group_population[g] += origin.groups[g];
                z.group_population_over[g] += over ? origin.groups[g] : 0.0;
            }
            if (!minutes) {
                any_unreachable[origin.zone] = true;
                continue;
            }
            weighted[origin.zone] += *minutes * origin.population;
            weight[origin.zone] += origin.population;
            plain[origin.zone] += *minutes;
            ++reached[origin.zone];
            z.max_min = z.max_min ? std::max(*z.max_min, *minutes) : *minutes;
        }
        for (std::size_t z = 0; z < zone_count; ++z) {
            auto& r = zones[z];
            if (reached[z] > 0) {
                r.mean_min = weight[z] > 0 ? weighted[z] / weight[z] : plain[z] / static_cast<double>(reached[z]);
            }
            if (any_unreachable[z]) {
                r.max_min.reset();
            }
            r.over = is_over(r.mean_min, threshold);
        }

        // Summaries: whole study, départements and EPCI (via the commune table), zones.
        auto summary = [&](std::string scope, std::string code, std::string name) {
            AreaSummary a;
            a.scope = std::move(scope);
            a.code = std::move(code);
            a.name = std::move(name);
            a.service = spec.id;
            a.threshold_min = threshold;
            a.group_population.assign(groups, 0.0);
            a.group_population_over.assign(groups, 0.0);
            return a;
        };
        AreaSummary total = summary("study", "", in.study.name);
        std::map<std::string, AreaSummary> deps;
        std::map<std::string, AreaSummary> epcis;
        std::vector<AreaSummary> zone_rows;
        for (std::size_t z = 0; z < zone_count; ++z) {
            const Zone& zone = in.zones.zones[z];
            AreaSummary row = summary(french ? "commune" : "zone", zone.code, zone.name);
            row.population = zones[z].population;
            row.population_over = zones[z].population_over;
            row.bands = zone_bands[z];
            row.group_population = zones[z].group_population;
            row.group_population_over = zones[z].group_population_over;
            auto add_to = [&](AreaSummary& a) {
                a.population += row.population;
                a.population_over += row.population_over;
                for (std::size_t g = 0; g < groups; ++g) {
                    a.group_population[g] += row.group_population[g];
                    a.group_population_over[g] += row.group_population_over[g];
                }
                for (std::size_t b = 0; b < a.bands.population.size(); ++b) {
                    a.bands.population[b] += row.bands.population[b];
                }
            };
            add_to(total);
            if (const Commune* c = commune_of_zone(in, z)) {
                auto& d = deps.try_emplace(c->departement, summary("departement", c->departement, "")).first->second;
                add_to(d);
            }
            if (const ZoneGroup* g = epci_of_zone[z]) {
                add_to(epcis.try_emplace(g->code, summary("epci", g->code, g->name)).first->second);
            }
            zone_rows.push_back(std::move(row));
        }
        auto finish = [](AreaSummary& a) {
            if (a.population > 0) {
                a.share_over = a.population_over / a.population;
            }
        };
        finish(total);
        out.summary.push_back(total);
        for (auto& [code, d] : deps) {
            finish(d);
            out.summary.push_back(d);
        }
        for (auto& [code, e] : epcis) {
            finish(e);
            out.summary.push_back(e);
        }
        for (auto& r : zone_rows) {
            finish(r);
            out.summary.push_back(r);
        }
        out.zones.push_back(std::move(zones));
    }
    return out;
}

} // namespace proxima
