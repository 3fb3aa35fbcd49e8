#!/usr/bin/env bash
# End-to-end tests of the proxima command line: exit codes, error messages, and that a failed
# command leaves no output (nor temporary *.tmp-* file) behind.
#
# Usage: test_cli.sh PATH/TO/proxima PATH/TO/data
# Prints "ok - NAME" or "not ok - NAME: DETAILS" per check, then "N passed, M failed";
# exits 1 if any check failed, 2 on bad usage.

set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cli_test_setup "$@"

ANDORRA_PBF=$DATA/osm/andorra-2021.osm.pbf
POINTS=$DATA/reference/andorra-points.csv
GRAPH=$TMP/andorra.pxg
VALID_FROM=1.5218,42.5063   # Andorra la Vella
VALID_TO=1.7336,42.5428     # Pas de la Casa

# flip_byte FILE OFFSET: inverts every bit of the byte at OFFSET, in place.
flip_byte() {
    local file=$1 offset=$2 byte
    byte=$(od -An -tu1 -j "$offset" -N1 "$file" | tr -d ' \n')
    # shellcheck disable=SC2059
    printf "$(printf '\\%03o' $((${byte:-0} ^ 255)))" | dd of="$file" bs=1 seek="$offset" conv=notrunc status=none
}


# ---------------------------------------------------------------------------------------------
# General command line
# ---------------------------------------------------------------------------------------------

run "$PROXIMA" --help
if [ "$RC" -eq 0 ] && grep -q 'build-graph' "$TMP/stdout"; then
    ok "--help exits 0 and lists the subcommands"
else
    not_ok "--help exits 0 and lists the subcommands" "exit code $RC, stdout: $(head -c 200 "$TMP/stdout")"
fi

run "$PROXIMA" --version
if [ "$RC" -eq 0 ] && grep -q '^proxima [0-9]' "$TMP/stdout"; then
    ok "--version exits 0 and prints the version"
else
    not_ok "--version exits 0 and prints the version" "exit code $RC, stdout: $(head -c 200 "$TMP/stdout")"
fi

expect "no subcommand: exit 2" 2 - "subcommand" -- "$PROXIMA"
expect "unknown option without subcommand: exit 2" 2 - -- "$PROXIMA" --no-such-option
expect "unknown option: exit 2 naming it" 2 - "--no-such-option" -- \
    "$PROXIMA" --no-such-option route --graph "$GRAPH" --from "$VALID_FROM" --to "$VALID_TO"
expect "unknown subcommand option: exit 2 naming it" 2 - "--no-such-option" -- \
    "$PROXIMA" route --graph "$GRAPH" --from "$VALID_FROM" --to "$VALID_TO" --no-such-option

# ---------------------------------------------------------------------------------------------
# build-graph
# ---------------------------------------------------------------------------------------------

expect "build-graph: missing extract -> 3 naming it" 3 "$TMP/missing.pxg" "no-such-extract.osm.pbf" "does not exist" -- \
    "$PROXIMA" build-graph "$TMP/no-such-extract.osm.pbf" -o "$TMP/missing.pxg"

head -c 4096 /dev/urandom >"$TMP/random.osm.pbf"
expect "build-graph: random bytes as .osm.pbf -> 3, no output" 3 "$TMP/random.pxg" "random.osm.pbf" -- \
    "$PROXIMA" build-graph "$TMP/random.osm.pbf" -o "$TMP/random.pxg"

printf 'this is not an OpenStreetMap file\n' >"$TMP/text.osm.pbf"
expect "build-graph: text file as .osm.pbf -> 3, no output" 3 "$TMP/text.pxg" "text.osm.pbf" -- \
    "$PROXIMA" build-graph "$TMP/text.osm.pbf" -o "$TMP/text.pxg"

printf '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6"></osm>\n' >"$TMP/empty.osm"
expect "build-graph: empty .osm -> 3 (no drivable road), no output" 3 "$TMP/empty.pxg" "empty.osm" "no road drivable" -- \
    "$PROXIMA" build-graph "$TMP/empty.osm" -o "$TMP/empty.pxg"

