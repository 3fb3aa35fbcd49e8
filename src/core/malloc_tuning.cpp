#include "proxima/core/malloc_tuning.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace proxima {

void keep_freed_memory_for_reuse() noexcept {
#if defined(__GLIBC__)
    // 32 MiB is the largest mapping threshold glibc accepts on 64-bit systems (its own dynamic
    // ceiling); setting it also stops the dynamic adjustment, which would otherwise lower the
    // trim threshold back to twice the largest block freed.
    constexpr int mmap_threshold = 32 << 20;
    constexpr int trim_threshold = 256 << 20;
    // A refusal (0) leaves glibc's defaults: only slower.
    (void)mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    (void)mallopt(M_TRIM_THRESHOLD, trim_threshold);
#endif
}

} // namespace proxima
