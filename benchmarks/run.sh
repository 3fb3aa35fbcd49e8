#!/usr/bin/env bash
# Builds the routing benchmarks if needed (Release, in build-bench/) and runs them once.
# Extra arguments go to the Google Benchmark program, e.g.
#   benchmarks/run.sh --benchmark_filter=one_to_all
#   benchmarks/run.sh --benchmark_repetitions=1
# Environment: PROXIMA_BENCH_BUILD_DIR (default: <repo>/build-bench).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${PROXIMA_BENCH_BUILD_DIR:-$root/build-bench}"

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  generator=()
  if command -v ninja >/dev/null 2>&1; then
    generator=(-G Ninja)
  fi
  cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DPROXIMA_BUILD_TESTS=OFF -DPROXIMA_BUILD_BENCHMARKS=ON
fi
build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")"
if [[ "$build_type" != "Release" ]]; then
  echo "run.sh: $build is a '$build_type' build; benchmarks need Release (remove it or set PROXIMA_BENCH_BUILD_DIR)" >&2
  exit 2
fi
cmake --build "$build" --target bench_routing --parallel "$(nproc 2>/dev/null || echo 2)"

# 3 repetitions in random order: proxima and boost runs interleave, so slow phases of a noisy
# machine hit both; the ratio table uses the medians.
exec "$build/benchmarks/bench_routing" \
  --benchmark_repetitions=3 \
  --benchmark_enable_random_interleaving=true \
  --benchmark_display_aggregates_only=true \
  "$@"
