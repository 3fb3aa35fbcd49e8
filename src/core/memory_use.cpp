#include "proxima/core/memory_use.hpp"

#include <cstdio>

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

namespace {

/// A cgroup's memory limit in bytes (v2 memory.max, v1 memory.limit_in_bytes), 0 if none or
/// unreadable ("max", or v1's huge "no limit" value, are no limit).
std::size_t cgroup_limit_bytes(const char* file) noexcept {
    std::FILE* f = std::fopen(file, "r");
    if (f == nullptr) {
        return 0;
    }
    unsigned long long v = 0;
    const bool number = std::fscanf(f, "%llu", &v) == 1;
    std::fclose(f);
    return number && v < (1ULL << 60) ? static_cast<std::size_t>(v) : 0;
}

} // namespace

std::size_t physical_memory_bytes() noexcept {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGE_SIZE);
    std::size_t bytes =
        pages > 0 && page_size > 0 ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page_size) : 0;
    // In a container (Docker --memory, a batch scheduler) the limit, not the host, is what we have.
    for (const char* file : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
        const std::size_t limit = cgroup_limit_bytes(file);
        if (limit > 0 && (bytes == 0 || limit < bytes)) {
            bytes = limit;
        }
    }
    return bytes;
}

double peak_resident_mib() noexcept { return static_cast<double>(peak_resident_bytes()) / (1024.0 * 1024.0); }

} // namespace proxima
