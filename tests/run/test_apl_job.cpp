// The APL on the Andorra sample through the jobs: `proxima apl` (run/apl_job.hpp), `proxima run`
// with indicator = "apl", `proxima scenario --apl` and `proxima site --objective apl`: what they
// write, that the tables agree with the conservation identity and with each other, that the
// supply assumption is stated, and that bad requests leave nothing behind.

#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "proxima/core/error.hpp"
#include "proxima/run/apl_job.hpp"
#include "proxima/run/run_study.hpp"
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

/// Folders left in `dir` other than those listed (temporary or half-written results).
std::vector<std::string> entries(const std::filesystem::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// The Andorra study with a doctors' service read from a CSV file with a supply column.
StudyFile with_doctors_file(const std::filesystem::path& scratch, const std::string& rows) {
    StudyFile s = test::andorra_study(scratch);
    const auto csv = scratch / "cabinets.csv";
    std::ofstream(csv) << "id,name,lon,lat,etp\n" << rows;
    ServiceSpec cabinets;
    cabinets.id = "cabinet";
    cabinets.label = "Cabinets de médecine générale";
    cabinets.threshold_min = 10;
    cabinets.files.push_back({csv, PointFileOptions{}});
    cabinets.files.back().options.crs = "EPSG:4326";
    cabinets.apl.supply_field = "etp";
    cabinets.apl.supply_unit = "ETP";
    cabinets.apl.per_inhabitants = 100000;
    cabinets.apl.threshold = 60;
    s.services.push_back(cabinets);
    return s;
}

} // namespace

TEST_CASE("apl job, Andorra doctors: files, the supply assumption stated, conservation in the tables", "[run][apl]") {
    test::TempDir dir("apl-job");
    const StudyFile study = test::andorra_study(dir.path());
    AplJob job;
    job.service = "medecin";
    const ScenarioJobResult r = run_apl_job(study, job, Log{});
    CHECK(r.dir == dir.path() / "andorra-apl-medecin");
    const std::vector<std::string> expected = {"apl.gpkg",  "zones.csv", "origins.csv", "sites.csv",
                                               "areas.csv", "maps/apl_medecin.png", "apl.json"};
    CHECK(r.files == expected);
    for (const auto& f : r.files) {
        CHECK(std::filesystem::file_size(r.dir / f) > 0);
    }
    CHECK_THAT(r.summary, Contains("1 per site (assumption") && Contains("conservation"));

    const auto manifest = read_json(r.dir / "apl.json");
    CHECK(manifest["conservation"]["holds"].get<bool>());
    CHECK(manifest["conservation"]["relative_residual"].get<double>() < 1e-9);
    CHECK(manifest["conservation"]["sum_supply_reached"].get<double>() == 4.0);
    CHECK_THAT(manifest["supply"]["assumption"].get<std::string>(), Contains("1 per site"));
    CHECK(manifest["supply"]["column"].is_null());
    CHECK(manifest["decay"]["weights"].size() == 3);
    CHECK(manifest["indicator"]["unit"] == "site per 100000 inhabitants");
    CHECK(manifest.contains("proxima_version"));

    // Σ population × APL (per 100 000) / 100 000 = the 4 sites' supply, from the written table.
    double total = 0.0;
    double under = 0.0;
    double population = 0.0;
    for (const auto& o : read_csv_rows(r.dir / "origins.csv")) {
        const double pop = number(o.at("population"));
        const double apl = number(o.at("apl_per_100000_inh"));
        total += pop * apl / 100000;
        population += pop;
        under += o.at("under") == "1" ? pop : 0.0;
        CHECK((o.at("under") == "1") == (apl < 2.5));
        CHECK((o.at("nearest_min").empty()) == (o.at("sites_within") == "0"));  // NULL: no site within reach
        if (o.at("sites_within") == "0") {
            CHECK(apl == 0.0);
        }
    }
    CHECK(total == Approx(4.0).epsilon(1e-4));
    const auto areas = read_csv_rows(r.dir / "areas.csv");
    REQUIRE(areas.front().at("scope") == "study");
    CHECK(number(areas.front().at("pop_under")) == Approx(under).margin(0.5));
    CHECK(number(areas.front().at("population")) == Approx(population).margin(0.5));
    for (const auto& s : read_csv_rows(r.dir / "sites.csv")) {
        CHECK(s.at("supply_site") == "1");
        CHECK(s.at("supply_assumed") == "1");
        CHECK(!s.at("ratio_per_100000_inh").empty());
    }
}

