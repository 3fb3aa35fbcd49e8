#include "proxima/core/memory_use.hpp"

#include <sys/resource.h>
#include <unistd.h>

namespace proxima {

std::size_t peak_resident_bytes() noexcept {
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) != 0) {
        return 0;
    }
    return static_cast<std::size_t>(usage.ru_maxrss) * 1024U;  // Linux reports kibibytes
}

std::size_t physical_memory_bytes() noexcept {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page_size > 0 ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page_size) : 0;
}

double peak_resident_mib() noexcept { return static_cast<double>(peak_resident_bytes()) / (1024.0 * 1024.0); }

} // namespace proxima
