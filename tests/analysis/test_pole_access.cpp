// Access to the pole levels on the Andorra sample: the times to the pôles intermédiaires equal
// those of the study's own pole_intermediaire service (same destinations, another code path),
// and every origin's level is the highest gamme within its threshold.

#include <catch2/catch.hpp>

#include "proxima/analysis/access_times.hpp"
#include "proxima/analysis/aggregation.hpp"
#include "proxima/analysis/pole_access.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;

TEST_CASE("pole access: times per gamme, the highest level within its threshold", "[analysis][poles]") {
    StudyFile study = load_study(test::data_file("studies/andorra.toml"));
    study.network.graph.clear();
    const StudyInputs in = load_study_inputs(study);
    REQUIRE(in.poles.has_value());
    const AccessTable access = compute_access(in);
    const PoleAccess poles = compute_pole_access(in, 2);
    REQUIRE(poles.gammes.size() == 3);  // the OSM approximation defines all three gammes
    CHECK(poles.gammes[0] == Gamme::proximite);
    CHECK(poles.gammes[2] == Gamme::superieure);
    CHECK(poles.threshold_min == std::vector<double>{10, 20, 30});  // the catalogue's pole services
    REQUIRE(poles.level.size() == in.origins.size());

    std::size_t service = in.services.size();
    for (std::size_t s = 0; s < in.services.size(); ++s) {
        if (in.services[s].spec.id == "pole_intermediaire") {
            service = s;
        }
    }
    REQUIRE(service < in.services.size());
    std::size_t reached = 0;
    for (std::size_t o = 0; o < in.origins.size(); ++o) {
        INFO("origin " << in.origins[o].id);
        CHECK(poles.times.time_ds(1, o) == access.time_ds(service, o));
        int expected = -1;
        for (std::size_t k = 0; k < poles.gammes.size(); ++k) {
            const auto minutes = minutes_of(poles.times.time_ds(k, o));
            if (minutes && *minutes <= poles.threshold_min[k]) {
                expected = static_cast<int>(k);
            }
        }
        CHECK(poles.level[o] == expected);
        reached += poles.level[o] >= 0 ? 1 : 0;
    }
    CHECK(reached > in.origins.size() / 2);

    // Same inputs, same times whatever the thread count.
    const PoleAccess one = compute_pole_access(in, 1);
    CHECK(one.level == poles.level);
}
