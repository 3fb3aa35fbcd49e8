// Scenarios checked against an independent reference: compute_access() on a copy of the study
// whose facility list was edited by hand (sites added, removed, moved) and snapped the way the
// study snaps facilities.

#include <algorithm>
#include <random>
#include <set>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "proxima/analysis/scenario.hpp"
#include "proxima/core/error.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/services.hpp"
#include "proxima_test/graphs.hpp"

using namespace proxima;

namespace {

const StudyInputs& andorra_urgences_pharmacie() {
    static const StudyInputs in = [] {
        StudyFile study = load_study(test::data_file("studies/andorra.toml"));
        study.network.graph.clear();  // no cache written from tests
        std::vector<ServiceSpec> kept;
        for (const auto& s : study.services) {
            if (s.id == "urgences" || s.id == "pharmacie") {
                kept.push_back(s);
            }
        }
        study.services = kept;
        return load_study_inputs(study);
    }();
    return in;
}

using test::service_index;

std::size_t origin_index(const StudyInputs& in, const std::string& id) {
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        if (in.origins[o].id == id) {
            return o;
        }
    }
    FAIL("no origin " << id);
    return 0;
}

/// The reference: the study with only `service`, whose facilities are the original ones minus
/// `removed` (ids), then `moved` (id -> new position, in order), then `added` (at the end);
/// snapped by an independent snapper; computed by compute_access().
struct ScenarioReference {
    std::vector<Deciseconds> ds;
    std::vector<std::string> nearest_id;  // empty if unreachable
};
ScenarioReference reference(const StudyInputs& in, std::size_t service, const std::vector<std::string>& removed,
                            const std::vector<std::pair<std::string, LonLat>>& moved, const std::vector<LonLat>& added) {
    StudyInputs copy = in;
    ServiceInputs sv = in.services[service];
    ServiceInputs edited = sv;
    edited.facilities.clear();
    edited.snaps.clear();
    for (std::size_t f = 0; f < sv.facilities.size(); ++f) {
        const auto& id = sv.facilities[f].id;
        const bool gone = std::find(removed.begin(), removed.end(), id) != removed.end() ||
                          std::any_of(moved.begin(), moved.end(), [&](const auto& m) { return m.first == id; });
        if (!gone) {
            edited.facilities.push_back(sv.facilities[f]);
            edited.snaps.push_back(sv.snaps[f]);
        }
    }
    std::vector<LonLat> positions;
    for (const auto& [id, p] : moved) {
        Facility f;
        f.id = id;
        f.position = p;
        edited.facilities.push_back(f);
        positions.push_back(p);
    }
    for (std::size_t i = 0; i < added.size(); ++i) {
        Facility f;
        f.id = fmt::format("added {}", i);
        f.position = added[i];
        edited.facilities.push_back(f);
        positions.push_back(added[i]);
    }
    const EdgeSnapper snapper(copy.graph());
    for (const auto& s : snapper.snap_all(positions, in.study.network.max_snap_m)) {
        REQUIRE(s.has_value());
        edited.snaps.push_back(*s);
    }
    copy.services = {edited};
    const AccessTable table = compute_access(copy);
    ScenarioReference r;
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        r.ds.push_back(table.time_ds(0, o));
        const auto f = table.nearest(0, o);
        r.nearest_id.push_back(f == invalid_index ? std::string() : edited.facilities[f].id);
    }
    return r;
}

/// Checks a scenario's after times (and nearest facilities, by id) against the reference.
void check_against(const StudyInputs& in, const ScenarioResult& r, const ScenarioReference& ref,
                   const std::vector<std::string>& added_names) {
    REQUIRE(r.after_ds.size() == ref.ds.size());
    const std::size_t first_added = r.facilities_after.size() - added_names.size();
    for (std::size_t o = 0; o < ref.ds.size(); ++o) {
        INFO("origin " << in.origins[o].id);
        REQUIRE(r.after_ds[o] == ref.ds[o]);
        if (ref.ds[o] == unreachable_ds) {
            CHECK(r.after_nearest[o] == invalid_index);
            continue;
        }
        const auto f = r.after_nearest[o];
        REQUIRE(f < r.facilities_after.size());
        // Added sites are named by the reference "added <i>".
        const std::string id =
            f >= first_added ? fmt::format("added {}", f - first_added) : r.facilities_after[f].id;
        CHECK(id == ref.nearest_id[o]);
    }
}