cat >"$TMP/footway.osm" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="proxima-cli-test">
  <node id="1" version="1" lat="42.5060" lon="1.5210"/>
  <node id="2" version="1" lat="42.5065" lon="1.5220"/>
  <node id="3" version="1" lat="42.5070" lon="1.5230"/>
  <way id="10" version="1">
    <nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="footway"/>
  </way>
</osm>
EOF
expect "build-graph: only a footway -> 3 (no drivable road), no output" 3 "$TMP/footway.pxg" "footway.osm" "no road drivable" -- \
    "$PROXIMA" build-graph "$TMP/footway.osm" -o "$TMP/footway.pxg"

expect "build-graph: output folder missing -> 6" 6 "$TMP/no-such-dir/out.pxg" "no-such-dir" "does not exist" -- \
    "$PROXIMA" build-graph "$ANDORRA_PBF" -o "$TMP/no-such-dir/out.pxg"
check "build-graph: missing output folder not created" test ! -e "$TMP/no-such-dir"

# A copy of the bundled profile with one unknown top-level key; its line number is checked.
{
    echo 'colour = "red"'
    cat "$DATA/profiles/car.toml"
} >"$TMP/bad-key.toml"
expect "build-graph: profile with unknown key -> 5 naming key and line" 5 "$TMP/bad-key.pxg" \
    "bad-key.toml:1:" "unknown key 'colour'" -- \
    "$PROXIMA" build-graph "$ANDORRA_PBF" -o "$TMP/bad-key.pxg" --profile "$TMP/bad-key.toml"
{
    cat "$DATA/profiles/car.toml"
    echo
    echo '[speed2]'
    echo 'max_kmh = 90'
} >"$TMP/bad-table.toml"
bad_line=$(grep -n '^\[speed2\]' "$TMP/bad-table.toml" | cut -d: -f1)
expect "build-graph: profile with unknown table -> 5 naming key and line" 5 "$TMP/bad-table.pxg" \
    "bad-table.toml:$bad_line:" "speed2" -- \
    "$PROXIMA" build-graph "$ANDORRA_PBF" -o "$TMP/bad-table.pxg" --profile "$TMP/bad-table.toml"

expect "build-graph: missing profile -> 3 naming it" 3 "$TMP/noprofile.pxg" "no-such-profile.toml" -- \
    "$PROXIMA" build-graph "$ANDORRA_PBF" -o "$TMP/noprofile.pxg" --profile "$TMP/no-such-profile.toml"

rm -f "$GRAPH"
run "$PROXIMA" build-graph "$ANDORRA_PBF" -o "$GRAPH"
if [ "$RC" -eq 0 ] && grep -q 'nodes' "$TMP/stdout" && [ -s "$GRAPH" ]; then
    ok "build-graph: Andorra -> 0, summary with nodes, graph written"
else
    not_ok "build-graph: Andorra -> 0, summary with nodes, graph written" \
        "exit code $RC, graph $(test -s "$GRAPH" && echo present || echo missing), stderr: $(stderr_excerpt)"
fi
check "build-graph: no temporary file left after success" test -z "$(find "$TMP" -maxdepth 1 -name '*.tmp-*')"

if [ ! -s "$GRAPH" ]; then
    echo "# the Andorra graph could not be built: the checks that need it will fail"
fi
cp "$GRAPH" "$TMP/first.pxg" 2>/dev/null
run "$PROXIMA" build-graph "$ANDORRA_PBF" -o "$GRAPH"
if [ "$RC" -eq 0 ] && cmp -s "$GRAPH" "$TMP/first.pxg"; then
    ok "build-graph: re-run overwrites the graph (same bytes)"
else
    not_ok "build-graph: re-run overwrites the graph (same bytes)" \
        "exit code $RC, $(cmp "$GRAPH" "$TMP/first.pxg" 2>&1 | head -n1), stderr: $(stderr_excerpt)"
fi

# A failed build must leave an existing graph untouched.
run "$PROXIMA" build-graph "$TMP/footway.osm" -o "$GRAPH"
if [ "$RC" -eq 3 ] && cmp -s "$GRAPH" "$TMP/first.pxg" && [ -z "$(find "$TMP" -maxdepth 1 -name '*.tmp-*')" ]; then
    ok "build-graph: failed build keeps the existing graph"
