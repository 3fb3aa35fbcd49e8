// The ctest fixture `report_bundled_runs`: the runs of the bundled studies the report tests share
// (include/proxima_test/bundled_runs.hpp). Hidden from Catch's default list; ctest runs it by tag
// before the first report test.

#include <cstdlib>
#include <filesystem>

#include <catch2/catch.hpp>

#include "proxima_test/bundled_runs.hpp"

TEST_CASE("the runs of the bundled studies that the report tests share", "[.][bundled-runs]") {
    const char* shared = std::getenv("PROXIMA_TEST_BUNDLED_RUNS");
    REQUIRE(shared != nullptr);
    std::filesystem::remove_all(shared);
    std::filesystem::create_directories(shared);
    for (const char* name : {"andorra", "riviera"}) {
        const auto folder = proxima::test::run_bundled_study(name, shared);
        CHECK(std::filesystem::exists(folder / "access.gpkg"));
    }
}
