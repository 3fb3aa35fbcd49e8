#!/usr/bin/env bash
# Installs the Debian packages Proxima needs to build, test and benchmark.
# Only Debian's package registry is used; nothing is downloaded from elsewhere.
# Safe to re-run: packages already present are skipped, and apt is not touched at all
# when everything is installed.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config ninja-build
  libosmium2-dev libprotozero-dev libbz2-dev zlib1g-dev libexpat1-dev liblz4-dev
  libgdal-dev gdal-bin libgeos-dev libproj-dev proj-data
  # access.gpkg's rows are inserted by SQLite itself into the tables GDAL makes
  libsqlite3-dev
  libboost-dev libboost-graph-dev
  catch2 libbenchmark-dev libssl-dev libcli11-dev libtomlplusplus-dev libfmt-dev nlohmann-json3-dev
  libcairo2-dev libpng-dev fonts-dejavu-core libjs-leaflet libxml2-dev libxlsxwriter-dev
  # tests: reading the xlsx workbooks back with an independent reader
  python3-openpyxl
  # tests: checking the extract proxima init cuts with an independent tool (check-refs, fileinfo)
  osmium-tool
  # tests: GDAL's GeoPackage validator (validate_gpkg.py) on the files Proxima writes
  python3-gdal
  # tests: reading report.pdf back (pdfinfo, pdffonts, pdftotext, pdfimages)
  poppler-utils
  # scripts/fuzz.sh: clang 16, its libFuzzer, OpenMP and llvm-symbolizer (Debian 12's default clang,
  # 14, cannot compile Proxima's C++20: std::source_location, lambdas capturing structured bindings)
  clang-16 libclang-rt-16-dev libomp-16-dev llvm-16
  # LLVM's linker: links the programs in about a third of GNU ld's time (used when present)
  lld
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed" >&2
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done" >&2
