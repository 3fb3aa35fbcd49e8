#!/usr/bin/env bash
# Opens a report.html in headless Chromium as a reader would and checks what a browser alone can
# tell (scripts/report_browser_check.py): nothing loaded from outside the file, the legend's words
# (commune, zone or square), a click on every commune with the isochrones on opens the commune's
# popup, the keyboard reaches the commune table with a visible focus, a phone-sized screen
# collapses the layer list and the legend; and prints the report to PDF as the browser's print
# dialog would (OUT_DIR/report-print.pdf, with a screenshot of the small screen beside it).
#
#   scripts/check-report-browser.sh RUN_DIR/report.html [OUT_DIR]     (OUT_DIR: beside the report)
#
# Installs Debian's chromium and python3-websocket with apt-get when missing. Exits 1 if a check
# fails, 2 on bad usage.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 REPORT.html [OUT_DIR]" >&2
  exit 2
fi
report="$1"
if [ ! -f "$report" ]; then
  echo "check-report-browser: no file '$report'" >&2
  exit 2
fi
out_dir="${2:-$(dirname "$report")}"
mkdir -p "$out_dir"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
/usr/bin/python3 -c 'import websocket' 2>/dev/null || missing+=(python3-websocket)
if [ ${#missing[@]} -gt 0 ]; then
  echo "check-report-browser: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

profile="$(mktemp -d)"
port=$(( 20000 + $$ % 20000 ))
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --user-data-dir="$profile" --no-first-run --no-default-browser-check \
  --disable-background-networking --disable-component-update --disable-sync \
  --remote-debugging-address=127.0.0.1 --remote-debugging-port="$port" about:blank >/dev/null 2>&1 &
browser=$!
trap 'kill "$browser" 2>/dev/null; wait "$browser" 2>/dev/null; rm -rf "$profile"' EXIT
/usr/bin/python3 "$(dirname "$0")/report_browser_check.py" "$port" "$report" "$out_dir"