else
    not_ok "build-graph: failed build keeps the existing graph" "exit code $RC, stderr: $(stderr_excerpt)"
    cp "$TMP/first.pxg" "$GRAPH" 2>/dev/null
fi

# ---------------------------------------------------------------------------------------------
# Graph file (cache) errors
# ---------------------------------------------------------------------------------------------

# A valid route request; append the graph file.
route_with=("$PROXIMA" route --from "$VALID_FROM" --to "$VALID_TO" --graph)

printf 'id,lon,lat\n1,2,3\n' >"$TMP/text.pxg"
expect "graph: text file -> 4 (not a Proxima graph)" 4 - "text.pxg" "not a Proxima graph" -- "${route_with[@]}" "$TMP/text.pxg"

size=$(wc -c 2>/dev/null <"$GRAPH" | tr -d ' ')
head -c $((${size:-0} / 2)) "$GRAPH" >"$TMP/truncated.pxg" 2>/dev/null
expect "graph: truncated to half -> 4" 4 - "truncated.pxg" "truncated" -- "${route_with[@]}" "$TMP/truncated.pxg"

# Header: 8 magic + 4 version + 4 byte order + 8 payload size + 64 SHA-256 = 88 bytes.
cp "$GRAPH" "$TMP/flipped.pxg" 2>/dev/null || : >"$TMP/flipped.pxg"
flip_byte "$TMP/flipped.pxg" $((88 + (${size:-0} - 88) / 2)) 2>/dev/null
if cmp -s "$GRAPH" "$TMP/flipped.pxg"; then
    not_ok "graph: one byte flipped -> 4 (corrupt)" "could not modify the copy of the graph"
else
    expect "graph: one byte flipped -> 4 (corrupt)" 4 - "flipped.pxg" "corrupt" -- "${route_with[@]}" "$TMP/flipped.pxg"
fi

cp "$GRAPH" "$TMP/v99.pxg" 2>/dev/null
printf '\143\000\000\000' | dd of="$TMP/v99.pxg" bs=1 seek=8 conv=notrunc status=none  # u32 LE 99
expect "graph: format version 99 -> 4 naming version and build-graph" 4 - "v99.pxg" "version 99" "build-graph" -- \
    "${route_with[@]}" "$TMP/v99.pxg"

expect "graph: missing file -> 3" 3 - "no-such-graph.pxg" "does not exist" -- "${route_with[@]}" "$TMP/no-such-graph.pxg"

expect "graph: corrupt graph in table -> 4, no output" 4 "$TMP/table-corrupt.csv" "flipped.pxg" -- \
    "$PROXIMA" table --graph "$TMP/flipped.pxg" --sources "$POINTS" --targets "$POINTS" -o "$TMP/table-corrupt.csv"

# ---------------------------------------------------------------------------------------------
# route
# ---------------------------------------------------------------------------------------------

run "$PROXIMA" route --graph "$GRAPH" --from "$VALID_FROM" --to "$VALID_TO"
cp "$TMP/stdout" "$TMP/route.json"
seconds=$(json_seconds "$TMP/route.json")
if [ "$RC" -eq 0 ] && [ -n "$seconds" ] && awk -v s="$seconds" 'BEGIN { exit !(s >= 1200 && s <= 3000) }'; then
    ok "route: Andorra la Vella -> Pas de la Casa takes $seconds s"
else
    not_ok "route: Andorra la Vella -> Pas de la Casa in 1200..3000 s" \
        "exit code $RC, seconds '$seconds', stderr: $(stderr_excerpt)"
fi
if [ "$HAVE_PYTHON" -eq 1 ]; then
    if python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["reachable"] is True and d["metres"] > 0 and d["from"]["snap_metres"] <= 1000' "$TMP/route.json" 2>/dev/null; then
        ok "route: JSON is valid, reachable, with metres and snaps"
    else
        not_ok "route: JSON is valid, reachable, with metres and snaps" "stdout: $(head -c 300 "$TMP/route.json")"
    fi
fi

