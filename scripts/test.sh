#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs the whole test suite
# twice: a Release build (build/), then a Debug build with AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/). Benchmarks are compiled (not run) so they cannot rot.
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
  echo "== tests (Debug, -fsanitize=address,undefined) ==" >&2
  # -g1: line tables only (sanitizer reports keep file:line); full -g made this build ~28 % slower.
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DPROXIMA_SANITIZE=ON \
    -DPROXIMA_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build build-asan --parallel "$jobs"
  ASAN_OPTIONS="abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    LSAN_OPTIONS="suppressions=$PWD/tests/lsan-suppressions.txt" \
    ctest --test-dir build-asan --output-on-failure --parallel "$jobs"
fi

if [ "${PROXIMA_SKIP_FUZZ:-0}" != "1" ]; then
  echo "== fuzzing (scripts/fuzz.sh 20) ==" >&2
  scripts/fuzz.sh 20
fi
