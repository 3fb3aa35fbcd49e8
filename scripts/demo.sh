#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, and runs `proxima demo` on the
# bundled samples in data/. Outputs go to proxima-demo/ (or the folder given as first argument).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh -DPROXIMA_BUILD_TESTS=OFF -DPROXIMA_BUILD_BENCHMARKS=OFF
exec build/proxima demo -o "${1:-proxima-demo}"
