// The scenario and siting jobs (run/scenario_job.hpp, run/siting_job.hpp) on the Andorra sample:
// what they write, that their tables agree with each other and with `proxima run`, and that a bad
// request leaves nothing behind.

#include <algorithm>
#include <fstream>
#include <limits>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "proxima/core/error.hpp"
#include "proxima/report/run_maps.hpp"
#include "proxima/run/run_study.hpp"
#include "proxima/run/comparison_maps.hpp"
#include "proxima/run/scenario_job.hpp"
#include "proxima/run/siting_job.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/outputs.hpp"

using namespace proxima;
using Catch::Matchers::Contains;
using test::read_csv_rows;

namespace {

using test::number;
using test::read_json;

/// The study-wide row of an areas table.
std::map<std::string, std::string> study_row(const std::filesystem::path& csv) {
    for (const auto& row : read_csv_rows(csv)) {
        if (row.at("scope") == "study") {
            return row;
        }
    }
    FAIL("no study row in " << csv);
    return {};
}

} // namespace

TEST_CASE("scenario job: a new site in Canillo, the hospital closed and moved back, tables agree", "[run]") {
    test::TempDir dir("scenario-job");
    const StudyFile study = test::andorra_study(dir.path());
    ScenarioJob job;
    job.service = "urgences";
    job.spec.name = "canillo";
    job.spec.add.push_back({"Canillo", LonLat{1.5977647, 42.5668305}});
    const std::size_t contexts_before = map_contexts_made();
    const ScenarioJobResult r = run_scenario_job(study, job, Log{});
    // The before, after and gain maps share one map context (zones, roads, places converted once).
    CHECK(map_contexts_made() == contexts_before + 1);

    // The default folder beside the study's output, and every file it lists.
    CHECK(r.dir == dir.path() / "andorra-scenario-canillo");
    // The tables by scale: the study's and the zones' (Andorra's parishes have no EPCI or
    // département); the maps before, after and of the minutes gained.
    const std::vector<std::string> expected = {
        "scenario.gpkg",           "sites_canillo.csv", "origins_canillo.csv", "areas_canillo.csv",
        "areas_canillo_study.csv", "areas_canillo_zones.csv", "maps/before.png", "maps/after.png",
        "maps/gain.png",           "scenario.json"};
    CHECK(r.files == expected);
    for (const auto& f : r.files) {
        CHECK(std::filesystem::file_size(r.dir / f) > 0);
    }
    CHECK_THAT(r.summary, Contains("Scenario 'canillo'"));

    // Opening a site never lengthens a trip; every origin row has a before and an after.
    const auto origins = read_csv_rows(r.dir / "origins_canillo.csv");
    REQUIRE(!origins.empty());
    double over_before = 0;
    double over_after = 0;
    for (const auto& o : origins) {
        const double before = number(o.at("before_min"));
        const double after = number(o.at("after_min"));
        CHECK(after <= before);
        const double pop = number(o.at("population"));
        over_before += before > 30 ? pop : 0.0;
        over_after += after > 30 ? pop : 0.0;
    }
    // The study row of the areas table is the sum over origins, and scenario.json says the same.
    const auto row = study_row(r.dir / "areas_canillo.csv");
    CHECK(number(row.at("pop_over_before")) == Approx(over_before).margin(0.5));
    CHECK(number(row.at("pop_over_after")) == Approx(over_after).margin(0.5));
    CHECK(over_after < over_before);
    const auto manifest = read_json(r.dir / "scenario.json");
    CHECK(manifest["study_summary"]["pop_over_before"].get<double>() == Approx(over_before).margin(0.5));
    CHECK(manifest["study_summary"]["pop_over_after"].get<double>() == Approx(over_after).margin(0.5));
    CHECK(manifest["service"]["facilities_after"] == manifest["service"]["facilities_before"].get<int>() + 1);
    CHECK(manifest["outputs"].size() == r.files.size());

    // "Before" is what `proxima run` computes for the same service.
    RunOptions options;
    options.output_dir = dir.path() / "run";
    options.only_services = {"urgences"};
    options.maps = false;
    options.rasters = false;
    const RunSummary run = run_study(study, options);
    CHECK(run.services.at(0).population_over == Approx(over_before).margin(0.5));

    // Closing the only hospital: every origin becomes unreachable (NULL), none gets 0.
    ScenarioJob closing;
    closing.service = "urgences";
    closing.spec.name = "closed";
    const auto services = read_csv_rows(dir.path() / "run" / "services.csv");
    REQUIRE(services.size() == 1);
    closing.spec.remove.push_back(services[0].at("id"));
    const ScenarioJobResult c = run_scenario_job(study, closing, Log{});
    for (const auto& o : read_csv_rows(c.dir / "origins_closed.csv")) {
        CHECK(o.at("after_min").empty());
    }
    CHECK(number(study_row(c.dir / "areas_closed.csv").at("pop_unreachable_after")) ==
          Approx(number(study_row(c.dir / "areas_closed.csv").at("population"))));
}

