#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs the whole test suite
# twice: a Release build with GCC (build/), then a build with AddressSanitizer and
# UndefinedBehaviorSanitizer made by clang 16 (build-asan/). Benchmarks are compiled (not run) so
# they cannot rot.
# Set PROXIMA_SKIP_SANITIZERS=1 to run only the Release pass. Then every parser of outside data
# is fuzzed for 20 s (scripts/fuzz.sh, clang + libFuzzer, build-fuzz/); PROXIMA_SKIP_FUZZ=1 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="$(nproc)"

scripts/build.sh -DPROXIMA_BUILD_TESTS=ON -DPROXIMA_BUILD_BENCHMARKS=ON
cmake --build build --target proxima_header_check --parallel "$jobs"
echo "== tests (Release) ==" >&2
ctest --test-dir build --output-on-failure --parallel "$jobs"

if [ "${PROXIMA_SKIP_SANITIZERS:-0}" != "1" ]; then
  echo "== tests (Debug, clang 16, -fsanitize=address,undefined) ==" >&2
  # clang 16 (installed for the fuzzers) compiles this pass about a fifth faster than GCC, with the
  # same sanitizers, and the suite is then built by two compilers. Line tables only: reports keep
  # file:line; full -g made the build ~28 % slower.
  clangxx="$(command -v clang++-16 || true)"
  if [ -z "$clangxx" ]; then
    echo "test.sh: clang++-16 not found (Debian packages clang-16 libclang-rt-16-dev libomp-16-dev)" >&2
    exit 2
  fi
  # A build-asan/ configured with another compiler (GCC, before) cannot be switched in place.
  if [ -f build-asan/CMakeCache.txt ] && ! grep -q "^CMAKE_CXX_COMPILER:[A-Z]*=$clangxx\$" build-asan/CMakeCache.txt; then
    rm -rf build-asan
  fi
  cmake -S . -B build-asan -G Ninja -DCMAKE_CXX_COMPILER="$clangxx" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG=-gline-tables-only -DPROXIMA_SANITIZE=ON -DPROXIMA_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build build-asan --parallel "$jobs"
  symbolizer=/usr/lib/llvm-16/bin/llvm-symbolizer  # function names in reports (package llvm-16)
  # AddressSanitizer's allocator gives freed memory back to the system every 5 s and keeps the
  # last 256 MiB of frees unusable (its quarantine, where a use after free is caught); each block
  # it then maps again is faulted in page by page, with its shadow: a third of this pass's CPU
  # time was in the kernel. Memory kept mapped, and a quarantine of 64 MiB (a use after free is
  # still caught when less than 64 MiB was freed in between); README, "Two commands", has the figures.
  ASAN_SYMBOLIZER_PATH="$symbolizer" UBSAN_SYMBOLIZER_PATH="$symbolizer" \
    ASAN_OPTIONS="abort_on_error=1:allocator_release_to_os_interval_ms=-1:quarantine_size_mb=64" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    LSAN_OPTIONS="suppressions=$PWD/tests/lsan-suppressions.txt" \
    ctest --test-dir build-asan --output-on-failure --parallel "$jobs"
fi

if [ "${PROXIMA_SKIP_FUZZ:-0}" != "1" ]; then
  echo "== fuzzing (scripts/fuzz.sh 20) ==" >&2
  scripts/fuzz.sh 20
fi
