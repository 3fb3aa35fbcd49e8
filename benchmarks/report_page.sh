#!/usr/bin/env bash
# report.html at scale: writes the page of a run folder with `proxima report` (wall time and peak
# memory), then loads it in headless Chromium as a reader would (load time, JavaScript heap, time
# to show five other services; benchmarks/report_page.py). With a second binary (an older
# Proxima), its page of the same folder is written and loaded in turn, and the figures are also
# given as ratios to it (the first page printed): the baseline measured in the same run.
#
#   benchmarks/report_page.sh RUN_DIR [BASELINE_PROXIMA]
#
# RUN_DIR is an output folder of `proxima run` (e.g. the 1 M mosaic's study of
# `run-scaling.sh mosaic-1m`); it is copied, never written. Installs Debian's chromium and
# python3-websocket (and time) when missing, as scripts/check-report-browser.sh does.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ $# -lt 1 || $# -gt 2 || ! -f "${1}/run.json" ]]; then
  echo "usage: $0 RUN_DIR [BASELINE_PROXIMA]   (RUN_DIR: an output folder of proxima run)" >&2
  exit 2
fi
run_dir="$1"
baseline="${2:-}"
proxima="${PROXIMA_BIN:-$root/build/proxima}"
if [[ ! -x "$proxima" ]]; then
  echo "report_page: no '$proxima'; build first (scripts/build.sh) or set PROXIMA_BIN" >&2
  exit 2
fi
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
/usr/bin/python3 -c 'import websocket' 2>/dev/null || missing+=(python3-websocket)
[[ -x /usr/bin/time ]] || missing+=(time)
if [[ ${#missing[@]} -gt 0 ]]; then
  SUDO=""; [[ "$(id -u)" -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

work=""
profile=""
browser=""
trap 'if [[ -n "$browser" ]]; then kill "$browser" 2>/dev/null || true; wait "$browser" 2>/dev/null || true; fi; rm -rf "$work" "$profile"' EXIT
work="$(mktemp -d)"
profile="$(mktemp -d)"
pages=()
for which in baseline current; do
  bin="$proxima"
  if [[ "$which" == baseline ]]; then
    [[ -z "$baseline" ]] && continue
    bin="$baseline"
  fi
  cp -r "$run_dir" "$work/$which"
  /usr/bin/time -f "%e %M" -o "$work/$which.time" "$bin" -q report "$work/$which" >/dev/null
  read -r seconds kib <"$work/$which.time"
  awk -v w="$which" -v s="$seconds" -v k="$kib" 'BEGIN { printf "%-10s proxima report: %6.1f s, peak %6.0f MiB\n", w, s, k / 1024 }'
  pages+=("$which=$work/$which/report.html")
done
port=$(( 20000 + $$ % 20000 ))
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" --no-first-run \
  --no-default-browser-check --disable-background-networking --disable-component-update --disable-sync \
  --remote-debugging-address=127.0.0.1 --remote-debugging-port="$port" about:blank >/dev/null 2>&1 &
browser=$!
/usr/bin/python3 "$root/benchmarks/report_page.py" "$port" "${pages[@]}"