TEST_CASE("scenario job: a bad request fails before any folder exists, force replaces a result", "[run]") {
    test::TempDir dir("scenario-job-errors");
    const StudyFile study = test::andorra_study(dir.path());
    ScenarioJob job;
    job.service = "urgences";
    job.spec.name = "nothing";
    job.spec.remove.push_back("osm:node/1");  // not a site of the study
    CHECK_THROWS_WITH(run_scenario_job(study, job, Log{}), Contains("is not a facility of service 'urgences'"));
    CHECK_FALSE(std::filesystem::exists(dir.path() / "andorra-scenario-nothing"));

    job.spec.remove.clear();
    job.service = "boulangerie";
    CHECK_THROWS_AS(run_scenario_job(study, job, Log{}), ConfigError);

    job.service = "pharmacie";
    job.spec.add.push_back({"Soldeu", LonLat{1.6698, 42.5766}});
    const auto first = run_scenario_job(study, job, Log{});
    CHECK_THROWS_AS(run_scenario_job(study, job, Log{}), OutputError);  // exists, no force
    job.force = true;
    const auto again = run_scenario_job(study, job, Log{});
    CHECK(again.files == first.files);
}

TEST_CASE("siting job: the curve starts at today's coverage, grows with each site and ends where the "
          "final situation is",
          "[run]") {
    test::TempDir dir("siting-job");
    const StudyFile study = test::andorra_study(dir.path());
    SitingJob job;
    job.service = "pharmacie";
    job.k = 2;
    job.candidates = "communes";
    job.compare_exhaustive = true;
    const ScenarioJobResult r = run_siting_job(study, job, Log{});
    CHECK(r.dir == dir.path() / "andorra-site-pharmacie");
    for (const auto& f : r.files) {
        CHECK(std::filesystem::file_size(r.dir / f) > 0);
    }

    const auto sites = read_csv_rows(r.dir / "sites.csv");
    const auto curve = read_csv_rows(r.dir / "curve.csv");
    REQUIRE(!sites.empty());
    REQUIRE(curve.size() == sites.size() + 1);
    for (std::size_t i = 1; i < curve.size(); ++i) {
        CHECK(number(curve[i].at("covered")) >= number(curve[i - 1].at("covered")));
        CHECK(number(curve[i].at("covered")) ==
              Approx(number(curve[i - 1].at("covered")) + number(sites[i - 1].at("gain_covered"))).margin(0.2));
        CHECK(sites[i - 1].at("rank") == std::to_string(i));
    }

    // Today's coverage is the population `proxima run` finds within the threshold.
    RunOptions options;
    options.output_dir = dir.path() / "run";
    options.only_services = {"pharmacie"};
    options.maps = false;
    options.rasters = false;
    const RunSummary run = run_study(study, options);
    const auto& today = run.services.at(0);
    CHECK(number(curve[0].at("covered")) == Approx(today.population - today.population_over).margin(0.5));

    // The final situation (the chosen sites opened, one more search) covers what the curve ends at.
    const auto row = study_row(r.dir / "areas.csv");
    CHECK(number(row.at("population")) - number(row.at("pop_over_after")) ==
          Approx(number(curve.back().at("covered"))).margin(0.5));

    // The exhaustive optimum is at least the greedy gain, and the ratio is recorded.
    const auto manifest = read_json(r.dir / "siting.json");
    REQUIRE(manifest.contains("exhaustive"));
    CHECK(manifest["exhaustive"]["optimum_gain"].get<double>() >=
          manifest["exhaustive"]["greedy_gain"].get<double>() - 1e-9);
    CHECK(manifest["chosen"].size() == sites.size());
}

