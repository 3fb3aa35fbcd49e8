#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <gdal.h>
#include <nlohmann/json.hpp>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "proxima/core/csv_reader.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/sha256.hpp"
#include "proxima/core/threads.hpp"
#include "proxima/report/run_maps.hpp"
#include "proxima/routing/snap.hpp"
#include "proxima/run/run_study.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/outputs.hpp"

using namespace proxima;
using Catch::Matchers::Contains;
using test::read_csv_rows;

namespace {

StudyFile study(const std::string& name, const std::filesystem::path& scratch) {
    StudyFile s = load_study(test::data_file("studies/" + name + ".toml"));
    s.network.graph = scratch / (name + ".pxg");
    return s;
}

bool no_leftovers(const std::filesystem::path& dir) {
    for (const auto& e : std::filesystem::directory_iterator(dir.parent_path())) {
        const auto name = e.path().filename().string();
        if (name.find(dir.filename().string() + ".tmp-") == 0 || name.find(dir.filename().string() + ".old-") == 0) {
            return false;
        }
    }
    return true;
}

} // namespace

TEST_CASE("the Riviera run writes a GeoPackage in Lambert-93, CSV tables and run.json", "[run]") {
    test::TempDir dir("run-riviera");
    const auto out = dir.path() / "out";
    RunOptions options;
    options.output_dir = out;
    const RunSummary summary = run_study(study("riviera", dir.path()), options);
    for (const char* f : {"access.gpkg", "communes.csv", "origins.csv", "services.csv", "summary.csv", "poles.csv",
                          "diagnostic_communes.csv", "diagnostic_epci.csv", "diagnostic.xlsx", "run.json", "report.html", "maps/urgences.png", "rasters/urgences.tif"}) {
        CHECK(std::filesystem::exists(out / f));
    }
    CHECK(no_leftovers(out));
    {
        // access.gpkg as written (rows inserted by SQLite, QGIS styles added) is a GeoPackage by
        // the standard's own checks.
        const bool valid = test::valid_geopackage(out / "access.gpkg", dir.path() / "validator.txt");
        INFO(test::read_text(dir.path() / "validator.txt"));
        CHECK(valid);
    }
    // Every file written is listed in run.json, and nothing else.
    CHECK(std::find(summary.files.begin(), summary.files.end(), "maps/ecole.png") != summary.files.end());
    CHECK(std::find(summary.files.begin(), summary.files.end(), "report.html") != summary.files.end());

    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx((out / "access.gpkg").c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    REQUIRE(ds != nullptr);
    std::vector<std::string> names;
    for (int i = 0; i < GDALDatasetGetLayerCount(ds); ++i) {
        names.emplace_back(OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
    }
    CHECK(names == std::vector<std::string>{"communes",
                                            "origins",
                                            "services",
                                            "deficit_urgences",
                                            "communes_over_urgences",
                                            "deficit_pharmacie",
                                            "communes_over_pharmacie",
                                            "deficit_poste",
                                            "communes_over_poste",
                                            "deficit_mairie",
                                            "communes_over_mairie",
                                            "deficit_ecole",
                                            "communes_over_ecole",
                                            "isochrones_urgences",
                                            "isochrones_pharmacie",
                                            "isochrones_poste",
                                            "isochrones_mairie",
                                            "isochrones_ecole",
                                            "poles",
                                            "summary",
                                            "layer_styles"});
    OGRLayerH communes = GDALDatasetGetLayerByName(ds, "communes");
    CHECK(OGR_L_GetFeatureCount(communes, 1) == 3);
    CHECK(std::string(OSRGetAuthorityCode(OGR_L_GetSpatialRef(communes), nullptr)) == "2154");
    OGR_L_ResetReading(communes);
    while (OGRFeatureH f = OGR_L_GetNextFeature(communes)) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        REQUIRE(g != nullptr);
        CHECK(OGR_G_IsValid(g));
        OGREnvelope env;
        OGR_G_GetEnvelope(g, &env);
        CHECK(env.MinX > 1'000'000);  // Lambert-93 eastings of the Riviera, not degrees
        CHECK(env.MinX < 1'100'000);
        const int field = OGR_F_GetFieldIndex(f, "urgences_min");
        CHECK(field >= 0);
        CHECK(OGR_F_GetFieldAsDouble(f, field) > 0);
        OGR_F_Destroy(f);
    }
    GDALClose(ds);

    // Population is conserved into the summary; run.json names its inputs with their hashes.
    const auto rows = read_csv_rows(out / "summary.csv");
    REQUIRE_FALSE(rows.empty());
    CHECK(rows[0].at("scope") == "study");
    CHECK(rows[0].at("population") == "19463");
    std::ifstream json_in(out / "run.json");
    const auto run = nlohmann::json::parse(json_in);
    CHECK(run["inputs"][0]["sha256"] == sha256_file(test::data_file("osm/monaco-riviera-2016.osm.pbf")));
    CHECK(run["population"]["read"] == 19463);
    CHECK(run["services"].size() == 5);
    // The [poles] section: the three communes classified by the OSM approximation, none a pole.
    CHECK(run["poles"]["approximation"] == true);
    CHECK(run["poles"]["intermediaire"].empty());
    CHECK(run["outputs"].size() == summary.files.size() - 1);  // all but run.json itself
    CHECK(run["timings_s"].contains("search"));
    // Peak memory: recorded per phase, never decreasing, and on the console with the whole run's.
    CHECK(run["memory"]["peak_mib"].get<double>() > 0);
    double previous = 0;
    std::ifstream ordered_in(out / "run.json");
    const auto ordered = nlohmann::ordered_json::parse(ordered_in);  // phases in the order they ran
    for (const auto& [phase, mib] : ordered["memory"]["peak_mib_after"].items()) {
        INFO(phase);
        CHECK(mib.get<double>() >= previous);
        previous = mib.get<double>();
    }
    CHECK(run["memory"]["peak_mib_after"].contains("search"));
    CHECK(summary.peak_mib >= run["memory"]["peak_mib"].get<double>());
    CHECK_THAT(format_run_summary(summary), Contains("peak memory"));
    // The run's wall time, not the sum of its phases (the GeoPackage is written beside the maps).
    double phases = 0;
    for (const auto& [phase, seconds] : summary.timings) {
        phases += seconds;
    }
    CHECK(summary.seconds > 0);
    CHECK(summary.seconds <= phases + 0.5);
    CHECK_THAT(format_run_summary(summary), Contains(fmt::format("computed in {:.2f} s", summary.seconds)));
    CHECK(summary.services.size() == 5);
    // report.html's note may have two lines (origins grouped, isochrones left out): both indented
    // like every other line of the summary.
    RunSummary noted = summary;
    HtmlReportOrigins grouped;
    grouped.origins = 100000;
    grouped.shown = 12;
    grouped.square_m = 10000.0;
    grouped.isochrones_left_out = true;
    grouped.max_isochrone_vertices = 2000000;
    noted.report_note = describe_report_origins(grouped, 20000);
    REQUIRE(noted.report_note.find('\n') != std::string::npos);
    CHECK_THAT(format_run_summary(noted), Contains("\n  report.html: the 100000 origins are shown as 12 squares") &&
                                              Contains("\n  report.html: the isochrones"));
}

TEST_CASE("Andorra: population beyond the threshold in the summary equals the sum over origins, bands add up",
          "[run]") {
    test::TempDir dir("run-andorra");
    const auto out = dir.path() / "out";
    RunOptions options;
    options.output_dir = out;
    const std::size_t indexes_before = EdgeSnapper::index_builds();
    const std::size_t contexts_before = map_contexts_made();
    const RunSummary run = run_study(study("andorra", dir.path()), options);
    // One snapping index for the whole run (rasters, maps and report.pdf included): the run lets
    // it go after the surface pixels, so nothing after may need one again.
    CHECK(EdgeSnapper::index_builds() == indexes_before + 1);
    // One map context for the service maps, the pole maps and report.pdf.
    REQUIRE(std::count(run.files.begin(), run.files.end(), "report.pdf") == 1);
    REQUIRE(std::count_if(run.files.begin(), run.files.end(),
                          [](const std::string& f) { return f.rfind("maps/pole", 0) == 0; }) > 0);
    CHECK(map_contexts_made() == contexts_before + 1);
    const auto origins = read_csv_rows(out / "origins.csv");
    REQUIRE(origins.size() == 41);
    // Recompute from the per-origin times written in origins.csv.
    double over = 0;
    double total = 0;
    for (const auto& o : origins) {
        const double p = std::stod(o.at("population"));
        total += p;
        const std::string t = o.at("urgences_min");
        if (t.empty() || std::stod(t) > 30.0) {
            over += p;
        }
    }
    CHECK(total == 81362);
    const auto summary = read_csv_rows(out / "summary.csv");
    const auto& study_row = summary[0];
    REQUIRE(study_row.at("service") == "urgences");
    CHECK(std::stod(study_row.at("population_over")) == Approx(over));
    CHECK(over > 0);  // El Pas de la Casa, over the Envalira pass
    double bands = 0;
    for (const char* b : {"pop_0_10", "pop_10_20", "pop_20_30", "pop_30_45", "pop_45_60", "pop_over_60", "pop_unreachable"}) {
        bands += std::stod(study_row.at(b));
    }
    CHECK(bands == Approx(total));
    CHECK(std::stod(study_row.at("pop_30_45")) + std::stod(study_row.at("pop_45_60")) +
              std::stod(study_row.at("pop_over_60")) + std::stod(study_row.at("pop_unreachable")) ==
          Approx(over));
}

TEST_CASE("outputs: all or nothing, replaced only with force, same inputs same bytes", "[run]") {
    // One run, then the steps in order (not SECTIONs: each would run the Riviera again).
    test::TempDir dir("run-outputs");
    const auto out = dir.path() / "out";
    RunOptions options;
    options.output_dir = out;
    const StudyFile riviera = study("riviera", dir.path());
    (void)run_study(riviera, options);
    const auto first = sha256_file(out / "access.gpkg");
    const auto first_csv = sha256_file(out / "communes.csv");
    std::ifstream beside_in(out / "run.json");
    const auto beside = nlohmann::ordered_json::parse(beside_in);

    // An existing folder is kept without --force.
    REQUIRE_THROWS_AS(run_study(riviera, options), OutputError);
    REQUIRE_THROWS_WITH(run_study(riviera, options), Contains("--force"));
    CHECK(sha256_file(out / "access.gpkg") == first);

    // The tables written beside the maps and report.pdf are the bytes one thread writes, listed in
    // the same place. More than one thread: access.gpkg and the CSVs are written on a thread of
    // their own while the maps are drawn and report.pdf is written.
    if (processor_count() > 1) {
        CHECK(beside["timings_s"].contains("write (own thread)"));
        CHECK(beside["timings_s"].contains("write, waited for"));
        CHECK_FALSE(beside["timings_s"].contains("write"));
    }
    options.force = true;
    options.threads = 1;
    (void)run_study(riviera, options);
    CHECK(sha256_file(out / "access.gpkg") == first);
    CHECK(sha256_file(out / "communes.csv") == first_csv);
    CHECK(no_leftovers(out));
    std::ifstream serial_in(out / "run.json");
    const auto serial = nlohmann::ordered_json::parse(serial_in);
    CHECK(serial["outputs"] == beside["outputs"]);
    CHECK(serial["timings_s"].contains("write"));
    CHECK_FALSE(serial["timings_s"].contains("write (own thread)"));

    // --force replaces it, byte for byte the same.
    options.threads = 0;
    (void)run_study(riviera, options);
    CHECK(sha256_file(out / "access.gpkg") == first);
    CHECK(sha256_file(out / "communes.csv") == first_csv);
    CHECK(no_leftovers(out));

    // Without maps, the tables are written beside report.pdf; without maps or report.pdf, before
    // anything else (nothing to write them beside). The same bytes, listed in the same place.
    for (const bool pdf : {true, false}) {
        CAPTURE(pdf);
        RunOptions bare = options;
        bare.maps = false;
        bare.pdf = pdf;
        (void)run_study(riviera, bare);
        CHECK(sha256_file(out / "access.gpkg") == first);
        CHECK(sha256_file(out / "communes.csv") == first_csv);
        CHECK(no_leftovers(out));
        std::ifstream bare_in(out / "run.json");
        const auto manifest = nlohmann::ordered_json::parse(bare_in);
        std::vector<std::string> expected;
        for (const auto& f : beside["outputs"]) {
            const std::string name = f.get<std::string>();
            if (name.rfind("maps/", 0) != 0 && (pdf || name != "report.pdf")) {
                expected.push_back(name);
            }
        }
        CHECK(manifest["outputs"].get<std::vector<std::string>>() == expected);
        CHECK(std::filesystem::exists(out / "report.pdf") == pdf);
        const bool own_thread = pdf && processor_count() > 1;
        CHECK(manifest["timings_s"].contains("write (own thread)") == own_thread);
        CHECK(manifest["timings_s"].contains("write") == !own_thread);
    }

    // A run that fails midway leaves the previous results and no partial output.
    StudyFile broken = riviera;
    ServiceSpec nothing;
    nothing.id = "nothing";
    nothing.label = "nothing";
    nothing.threshold_min = 10;
    nothing.osm_selectors = {"amenity=no_such_thing"};
    broken.services.push_back(nothing);
    REQUIRE_THROWS_WITH(run_study(broken, options), Contains("service 'nothing'"));
    CHECK(sha256_file(out / "access.gpkg") == first);
    CHECK(no_leftovers(out));
    const auto fresh = dir.path() / "fresh";
    options.output_dir = fresh;
    REQUIRE_THROWS(run_study(broken, options));
    CHECK_FALSE(std::filesystem::exists(fresh));
    CHECK(no_leftovers(fresh));
}

TEST_CASE("outputs: a folder that is a file, a threshold that is not positive: refused, nothing written", "[run]") {
    test::TempDir dir("run-outputs-refused");
    const StudyFile riviera = study("riviera", dir.path());
    RunOptions options;
    options.force = true;
    SECTION("an output that is a file") {
        const auto file = dir.path() / "file.txt";
        std::ofstream(file) << "x";
        options.output_dir = file;
        REQUIRE_THROWS_WITH(run_study(riviera, options), Contains("is a file"));
        CHECK(test::read_text(file) == "x");
    }
    SECTION("a threshold that is not positive") {
        options.output_dir = dir.path() / "t0";
        options.threshold_min = 0;
        REQUIRE_THROWS_AS(run_study(riviera, options), ConfigError);
        options.threshold_min = -3;
        REQUIRE_THROWS_AS(run_study(riviera, options), ConfigError);
        CHECK_FALSE(std::filesystem::exists(dir.path() / "t0"));
    }
}

TEST_CASE("deficit: one service at a chosen threshold writes that service's layers only", "[run]") {
    test::TempDir dir("run-deficit");
    RunOptions options;
    options.output_dir = dir.path() / "deficit";
    options.only_services = {"pharmacie"};
    options.threshold_min = 5;
    const RunSummary s = run_study(study("andorra", dir.path()), options);
    REQUIRE(s.services.size() == 1);
    CHECK(s.services[0].id == "pharmacie");
    CHECK(s.services[0].threshold_min == 5);
    const auto communes = read_csv_rows(dir.path() / "deficit" / "communes.csv");
    REQUIRE_FALSE(communes.empty());
    CHECK(communes[0].count("pharmacie_min") == 1);
    CHECK(communes[0].count("urgences_min") == 0);
    options.only_services = {"boulangerie"};
    options.output_dir = dir.path() / "other";
    REQUIRE_THROWS_WITH(run_study(study("andorra", dir.path()), options), Contains("'boulangerie' is not in study"));
}

TEST_CASE("beyond the cap of report.html the run groups its origins from memory: the page read back from access.gpkg is the same bytes", "[run]") {
    // The squares are made while access.gpkg is written beside report.pdf (two threads), and
    // after it when nothing is drawn; either way the page must be the one `proxima report` makes
    // by reading the origins layer back.
    test::TempDir dir("run-report-squares");
    for (const bool pdf : {true, false}) {
        INFO((pdf ? "report.pdf made, access.gpkg written beside it" : "no maps nor report.pdf"));
        RunOptions options;
        options.output_dir = dir.path() / (pdf ? "with-pdf" : "without");
        options.maps = false;
        options.pdf = pdf;
        options.report_max_origins = 10;
        const RunSummary summary = run_study(study("andorra", dir.path()), options);
        CHECK(summary.report_origins.squares_from_run);
        CHECK(summary.report_origins.origins > 10);
        CHECK(summary.report_origins.shown <= 10);
        CHECK(summary.report_origins.shown > 1);
        const std::string made = test::read_text(options.output_dir / "report.html");
        HtmlReportOptions report;
        report.max_origins = 10;
        HtmlReportOrigins shown;
        write_html_report(options.output_dir, report, &shown);
        CHECK_FALSE(shown.squares_from_run);
        CHECK(shown.shown == summary.report_origins.shown);
        CHECK(test::read_text(options.output_dir / "report.html") == made);
    }
    // Same inputs, same access.gpkg (its rows inserted by SQLite, its styles added): whether
    // report.pdf was made beside it does not change a byte.
    CHECK(test::read_text(dir.path() / "with-pdf" / "access.gpkg") == test::read_text(dir.path() / "without" / "access.gpkg"));
}

TEST_CASE("a grid study: cells as origins, the cells layer, the deficit territory holds the cell beyond", "[run]") {
    // Four 1 km cells (EPSG:3035 centres): three in Andorra la Vella, next to the hospital, and
    // one on the Andorran side of El Pas de la Casa (centre 1.7243, 42.5372 by gdaltransform; the
    // cell holding the village itself is centred in France, outside the parishes), over the
    // Envalira pass, more than 20 min away.
    test::TempDir dir("run-grid");
    const auto grid = dir.path() / "grid.csv";
    std::ofstream(grid) << "x,y,Ind\n3623500,2194500,1000\n3624500,2194500,500\n3623500,2195500,250\n"
                           "3640500,2196500,2000\n";
    const auto path = dir.path() / "grid.toml";
    std::ofstream(path) << "[study]\nname = \"grid\"\n[network]\nosm = \""
                        << test::data_file("osm/andorra-2021.osm.pbf").string() << "\"\ngraph = \""
                        << (dir.path() / "g.pxg").string() << "\"\n[zones]\nosm_admin_level = 7\n"
                        << "[population]\ngrid = \"" << grid.string() << "\"\n[services]\nuse = [\"urgences\"]\n";
    RunOptions options;
    options.output_dir = dir.path() / "out";
    options.threshold_min = 20;
    options.report_max_origins = 2;  // report.html groups the cells into squares (from the run's memory)
    const RunSummary summary = run_study(load_study(path), options);
    REQUIRE(summary.services.size() == 1);
    CHECK(summary.services[0].population == 3750);
    CHECK(summary.services[0].population_over == 2000);  // the Pas de la Casa cell only
    // The squares of cells made from memory are those read back from the cells layer (the
    // envelopes of the cells' polygons as written in Lambert-93).
    CHECK(summary.report_origins.squares_from_run);
    CHECK(summary.report_origins.shown <= 2);
    {
        const std::string made = test::read_text(options.output_dir / "report.html");
        HtmlReportOptions report;
        report.max_origins = 2;
        write_html_report(options.output_dir, report);
        CHECK(test::read_text(options.output_dir / "report.html") == made);
    }

    GDALAllRegister();
    GDALDatasetH ds =
        GDALOpenEx((dir.path() / "out" / "access.gpkg").c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    REQUIRE(ds != nullptr);
    OGRLayerH cells = GDALDatasetGetLayerByName(ds, "cells");
    REQUIRE(cells != nullptr);
    CHECK(OGR_L_GetFeatureCount(cells, 1) == 4);
    // The deficit is the part of the parishes beyond 20 min on the surface (not the cells): the
    // populated cell beyond lies in its first part, which holds its 2 000 inhabitants, and the
    // parts (plus the row of those no part can show) add up to the population beyond.
    OGRLayerH deficit = GDALDatasetGetLayerByName(ds, "deficit_urgences");
    REQUIRE(deficit != nullptr);
    OGR_L_ResetReading(deficit);
    double population_over = 0;
    double area_km2 = 0;
    int features = 0;
    OGRGeometryH cell_centre = OGR_G_CreateGeometry(wkbPoint);
    OGR_G_SetPoint_2D(cell_centre, 0, 1.7243, 42.5372);
    OGRSpatialReferenceH wgs84 = OSRNewSpatialReference(nullptr);
    OSRSetFromUserInput(wgs84, "EPSG:4326");
    OSRSetAxisMappingStrategy(wgs84, OAMS_TRADITIONAL_GIS_ORDER);
    OGR_G_AssignSpatialReference(cell_centre, wgs84);
    OGR_G_TransformTo(cell_centre, OGR_L_GetSpatialRef(deficit));
    while (OGRFeatureH f = OGR_L_GetNextFeature(deficit)) {
        ++features;
        population_over += OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "population_over"));
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (features == 1) {
            REQUIRE(g != nullptr);
            CHECK(OGR_G_IsValid(g));
            CHECK(OGR_G_Contains(g, cell_centre));
            CHECK(OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "population_over")) == 2000);
            CHECK(OGR_F_GetFieldAsInteger(f, OGR_F_GetFieldIndex(f, "inhabited")) == 1);
        }
        if (g != nullptr) {
            area_km2 += OGR_G_Area(g) / 1e6;
        }
        OGR_F_Destroy(f);
    }
    CHECK(features >= 1);
    CHECK(population_over == 2000);
    // Mountains far from the hospital are beyond too: far more than the one cell, less than the
    // parishes (468 km²).
    CHECK(area_km2 > 5);
    CHECK(area_km2 < 468);
    OGR_G_DestroyGeometry(cell_centre);
    OSRDestroySpatialReference(wgs84);
    GDALClose(ds);
}
