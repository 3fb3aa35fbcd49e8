#include "proxima/core/threads.hpp"

#include <algorithm>

#include <omp.h>

namespace proxima {

int processor_count() noexcept { return std::max(1, omp_get_num_procs()); }

int thread_count(int requested) noexcept {
    const int available = processor_count();
    return requested <= 0 ? available : std::min(requested, available);
}

void use_threads_by_default(int threads) noexcept { omp_set_num_threads(thread_count(threads)); }

} // namespace proxima