TEST_CASE("apl job: an unknown service, a supply column the sites lack or a bad supply leave nothing behind",
          "[run][apl]") {
    test::TempDir dir("apl-job-errors");
    const StudyFile study = test::andorra_study(dir.path());
    AplJob job;
    job.service = "boulangerie";
    CHECK_THROWS_AS(run_apl_job(study, job, Log{}), ConfigError);
    job.service = "medecin";
    job.threshold = -2;
    CHECK_THROWS_WITH(run_apl_job(study, job, Log{}), Contains("threshold"));
    job.threshold.reset();
    // OpenStreetMap doctors have no supply column.
    job.supply_field = "etp";
    CHECK_THROWS_WITH(run_apl_job(study, job, Log{}), Contains("come from OpenStreetMap") && Contains("'etp'"));
    CHECK(entries(dir.path()) == std::vector<std::string>{"andorra.pxg"});

    // A facility file whose supply is not a number: file, line, value.
    const StudyFile bad = with_doctors_file(dir.path(), "a,A,1.5218,42.5063,1\nb,B,1.5344,42.5096,un\n");
    job.service = "cabinet";
    job.supply_field.reset();
    CHECK_THROWS_WITH(run_apl_job(bad, job, Log{}), Contains("cabinets.csv:3") && Contains("'un'"));
    CHECK_FALSE(std::filesystem::exists(dir.path() / "andorra-apl-cabinet"));

    // The same file fixed: the supply is read and conserved.
    const StudyFile good = with_doctors_file(dir.path(), "a,A,1.5218,42.5063,1\nb,B,1.5344,42.5096,2.5\n");
    const auto r = run_apl_job(good, job, Log{});
    const auto manifest = read_json(r.dir / "apl.json");
    CHECK(manifest["supply"]["column"] == "etp");
    CHECK(manifest["supply"]["assumption"].is_null());
    CHECK(manifest["conservation"]["sum_supply_total"].get<double>() == 3.5);
    CHECK(manifest["conservation"]["holds"].get<bool>());
    const auto sites = read_csv_rows(r.dir / "sites.csv");
    REQUIRE(sites.size() == 2);
    CHECK(sites[1].at("supply_etp") == "2.5");
    CHECK(sites[1].at("supply_assumed") == "0");
}

TEST_CASE("run computes the APL of the services with indicator = apl, as the apl job does", "[run][apl]") {
    test::TempDir dir("apl-run");
    const StudyFile study = test::andorra_study(dir.path());
    RunOptions options;
    options.output_dir = dir.path() / "run";
    options.only_services = {"pharmacie", "medecin"};
    options.rasters = false;
    const RunSummary summary = run_study(study, options);
    for (const char* f : {"apl_medecin.csv", "apl_origins_medecin.csv", "apl_sites_medecin.csv",
                          "apl_areas_medecin.csv", "maps/apl_medecin.png"}) {
        INFO(f);
        CHECK(std::find(summary.files.begin(), summary.files.end(), f) != summary.files.end());
        CHECK(std::filesystem::exists(options.output_dir / f));
    }
    CHECK_FALSE(std::filesystem::exists(options.output_dir / "apl_pharmacie.csv"));  // indicator "time"
    CHECK_THAT(format_run_summary(summary), Contains("APL Médecin généraliste") && Contains("assumption"));
    const auto manifest = read_json(options.output_dir / "run.json");
    REQUIRE(manifest["apl"].size() == 1);
    CHECK(manifest["apl"][0]["service"]["id"] == "medecin");
    CHECK(manifest["apl"][0]["conservation"]["holds"].get<bool>());

    AplJob job;
    job.service = "medecin";
    job.maps = false;
    const auto r = run_apl_job(study, job, Log{});
    CHECK(read_csv_rows(r.dir / "zones.csv") == read_csv_rows(options.output_dir / "apl_medecin.csv"));
    CHECK(read_csv_rows(r.dir / "areas.csv") == read_csv_rows(options.output_dir / "apl_areas_medecin.csv"));
}

