#!/usr/bin/env bash
# Scaling benchmark (issue 14): generated networks of 1 M, 4 M and 20 M graph nodes, each with a
# generated study, then `proxima build-graph` and `proxima run` on them; prints nodes, services,
# origins, time and peak memory of each, with ratios to the first case run. Never run by CI (the
# 20 M case needs about 20 GB and tens of minutes).
#
# Usage: benchmarks/run-scaling.sh [CASE...]      default: grid-1m
#   CASE = <kind>-<size>, kind grid (street grid) or mosaic (data/osm/liechtenstein-2021 tiled),
#   size 1m (100 services, 100 000 origins, default options), 4m (100 services, 400 000 origins,
#   default options) or 20m (200 services, 2 300 000 origins, --no-maps --no-rasters
#   --raster-resolution 200: a 100 m surface over its zones is more than run's 100 M pixels); smoke (10 000 nodes,
#   5 services, 2 000 origins) checks the script in seconds.
# Besides the whole run, `benchmarks/search_phase` times the run's search phase alone (every
# service from every origin, 2 cores), which the 20m case's target is about.
# Environment: PROXIMA_BENCH_BUILD_DIR (default build-bench/), PROXIMA_SCALING_PEER=0 skips the
# NetworkX comparison, PROXIMA_SCALING_RUN=0 skips the whole `run` (the 20m case's takes 34 min,
# 20.2 GB and 22 GB of disk on a 2-core, 23.5 GiB machine: see README) and keeps the search phase,
# PROXIMA_SCALING_BUILD_FLAGS is passed to build-graph (e.g. --no-hierarchy: the contraction
# hierarchy of a synthetic street grid takes far longer than a real road network's — see
# benchmarks/README.md — so this measures the pipeline on Dijkstra alone).
# Files go to $build/scaling/<case>/ and are reused when present (delete to regenerate).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${PROXIMA_BENCH_BUILD_DIR:-$root/build-bench}"
cases=("$@")
[[ ${#cases[@]} -eq 0 ]] && cases=(grid-1m)
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPROXIMA_BUILD_TESTS=OFF \
        -DPROXIMA_BUILD_BENCHMARKS=ON >/dev/null
fi
cmake --build "$build" --target proxima make_network scaling_peer search_phase --parallel "$(nproc)" >/dev/null
proxima="$build/proxima"
timed() {  # timed <log> command...: runs it, appends "elapsed_s peak_kib" to <log>.time
  local log="$1"; shift
  /usr/bin/time -f "%e %M" -o "$log.time" "$@" >"$log" 2>&1 || { cat "$log"; echo "failed: $*" >&2; exit 1; }
}

results=()
for case in "${cases[@]}"; do
  kind="${case%-*}"; size="${case#*-}"
  case "$size" in
    smoke) nodes=10000;  services=5;   origins=2000;    run_opts=() ;;  # checks the script itself
    1m)  nodes=1000000;  services=100; origins=100000;  run_opts=() ;;
    4m)  nodes=4000000;  services=100; origins=400000;  run_opts=() ;;
    20m) nodes=20000000; services=200; origins=2300000; run_opts=(--no-maps --no-rasters --raster-resolution 200) ;;
    *) echo "unknown size '$size' (1m, 4m, 20m)" >&2; exit 2 ;;
  esac
  dir="$build/scaling/$case"
  mkdir -p "$dir"
  pbf="$dir/network.osm.pbf"
  if [[ ! -f "$pbf" ]]; then
    case "$kind" in
      grid) "$build/benchmarks/make_network" grid "$nodes" "$pbf" ;;
      mosaic)
        # Tiles: enough copies of the source's graph nodes to reach the target, in a square.
        src="$root/data/osm/liechtenstein-2021.osm.pbf"
        per_tile=$("$proxima" build-graph "$src" -o "$dir/source.pxg" | sed -n 's/^ *nodes (intersections, dead ends): *//p' | tr -dc 0-9)
        side=$(python3 -c "import math; print(math.ceil(math.sqrt($nodes / $per_tile)))")
        "$build/benchmarks/make_network" mosaic "$src" "$side" "$side" "$pbf" ;;
      *) echo "unknown kind '$kind' (grid, mosaic)" >&2; exit 2 ;;
    esac
  fi
  [[ -f "$dir/study/study.toml" ]] || "$build/benchmarks/make_network" study "$pbf" "$dir/study" "$services" 50 "$origins" EPSG:2154
  timed "$dir/build-graph.log" "$proxima" build-graph "$pbf" -o "$dir/study/graph.pxg" ${PROXIMA_SCALING_BUILD_FLAGS:-}
  read -r build_s build_kib <"$dir/build-graph.log.time"
  graph_nodes=$(sed -n 's/^ *nodes (intersections, dead ends): *//p' "$dir/build-graph.log" | tr -dc 0-9)
  timed "$dir/search.log" "$build/benchmarks/search_phase" "$dir/study/study.toml"
  search_s=$(sed -n 's/^search_s //p' "$dir/search.log")
  run_s=nan; run_kib=0
  if [[ "${PROXIMA_SCALING_RUN:-1}" != 0 ]]; then
    timed "$dir/run.log" "$proxima" run "$dir/study/study.toml" -o "$dir/output" --force "${run_opts[@]}"
    read -r run_s run_kib <"$dir/run.log.time"
  fi
  results+=("$case $graph_nodes $services $origins $build_s $build_kib $search_s $run_s $run_kib")
  if [[ "${PROXIMA_SCALING_PEER:-1}" != 0 ]]; then
    peer="$dir/peer"
    proxima_s=$("$build/benchmarks/scaling_peer" "$dir/study/study.toml" s001 "$peer" | sed -n 's/^proxima_search_s //p')
    /usr/bin/python3 "$root/benchmarks/networkx_peer.py" "$peer" "$proxima_s" | sed "s/^/  $case /"
  fi
done

echo
echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GB; ratios against ${results[0]%% *}"
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(a / b if b > 0 else float('nan'))" "$1" "$2"; }
printf '%-10s %11s %8s %9s %9s %10s %9s %9s %10s %8s %8s %8s\n' case nodes services origins build_s build_MiB \
       search_s run_s run_MiB search_x run_x mem_x
read -r _ _ _ _ _ _ base_search base_s base_kib <<<"${results[0]}"
for r in "${results[@]}"; do
  read -r c n s o bs bk ss rs rk <<<"$r"
  printf '%-10s %11s %8s %9s %9.1f %10.0f %9.2f %9.1f %10.0f %8.2f %8.2f %8.2f\n' "$c" "$n" "$s" "$o" "$bs" \
         "$((bk / 1024))" "$ss" "$rs" "$((rk / 1024))" "$(ratio "$ss" "$base_search")" "$(ratio "$rs" "$base_s")" \
         "$(ratio "$rk" "$base_kib")"
done