expect "route: point in Paris -> 3 (far from any road)" 3 - "from any road" -- \
    "$PROXIMA" route --graph "$GRAPH" --from 2.35,48.85 --to "$VALID_TO"
expect "route: --from abc -> 5" 5 - "--from" "abc" -- \
    "$PROXIMA" route --graph "$GRAPH" --from abc --to "$VALID_TO"
expect "route: --from 200,10 -> 5 (out of range)" 5 - "--from" "200,10" -- \
    "$PROXIMA" route --graph "$GRAPH" --from 200,10 --to "$VALID_TO"
expect "route: lat/lon swapped -> 3 (far from any road)" 3 - "from any road" "LON,LAT" -- \
    "$PROXIMA" route --graph "$GRAPH" --from 42.5063,1.5218 --to "$VALID_TO"
expect "route: negative --max-snap-m -> 5" 5 - "--max-snap-m" -- \
    "$PROXIMA" route --graph "$GRAPH" --from "$VALID_FROM" --to "$VALID_TO" --max-snap-m -1

# ---------------------------------------------------------------------------------------------
# table
# ---------------------------------------------------------------------------------------------

TABLE=$TMP/table.csv
run "$PROXIMA" table --graph "$GRAPH" --sources "$POINTS" --targets "$POINTS" -o "$TABLE"
lines=$(wc -l 2>/dev/null <"$TABLE" | tr -d ' ')
header=$(head -n1 "$TABLE" 2>/dev/null | tr -d '\r')
if [ "$RC" -eq 0 ] && [ "$lines" = 1601 ] && [ "$header" = "source_id,target_id,seconds,metres" ]; then
    ok "table: 40 x 40 Andorra points -> 1601 lines with the header"
else
    not_ok "table: 40 x 40 Andorra points -> 1601 lines with the header" \
        "exit code $RC, $lines lines, header '$header', stderr: $(stderr_excerpt)"
fi
check "table: no temporary file left after success" test -z "$(find "$TMP" -maxdepth 1 -name '*.tmp-*')"

printf 'id,lon,lat\np00,1.5167541,42.5031613\np01,abc,42.5068930\np02,1.6432912,42.5801147\n' >"$TMP/bad-lon.csv"
expect "table: non-numeric lon -> 3 naming file and line 3, no output" 3 "$TMP/t-bad-lon.csv" "bad-lon.csv:3:" "lon" -- \
    "$PROXIMA" table --graph "$GRAPH" --sources "$TMP/bad-lon.csv" --targets "$POINTS" -o "$TMP/t-bad-lon.csv"

printf 'id,lon,latitude\np00,1.5167541,42.5031613\n' >"$TMP/no-lat.csv"
expect "table: missing lat column -> 3 listing the columns, no output" 3 "$TMP/t-no-lat.csv" \
    "no-lat.csv" "id, lon, latitude" -- \
    "$PROXIMA" table --graph "$GRAPH" --sources "$POINTS" --targets "$TMP/no-lat.csv" -o "$TMP/t-no-lat.csv"

printf 'id,lon,lat\np00,1.5167541,42.5031613\np01,1.5361553,42.5068930\np00,1.6432912,42.5801147\n' >"$TMP/dup.csv"
expect "table: duplicate id -> 3 naming id and line, no output" 3 "$TMP/t-dup.csv" "dup.csv:4:" "p00" -- \
    "$PROXIMA" table --graph "$GRAPH" --sources "$TMP/dup.csv" --targets "$POINTS" -o "$TMP/t-dup.csv"

mkdir -p "$TMP/out-dir"
expect "table: output is a folder -> 6, nothing written" 6 "$TMP/out-dir" "out-dir" "folder" -- \
    "$PROXIMA" table --graph "$GRAPH" --sources "$POINTS" --targets "$POINTS" -o "$TMP/out-dir"
check "table: folder given as output left empty" test -z "$(ls -A "$TMP/out-dir")"

printf 'id,lon,lat\np00,1.5167541,42.5031613\nparis,2.35,48.85\n' >"$TMP/paris.csv"
expect "table: unsnappable point -> 3 naming it, no output" 3 "$TMP/t-paris.csv" "paris.csv:3" "from any road" -- \
    "$PROXIMA" table --graph "$GRAPH" --sources "$POINTS" --targets "$TMP/paris.csv" -o "$TMP/t-paris.csv"

