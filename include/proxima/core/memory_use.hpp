#pragma once
// How much memory this process has used at most: the figure a planner sizing a machine for a
// région or for France needs, recorded per phase in run.json and printed by the CLI.

#include <cstddef>
#include <utility>

namespace proxima {

/// Peak resident set size of this process so far (getrusage ru_maxrss), in bytes.
[[nodiscard]] std::size_t peak_resident_bytes() noexcept;

/// The same in mebibytes (2^20 bytes), as run.json and the console print it.
[[nodiscard]] double peak_resident_mib() noexcept;

/// The memory this process may use, in bytes: the machine's physical memory (sysconf), or the
/// memory limit of its cgroup (container, batch job) when lower; 0 if unknown.
[[nodiscard]] std::size_t physical_memory_bytes() noexcept;

/// Empties `container` and gives its memory back. `v = {}` on a std::vector calls the
/// initializer-list assignment, which empties it but keeps its capacity: the memory stays.
template <class Container>
void release_memory(Container& container) {
    Container().swap(container);
}

} // namespace proxima
