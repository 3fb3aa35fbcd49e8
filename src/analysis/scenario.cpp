#include "proxima/analysis/scenario.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "proxima/core/error.hpp"
#include "proxima/core/number_format.hpp"
#include "proxima/routing/multi_source_dijkstra.hpp"
#include "proxima/routing/site_search.hpp"
#include "proxima/routing/point_routing.hpp"

namespace proxima {

namespace {

/// The search runs from the sites: towards them (reverse) when residents drive to the service.
Direction search_direction(bool outbound) { return outbound ? Direction::forward : Direction::reverse; }

/// A trip along one shared edge between an origin and a site, all legs included.
std::optional<Deciseconds> same_edge_total(const RoadGraph& graph, const Snap& origin, const Snap& site,
                                           const AccessOptions& access, bool outbound) {
    const auto direct = outbound ? same_edge_leg(graph, site, origin) : same_edge_leg(graph, origin, site);
    if (!direct) {
        return std::nullopt;
    }
    return access_ds(origin, access) + direct->ds + access_ds(site, access);
}

std::string people(double v) { return format_number(v, 0, console_numbers); }

} // namespace

// ---------------------------------------------------------------------------------------------
// SiteAccess

SiteAccess::SiteAccess(const StudyInputs& in, TravelDirection direction, std::span<const Snap> sites)
    : m_in(in), m_outbound(direction == TravelDirection::from_service) {
    const RoadGraph& graph = in.graph();
    const AccessOptions access{in.study.network.access_kmh};
    const std::size_t origins = in.origins.size();

    SiteSearch search(graph, search_direction(m_outbound), access);
    m_settled = search.run(sites);
    m_state_ds.assign(graph.state_count(), unreachable_ds);
    search.search().times(m_state_ds);

    // Origins by the states their own seeds reach, and by edge.
    std::vector<std::vector<SourceSet::Source>> origin_seeds(origins);
    std::vector<std::uint32_t> origin_edges(origins);
    for (std::size_t o = 0; o < origins; ++o) {
        origin_seeds[o] = search.point_seeds(in.origins[o].snap);
        origin_edges[o] = to_index(in.origins[o].snap.edge);
    }
    m_origins = OriginIndex(graph.state_count(), origin_seeds, origin_edges);

    // Per origin, exactly as compute_access().
    m_origin_ds.assign(origins, unreachable_ds);
    m_nearest.assign(origins, invalid_index);
    for (std::size_t o = 0; o < origins; ++o) {
        const SiteReach r = search.resolve(in.origins[o].snap, origin_seeds[o]);
        m_origin_ds[o] = r.ds;
        m_nearest[o] = r.site;
    }
}

std::vector<OriginImprovement> SiteAccess::improvements(std::span<const Snap> new_sites, PrunedSearch& s,
                                                        std::size_t* settled_count) const {
    const RoadGraph& graph = m_in.graph();
    const AccessOptions access{m_in.study.network.access_kmh};
    const Direction direction = search_direction(m_outbound);
    if (!s.m_search || &s.m_search->graph() != &graph || s.m_search->direction() != direction) {
        s.m_search = std::make_unique<MultiSourceDijkstra>(graph, direction, false);
    }
    MultiSourceDijkstra& search = *s.m_search;
    search.reset();
    for (std::uint32_t i = 0; i < new_sites.size(); ++i) {
        for (const auto& seed : seeds(graph, new_sites[i], direction, access, i)) {
            search.add_source(seed.state, seed.offset_ds, seed.tag);
        }
    }
    // Pruning: a state the current sites reach at least as fast can improve nothing beyond it
    // (a path through it costs at least its current time plus the rest). So only the area the
    // new sites win is searched, and min(before, new) is exact.
    s.m_settled.clear();
    search.run(
        max_travel_ds, [this](std::uint32_t v, Deciseconds t) { return t >= m_state_ds[v]; },
        [&s](std::uint32_t v, Deciseconds) { s.m_settled.push_back(v); });
    if (settled_count != nullptr) {
        *settled_count = s.m_settled.size();
    }

    // Candidate times of the origins attached to settled nodes, and along shared edges.
    auto& candidates = s.m_candidates;
    candidates.clear();
    for (const std::uint32_t v : s.m_settled) {
        for (const auto& [o, offset] : m_origins.at_state(v)) {
            candidates.push_back({o, search.time_ds(StateId{v}) + offset, search.source_of(StateId{v})});
        }
    }
    for (std::uint32_t i = 0; i < new_sites.size(); ++i) {
        for (const auto& [edge, o] : m_origins.on_edge(to_index(new_sites[i].edge))) {
            const auto total = same_edge_total(graph, m_in.origins[o].snap, new_sites[i], access, m_outbound);
            if (total) {
                candidates.push_back({o, *total, i});
            }
        }
    }
    std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
        return std::tie(a.origin, a.ds, a.site) < std::tie(b.origin, b.ds, b.site);
    });
    std::vector<OriginImprovement> out;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (i > 0 && candidates[i].origin == candidates[i - 1].origin) {
            continue;  // the best of this origin came first
        }
        if (candidates[i].ds < m_origin_ds[candidates[i].origin]) {
            out.push_back(candidates[i]);
        }
    }
    return out;
}

