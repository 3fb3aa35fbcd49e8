#pragma once
// How many threads a parallel step uses. One rule for every step: what the caller asks (0: all
// processors), never more than the processors the machine has — asking OpenMP for 100 000
// threads exhausts memory or crashes it.

namespace proxima {

/// Threads to use for a request: all processors for 0 (or less), else the request capped at the
/// number of processors.
[[nodiscard]] int thread_count(int requested) noexcept;

/// Processors available to this process (OpenMP's view).
[[nodiscard]] int processor_count() noexcept;

} // namespace proxima
