#include "proxima/core/huge_pages.hpp"

#include <cstdint>
#include <fstream>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace proxima {

void advise_huge_pages(const void* data, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const auto begin = reinterpret_cast<std::uintptr_t>(data);
    const std::uintptr_t first = (begin + huge_page_bytes - 1) & ~(std::uintptr_t{huge_page_bytes} - 1);
    const std::uintptr_t last = (begin + bytes) & ~(std::uintptr_t{huge_page_bytes} - 1);
    if (data == nullptr || last <= first) {
        return;
    }
    // Advice only: a refusal (no transparent huge pages in this kernel) leaves ordinary pages.
    (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
    (void)data;
    (void)bytes;
#endif
}

std::string huge_pages_mode() {
    std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string line;
    if (!in || !std::getline(in, line)) {
        return "unknown";
    }
    // The selected mode is the bracketed one: "always [madvise] never".
    const auto open = line.find('[');
    const auto close = line.find(']', open);
    if (open == std::string::npos || close == std::string::npos) {
        return "unknown";
    }
    return line.substr(open + 1, close - open - 1);
}

} // namespace proxima