expect "table: missing points file -> 3 naming it, no output" 3 "$TMP/t-missing.csv" "no-such-points.csv" -- \
    "$PROXIMA" table --graph "$GRAPH" --sources "$TMP/no-such-points.csv" --targets "$POINTS" -o "$TMP/t-missing.csv"

# ---------------------------------------------------------------------------------------------
# inspect
# ---------------------------------------------------------------------------------------------

write_study() {  # write_study FILE EXTRA-TOML: a Riviera study with absolute paths into $DATA
    cat > "$1" <<STUDY
[study]
name = "cli riviera"
cog_year = 2026
[network]
osm = "$DATA/osm/monaco-riviera-2016.osm.pbf"
graph = "$TMP/inspect/riviera.pxg"
[zones]
file = "$DATA/insee/communes-06-alpes-maritimes.geojson"
codes = ["06012", "06032", "06150"]
[communes]
table = "$DATA/insee/communes-2026.csv"
[services]
use = ["urgences", "pharmacie"]
$2
STUDY
}
mkdir -p "$TMP/inspect"
write_study "$TMP/inspect/ok.toml" ""
run "$PROXIMA" inspect "$TMP/inspect/ok.toml"
if [ "$RC" -eq 0 ] && grep -q "reconciled: origins 19463 = EPCI 19463 = départements 19463" "$TMP/stdout" \
    && grep -q "pharmacie .* 22 " "$TMP/stdout" && [ -s "$TMP/inspect/riviera.pxg" ]; then
    ok "inspect: Riviera study reads, reconciles 19463 inhabitants, 22 pharmacies, caches the graph"
else
    not_ok "inspect: Riviera study" "exit code $RC, stdout: $(head -c 400 "$TMP/stdout"), stderr: $(stderr_excerpt)"
fi
expect "inspect: missing study -> 3" 3 - "nope.toml" -- "$PROXIMA" inspect "$TMP/inspect/nope.toml"
write_study "$TMP/inspect/typo.toml" "[population]
sorce = \"grid\""
expect "inspect: unknown key -> 5 naming key and line" 5 - "typo.toml:15" "population.sorce" -- \
    "$PROXIMA" inspect "$TMP/inspect/typo.toml"
write_study "$TMP/inspect/empty-service.toml" "[services.maternite]
threshold_min = 45"
expect "inspect: service without facility -> 3 naming it" 3 - "service 'maternite'" "has no facility" -- \
    "$PROXIMA" inspect "$TMP/inspect/empty-service.toml"
write_study "$TMP/inspect/zero.toml" "[services.pharmacie]
threshold_min = 0"
expect "inspect: threshold 0 -> 5" 5 - "threshold_min" -- "$PROXIMA" inspect "$TMP/inspect/zero.toml"

# ---------------------------------------------------------------------------------------------
# run and deficit
# ---------------------------------------------------------------------------------------------

write_study "$TMP/inspect/run.toml" ""
run "$PROXIMA" run "$TMP/inspect/run.toml" -o "$TMP/run-out"
if [ "$RC" -eq 0 ] && grep -q "min away" "$TMP/stdout" && [ -s "$TMP/run-out/access.gpkg" ] \
    && [ -s "$TMP/run-out/run.json" ] && ogrinfo -so "$TMP/run-out/access.gpkg" >/dev/null 2>&1; then
    ok "run: exit 0, console summary, access.gpkg opens with ogrinfo, run.json"
else
    not_ok "run: Riviera" "exit code $RC, stdout: $(head -c 300 "$TMP/stdout"), stderr: $(stderr_excerpt)"
fi
expect "run: existing output without --force -> 6" 6 - "already exists" "--force" -- \
    "$PROXIMA" run "$TMP/inspect/run.toml" -o "$TMP/run-out"
