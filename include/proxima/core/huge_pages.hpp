#pragma once
// Large arrays read at random (PHAST's labels, the hierarchy's ranks, the access table) on the
// kernel's 2 MiB pages instead of 4 KiB ones. On a graph of 10^7 states every scattered read of
// a label array of a gigabyte or more also misses the TLB (the processor's cache of page
// addresses, a few thousand entries: 8 MiB of 4 KiB pages), and the page walk that follows is
// a second miss, much longer in a virtual machine. 2 MiB pages make the same entries cover
// gigabytes. Measured on the 18 M-node mosaic (README, "Scaling"): the search phase of 200
// services, 71-80 s on 4 KiB pages, 54-55 s on 2 MiB ones, the same answers.
//
// Linux gives 2 MiB pages to memory that asks for them (madvise MADV_HUGEPAGE) when
// /sys/kernel/mm/transparent_hugepage/enabled is "madvise", as on Debian, or "always"; with
// "never", or elsewhere, the advice does nothing and the arrays work as before. Only the speed
// depends on it, never a result.

#include <cstddef>
#include <string>
#include <vector>

namespace proxima {

inline constexpr std::size_t huge_page_bytes = std::size_t{2} << 20;

/// Asks the kernel to back the whole 2 MiB pages inside [data, data + bytes) with huge pages
/// when they are first touched. Best effort: nothing happens for smaller blocks, on kernels
/// without transparent huge pages, or when the system disables them.
void advise_huge_pages(const void* data, std::size_t bytes) noexcept;

/// The system's setting, as /sys/kernel/mm/transparent_hugepage/enabled selects it ("always",
/// "madvise", "never"), or "unknown" where it cannot be read: what benchmarks print beside
/// their figures.
[[nodiscard]] std::string huge_pages_mode();

/// Sizes `v` to `n` copies of `value` with its memory advised first (advise_huge_pages), so that
/// the writes that fill it already fault in huge pages. For arrays of many megabytes.
template <class T, class A>
void assign_on_huge_pages(std::vector<T, A>& v, std::size_t n, const T& value = T{}) {
    v.clear();
    v.reserve(n);
    advise_huge_pages(v.data(), n * sizeof(T));
    v.resize(n, value);
}

} // namespace proxima