/// A synthetic study: a random graph, one zone, random origins and facilities.
StudyInputs synthetic_scenario(std::uint64_t seed, TravelDirection direction) {
    StudyInputs in;
    in.road_graph = std::make_shared<const RoadGraph>(test::random_graph(300, 900, seed));
    in.study.name = "synthetic";
    in.study.network.max_snap_m = 50000;
    Zone zone;
    zone.code = std::string(1, 'Z');  // (not = "Z": GCC 12 reports a false -Wrestrict on that)
    in.zones.zones = {zone};
    std::mt19937_64 rng(seed + 1);
    std::uniform_real_distribution<double> coord(0.0, 0.1);
    std::uniform_real_distribution<double> people(0.0, 100.0);
    const EdgeSnapper snapper(in.graph());
    for (int i = 0; i < 60; ++i) {
        const LonLat p{coord(rng), coord(rng)};
        in.origins.push_back({fmt::format("o{}", i), 0, p, people(rng), *snapper.snap(p, 1e6)});
    }
    ServiceInputs sv;
    sv.spec.id = "s";
    sv.spec.label = "synthetic service";
    sv.spec.threshold_min = 1.0;
    sv.spec.direction = direction;
    for (int i = 0; i < 6; ++i) {
        Facility f;
        f.id = fmt::format("f{}", i);
        f.position = {coord(rng), coord(rng)};
        sv.facilities.push_back(f);
        sv.snaps.push_back(*snapper.snap(f.position, 1e6));
    }
    in.services = {sv};
    return in;
}

} // namespace

TEST_CASE("SiteAccess from a service's facilities equals compute_access", "[analysis][scenario]") {
    const StudyInputs& in = andorra_urgences_pharmacie();
    const AccessTable table = compute_access(in);
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        const SiteAccess access(in, in.services[s].spec.direction, in.services[s].snaps);
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            INFO(in.services[s].spec.id << " " << in.origins[o].id);
            REQUIRE(access.origin_ds(o) == table.time_ds(s, o));
            CHECK(access.nearest(o) == table.nearest(s, o));
        }
    }
}

TEST_CASE("Andorra: an emergency site at Pas de la Casa, checked against a full recomputation", "[analysis][scenario]") {
    const StudyInputs& in = andorra_urgences_pharmacie();
    const std::size_t s = service_index(in, "urgences");
    const LonLat pas{1.7336, 42.5428};
    ScenarioSpec spec;
    spec.name = "pas";
    spec.add = {{"Pas de la Casa", pas}};
    const ScenarioResult r = run_scenario(in, s, spec);
    check_against(in, r, reference(in, s, {}, {}, {pas}), {"Pas de la Casa"});
    CHECK(r.full_searches == 1);
    CHECK(r.pruned_searches == 1);
    CHECK(r.improved_origins > 0);
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        CHECK(r.after_ds[o] <= r.before_ds[o]);  // adding never increases a time
    }
    const std::size_t o = origin_index(in, "El Pas de la Casa");
    CHECK(r.before_ds[o] > 30 * 600);
    CHECK(r.after_ds[o] < 5 * 600);

    // Before/after by area: El Pas de la Casa (3 063 inhabitants) was the only settlement beyond
    // 30 min; nobody is after.
    const ScenarioComparison c = compare_scenario(in, r);
    REQUIRE(c.areas.front().scope == "study");
    CHECK(c.areas.front().over_before == Approx(3063));
    CHECK(c.areas.front().over_after == 0);
    CHECK(*c.areas.front().mean_after_min < *c.areas.front().mean_before_min);
    const auto encamp = std::find_if(c.areas.begin(), c.areas.end(), [](const auto& a) { return a.name == "Encamp"; });
    REQUIRE(encamp != c.areas.end());
    CHECK(encamp->over_before == Approx(3063));
    CHECK(encamp->over_after == 0);
    const std::string text = format_scenario_summary(in, r, c);
    CHECK_THAT(text, Catch::Contains("3 063 fewer"));
}

