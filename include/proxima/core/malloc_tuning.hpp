#pragma once
// glibc's malloc gives every block above a threshold (128 KiB at first, adjusted up to 32 MiB as
// such blocks are freed) its own mapping, and returns the top of its heaps to the system as soon
// as 128 KiB lie free there. A run allocates and frees blocks of that size by the thousand (a
// service's rasters, isochrones, table columns, map tiles), so each one is mapped again and every
// page of it faulted in again: on the Andorra study, 77 000 page faults and a quarter of the run's
// time in the kernel. Keeping freed memory for the next block removes most of them.

namespace proxima {

/// Makes glibc's malloc keep freed memory for reuse: blocks up to 32 MiB come from its heaps, and
/// a heap gives memory back only when 256 MiB lie free at its top. Called once by programs
/// (the CLI, the test runner) before they allocate much. Only the speed depends on it; elsewhere
/// than glibc, and under AddressSanitizer (whose allocator replaces glibc's), it does nothing.
void keep_freed_memory_for_reuse() noexcept;

} // namespace proxima