TEST_CASE("siting job: the first sites of a service that has none yet", "[run]") {
    // France Services: no site mapped in Andorra. Today nobody is covered; the job chooses the
    // first sites instead of refusing, and says where they are.
    test::TempDir dir("siting-first");
    StudyFile study = test::andorra_study(dir.path());
    for (const auto& spec : builtin_service_catalogue()) {
        if (spec.id == "france_services") {
            study.services.push_back(spec);
        }
    }
    REQUIRE(study.services.back().id == "france_services");
    SitingJob job;
    job.service = "france_services";
    job.k = 2;
    job.candidates = "communes";
    const ScenarioJobResult r = run_siting_job(study, job, Log{});
    CHECK_THAT(r.summary, Contains("today: no site yet, nobody within"));

    const auto curve = read_csv_rows(r.dir / "curve.csv");
    const auto sites = read_csv_rows(r.dir / "sites.csv");
    REQUIRE(curve.size() == 3);
    REQUIRE(sites.size() == 2);
    CHECK(number(curve[0].at("covered")) == 0);
    CHECK(number(curve[1].at("covered")) > 0.5 * 81362);  // the first site covers most of the country
    for (const auto& site : sites) {
        CHECK_FALSE(site.at("zone_name").empty());           // a parish holds each candidate
        CHECK(number(site.at("lon")) == Approx(1.55).margin(0.2));
        CHECK(number(site.at("lat")) == Approx(42.55).margin(0.1));
    }
    const auto manifest = read_json(r.dir / "siting.json");
    CHECK(manifest["service"]["existing_sites"] == 0);
}

TEST_CASE("siting job: bad parameters are refused before any work", "[run]") {
    test::TempDir dir("siting-job-errors");
    const StudyFile study = test::andorra_study(dir.path());
    SitingJob job;
    job.service = "pharmacie";
    job.candidates = "communes";
    job.k = 0;
    CHECK_THROWS_AS(run_siting_job(study, job, Log{}), ConfigError);
    job.k = 2;
    job.cap_min = 0;
    CHECK_THROWS_AS(run_siting_job(study, job, Log{}), ConfigError);
    job.cap_min = 60;
    job.candidates = (dir.path() / "no-such-file.csv").string();
    CHECK_THROWS_AS(run_siting_job(study, job, Log{}), InputError);
    CHECK_THROWS_WITH(parse_siting_objective("fastest"), Contains("coverage, mean-time or apl"));
    CHECK_FALSE(std::filesystem::exists(dir.path() / "andorra-site-pharmacie"));
}

TEST_CASE("gain map values: minutes saved, first access and lost access, threshold crossings", "[run]") {
    CHECK(minutes_saved(6000, 3000) == Approx(5.0));  // 10 min -> 5 min
    CHECK(minutes_saved(3000, 6000) == Approx(-5.0));
    CHECK(*minutes_saved(unreachable_ds, 3000) == std::numeric_limits<double>::infinity());
    CHECK(*minutes_saved(3000, unreachable_ds) == -std::numeric_limits<double>::infinity());
    CHECK_FALSE(minutes_saved(unreachable_ds, unreachable_ds).has_value());
    const auto classes = gain_map_classes();
    CHECK(classes[value_class_of(classes, 0.0)].label == "inchangé");
    CHECK(classes[value_class_of(classes, -std::numeric_limits<double>::infinity())].label == "plus long");
    CHECK(value_class_of(classes, std::numeric_limits<double>::infinity()) == classes.size() - 1);
    CHECK(value_class_of(classes, 7.0) == 4);

    // El Pas de la Casa gets its own emergency department: its 3 063 inhabitants pass under 30 min.
    test::TempDir dir("gain-crossings");
    StudyFile study = test::andorra_study(dir.path());
    study.network.graph.clear();
    study = select_services(study, {"urgences"}, std::nullopt);
    const StudyInputs in = load_study_inputs(study);
    ScenarioSpec spec;
    spec.name = "pas";
    spec.add.push_back({"Pas", LonLat{1.7334940, 42.5447098}});
    const ScenarioResult r = run_scenario(in, 0, spec);
    const ThresholdCrossings c = threshold_crossings(in, r, 30.0);
    CHECK(c.now_within == 3063);
    CHECK(c.now_beyond == 0);
}