TEST_CASE("Andorra: closing pharmacies, checked against a full recomputation, removing never decreases a time",
          "[analysis][scenario]") {
    const StudyInputs& in = andorra_urgences_pharmacie();
    const std::size_t s = service_index(in, "pharmacie");
    const auto& f = in.services[s].facilities;
    REQUIRE(f.size() >= 10);
    ScenarioSpec spec;
    spec.name = "close3";
    // The ids as in services.csv, one without its "osm:" prefix (accepted).
    spec.remove = {f[0].id, f[3].id.substr(4), f[9].id};
    REQUIRE(f[3].id.rfind("osm:", 0) == 0);
    const ScenarioResult r = run_scenario(in, s, spec);
    check_against(in, r, reference(in, s, {f[0].id, f[3].id, f[9].id}, {}, {}), {});
    CHECK(r.full_searches == 2);
    CHECK(r.facilities_after.size() == f.size() - 3);
    std::size_t slower = 0;
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        CHECK(r.after_ds[o] >= r.before_ds[o]);
        slower += r.after_ds[o] > r.before_ds[o] ? 1 : 0;
    }
    CHECK(slower > 0);  // the closures do matter to someone

    SECTION("closing every site leaves everyone unreachable (never 0)") {
        ScenarioSpec all;
        all.name = "none";
        for (const auto& facility : f) {
            all.remove.push_back(facility.id);
        }
        const ScenarioResult none = run_scenario(in, s, all);
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            CHECK(none.after_ds[o] == unreachable_ds);
        }
        const ScenarioComparison c = compare_scenario(in, none);
        CHECK_FALSE(c.areas.front().mean_after_min.has_value());
        CHECK(c.areas.front().over_after == Approx(c.areas.front().population));
        CHECK(c.areas.front().unreachable_after == Approx(c.areas.front().population));
    }
}

TEST_CASE("Andorra: moving a site equals removing it and adding one at the new place", "[analysis][scenario]") {
    const StudyInputs& in = andorra_urgences_pharmacie();
    const std::size_t s = service_index(in, "pharmacie");
    const auto& f = in.services[s].facilities;
    const LonLat ordino{1.5331, 42.5560};
    ScenarioSpec move;
    move.name = "move";
    move.move = {{f[2].id, ordino}};
    const ScenarioResult moved = run_scenario(in, s, move);
    ScenarioSpec both;
    both.name = "both";
    both.remove = {f[2].id};
    both.add = {{"new", ordino}};
    const ScenarioResult separate = run_scenario(in, s, both);
    CHECK(moved.after_ds == separate.after_ds);
    CHECK(moved.after_nearest == separate.after_nearest);
    check_against(in, moved, reference(in, s, {}, {{f[2].id, ordino}}, {}), {});
    REQUIRE(moved.changes.size() == 2);
    CHECK(moved.changes[0].kind == ScenarioSiteChange::Kind::moved_from);
    CHECK(moved.changes[1].kind == ScenarioSiteChange::Kind::moved_to);
}

TEST_CASE("scenarios refuse unknown facilities, sites off the network and empty changes", "[analysis][scenario]") {
    const StudyInputs& in = andorra_urgences_pharmacie();
    const std::size_t s = service_index(in, "urgences");
    ScenarioSpec spec;
    spec.name = "bad";
    spec.remove = {"osm:node/1"};
    CHECK_THROWS_AS(run_scenario(in, s, spec), InputError);
    CHECK_THROWS_WITH(run_scenario(in, s, spec), Catch::Contains("osm:node/1") && Catch::Contains("services.csv"));
    spec.remove.clear();
    spec.add = {{"Paris", {2.35, 48.85}}};
    CHECK_THROWS_AS(run_scenario(in, s, spec), InputError);
    CHECK_THROWS_WITH(run_scenario(in, s, spec), Catch::Contains("'Paris'") && Catch::Contains("from any road"));
    spec.add.clear();
    CHECK_THROWS_AS(run_scenario(in, s, spec), ConfigError);
    spec.add = {{"a", {1.53, 42.55}}, {"a", {1.54, 42.55}}};
    CHECK_THROWS_AS(run_scenario(in, s, spec), ConfigError);
    spec.add = {{"a", {1.53, 42.55}}};
    spec.name = "a b";
    CHECK_THROWS_AS(run_scenario(in, s, spec), ConfigError);
    spec.name = "twice";
    const std::string id = in.services[s].facilities[0].id;
    spec.remove = {id};
    spec.move = {{id, {1.53, 42.55}}};
    CHECK_THROWS_AS(run_scenario(in, s, spec), ConfigError);
}

