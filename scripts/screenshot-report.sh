#!/usr/bin/env bash
# Takes a screenshot of an HTML report (report.html of a run) with headless Chromium, to look at
# it without a desktop, or to attach it to a review.
#
#   scripts/screenshot-report.sh RUN_DIR/report.html OUT.png [WIDTHxHEIGHT]
#
# WIDTHxHEIGHT is the browser window (default 1400x1000); the PNG shows that window only, so give
# a tall one (e.g. 1400x4200) to see the whole page. The page is opened from file://, as a reader
# would; Chromium is kept offline (no proxy, no network service calls are needed by the report).
# Installs Debian's chromium with apt-get when it is missing (as scripts/install-deps.sh does).
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 REPORT.html OUT.png [WIDTHxHEIGHT]" >&2
  exit 2
fi
report="$1"
out="$2"
size="${3:-1400x1000}"
if [ ! -f "$report" ]; then
  echo "screenshot-report: '$report' not found; write it first (proxima run ... writes report.html)" >&2
  exit 1
fi
if ! [[ "$size" =~ ^([0-9]+)x([0-9]+)$ ]]; then
  echo "screenshot-report: size '$size' is not WIDTHxHEIGHT, e.g. 1400x1000" >&2
  exit 2
fi
width="${BASH_REMATCH[1]}"
height="${BASH_REMATCH[2]}"

browser=""
for candidate in chromium chromium-browser; do
  if command -v "$candidate" >/dev/null 2>&1; then
    browser="$candidate"
    break
  fi
done
if [ -z "$browser" ]; then
  echo "screenshot-report: installing Debian's chromium" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
  browser=chromium
fi

abs_report="$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
out_dir="$(dirname "$out")"
mkdir -p "$out_dir"
abs_out="$(cd "$out_dir" && pwd)/$(basename "$out")"
# A private profile: no state shared with another browser, nothing left behind.
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
tmp_out="$abs_out.tmp-$$.png"

# --virtual-time-budget lets the page's scripts (Leaflet drawing the map) finish before the shot.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --user-data-dir="$profile" --no-first-run --no-default-browser-check \
  --disable-background-networking --disable-component-update --disable-sync \
  --virtual-time-budget=5000 \
  --window-size="$width,$height" --screenshot="$tmp_out" "file://$abs_report" >/dev/null 2>&1 || {
    rm -f "$tmp_out"
    echo "screenshot-report: $browser failed on '$report'" >&2
    exit 1
  }
if [ ! -s "$tmp_out" ]; then
  rm -f "$tmp_out"
  echo "screenshot-report: $browser wrote no image for '$report'" >&2
  exit 1
fi
mv "$tmp_out" "$abs_out"
echo "$abs_out"
