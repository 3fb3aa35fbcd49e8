#include "proxima/analysis/apl.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include <fmt/format.h>
#include <omp.h>

#include "proxima/core/error.hpp"
#include "proxima/core/threads.hpp"
#include "proxima/routing/site_search.hpp"

namespace proxima {

// ---------------------------------------------------------------------------------------------
// Decay

namespace {

/// The largest whole number of deciseconds within `minutes` (10 min -> 6000; a bound written
/// 0.7 min, 419.99999999999994 ds in floating point, still gives 420).
Deciseconds floor_ds(double minutes) {
    const double ds = std::floor(minutes * 600.0 + 1e-6);
    return ds >= static_cast<double>(max_travel_ds) ? max_travel_ds : static_cast<Deciseconds>(ds);
}

} // namespace

AplDecay::AplDecay(const AplSpec& spec) : m_spec(spec) {
    check_apl_spec(spec, "APL decay");
    if (spec.decay == AplSpec::Decay::bands) {
        for (const double upper : spec.band_upper_min) {
            m_upper_ds.push_back(floor_ds(upper));
        }
        m_reach_ds = m_upper_ds.back();
    } else {
        m_reach_ds = floor_ds(spec.max_min);
    }
}

double AplDecay::weight(Deciseconds ds) const {
    if (ds > m_reach_ds) {  // unreachable_ds included
        return 0.0;
    }
    switch (m_spec.decay) {
    case AplSpec::Decay::bands:
        for (std::size_t b = 0; b < m_upper_ds.size(); ++b) {
            if (ds <= m_upper_ds[b]) {
                return m_spec.band_weight[b];
            }
        }
        return 0.0;
    case AplSpec::Decay::linear: return std::max(0.0, 1.0 - minutes_from_ds(ds) / m_spec.max_min);
    case AplSpec::Decay::gaussian: {
        const double x = minutes_from_ds(ds) / m_spec.max_min;
        const double edge = std::exp(-0.5);
        return std::max(0.0, (std::exp(-0.5 * x * x) - edge) / (1.0 - edge));
    }
    }
    return 0.0;
}

// ---------------------------------------------------------------------------------------------
// Catchments

namespace {

Direction search_direction(TravelDirection direction) {
    // Residents drive to the sites: the search runs backwards from them; an outbound service forwards.
    return direction == TravelDirection::from_service ? Direction::forward : Direction::reverse;
}

/// Sites at the same snapped place give the same times: one search serves them all.
auto snap_key(const Snap& s) {
    return std::make_tuple(to_index(s.edge), s.segment, s.fraction, s.distance_m, s.along_fwd_ds, s.along_bwd_ds);
}

} // namespace

CatchmentSearch::CatchmentSearch(const StudyInputs& in, TravelDirection direction)
    : m_in(in), m_direction(search_direction(direction)), m_access{in.study.network.access_kmh} {
    const RoadGraph& graph = in.graph();
    const std::size_t origins = in.origins.size();
    m_seeds.resize(origins);
    std::vector<std::uint32_t> edges(origins);
    for (std::size_t o = 0; o < origins; ++o) {
        // The origin plays the other side of the trip: it leaves (reverse search) or is arrived at.
        m_seeds[o] = seeds(graph, in.origins[o].snap, opposite(m_direction), m_access);
        edges[o] = to_index(in.origins[o].snap.edge);
    }
    m_origins = OriginIndex(graph.state_count(), m_seeds, edges);
}

std::vector<Catchment> CatchmentSearch::catchments(std::span<const Snap> sites, Deciseconds reach_ds, int threads,
                                                   CatchmentStats* stats) const {
    // Distinct places, each with the sites standing there (in index order).
    std::vector<std::uint32_t> order(sites.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) {
        order[i] = i;
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return snap_key(sites[a]) < snap_key(sites[b]); });
    std::vector<std::vector<std::uint32_t>> places;
    for (std::size_t k = 0; k < order.size(); ++k) {
        if (k == 0 || snap_key(sites[order[k]]) != snap_key(sites[order[k - 1]])) {
            places.emplace_back();
        }
        places.back().push_back(order[k]);
    }

