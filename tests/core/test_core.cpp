#include <fstream>
#include <vector>

#include <catch2/catch.hpp>

#include "proxima/core/atomic_file.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/memory_use.hpp"
#include "proxima/core/sha256.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;

TEST_CASE("SHA-256 matches the published test vectors", "[core]") {
    CHECK(sha256_hex(std::string("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex(std::string()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    test::TempDir dir("sha");
    std::ofstream(dir.path() / "abc.txt", std::ios::binary) << "abc";
    CHECK(sha256_file(dir.path() / "abc.txt") == sha256_hex(std::string("abc")));
    CHECK_THROWS_AS(sha256_file(dir.path() / "missing"), InputError);
}

TEST_CASE("an atomic file appears only on commit, and an abandoned one leaves nothing", "[core]") {
    test::TempDir dir("atomic");
    const auto target = dir.path() / "out.csv";
    {
        AtomicFile f(target);
        f.stream() << "half";
        CHECK(std::filesystem::exists(f.temporary_path()));
        CHECK_FALSE(std::filesystem::exists(target));
    }  // abandoned: e.g. an exception while writing
    CHECK(std::filesystem::is_empty(dir.path()));

    std::ofstream(target) << "old";
    {
        AtomicFile f(target);
        f.stream() << "new";
        f.commit();
    }
    std::ifstream in(target);
    std::string content;
    in >> content;
    CHECK(content == "new");
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator()) == 1);

    CHECK_THROWS_AS(AtomicFile(dir.path() / "missing-folder" / "x"), OutputError);
    CHECK_THROWS_AS(AtomicFile(dir.path()), OutputError);
}

TEST_CASE("errors remember where they were raised", "[core]") {
    try {
        throw InputError("bad file");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == "bad file");
        CHECK(e.where().find("test_core.cpp:") != std::string::npos);
    }
}

TEST_CASE("an atomic file never replaces a device or a FIFO", "[core]") {
    CHECK_THROWS_AS(AtomicFile("/dev/null"), OutputError);
}

TEST_CASE("release_memory gives a vector's memory back", "[core]") {
    std::vector<std::uint64_t> v(1 << 16, 7);
    std::vector<std::vector<int>> lists(3, std::vector<int>(100, 1));
    // Unlike `v = {}` (the initializer-list assignment), which libstdc++ leaves with its capacity.
    proxima::release_memory(v);
    proxima::release_memory(lists[1]);
    CHECK(v.empty());
    CHECK(v.capacity() == 0);
    CHECK(lists[1].capacity() == 0);
    CHECK(lists[2].size() == 100);  // the others are untouched
    proxima::release_memory(lists);
    CHECK(lists.capacity() == 0);
}
