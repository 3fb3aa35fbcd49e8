#pragma once
// One place to find test data: bundled samples in data/, hand-written fixtures in tests/fixtures/.
// The seed of randomised tests is fixed and can be overridden with PROXIMA_TEST_SEED.

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace proxima::test {

inline std::filesystem::path data_file(const std::string& relative) {
    return std::filesystem::path(PROXIMA_TEST_DATA_DIR) / relative;
}

inline std::filesystem::path fixture(const std::string& name) {
    return std::filesystem::path(PROXIMA_TEST_FIXTURE_DIR) / name;
}

/// The whole content of a file (test data, fixtures).
inline std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline std::uint64_t random_seed() {
    if (const char* s = std::getenv("PROXIMA_TEST_SEED")) {
        return std::strtoull(s, nullptr, 10);
    }
    return 20261122;
}

/// A fresh empty folder under the system temp dir, removed at scope exit.
class TempDir {
public:
    explicit TempDir(const std::string& name) {
        m_path = std::filesystem::temp_directory_path() /
                 ("proxima-test-" + name + "-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        std::filesystem::remove_all(m_path);
        std::filesystem::create_directories(m_path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

} // namespace proxima::test