    std::vector<Catchment> out(sites.size());
    const auto n = static_cast<std::int64_t>(places.size());
    std::size_t settled_total = 0;
    const int threads_used = thread_count(threads);
#pragma omp parallel num_threads(threads_used) reduction(+ : settled_total)
    {
        SiteSearch search(m_in.graph(), m_direction, m_access);
        std::vector<std::uint32_t> settled;
        std::vector<std::uint32_t> candidates;
#pragma omp for schedule(dynamic, 1)
        for (std::int64_t p = 0; p < n; ++p) {
            const Snap& site = sites[places[p].front()];
            settled.clear();
            search.run(std::span<const Snap>(&site, 1), reach_ds, NoPrune{},
                       [&settled](std::uint32_t state, Deciseconds) { settled.push_back(state); });
            settled_total += settled.size();
            // Origins seeded on a settled state, and those sharing the site's edge (a trip along it).
            candidates.clear();
            for (const std::uint32_t v : settled) {
                for (const auto& at : m_origins.at_state(v)) {
                    candidates.push_back(at.origin);
                }
            }
            for (const auto& [edge, o] : m_origins.on_edge(to_index(site.edge))) {
                candidates.push_back(o);
            }
            std::sort(candidates.begin(), candidates.end());
            candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
            // Exact within the bound: a seed whose state lies beyond it adds a non-negative offset.
            Catchment c;
            for (const std::uint32_t o : candidates) {
                const SiteReach r = search.resolve(m_in.origins[o].snap, m_seeds[o]);
                if (r.ds <= reach_ds) {
                    c.origins.emplace_back(o, r.ds);
                }
            }
            for (std::size_t k = 1; k < places[p].size(); ++k) {
                out[places[p][k]] = c;
            }
            out[places[p].front()] = std::move(c);
        }
    }
    if (stats != nullptr) {
        stats->searches += places.size();
        stats->settled_states += settled_total;
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// The two steps

AplResult two_step_fca(std::span<const Catchment> catchments, std::span<const double> demand,
                       std::span<const double> supply, const AplDecay& decay) {
    if (catchments.size() != supply.size()) {
        throw Error(fmt::format("APL: {} catchments for {} supplies: one of each per site", catchments.size(),
                                supply.size()));
    }
    const std::size_t origins = demand.size();
    AplResult r;
    r.apl.assign(origins, 0.0);
    r.sites_within.assign(origins, 0);
    r.nearest_ds.assign(origins, unreachable_ds);
    r.sites.resize(catchments.size());

    // Step 1: each site's supply over the weighted demand within its reach (origins in order).
    for (std::size_t j = 0; j < catchments.size(); ++j) {
        AplSite& site = r.sites[j];
        site.supply = supply[j];
        for (const auto& [o, ds] : catchments[j].origins) {
            if (o >= origins) {
                throw Error(fmt::format("APL: site {} reaches origin {} of {}", j, o, origins));
            }
            const double w = decay.weight(ds);
            if (w <= 0) {
                continue;
            }
            site.weighted_demand += w * demand[o];
            site.population_within += demand[o];
            ++site.origins_within;
        }
        if (site.weighted_demand > 0) {
            site.ratio = site.supply / site.weighted_demand;
        }
    }

    // Step 2: each origin sums the ratios of the sites within its reach (sites in order).
    for (std::size_t j = 0; j < catchments.size(); ++j) {
        const AplSite& site = r.sites[j];
        for (const auto& [o, ds] : catchments[j].origins) {
            const double w = decay.weight(ds);
            if (w <= 0) {
                continue;
            }
            ++r.pairs;
            ++r.sites_within[o];
            r.nearest_ds[o] = std::min(r.nearest_ds[o], ds);
            if (site.ratio) {
                r.apl[o] += w * *site.ratio;
            }
        }
    }

    // Conservation: Σ_i D_i A_i = Σ_j S_j over the sites some demand reaches.
    AplConservation& c = r.conservation;
    for (std::size_t o = 0; o < origins; ++o) {
        c.demand_times_apl += demand[o] * r.apl[o];
    }
    for (const auto& site : r.sites) {
        c.supply_total += site.supply;
        if (site.ratio) {
            c.supply_reached += site.supply;
        } else {
            ++c.sites_unreached;
        }
    }
    const double difference = std::abs(c.demand_times_apl - c.supply_reached);
    c.relative_residual = c.supply_reached > 0 ? difference / c.supply_reached : difference;
    return r;
}

std::vector<double> site_supply(const ServiceInputs& service) {
    std::vector<double> supply;
    const std::string& field = service.spec.apl.supply_field;
    for (const auto& f : service.facilities) {
        if (field.empty()) {
            supply.push_back(1.0);
        } else if (f.supply) {
            supply.push_back(*f.supply);
        } else {
            throw ConfigError(fmt::format("service '{}': site {} ({}) has no supply, though the APL reads it from column "
                                          "'{}': every site must come from a facility file with that column",
                                          service.spec.id, f.id, f.source, field));
        }
    }
    return supply;
}

AplResult compute_apl(const StudyInputs& in, TravelDirection direction, std::span<const Snap> sites,
                      std::span<const double> supply, const AplSpec& spec, int threads) {
    const AplDecay decay(spec);
    if (sites.size() != supply.size()) {
        throw Error(fmt::format("APL: {} sites for {} supplies", sites.size(), supply.size()));
    }
    const CatchmentSearch search(in, direction);
    CatchmentStats stats;
    const auto catchments = search.catchments(sites, decay.reach_ds(), threads, &stats);
    std::vector<double> demand;
    demand.reserve(in.origins.size());
    for (const auto& o : in.origins) {
        demand.push_back(o.population);
    }
    AplResult r = two_step_fca(catchments, demand, supply, decay);
    r.searches = stats;
    if (!r.conservation.holds()) {
        throw Error(fmt::format("APL conservation failed: Σ population × APL = {} but the supply of the sites some "
                                "origin reaches is {} (relative difference {:.3g}, more than {:g}); this is a bug, "
                                "please report it with the study",
                                r.conservation.demand_times_apl, r.conservation.supply_reached,
                                r.conservation.relative_residual, apl_conservation_tolerance));
    }
    return r;
}

AplResult compute_apl(const StudyInputs& in, std::size_t service, const AplSpec& spec, int threads) {
    if (service >= in.services.size()) {
        throw ConfigError(fmt::format("service index {} out of range ({} services)", service, in.services.size()));
    }
    const ServiceInputs& sv = in.services[service];
    ServiceInputs with_spec = sv;  // the spec given may carry another supply column than the study's
    with_spec.spec.apl = spec;
    const std::vector<double> supply = site_supply(with_spec);
    return compute_apl(in, sv.spec.direction, sv.snaps, supply, spec, threads);
}

// ---------------------------------------------------------------------------------------------
// Areas

namespace {

struct AplSums {
    AplArea area;
    double weighted = 0.0;  // Σ population × APL
    double plain = 0.0;     // Σ APL, for areas without population

    void add(double apl_scaled, double population, bool under, bool no_site) {
        ++area.origins;
        area.population += population;
        weighted += population * apl_scaled;
        plain += apl_scaled;
        if (under) {
            area.population_under += population;
        }
        if (no_site) {
            area.population_no_site += population;
        }
    }
    AplArea finish() {
        if (area.origins > 0) {
            area.apl = area.population > 0 ? weighted / area.population : plain / static_cast<double>(area.origins);
        }
        if (area.population > 0) {
            area.share_under = area.population_under / area.population;
        }
        return area;
    }
};

AplSums sums(std::string scope, std::string code, std::string name) {
    AplSums s;
    s.area.scope = std::move(scope);
    s.area.code = std::move(code);
    s.area.name = std::move(name);
    return s;
}

} // namespace

AplAreas aggregate_apl(const StudyInputs& in, std::span<const double> apl, const AplSpec& spec) {
    if (apl.size() != in.origins.size()) {
        throw Error(fmt::format("APL areas: {} values for {} origins", apl.size(), in.origins.size()));
    }
    const bool french = in.communes.has_value();
    const std::size_t zone_count = in.zones.zones.size();
    AplSums study = sums("study", "", in.study.name);
    std::map<std::string, AplSums> deps;
    std::map<std::string, AplSums> epcis;
    std::vector<AplSums> zones;
    for (const Zone& zone : in.zones.zones) {
        zones.push_back(sums(french ? "commune" : "zone", zone.code, zone.name));
    }
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        const Origin& origin = in.origins[o];
        const double value = apl[o] * spec.per_inhabitants;
        const bool under = value < spec.threshold;
        const bool no_site = apl[o] == 0.0;
        if (origin.zone >= zone_count) {
            throw Error(fmt::format("APL areas: origin {} in zone {} of {}", origin.id, origin.zone, zone_count));
        }
        study.add(value, origin.population, under, no_site);
        zones[origin.zone].add(value, origin.population, under, no_site);
        if (french && in.join.commune_of_zone[origin.zone] != ZoneJoin::no_commune) {
            const Commune& c = in.communes->communes()[in.join.commune_of_zone[origin.zone]];
            deps.try_emplace(c.departement, sums("departement", c.departement, ""))
                .first->second.add(value, origin.population, under, no_site);
            if (!c.epci_siren.empty()) {
                epcis.try_emplace(c.epci_siren, sums("epci", c.epci_siren, c.epci_name))
                    .first->second.add(value, origin.population, under, no_site);
            }
        }
    }
    AplAreas out;
    out.areas.push_back(study.finish());
    for (auto& [code, d] : deps) {
        out.areas.push_back(d.finish());
    }
    for (auto& [code, e] : epcis) {
        out.areas.push_back(e.finish());
    }
    for (auto& z : zones) {
        out.zones.push_back(z.finish());
        out.areas.push_back(out.zones.back());
    }
    return out;
}

} // namespace proxima
