#!/usr/bin/env bash
# Times the phases of a full `proxima run` on the Andorra study with every service that has
# facilities there (benchmarks/andorra-all-services.toml), 5 runs, and prints the median time of
# each phase and its share of the run. Ratios within one run, not absolute times, are what
# compare across machines. Usage: benchmarks/study_phases.sh [RUNS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${PROXIMA_BENCH_BUILD_DIR:-$root/build-bench}"
runs="${1:-5}"
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPROXIMA_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build" --target proxima --parallel "$(nproc)" >/dev/null
study="$root/benchmarks/andorra-all-services.toml"
out="$build/study-output"
"$build/proxima" -q run "$study" -o "$out" --force >/dev/null   # builds the graph cache once
for i in $(seq 1 "$runs"); do
  "$build/proxima" -q run "$study" -o "$out" --force >/dev/null
  cp "$out/run.json" "$build/study-run-$i.json"
done
python3 - "$build" "$runs" <<'PY'
import json, statistics, sys
build, runs = sys.argv[1], int(sys.argv[2])
timings = [json.load(open(f"{build}/study-run-{i}.json"))["timings_s"] for i in range(1, runs + 1)]
run = json.load(open(f"{build}/study-run-1.json"))
phases = list(timings[0].keys())
medians = {p: statistics.median(t[p] for t in timings) for p in phases}
# "write (own thread)" overlaps the maps and report.pdf: shown, not added to the total.
overlapping = [p for p in phases if "(own thread)" in p]
total = sum(v for p, v in medians.items() if p not in overlapping)
print(f"Andorra study: {len(run['services'])} services, {run['population']['origins']} origins, "
      f"graph {run['graph']['nodes']} nodes / {run['graph']['arcs']} arcs; median of {runs} runs")
for p in phases:
    share = "overlaps" if p in overlapping else f"{100*medians[p]/total:5.1f} %"
    print(f"  {p:<18} {medians[p]*1000:9.2f} ms  {share}")
print(f"  {'total':<18} {total*1000:9.2f} ms")
PY