TEST_CASE("scenario --apl: a doctor opened in Canillo raises its APL, both situations conserve supply", "[run][apl]") {
    test::TempDir dir("apl-scenario");
    const StudyFile study = test::andorra_study(dir.path());
    ScenarioJob job;
    job.service = "medecin";
    job.spec.name = "canillo";
    job.spec.add.push_back({"Canillo", LonLat{1.5977647, 42.5668305}});
    job.apl = true;
    const auto r = run_scenario_job(study, job, Log{});
    CHECK(std::find(r.files.begin(), r.files.end(), "apl_areas_canillo.csv") != r.files.end());
    CHECK_THAT(r.summary, Contains("APL (site per 100000 inhabitants)"));
    const auto manifest = read_json(r.dir / "scenario.json");
    CHECK(manifest["apl"]["conservation"]["before_relative_residual"].get<double>() < 1e-9);
    CHECK(manifest["apl"]["conservation"]["after_relative_residual"].get<double>() < 1e-9);
    bool canillo = false;
    for (const auto& row : read_csv_rows(r.dir / "apl_areas_canillo.csv")) {
        if (row.at("nom") == "Canillo") {
            canillo = true;
            CHECK(number(row.at("apl_after_per_100000_inh")) > number(row.at("apl_before_per_100000_inh")));
            CHECK(number(row.at("pop_under_after")) <= number(row.at("pop_under_before")));
        }
    }
    CHECK(canillo);

    job.apl = false;
    job.new_supply = 2;
    job.force = true;
    CHECK_THROWS_WITH(run_scenario_job(study, job, Log{}), Contains("go with --apl"));
}

TEST_CASE("site --objective apl: the figures written are those of a full APL computation with the chosen sites",
          "[run][apl]") {
    test::TempDir dir("apl-site");
    const StudyFile study = test::andorra_study(dir.path());
    SitingJob job;
    job.service = "medecin";
    job.k = 2;
    job.candidates = "communes";
    job.objective = SitingObjective::apl;
    job.apl_threshold = 6;
    job.compare_exhaustive = true;
    const auto r = run_siting_job(study, job, Log{});
    const auto manifest = read_json(r.dir / "siting.json");
    CHECK_THAT(manifest["method"]["guarantee"].get<std::string>(), Contains("not submodular"));
    CHECK(manifest["method"]["algorithm"] == "plain greedy (every candidate re-evaluated each round)");
    REQUIRE(manifest.contains("apl"));
    CHECK(manifest["apl"]["final_pop_apl_ok"].get<double>() ==
          manifest["apl"]["final_pop_apl_ok_recomputed"].get<double>());
    CHECK(manifest["apl"]["final_pop_apl_ok"].get<double>() > manifest["apl"]["baseline_pop_apl_ok"].get<double>());
    CHECK(manifest["exhaustive"]["optimum_gain"].get<double>() >= manifest["exhaustive"]["greedy_gain"].get<double>());
    const auto curve = read_csv_rows(r.dir / "curve.csv");
    const auto sites = read_csv_rows(r.dir / "sites.csv");
    REQUIRE(curve.size() == sites.size() + 1);
    for (std::size_t i = 1; i < curve.size(); ++i) {
        CHECK(number(curve[i].at("pop_apl_ok")) >= number(curve[i - 1].at("pop_apl_ok")));
        CHECK(number(sites[i - 1].at("pop_apl_ok_after")) == number(curve[i].at("pop_apl_ok")));
    }
    job.objective = SitingObjective::coverage;
    job.force = true;
    CHECK_THROWS_WITH(run_siting_job(study, job, Log{}), Contains("go with --objective apl"));
}
