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

/// Makes `threads` (as thread_count() gives it) the default of every parallel step that does not
/// take a count of its own (snapping, PROJ conversions of many points), for the calling thread:
/// a command's --threads then holds for all of them.
void use_threads_by_default(int threads) noexcept;

} // namespace proxima
