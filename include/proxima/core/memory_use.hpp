#pragma once
// How much memory this process has used at most: the figure a planner sizing a machine for a
// région or for France needs, recorded per phase in run.json and printed by the CLI.

#include <cstddef>

namespace proxima {

/// Peak resident set size of this process so far (getrusage ru_maxrss), in bytes.
[[nodiscard]] std::size_t peak_resident_bytes() noexcept;

/// The same in mebibytes (2^20 bytes), as run.json and the console print it.
[[nodiscard]] double peak_resident_mib() noexcept;

} // namespace proxima
