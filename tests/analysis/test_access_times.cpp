#include <random>

#include <catch2/catch.hpp>

#include "proxima/analysis/access_times.hpp"
#include "proxima/routing/point_routing.hpp"
#include "proxima_test/andorra_inputs.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;

TEST_CASE("access times equal the best point-to-point trip to (or from) any facility", "[analysis]") {
    const StudyInputs& in = test::andorra_with_smur();
    const AccessTable one = compute_access(in, 1);
    const AccessTable two = compute_access(in, 2);
    const AccessOptions access{in.study.network.access_kmh};
    std::mt19937_64 rng(test::random_seed());
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        const auto& service = in.services[s];
        const bool outbound = service.spec.direction == TravelDirection::from_service;
        for (int k = 0; k < 8; ++k) {
            const std::size_t o = rng() % in.origins.size();
            // Independent reference: one forward search per trip (proxima route), every facility.
            Deciseconds best = unreachable_ds;
            std::uint32_t nearest = invalid_index;
            for (std::uint32_t f = 0; f < service.snaps.size(); ++f) {
                const Trip t = outbound ? route(in.graph(), service.snaps[f], in.origins[o].snap, access)
                                        : route(in.graph(), in.origins[o].snap, service.snaps[f], access);
                if (t.ds < best) {
                    best = t.ds;
                    nearest = f;
                }
            }
            INFO(service.spec.id << " origin " << in.origins[o].id);
            REQUIRE(one.time_ds(s, o) == best);
            REQUIRE(two.time_ds(s, o) == best);
            REQUIRE(one.nearest(s, o) == two.nearest(s, o));
            if (best != unreachable_ds) {
                // The facility named nearest is one reached in that time.
                const Snap& f = service.snaps[one.nearest(s, o)];
                const Trip t = outbound ? route(in.graph(), f, in.origins[o].snap, access)
                                        : route(in.graph(), in.origins[o].snap, f, access);
                CHECK(t.ds == best);
                (void)nearest;
            }
        }
    }
}

TEST_CASE("Andorra: the emergency department is within 30 minutes of Andorra la Vella, not of Pas de la Casa",
          "[analysis]") {
    const StudyInputs& in = test::andorra_with_smur();
    const AccessTable t = compute_access(in);
    auto minutes = [&](const std::string& settlement) {
        for (std::size_t o = 0; o < in.origins.size(); ++o) {
            if (in.origins[o].id == settlement) {
                return t.time_ds(0, o) / 600.0;
            }
        }
        FAIL("no origin " << settlement);
        return 0.0;
    };
    // The hospital (Meritxell) is in Escaldes-Engordany, next to Andorra la Vella; Pas de la Casa
    // is over the Envalira pass, ~30 km of mountain road away.
    CHECK(minutes("Andorra la Vella") < 10);
    CHECK(minutes("Escaldes-Engordany") < 10);
    CHECK(minutes("El Pas de la Casa") > 25);
    CHECK(minutes("El Pas de la Casa") < 50);
}