Snap snap_site(const EdgeSnapper& snapper, const StudyInputs& in, LonLat position, const std::string& what) {
    if (!(position.lon >= -180 && position.lon <= 180 && position.lat >= -90 && position.lat <= 90)) {
        throw InputError(fmt::format("{} at {},{}: not a WGS84 longitude,latitude", what, position.lon, position.lat));
    }
    const auto snap = snapper.snap(position, in.study.network.max_snap_m);
    if (!snap) {
        throw InputError(fmt::format("{} at {:.6f},{:.6f} is more than {} m from any road of the graph: check its "
                                     "coordinates (longitude first, then latitude), use an extract that covers it, "
                                     "or raise network.max_snap_m",
                                     what, position.lon, position.lat, in.study.network.max_snap_m));
    }
    return *snap;
}

// ---------------------------------------------------------------------------------------------
// Scenarios

const char* to_string(ScenarioSiteChange::Kind kind) {
    switch (kind) {
    case ScenarioSiteChange::Kind::added: return "added";
    case ScenarioSiteChange::Kind::removed: return "removed";
    case ScenarioSiteChange::Kind::moved_from: return "moved_from";
    case ScenarioSiteChange::Kind::moved_to: return "moved_to";
    }
    return "?";
}

void check_scenario_spec(const ScenarioSpec& spec) {
    if (spec.name.empty() || spec.name.size() > 40 ||
        !std::all_of(spec.name.begin(), spec.name.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        })) {
        throw ConfigError(fmt::format("scenario name '{}': use 1 to 40 letters, digits, '_' or '-' (it names the "
                                      "layer scenario_<name> and the output folder)",
                                      spec.name));
    }
    if (spec.add.empty() && spec.remove.empty() && spec.move.empty()) {
        throw ConfigError("the scenario changes nothing: give at least one --add, --remove or --move");
    }
    std::set<std::string> names;
    for (const auto& site : spec.add) {
        if (site.name.empty()) {
            throw ConfigError("a new site has an empty name: write --add NAME,LON,LAT");
        }
        if (!names.insert(site.name).second) {
            throw ConfigError(fmt::format("two new sites are named '{}': give each --add its own name", site.name));
        }
    }
}

namespace {

/// Index of a facility by id ("node/123" also finds "osm:node/123"); throws InputError if none.
std::uint32_t find_facility(const ServiceInputs& service, const std::string& id) {
    for (const std::string& wanted : {id, "osm:" + id}) {
        for (std::uint32_t f = 0; f < service.facilities.size(); ++f) {
            if (service.facilities[f].id == wanted) {
                return f;
            }
        }
    }
    std::string examples;
    for (std::size_t f = 0; f < service.facilities.size() && f < 3; ++f) {
        examples += fmt::format("{}{}", f == 0 ? "" : ", ", service.facilities[f].id);
    }
    throw InputError(fmt::format("'{}' is not a facility of service '{}' ({} facilities, e.g. {}): facility ids are "
                                 "the 'id' column of the services layer of `proxima run` (services.csv in its "
                                 "output folder)",
                                 id, service.spec.id, service.facilities.size(), examples));
}

} // namespace

