#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "proxima/core/cache_aligned.hpp"
#include "proxima/core/huge_pages.hpp"

using namespace proxima;

namespace {

/// The VmFlags of the mapping of this process that holds `address` (/proc/self/smaps), empty if
/// none is found.
std::string vm_flags_at(const void* address) {
    const auto a = reinterpret_cast<std::uintptr_t>(address);
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    bool inside = false;
    while (std::getline(smaps, line)) {
        std::uintptr_t begin = 0;
        std::uintptr_t end = 0;
        char dash = 0;
        std::istringstream header(line);
        if (header >> std::hex >> begin >> dash >> end && dash == '-') {
            inside = begin <= a && a < end;
        } else if (inside && line.rfind("VmFlags:", 0) == 0) {
            return line;
        }
    }
    return {};
}

} // namespace

TEST_CASE("large blocks of the cache-aligned allocator start on a huge page, small ones on a line", "[core]") {
    // 64 bytes for a small block; 2 MiB from 4 huge pages on, so that the advice covers the block.
    std::vector<std::uint32_t, CacheAlignedAllocator<std::uint32_t>> small(1000, 7);
    CHECK(reinterpret_cast<std::uintptr_t>(small.data()) % cache_line_bytes == 0);
    std::vector<std::uint32_t, CacheAlignedAllocator<std::uint32_t>> large(4 * huge_page_bytes / 4, 9);
    CHECK(reinterpret_cast<std::uintptr_t>(large.data()) % huge_page_bytes == 0);
    CHECK(std::all_of(large.begin(), large.end(), [](std::uint32_t v) { return v == 9; }));
    large.assign(3, 1);  // reused, then freed with the alignment it was made with (ASan checks)
    CHECK(large == std::vector<std::uint32_t, CacheAlignedAllocator<std::uint32_t>>{1, 1, 1});
}

TEST_CASE("assign_on_huge_pages fills the array and advises its huge pages", "[core]") {
    std::vector<std::uint64_t> v{1, 2, 3};
    assign_on_huge_pages(v, 3 * huge_page_bytes / sizeof(std::uint64_t), std::uint64_t{5});
    REQUIRE(v.size() == 3 * huge_page_bytes / sizeof(std::uint64_t));
    CHECK(std::all_of(v.begin(), v.end(), [](std::uint64_t x) { return x == 5; }));
    assign_on_huge_pages(v, 0);
    CHECK(v.empty());
    advise_huge_pages(nullptr, 1 << 30);  // nothing to advise: no call
    advise_huge_pages(v.data(), 100);

    const std::string mode = huge_pages_mode();
    CHECK((mode == "always" || mode == "madvise" || mode == "never" || mode == "unknown"));
    if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled")) {
        return;  // no transparent huge pages in this kernel: the advice is refused, nothing to see
    }
    // The kernel marks an advised mapping "hg", whatever the system's mode: a whole huge page
    // inside the block is always advised.
    std::vector<std::uint64_t> w;
    assign_on_huge_pages(w, 3 * huge_page_bytes / sizeof(std::uint64_t), std::uint64_t{1});
    const auto inside = (reinterpret_cast<std::uintptr_t>(w.data()) + huge_page_bytes) & ~(huge_page_bytes - 1);
    const std::string flags = vm_flags_at(reinterpret_cast<const void*>(inside));
    INFO(flags);
    REQUIRE_FALSE(flags.empty());
    CHECK(flags.find(" hg") != std::string::npos);
}