TEST_CASE("synthetic graphs: random scenarios equal a full recomputation, both directions", "[analysis][scenario]") {
    for (const auto direction : {TravelDirection::to_service, TravelDirection::from_service}) {
        for (std::uint64_t round = 0; round < 6; ++round) {
            const StudyInputs in = synthetic_scenario(test::random_seed() + round, direction);
            std::mt19937_64 rng(test::random_seed() + 100 + round);
            std::uniform_real_distribution<double> coord(0.0, 0.1);
            const auto& f = in.services[0].facilities;
            ScenarioSpec spec;
            spec.name = "random";
            std::vector<std::string> removed;
            std::vector<std::pair<std::string, LonLat>> moved;
            std::vector<LonLat> added;
            std::vector<std::string> names;
            for (std::size_t i = 0; i < f.size(); ++i) {
                const auto what = rng() % 4;
                if (what == 0) {
                    spec.remove.push_back(f[i].id);
                    removed.push_back(f[i].id);
                } else if (what == 1) {
                    const LonLat p{coord(rng), coord(rng)};
                    spec.move.push_back({f[i].id, p});
                    moved.emplace_back(f[i].id, p);
                }
            }
            const int adds = static_cast<int>(rng() % 4);
            for (int i = 0; i < adds; ++i) {
                const LonLat p{coord(rng), coord(rng)};
                spec.add.push_back({fmt::format("n{}", i), p});
                added.push_back(p);
                names.push_back(fmt::format("n{}", i));
            }
            if (spec.add.empty() && spec.remove.empty() && spec.move.empty()) {
                spec.add.push_back({"n0", {0.05, 0.05}});
                added.push_back({0.05, 0.05});
                names.push_back("n0");
            }
            INFO("direction " << (direction == TravelDirection::to_service ? "to" : "from") << ", round " << round);
            const ScenarioResult r = run_scenario(in, 0, spec);
            check_against(in, r, reference(in, 0, removed, moved, added), names);
            if (spec.remove.empty() && spec.move.empty()) {
                for (std::size_t o = 0; o < in.origins.size(); ++o) {
                    CHECK(r.after_ds[o] <= r.before_ds[o]);
                }
            }
        }
    }
}

TEST_CASE("the pruned search settles fewer nodes than a full one where existing sites are dense", "[analysis][scenario]") {
    const StudyInputs& in = andorra_urgences_pharmacie();
    const std::size_t s = service_index(in, "pharmacie");
    ScenarioSpec spec;
    spec.name = "one";
    spec.add = {{"Ordino", {1.5331, 42.5560}}};
    const ScenarioResult r = run_scenario(in, s, spec);
    const std::size_t full = SiteAccess(in, TravelDirection::to_service, in.services[s].snaps).settled_nodes();
    const std::size_t pruned = r.settled_nodes - full;
    INFO("full search " << full << " nodes, pruned search " << pruned << " nodes");
    CHECK(pruned * 4 < full);
}

TEST_CASE("Riviera: before/after by commune, EPCI and département, recomputed from the origins", "[analysis][scenario]") {
    static const StudyInputs in = [] {
        StudyFile study = load_study(test::data_file("studies/riviera.toml"));
        study.network.graph.clear();
        std::vector<ServiceSpec> kept;
        for (const auto& s : study.services) {
            if (s.id == "urgences") {
                kept.push_back(s);
                kept.back().threshold_min = 10;
            }
        }
        study.services = kept;
        return load_study_inputs(study);
    }();
    REQUIRE(in.communes.has_value());
    // Close the cardiac centre in Monaco, open a site in La Turbie.
    ScenarioSpec spec;
    spec.name = "turbie";
    spec.remove = {in.services[0].facilities[0].id};
    spec.add = {{"La Turbie", {7.4007, 43.7447}}};
    const ScenarioResult r = run_scenario(in, 0, spec);
    check_against(in, r, reference(in, 0, spec.remove, {}, {{7.4007, 43.7447}}), {"La Turbie"});
    const ScenarioComparison c = compare_scenario(in, r);
    std::set<std::string> scopes;
    for (const auto& a : c.areas) {
        scopes.insert(a.scope);
        // The reference: every origin of the area, directly.
        double population = 0;
        double over_before = 0;
        double over_after = 0;
        double weighted_before = 0;
        double weighted_after = 0;
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            const std::size_t z = in.origins[o].zone;
            const Commune& commune = in.communes->communes()[in.join.commune_of_zone[z]];
            const bool inside = a.scope == "study" || (a.scope == "commune" && in.zones.zones[z].code == a.code) ||
                                (a.scope == "epci" && commune.epci_siren == a.code) ||
                                (a.scope == "departement" && commune.departement == a.code);
            if (!inside) {
                continue;
            }
            const double p = in.origins[o].population;
            population += p;
            over_before += r.before_ds[o] > 10 * 600 ? p : 0;
            over_after += r.after_ds[o] > 10 * 600 ? p : 0;
            weighted_before += p * r.before_ds[o] / 600.0;
            weighted_after += p * r.after_ds[o] / 600.0;
        }
        INFO(a.scope << " " << a.code);
        CHECK(a.population == Approx(population));
        CHECK(a.over_before == Approx(over_before));
        CHECK(a.over_after == Approx(over_after));
        REQUIRE(a.mean_before_min.has_value());
        CHECK(*a.mean_before_min == Approx(weighted_before / population));
        CHECK(*a.mean_after_min == Approx(weighted_after / population));
    }
    CHECK(scopes == std::set<std::string>{"study", "departement", "epci", "commune"});
}
