#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "proxima/core/malloc_tuning.hpp"

// The tests allocate as the CLI does (core/malloc_tuning.hpp): the same allocator settings behind
// the same code.
int main(int argc, char* argv[]) {
    proxima::keep_freed_memory_for_reuse();
    return Catch::Session().run(argc, argv);
}
