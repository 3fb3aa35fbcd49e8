#pragma once
// A bundled study (data/studies/<name>.toml) run once per test process, its graph cache and
// outputs in a scratch folder, for the tests that read a whole run folder back.

#include <filesystem>
#include <map>
#include <string>

#include "proxima/run/run_study.hpp"
#include "proxima/study/study_file.hpp"
#include "proxima_test/fixtures.hpp"

namespace proxima::test {

inline const std::filesystem::path& run_folder(const std::string& name) {
    static TempDir dir("bundled-runs");
    static std::map<std::string, std::filesystem::path> done;
    if (auto it = done.find(name); it != done.end()) {
        return it->second;
    }
    StudyFile study = load_study(data_file("studies/" + name + ".toml"));
    study.network.graph = dir.path() / (name + ".pxg");
    RunOptions options;
    options.output_dir = dir.path() / name;
    (void)run_study(study, options);
    return done.emplace(name, options.output_dir).first->second;
}

} // namespace proxima::test
