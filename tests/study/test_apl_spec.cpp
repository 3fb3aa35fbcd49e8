// The APL settings of a study file: indicator = "apl" and [services.<id>.apl], with the errors a
// planner can act on (key, line, what to write).

#include <catch2/catch.hpp>

#include "proxima/core/error.hpp"
#include "proxima/study/study_file.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

namespace {

const std::string head = R"([study]
name = "t"
[network]
osm = "x.osm.pbf"
[zones]
file = "z.geojson"
[services]
use = ["medecin"]
)";

StudyFile parse(const std::string& services) { return parse_study(head + services, "/data/study.toml"); }

std::string refusal(const std::string& services) {
    try {
        (void)parse(services);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "(accepted)";
}

} // namespace

TEST_CASE("a service without APL settings gets DREES's defaults and is not computed by run", "[study][apl]") {
    const StudyFile s = parse("");
    REQUIRE(s.services.size() == 1);
    const ServiceSpec& m = s.services[0];
    CHECK_FALSE(m.apl_in_run);
    CHECK(m.apl.decay == AplSpec::Decay::bands);
    CHECK(m.apl.band_upper_min == std::vector<double>{10, 15, 20});
    CHECK(m.apl.band_weight == std::vector<double>{1.0, 2.0 / 3.0, 1.0 / 3.0});
    CHECK(m.apl.supply_field.empty());
    CHECK(m.apl.per_inhabitants == 1);
    CHECK(m.apl.threshold == 2.5);
    CHECK(apl_unit(m.apl) == "site per inhabitant");
    CHECK(apl_scale_suffix(m.apl) == "per_inh");
}

TEST_CASE("indicator and [services.<id>.apl] are read, only the keys given overriding", "[study][apl]") {
    const StudyFile s = parse(R"(
[services.medecin]
indicator = "apl"
[services.medecin.apl]
bands_min = [5, 10, 30]
weights = [1, 0.5, 0.1]
supply_field = "etp"
supply_unit = "ETP"
per_inhabitants = 100000
threshold = 60
)");
    const ServiceSpec& m = s.services[0];
    CHECK(m.apl_in_run);
    CHECK(m.threshold_min == 10);  // the catalogue's, untouched
    CHECK(m.apl.band_upper_min == std::vector<double>{5, 10, 30});
    CHECK(m.apl.band_weight == std::vector<double>{1, 0.5, 0.1});
    CHECK(m.apl.supply_field == "etp");
    CHECK(apl_unit(m.apl) == "ETP per 100000 inhabitants");
    CHECK(apl_scale_suffix(m.apl) == "per_100000_inh");
    CHECK(m.apl.threshold == 60);
    CHECK(apl_reach_min(m.apl) == 30);

    const StudyFile g = parse(R"(
[services.medecin.apl]
decay = "gaussian"
max_min = 25
)");
    CHECK(g.services[0].apl.decay == AplSpec::Decay::gaussian);
    CHECK(g.services[0].apl.max_min == 25);
    CHECK(apl_reach_min(g.services[0].apl) == 25);
    CHECK(parse("[services.medecin]\nindicator = \"time\"\n").services[0].apl_in_run == false);
}

TEST_CASE("bad APL settings are refused naming the key, the line and the fix", "[study][apl]") {
    CHECK_THAT(refusal("[services.medecin]\nindicator = \"apl2\"\n"),
               Contains("study.toml:10") && Contains("indicator' must be \"time\"") && Contains("\"apl\""));
    CHECK_THAT(refusal("[services.medecin]\napl = 3\n"), Contains("'services.medecin.apl' must be a table"));
    CHECK_THAT(refusal("[services.medecin.apl]\ndecay = \"exponential\"\n"),
               Contains("study.toml:10") && Contains("\"bands\", \"linear\" or \"gaussian\""));
    CHECK_THAT(refusal("[services.medecin.apl]\nbands_min = [10, 20]\n"), Contains("go together"));
    CHECK_THAT(refusal("[services.medecin.apl]\nbands_min = [20, 10]\nweights = [1, 0.5]\n"),
               Contains("study.toml:9") && Contains("must increase"));
    CHECK_THAT(refusal("[services.medecin.apl]\nbands_min = [10, \"x\"]\nweights = [1, 0.5]\n"),
               Contains("must be a number"));
    CHECK_THAT(refusal("[services.medecin.apl]\ndecay = \"linear\"\nbands_min = [10]\nweights = [1]\n"),
               Contains("goes with decay = \"bands\""));
    CHECK_THAT(refusal("[services.medecin.apl]\nmax_min = 20\n"), Contains("goes with decay = \"linear\""));
    CHECK_THAT(refusal("[services.medecin.apl]\nper_inhabitants = 500\n"), Contains("give 1, 1000, 10000"));
    CHECK_THAT(refusal("[services.medecin.apl]\nthreshold = -1\n"), Contains("threshold"));
    CHECK_THAT(refusal("[services.medecin.apl]\nsupply_field = \"\"\n"), Contains("supply_field' is empty"));
    CHECK_THAT(refusal("[services.medecin.apl]\nsupply = \"etp\"\n"),
               Contains("unknown key 'services.medecin.apl.supply'") && Contains("supply_field"));
}

TEST_CASE("the Andorra sample computes the doctors' APL, 1 per site, per 100 000 inhabitants", "[study][apl]") {
    const StudyFile s = load_study(test::data_file("studies/andorra.toml"));
    const ServiceSpec* medecin = nullptr;
    for (const auto& sv : s.services) {
        if (sv.id == "medecin") {
            medecin = &sv;
        }
    }
    REQUIRE(medecin != nullptr);
    CHECK(medecin->apl_in_run);
    CHECK(medecin->apl.supply_field.empty());
    CHECK(medecin->apl.per_inhabitants == 100000);
    CHECK(medecin->apl.band_upper_min == std::vector<double>{10, 15, 20});
}
