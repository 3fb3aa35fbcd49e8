#!/usr/bin/env bash
# scripts/check-layers.sh on tiny made-up trees: passes on a tree that follows the layer order,
# fails listing each upward include (public and internal) or an unranked module folder.
#
# Usage: test_check_layers.sh PATH/TO/scripts/check-layers.sh
set -u
check=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/proxima-layers-test.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "not ok - $*"; failed=1; }

mkdir -p "$tmp/include/proxima/osm" "$tmp/src/core" "$tmp/src/routing" "$tmp/apps/proxima"
printf '#include "proxima/graph/road_graph.hpp"\n' >"$tmp/include/proxima/osm/profile.hpp"
printf '#include "proxima/core/error.hpp"\n#include "core/gdal_handles.hpp"\n' >"$tmp/src/routing/snap.cpp"
printf '#include "proxima/run/run_study.hpp"\n#include "cli_common.hpp"\n' >"$tmp/apps/proxima/main.cpp"
printf '#include <fmt/format.h>\n' >"$tmp/src/core/log.cpp"
bash "$check" "$tmp" >"$tmp/out" 2>&1 || fail "a tree that follows the order passes: $(cat "$tmp/out")"

# Upward: core includes run (public header) and osm (internal header); a comment does not count.
cat >"$tmp/src/core/log.cpp" <<'CPP'
#include "proxima/core/log.hpp"
#include "proxima/run/run_study.hpp"
  #  include "osm/turn_builder.hpp"
// #include "proxima/report/html_report.hpp"
CPP
bash "$check" "$tmp" >"$tmp/out" 2>/dev/null && fail "upward includes make the check fail"
expected=$'src/core/log.cpp:2: core includes run\nsrc/core/log.cpp:3: core includes osm'
[ "$(cat "$tmp/out")" = "$expected" ] || fail "upward includes are listed as file:line: got '$(cat "$tmp/out")'"

# A module folder missing from the order fails instead of going unchecked.
printf '#include <fmt/format.h>\n' >"$tmp/src/core/log.cpp"
mkdir -p "$tmp/src/extras"
bash "$check" "$tmp" >"$tmp/out" 2>/dev/null && fail "an unranked module folder makes the check fail"
grep -q "module 'extras' is not in the layer order" "$tmp/out" || fail "the unranked module is named: $(cat "$tmp/out")"

[ "$failed" = 0 ] && echo "ok - check-layers passes, lists upward includes and unranked modules"
exit "$failed"
