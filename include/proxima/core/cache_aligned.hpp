#pragma once
// An allocator whose blocks start on a cache line (64 bytes), for arrays read in fixed-size rows
// of a line: a row that starts mid-line costs two misses instead of one. std::vector's memory
// otherwise starts 16 bytes into a page (glibc's header of a large block).

#include <cstddef>
#include <new>

namespace proxima {

inline constexpr std::size_t cache_line_bytes = 64;

template <class T>
struct CacheAlignedAllocator {
    using value_type = T;

    CacheAlignedAllocator() noexcept = default;
    template <class U>
    CacheAlignedAllocator(const CacheAlignedAllocator<U>&) noexcept {}  // NOLINT: rebinding is implicit

    [[nodiscard]] T* allocate(std::size_t n) {
        return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{cache_line_bytes}));
    }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t{cache_line_bytes}); }

    template <class U>
    bool operator==(const CacheAlignedAllocator<U>&) const noexcept {
        return true;
    }
};

} // namespace proxima
