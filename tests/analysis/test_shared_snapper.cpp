// The snapping index (an R-tree over every edge segment: seconds on a région's graph) is built
// once, when the study's inputs are snapped, and every later stage that snaps points (raster
// pixels, pôles, scenario sites, siting candidates) uses that one.

#include <catch2/catch.hpp>

#include "proxima/analysis/pole_access.hpp"
#include "proxima/analysis/scenario.hpp"
#include "proxima/analysis/siting.hpp"
#include "proxima/analysis/travel_time_raster.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;

TEST_CASE("one snapping index per study, shared by rasters, pôles, scenarios and siting", "[analysis][snap]") {
    StudyFile study = load_study(test::data_file("studies/andorra.toml"));
    study.network.graph.clear();
    const std::size_t before = EdgeSnapper::index_builds();
    const StudyInputs in = load_study_inputs(study);
    CHECK(EdgeSnapper::index_builds() == before + 1);
    REQUIRE(in.edge_snapper != nullptr);
    CHECK(&in.edge_snapper->graph() == &in.graph());
    CHECK(shared_snapper(in) == in.edge_snapper);

    (void)compute_pole_access(in, 1);
    const RasterPixels pixels = raster_pixels(in, RasterOptions{500.0, in.study.output_crs, 1});
    CHECK(!pixels.pixel.empty());
    const LonLat near_canillo{1.5977, 42.5668};
    ScenarioSpec spec;
    spec.name = "shared";
    spec.add.push_back({"canillo", near_canillo});
    (void)run_scenario(in, 0, spec);
    const std::vector<SiteCandidate> candidates = {{"c1", "Canillo", near_canillo}};
    (void)search_candidates(in, 0, candidates, 30.0, 60.0, true, 1);
    CHECK(EdgeSnapper::index_builds() == before + 1);

    // The shared index snaps as an index of its own does.
    const EdgeSnapper own(in.graph());
    const auto a = in.edge_snapper->snap(near_canillo, 2000.0);
    const auto b = own.snap(near_canillo, 2000.0);
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    CHECK(a->edge == b->edge);
    CHECK(a->distance_m == b->distance_m);

    // Inputs assembled by hand (no index yet) get one of their own.
    StudyInputs by_hand = in;
    by_hand.edge_snapper.reset();
    CHECK(shared_snapper(by_hand) != nullptr);
    CHECK(EdgeSnapper::index_builds() == before + 3);
}
