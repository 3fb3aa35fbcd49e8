#include "proxima/core/memory_use.hpp"

#include <sys/resource.h>

namespace proxima {

std::size_t peak_resident_bytes() noexcept {
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) != 0) {
        return 0;
    }
    return static_cast<std::size_t>(usage.ru_maxrss) * 1024U;  // Linux reports kibibytes
}

double peak_resident_mib() noexcept { return static_cast<double>(peak_resident_bytes()) / (1024.0 * 1024.0); }

} // namespace proxima
