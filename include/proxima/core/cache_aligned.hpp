#pragma once
// An allocator whose blocks start on a cache line (64 bytes), for arrays read in fixed-size rows
// of a line: a row that starts mid-line costs two misses instead of one. std::vector's memory
// otherwise starts 16 bytes into a page (glibc's header of a large block).
//
// Blocks of several huge pages start on one and are advised onto huge pages (core/huge_pages.hpp):
// such arrays are the ones read at random over gigabytes.

#include <cstddef>
#include <new>

#include "proxima/core/huge_pages.hpp"

namespace proxima {

inline constexpr std::size_t cache_line_bytes = 64;

template <class T>
struct CacheAlignedAllocator {
    using value_type = T;

    CacheAlignedAllocator() noexcept = default;
    template <class U>
    CacheAlignedAllocator(const CacheAlignedAllocator<U>&) noexcept {}  // NOLINT: rebinding is implicit

    [[nodiscard]] T* allocate(std::size_t n) {
        const std::size_t bytes = n * sizeof(T);
        void* p = ::operator new(bytes, std::align_val_t{alignment(bytes)});
        if (bytes >= huge_block_bytes) {
            advise_huge_pages(p, bytes);
        }
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t n) noexcept { ::operator delete(p, std::align_val_t{alignment(n * sizeof(T))}); }

    template <class U>
    bool operator==(const CacheAlignedAllocator<U>&) const noexcept {
        return true;
    }

private:
    // Aligning to a huge page costs up to one huge page of address space, never touched (so not
    // resident); from 4 huge pages on, that is at most a quarter of the block.
    static constexpr std::size_t huge_block_bytes = 4 * huge_page_bytes;
    static constexpr std::size_t alignment(std::size_t bytes) noexcept {
        return bytes >= huge_block_bytes ? huge_page_bytes : cache_line_bytes;
    }
};

} // namespace proxima