ScenarioResult run_scenario(const StudyInputs& in, std::size_t service_index, const ScenarioSpec& spec,
                            const EdgeSnapper* snapper) {
    if (service_index >= in.services.size()) {
        throw ConfigError(fmt::format("service index {} out of range ({} services)", service_index, in.services.size()));
    }
    check_scenario_spec(spec);
    const ServiceInputs& service = in.services[service_index];
    const TravelDirection direction = service.spec.direction;

    ScenarioResult r;
    r.service = service_index;

    // Which facilities close (removed or moved away).
    std::vector<bool> closed(service.facilities.size(), false);
    auto close = [&](const std::string& id, ScenarioSiteChange::Kind kind) {
        const std::uint32_t f = find_facility(service, id);
        if (closed[f]) {
            throw ConfigError(fmt::format("facility '{}' is removed or moved twice in the scenario", service.facilities[f].id));
        }
        closed[f] = true;
        r.changes.push_back({kind, service.facilities[f].id, service.facilities[f].name, service.facilities[f].position,
                             service.snaps[f].distance_m});
        return f;
    };
    for (const auto& id : spec.remove) {
        close(id, ScenarioSiteChange::Kind::removed);
    }
    std::vector<std::uint32_t> moved;
    for (const auto& m : spec.move) {
        moved.push_back(close(m.facility_id, ScenarioSiteChange::Kind::moved_from));
    }

    // New positions: moved sites first, then the added ones.
    std::shared_ptr<const EdgeSnapper> own_snapper;
    if (snapper == nullptr && (!spec.add.empty() || !spec.move.empty())) {
        own_snapper = shared_snapper(in);
        snapper = own_snapper.get();
    }
    std::vector<Facility> new_facilities;
    std::vector<Snap> new_snaps;
    for (std::size_t i = 0; i < spec.move.size(); ++i) {
        Facility f = service.facilities[moved[i]];
        f.position = spec.move[i].position;
        f.source += " (moved by scenario " + spec.name + ")";
        new_snaps.push_back(snap_site(*snapper, in, f.position, fmt::format("new position of '{}' (--move)", f.id)));
        r.changes.push_back({ScenarioSiteChange::Kind::moved_to, f.id, f.name, f.position, new_snaps.back().distance_m});
        new_facilities.push_back(std::move(f));
    }
    for (const auto& site : spec.add) {
        Facility f;
        f.id = "scenario:" + site.name;
        f.name = site.name;
        f.position = site.position;
        f.source = "scenario " + spec.name;
        f.provider = "scenario";
        new_snaps.push_back(snap_site(*snapper, in, f.position, fmt::format("new site '{}' (--add)", site.name)));
        r.changes.push_back({ScenarioSiteChange::Kind::added, f.id, f.name, f.position, new_snaps.back().distance_m});
        new_facilities.push_back(std::move(f));
    }

    // Before: one search from the existing facilities.
    const SiteAccess before(in, direction, service.snaps);
    r.full_searches = 1;
    r.settled_nodes = before.settled_nodes();
    r.before_ds.assign(before.origin_times().begin(), before.origin_times().end());
    r.before_nearest.resize(in.origins.size());
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        r.before_nearest[o] = before.nearest(o);
    }

    // After: the kept facilities (a new full search if any closed), then the new sites.
    std::vector<std::uint32_t> kept;
    for (std::uint32_t f = 0; f < service.facilities.size(); ++f) {
        if (!closed[f]) {
            kept.push_back(f);
            r.facilities_after.push_back(service.facilities[f]);
            r.snaps_after.push_back(service.snaps[f]);
        }
    }
    std::optional<SiteAccess> remaining;
    if (kept.size() != service.facilities.size()) {
        remaining.emplace(in, direction, r.snaps_after);
        ++r.full_searches;
        r.settled_nodes += remaining->settled_nodes();
    }
    const SiteAccess& base = remaining ? *remaining : before;
    r.after_ds.assign(base.origin_times().begin(), base.origin_times().end());
    r.after_nearest.resize(in.origins.size());
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        r.after_nearest[o] = base.nearest(o);  // already indices into the kept list
    }
    if (!new_snaps.empty()) {
        PrunedSearch scratch;
        std::size_t settled = 0;
        const auto better = base.improvements(new_snaps, scratch, &settled);
        ++r.pruned_searches;
        r.settled_nodes += settled;
        r.improved_origins = better.size();
        const auto offset = static_cast<std::uint32_t>(kept.size());
        for (const auto& b : better) {
            r.after_ds[b.origin] = b.ds;
            r.after_nearest[b.origin] = offset + b.site;
        }
    }
    for (std::size_t i = 0; i < new_facilities.size(); ++i) {
        r.facilities_after.push_back(std::move(new_facilities[i]));
        r.snaps_after.push_back(new_snaps[i]);
    }
    return r;
}