check "run: previous results kept" test -s "$TMP/run-out/access.gpkg"
run "$PROXIMA" run "$TMP/inspect/run.toml" -o "$TMP/run-out" --force
check "run: --force replaces the results" test "$RC" -eq 0
echo "not a folder" > "$TMP/run-file"
expect "run: output is a file -> 6" 6 - "is a file" -- "$PROXIMA" run "$TMP/inspect/run.toml" -o "$TMP/run-file" --force
expect "deficit: threshold 0 -> 5, nothing written" 5 "$TMP/deficit-0" "threshold" -- \
    "$PROXIMA" deficit "$TMP/inspect/run.toml" --service urgences --threshold 0 -o "$TMP/deficit-0"
expect "deficit: unknown service -> 5" 5 "$TMP/deficit-x" "'maternite' is not in study" -- \
    "$PROXIMA" deficit "$TMP/inspect/run.toml" --service maternite -o "$TMP/deficit-x"
run "$PROXIMA" deficit "$TMP/inspect/run.toml" --service urgences --threshold 30 -o "$TMP/deficit-ok"
if [ "$RC" -eq 0 ] && ogrinfo -so "$TMP/deficit-ok/access.gpkg" deficit_urgences >/dev/null 2>&1 \
    && ! ogrinfo -so "$TMP/deficit-ok/access.gpkg" deficit_pharmacie >/dev/null 2>&1; then
    ok "deficit: urgences at 30 min writes only that service's layers"
else
    not_ok "deficit: urgences" "exit code $RC, stderr: $(stderr_excerpt)"
fi

# ---------------------------------------------------------------------------------------------
# poles, maps, report
# ---------------------------------------------------------------------------------------------

run "$PROXIMA" poles "$DATA/studies/andorra.toml" -o "$TMP/poles.csv"
if [ "$RC" -eq 0 ] && grep -q 'pôles intermédiaires: 2 in the study area' "$TMP/stdout" \
    && grep -q 'APPROXIMATION' "$TMP/stdout" && [ "$(wc -l < "$TMP/poles.csv")" -eq 8 ]; then
    ok "poles: Andorra lists its poles per level, labelled as an OSM approximation, and writes the layer"
else
    not_ok "poles: Andorra" "exit code $RC, stderr: $(stderr_excerpt)"
fi
expect "poles: -o exists without --force -> 6" 6 - "already exists" -- \
    "$PROXIMA" poles "$DATA/studies/andorra.toml" -o "$TMP/poles.csv"
run "$PROXIMA" deficit "$DATA/studies/andorra.toml" --service pole_intermediaire --threshold 20 -o "$TMP/deficit-pole"
if [ "$RC" -eq 0 ] && ogrinfo -so "$TMP/deficit-pole/access.gpkg" deficit_pole_intermediaire >/dev/null 2>&1 \
    && ogrinfo -so "$TMP/deficit-pole/access.gpkg" poles >/dev/null 2>&1 \
    && [ -s "$TMP/deficit-pole/maps/pole_intermediaire.png" ] && [ -s "$TMP/deficit-pole/report.html" ] \
    && gdalinfo "$TMP/deficit-pole/rasters/pole_intermediaire.tif" >/dev/null 2>&1; then
    ok "deficit: pole_intermediaire at 20 min writes its layers, map, raster and report"
else
    not_ok "deficit: pole_intermediaire" "exit code $RC, stderr: $(stderr_excerpt)"
fi
rm -f "$TMP/deficit-pole/report.html"
run "$PROXIMA" report "$TMP/deficit-pole"
check "report: writes report.html again from a run folder" test "$RC" -eq 0 -a -s "$TMP/deficit-pole/report.html"
expect "report: not a run folder -> 3" 3 - "run.json" -- "$PROXIMA" report "$TMP"

# ---------------------------------------------------------------------------------------------
# demo
# ---------------------------------------------------------------------------------------------

run "$PROXIMA" demo -o "$TMP/demo"
if [ "$RC" -eq 0 ] && grep -q 'rank correlation' "$TMP/stdout" && [ -s "$TMP/demo/andorra-table.csv" ]; then
    ok "demo: exit 0, prints the rank correlation"
else
    not_ok "demo: exit 0, prints the rank correlation" "exit code $RC, stderr: $(stderr_excerpt)"
fi

cli_test_finish
