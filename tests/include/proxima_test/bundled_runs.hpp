#pragma once
// The runs of the bundled studies (data/studies/<name>.toml) that the report tests read back.
// Under ctest, the fixture test `report_bundled_runs` makes them once into
// $PROXIMA_TEST_BUNDLED_RUNS and the tests share them, read-only: a test that writes works on a
// copy. A test binary run alone (no variable) runs a study once per process, in a scratch folder.

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "proxima/run/run_study.hpp"
#include "proxima/study/study_file.hpp"
#include "proxima_test/fixtures.hpp"

namespace proxima::test {

/// Runs a bundled study into `into`/<name>, its graph cache in `into`.
inline std::filesystem::path run_bundled_study(const std::string& name, const std::filesystem::path& into) {
    StudyFile study = load_study(data_file("studies/" + name + ".toml"));
    study.network.graph = into / (name + ".pxg");
    RunOptions options;
    options.output_dir = into / name;
    (void)run_study(study, options);
    return options.output_dir;
}

/// The folder of a bundled study's run. Do not write into it.
inline const std::filesystem::path& run_folder(const std::string& name) {
    static std::map<std::string, std::filesystem::path> done;
    if (auto it = done.find(name); it != done.end()) {
        return it->second;
    }
    if (const char* shared = std::getenv("PROXIMA_TEST_BUNDLED_RUNS")) {
        const std::filesystem::path folder = std::filesystem::path(shared) / name;
        INFO("made by the ctest fixture report_bundled_runs; run the test through ctest, or unset "
             "PROXIMA_TEST_BUNDLED_RUNS");
        REQUIRE(std::filesystem::exists(folder / "run.json"));
        return done.emplace(name, folder).first->second;
    }
    static TempDir dir("bundled-runs");
    return done.emplace(name, run_bundled_study(name, dir.path())).first->second;
}

} // namespace proxima::test