// ---------------------------------------------------------------------------------------------
// Before/after

namespace {

struct MeanSums {
    double weighted = 0.0;   // minutes × population over reachable origins
    double weight = 0.0;
    double plain = 0.0;      // minutes, for areas without population
    std::size_t reached = 0;
    double unreachable = 0.0;
    void add(std::optional<double> minutes, double population) {
        if (!minutes) {
            unreachable += population;
            return;
        }
        weighted += *minutes * population;
        weight += population;
        plain += *minutes;
        ++reached;
    }
    [[nodiscard]] std::optional<double> mean() const {
        if (reached == 0) {
            return std::nullopt;
        }
        return weight > 0 ? weighted / weight : plain / static_cast<double>(reached);
    }
};

/// Mean-time sums of every area, keyed like aggregate()'s summary rows: (scope, code).
std::map<std::pair<std::string, std::string>, MeanSums> area_means(const StudyInputs& in,
                                                                   std::span<const Deciseconds> ds) {
    std::map<std::pair<std::string, std::string>, MeanSums> out;
    const bool french = in.communes.has_value();
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        const Origin& origin = in.origins[o];
        const auto minutes = minutes_of(ds[o]);
        const std::size_t z = origin.zone;
        out[{"study", ""}].add(minutes, origin.population);
        out[{french ? "commune" : "zone", in.zones.zones[z].code}].add(minutes, origin.population);
        if (french && in.join.commune_of_zone[z] != ZoneJoin::no_commune) {
            const Commune& c = in.communes->communes()[in.join.commune_of_zone[z]];
            out[{"departement", c.departement}].add(minutes, origin.population);
            if (!c.epci_siren.empty()) {
                out[{"epci", c.epci_siren}].add(minutes, origin.population);
            }
        }
    }
    return out;
}

StudyResults aggregate_one(const StudyInputs& in, std::size_t service, std::span<const Deciseconds> ds) {
    AccessTable table(in.services.size(), in.origins.size());
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        table.set(service, o, ds[o], 0);
    }
    return aggregate(in, table);
}

} // namespace

ScenarioComparison compare_access(const StudyInputs& in, std::size_t service, std::span<const Deciseconds> before,
                                  std::span<const Deciseconds> after) {
    if (before.size() != in.origins.size() || after.size() != in.origins.size()) {
        throw Error("compare_access: one time per origin expected");
    }
    ScenarioComparison c;
    c.threshold_min = in.services[service].spec.threshold_min;
    StudyResults rb = aggregate_one(in, service, before);
    StudyResults ra = aggregate_one(in, service, after);
    const auto mb = area_means(in, before);
    const auto ma = area_means(in, after);
    const std::string& id = in.services[service].spec.id;
    std::vector<const AreaSummary*> after_rows;
    for (const auto& a : ra.summary) {
        if (a.service == id) {
            after_rows.push_back(&a);
        }
    }
    std::size_t i = 0;
    for (const auto& b : rb.summary) {
        if (b.service != id) {
            continue;
        }
        const AreaSummary& a = *after_rows.at(i++);
        ScopeComparison row;
        row.scope = b.scope;
        row.code = b.code;
        row.name = b.name;
        row.population = b.population;
        row.over_before = b.population_over;
        row.over_after = a.population_over;
        const std::pair<std::string, std::string> key{b.scope, b.scope == "study" ? "" : b.code};
        if (auto it = mb.find(key); it != mb.end()) {
            row.mean_before_min = it->second.mean();
            row.unreachable_before = it->second.unreachable;
        }
        if (auto it = ma.find(key); it != ma.end()) {
            row.mean_after_min = it->second.mean();
            row.unreachable_after = it->second.unreachable;
        }
        c.areas.push_back(std::move(row));
    }
    c.zones_before = std::move(rb.zones[service]);
    c.zones_after = std::move(ra.zones[service]);
    return c;
}

