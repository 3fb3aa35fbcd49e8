#!/usr/bin/env bash
# Fuzzes every parser of outside data (fuzz/README.md): installs what is missing, builds the
# libFuzzer targets with clang in build-fuzz/ (ASan + UBSan), then runs each target for SECONDS
# (default 20) from a scratch copy of its seed corpus and saved regressions.
# Exits non-zero if any target finds a crash, a sanitizer error or a broken invariant, and says
# where the input that triggers it was saved (build-fuzz/findings/<target>/).
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]      (default: every target)
# Environment: PROXIMA_JOBS (build jobs, default nproc), PROXIMA_FUZZ_OPTIONS (extra libFuzzer
# options, e.g. "-fork=2 -ignore_crashes=1" to collect several findings in one run).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
seconds="${1:-20}"
shift $(( $# > 0 ? 1 : 0 ))
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2
  exit 2
fi
jobs="${PROXIMA_JOBS:-$(nproc)}"

# Longest input per target: a little above the largest seed.
declare -A max_len=([tag_rules]=512 [profile_toml]=8192 [study_toml]=4096 [csv]=4096 [graph_file]=4096)
if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=(tag_rules profile_toml study_toml csv graph_file)
fi
for t in "${targets[@]}"; do
  if [ -z "${max_len[$t]:-}" ]; then
    echo "fuzz: unknown target '$t' (targets: ${!max_len[*]})" >&2
    exit 2
  fi
done

scripts/install-deps.sh
# clang 16: Debian 12's default clang (14) cannot compile Proxima's C++20 (fuzz/CMakeLists.txt).
clangxx="$(command -v clang++-16 || true)"
if [ -z "$clangxx" ]; then
  echo "fuzz: clang++-16 not found (Debian packages clang-16 and libclang-rt-16-dev)" >&2
  exit 2
fi
# Debug: assertions stay on; the fuzz targets add -O1 themselves.
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER="$clangxx" \
  -DPROXIMA_FUZZ=ON -DPROXIMA_BUILD_TESTS=OFF -DPROXIMA_BUILD_BENCHMARKS=OFF >/dev/null
build_targets=()
for t in "${targets[@]}"; do build_targets+=(--target "fuzz_$t"); done
echo "== fuzz: building ${targets[*]} (clang 16, -fsanitize=fuzzer,address,undefined) ==" >&2
cmake --build build-fuzz "${build_targets[@]}" --parallel "$jobs"

run="$root/build-fuzz/run"
symbolizer=/usr/lib/llvm-16/bin/llvm-symbolizer  # stack traces with function names (package llvm-16)
declare -A dict=([tag_rules]=fuzz/dict/tag_rules.dict [profile_toml]=fuzz/dict/toml.dict
                 [study_toml]=fuzz/dict/toml.dict [csv]=fuzz/dict/csv.dict [graph_file]=)
findings="$root/build-fuzz/findings"
# One target: fresh scratch corpus (the seeds and the fixed findings; the repository is never
# written), then libFuzzer; the verdict goes to $run/$t/verdict, the summary to $run/$t/summary.
fuzz_one() {
  local t="$1"
  rm -rf "${run:?}/$t"
  mkdir -p "$run/$t/corpus" "$findings/$t"
  cp fuzz/corpus/"$t"/* "$run/$t/corpus/"
  if compgen -G "fuzz/regressions/$t/*" >/dev/null; then
    cp fuzz/regressions/"$t"/* "$run/$t/corpus/"
  fi
  local log="$run/$t/fuzz.log" rc execs
  set +e
  # shellcheck disable=SC2086 # PROXIMA_FUZZ_OPTIONS is a list of options
  ASAN_SYMBOLIZER_PATH="$symbolizer" UBSAN_SYMBOLIZER_PATH="$symbolizer" \
    ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    build-fuzz/fuzz/fuzz_"$t" "$run/$t/corpus" -max_total_time="$seconds" -max_len="${max_len[$t]}" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/$t/" \
    ${dict[$t]:+-dict="$root/${dict[$t]}"} \
    ${PROXIMA_FUZZ_OPTIONS:-} >"$log" 2>&1
  rc=$?
  set -e
  execs="$(grep -a -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)"
  if [ "$rc" -eq 0 ]; then
    echo "   $t: no finding (${execs:-?} inputs)" >"$run/$t/summary"
    echo ok >"$run/$t/verdict"
    return
  fi
  {
    echo "   $t: FINDING (exit $rc, ${execs:-?} inputs):"
    grep -a -E 'proxima-fuzz:|ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error:|^SUMMARY:' "$log" \
      | sed 's/^/     /' | head -n 8 || true
    grep -a -o 'Test unit written to .*' "$log" | sed 's/^Test unit written to /     input saved to /' || true
    echo "     replay: build-fuzz/fuzz/fuzz_$t INPUT   (full log: ${log#"$root"/})"
  } >"$run/$t/summary"
  echo finding >"$run/$t/verdict"
}

# Targets run side by side, $jobs at a time (each libFuzzer process uses one core).
echo "== fuzz: ${targets[*]}, ${seconds}s each, $jobs at a time (logs: build-fuzz/run/<target>/fuzz.log) ==" >&2
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  fuzz_one "$t" &
  running=$((running + 1))
done
wait
# Scratch files of fuzzer processes that crashed (fuzz_common.hpp): only those of dead processes.
for d in /tmp/proxima-fuzz-[0-9]*; do
  if [ -d "$d" ] && ! kill -0 "${d##*-}" 2>/dev/null; then rm -rf "$d"; fi
done
failed=()
for t in "${targets[@]}"; do
  cat "$run/$t/summary" >&2 2>/dev/null || echo "   $t: no verdict (the fuzzer did not finish)" >&2
  if [ "$(cat "$run/$t/verdict" 2>/dev/null)" != ok ]; then failed+=("$t"); fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in: ${failed[*]}. Fixed ones go to fuzz/regressions/<target>/ (see fuzz/README.md)." >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, no finding" >&2