ScenarioComparison compare_scenario(const StudyInputs& in, const ScenarioResult& result) {
    return compare_access(in, result.service, result.before_ds, result.after_ds);
}

std::string format_scenario_summary(const StudyInputs& in, const ScenarioResult& r, const ScenarioComparison& c) {
    const ServiceInputs& service = in.services[r.service];
    std::size_t added = 0;
    std::size_t removed = 0;
    std::size_t moved = 0;
    for (const auto& ch : r.changes) {
        added += ch.kind == ScenarioSiteChange::Kind::added ? 1 : 0;
        removed += ch.kind == ScenarioSiteChange::Kind::removed ? 1 : 0;
        moved += ch.kind == ScenarioSiteChange::Kind::moved_to ? 1 : 0;
    }
    std::vector<std::string> what;
    auto sites = [](std::size_t n) { return fmt::format("{} site{}", n, n == 1 ? "" : "s"); };
    if (added > 0) {
        what.push_back(fmt::format("{} opened", sites(added)));
    }
    if (removed > 0) {
        what.push_back(fmt::format("{} closed", sites(removed)));
    }
    if (moved > 0) {
        what.push_back(fmt::format("{} moved", sites(moved)));
    }
    std::string out = fmt::format("  {} ({} → {}): {}\n", service.spec.label, sites(service.facilities.size()),
                                  sites(r.facilities_after.size()), fmt::join(what, ", "));
    const ScopeComparison* study = c.areas.empty() ? nullptr : &c.areas.front();
    if (study == nullptr || study->population <= 0) {
        return out + "  no population to count\n";
    }
    const double delta = study->over_after - study->over_before;
    out += fmt::format("  more than {:g} min away: {} inhabitants ({}) before, {} ({}) after", c.threshold_min,
                       people(study->over_before), console_percent(100.0 * study->over_before / study->population),
                       people(study->over_after), console_percent(100.0 * study->over_after / study->population));
    if (delta < 0) {
        out += fmt::format(": {} fewer\n", people(-delta));
    } else if (delta > 0) {
        out += fmt::format(": {} more\n", people(delta));
    } else {
        out += ": no change\n";
    }
    auto minutes = [](const std::optional<double>& m) { return m ? console_minutes(*m) + " min" : std::string("none"); };
    out += fmt::format("  mean time (population-weighted): {} before, {} after\n", minutes(study->mean_before_min),
                       minutes(study->mean_after_min));
    if (study->unreachable_before != study->unreachable_after) {
        out += fmt::format("  reaching no site: {} inhabitants before, {} after\n", people(study->unreachable_before),
                           people(study->unreachable_after));
    }
    // The zone that changes most: population crossing the threshold first, then mean time.
    const ScopeComparison* most = nullptr;
    auto change = [](const ScopeComparison& a) {
        const double mean = a.mean_before_min && a.mean_after_min ? *a.mean_after_min - *a.mean_before_min : 0.0;
        return std::pair<double, double>{std::abs(a.over_after - a.over_before), std::abs(mean)};
    };
    for (const auto& a : c.areas) {
        if ((a.scope == "commune" || a.scope == "zone") && (most == nullptr || change(a) > change(*most))) {
            most = &a;
        }
    }
    if (most != nullptr && (change(*most).first > 0 || change(*most).second > 0)) {
        out += fmt::format("  most changed: {} ({} → {} inhabitants beyond {:g} min, mean {} → {})\n",
                           most->name.empty() ? most->code : most->name, people(most->over_before),
                           people(most->over_after), c.threshold_min, minutes(most->mean_before_min),
                           minutes(most->mean_after_min));
    }
    out += fmt::format("  {} full search{} and {} limited to where new sites are faster; {} origin{} faster\n",
                       r.full_searches, r.full_searches == 1 ? "" : "es", r.pruned_searches, r.improved_origins,
                       r.improved_origins == 1 ? " is" : "s are");
    return out;
}

} // namespace proxima
