#!/usr/bin/env bash
# End-to-end checks of the promises the README's conventions make for hostile input: no silent
# wrong number, no input destroyed, no crash or hang, clean stops on signals, one writer per
# output folder. One check per class of the hardening issue.
#
# Usage: test_hardening_cli.sh PATH/TO/proxima PATH/TO/data

set -u
FIXTURES=$(cd "$(dirname "$0")/../fixtures" && pwd)
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cli_test_setup "$@"

TEST_PROFILE=$FIXTURES/test-profile.toml

# The Andorra study with absolute paths, no maps nor rasters (fast), outputs in the scratch folder.
# write_study FILE [POINTS [GRAPH]]
write_study() {
    local file=$1 points=${2:-$DATA/andorra/poblacions-2010.csv} graph=${3:-$TMP/andorra.pxg}
    cat >"$file" <<STUDY
[study]
name = "cli andorra"
output = "$TMP/out/andorra"
[network]
osm = "$DATA/osm/andorra-2021.osm.pbf"
graph = "$graph"
[zones]
osm_admin_level = 7
[population]
source = "points"
points = "$points"
name_field = "poblacio"
population_field = "population_2010"
[services]
use = ["urgences"]
STUDY
}
STUDY=$TMP/andorra.toml
write_study "$STUDY"
FAST=(--no-maps --raster-resolution 0)

# ---------------------------------------------------------------------------------------------
# 1-2. Numeric tags that are not numbers: never a zero-time arc, never an aborted build.
# ---------------------------------------------------------------------------------------------
run "$PROXIMA" build-graph "$FIXTURES/hostile-tags.osm" -o "$TMP/hostile.pxg" --profile "$TEST_PROFILE"
check "build-graph: maxspeed=nan, duration=999999999:00 -> built, counted as unreadable" \
    grep -q "3 ways with an unreadable maxspeed or duration" "$TMP/stdout"
run "$PROXIMA" route --graph "$TMP/hostile.pxg" --from 0.0,0.0 --to 0.018,0.0
seconds=$(json_seconds "$TMP/stdout")
check "route over maxspeed=nan: the class speed (about 200 s over 2 km), not 0 s" \
    awk -v s="${seconds:-0}" 'BEGIN { exit !(s > 190 && s < 210) }'

# ---------------------------------------------------------------------------------------------
# 3. Populations: one rule for empty, overflowing and absurd figures.
# ---------------------------------------------------------------------------------------------
printf 'poblacio,parroquia,population_2010,lon,lat\nCanillo,Canillo,1e20,1.5977647,42.5668305\n' >"$TMP/huge.csv"
write_study "$TMP/huge.toml" "$TMP/huge.csv"
expect "run: a settlement of 1e20 inhabitants -> 3 naming the line" 3 "$TMP/out-huge" "huge.csv:2" "100 million" -- \
    "$PROXIMA" run "$TMP/huge.toml" -o "$TMP/out-huge" "${FAST[@]}"

# ---------------------------------------------------------------------------------------------
# 4. Wrong types.
# ---------------------------------------------------------------------------------------------
sed 's/osm_admin_level = 7/osm_admin_level = 7.5/' "$STUDY" >"$TMP/level.toml"
expect "inspect: osm_admin_level = 7.5 -> 5, not truncated to 7" 5 - "osm_admin_level" "whole number" -- \
    "$PROXIMA" inspect "$TMP/level.toml"
printf 'id,lon,lat\na,1.5218,42.5063\nb,1.7336,42.5428,extra\n' >"$TMP/extra.csv"
expect "table: a row with more fields than the header -> 3 naming the line" 3 "$TMP/extra-table.csv" \
    "extra.csv', line 3: 4 fields where the header has 3" -- \
    "$PROXIMA" table --graph "$TMP/hostile.pxg" --sources "$TMP/extra.csv" --targets "$TMP/extra.csv" -o "$TMP/extra-table.csv"

# ---------------------------------------------------------------------------------------------
# 5. A graph setting pointing at another file never overwrites it.
# ---------------------------------------------------------------------------------------------
cp "$DATA/andorra/poblacions-2010.csv" "$TMP/victim.csv"
sum_before=$(sha256sum "$TMP/victim.csv")
write_study "$TMP/victim.toml" "$DATA/andorra/poblacions-2010.csv" "$TMP/victim.csv"
expect "run: [network] graph names a CSV -> 5, the CSV untouched" 5 "$TMP/out-victim" \
    "not a Proxima graph file" "[network] graph" -- "$PROXIMA" run "$TMP/victim.toml" -o "$TMP/out-victim" "${FAST[@]}"
check "run: the CSV named as graph is byte-identical" test "$(sha256sum "$TMP/victim.csv")" = "$sum_before"
write_study "$TMP/self.toml" "$DATA/andorra/poblacions-2010.csv" "$TMP/self.toml"
sum_before=$(sha256sum "$TMP/self.toml")
expect "run: [network] graph names the study file itself -> 5" 5 "$TMP/out-self" "not a Proxima graph file" -- \
    "$PROXIMA" run "$TMP/self.toml" -o "$TMP/out-self" "${FAST[@]}"
check "run: the study file named as graph is byte-identical" test "$(sha256sum "$TMP/self.toml")" = "$sum_before"
expect "build-graph -o an existing CSV -> 6, the CSV untouched" 6 - "not a Proxima graph file" -- \
    "$PROXIMA" build-graph "$FIXTURES/hostile-tags.osm" -o "$TMP/victim.csv" --profile "$TEST_PROFILE"
check "build-graph: the CSV given as -o is byte-identical" test "$(sha256sum "$TMP/victim.csv" | cut -d' ' -f1)" = "$(sha256sum "$DATA/andorra/poblacions-2010.csv" | cut -d' ' -f1)"

# ---------------------------------------------------------------------------------------------
# 6. --force replaces only a previous result, never the inputs.
# ---------------------------------------------------------------------------------------------
mkdir -p "$TMP/inputs"
cp "$DATA/andorra/poblacions-2010.csv" "$TMP/inputs/points.csv"
write_study "$TMP/inputs/study.toml" "$TMP/inputs/points.csv"
expect "run -o the folder of the study's inputs --force -> 6, inputs kept" 6 - "holds an input of the study" -- \
    "$PROXIMA" run "$TMP/inputs/study.toml" -o "$TMP/inputs" --force "${FAST[@]}"
check "run: the inputs are still there" test -s "$TMP/inputs/points.csv" -a -s "$TMP/inputs/study.toml"
expect "run -o / --force -> 6" 6 - "root of the file system" -- "$PROXIMA" run "$STUDY" -o / --force "${FAST[@]}"
expect "run -o . --force -> 6" 6 - "current folder" -- "$PROXIMA" run "$STUDY" -o . --force "${FAST[@]}"
mkdir -p "$TMP/home"
expect "run -o \$HOME --force -> 6" 6 - "home folder" -- env HOME="$TMP/home" "$PROXIMA" run "$STUDY" -o "$TMP/home" --force "${FAST[@]}"
mkdir -p "$TMP/thesis" && echo "chapter 1" >"$TMP/thesis/draft.txt"
expect "run --force over a folder Proxima did not write -> 6, kept" 6 - "not a Proxima result" -- \
    "$PROXIMA" run "$STUDY" -o "$TMP/thesis" --force "${FAST[@]}"
check "run: the foreign folder is intact" test -s "$TMP/thesis/draft.txt"
run "$PROXIMA" run "$STUDY" -o "$TMP/result" "${FAST[@]}"
check "run: a new folder is written, with Proxima's marker" test "$RC" -eq 0 -a -f "$TMP/result/.proxima-output"
run "$PROXIMA" run "$STUDY" -o "$TMP/result" --force "${FAST[@]}"
check "run --force over a previous result -> 0, no lock or temporary left" \
    test "$RC" -eq 0 -a -z "$(leftovers "$TMP/result")"

# ---------------------------------------------------------------------------------------------
# 7. Windows-1252 text: decided at reading, the same in inspect and run, UTF-8 in every output.
# ---------------------------------------------------------------------------------------------
if [ "$HAVE_PYTHON" -eq 1 ]; then
    python3 - "$DATA/andorra/poblacions-2010.csv" "$TMP/latin1.csv" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
open(sys.argv[2], "wb").write(text.encode("cp1252"))
PY
    write_study "$TMP/latin1.toml" "$TMP/latin1.csv"
    run "$PROXIMA" inspect "$TMP/latin1.toml"
    check "inspect: a Windows-1252 points file -> 0 with a warning naming it" \
        grep -q "latin1.csv.*Windows-1252" "$TMP/stderr"
    run "$PROXIMA" run "$TMP/latin1.toml" -o "$TMP/out-latin1" "${FAST[@]}"
    check "run: the same file -> 0 with the same warning (no crash at the end)" \
        grep -q "latin1.csv.*Windows-1252" "$TMP/stderr"
    check "run: run.json is valid JSON and records the warning" python3 -c '
import json, sys
run = json.load(open(sys.argv[1], encoding="utf-8"))
assert any("Windows-1252" in m for m in run["warnings"]["messages"])' "$TMP/out-latin1/run.json"
    check "run: the names in origins.csv are UTF-8 (Sant Julià de Lòria)" grep -q "Lòria\|Julià" "$TMP/out-latin1/origins.csv"
    printf 'id,lon,lat\nAndorra la Vella \xe9,1.5218,42.5063\n' >"$TMP/latin1-points.csv"
    "$PROXIMA" build-graph "$DATA/osm/andorra-2021.osm.pbf" -o "$TMP/andorra-table.pxg" -q >/dev/null 2>&1
    run "$PROXIMA" table --graph "$TMP/andorra-table.pxg" --sources "$TMP/latin1-points.csv" \
        --targets "$TMP/latin1-points.csv" -o "$TMP/latin1-table.csv"
    check "table: Latin-1 ids are written as UTF-8" python3 -c '
import sys
open(sys.argv[1], encoding="utf-8").read().index("Vella é")' "$TMP/latin1-table.csv"
fi

# ---------------------------------------------------------------------------------------------
# 8. Thread counts.
# ---------------------------------------------------------------------------------------------
printf 'id,lon,lat\na,0.0,0.0\nb,0.018,0.0\n' >"$TMP/hostile-points.csv"
run "$PROXIMA" table --graph "$TMP/hostile.pxg" --sources "$TMP/hostile-points.csv" --targets "$TMP/hostile-points.csv" \
    -o "$TMP/threads.csv" --threads 100000
check "table --threads 100000 -> 0, capped at the processors with a note" \
    test "$RC" -eq 0 -a -s "$TMP/threads.csv" -a -n "$(grep 'processors; using' "$TMP/stderr")"
run "$PROXIMA" table --graph "$TMP/hostile.pxg" --sources "$TMP/hostile-points.csv" \
    --targets "$TMP/hostile-points.csv" -o "$TMP/threads-max.csv" --threads 2147483647
check "table --threads 2147483647 -> 0, capped (no 481 GB request)" test "$RC" -eq 0 -a -s "$TMP/threads-max.csv"
expect "table --threads -1 -> 2" 2 "$TMP/threads-neg.csv" "--threads" -- \
    "$PROXIMA" table --graph "$TMP/hostile.pxg" --sources "$TMP/hostile-points.csv" \
    --targets "$TMP/hostile-points.csv" -o "$TMP/threads-neg.csv" --threads -1

# ---------------------------------------------------------------------------------------------
# 9. Inputs that are not regular files: refused at once, before any output exists.
# ---------------------------------------------------------------------------------------------
sed "s|osm = \".*\"|osm = \"/dev/zero\"|" "$STUDY" >"$TMP/devzero.toml"
expect "run: osm = /dev/zero -> 3 at once, no output folder" 3 "$TMP/out-devzero" "/dev/zero" "not a regular file" -- \
    "$PROXIMA" run "$TMP/devzero.toml" -o "$TMP/out-devzero" "${FAST[@]}"
mkfifo "$TMP/fifo.osm.pbf"
sed "s|osm = \".*\"|osm = \"$TMP/fifo.osm.pbf\"|" "$STUDY" >"$TMP/fifo.toml"
expect "inspect: osm is a FIFO -> 3 at once" 3 - "fifo.osm.pbf" "not a regular file" -- "$PROXIMA" inspect "$TMP/fifo.toml"
expect "build-graph: the extract is a folder -> 3 'is a folder'" 3 "$TMP/folder.pxg" "is a folder" -- \
    "$PROXIMA" build-graph "$TMP/inputs" -o "$TMP/folder.pxg"

# ---------------------------------------------------------------------------------------------
# 10. Signals: the temporary folder goes, the exit code says why; stale ones are cleaned.
# ---------------------------------------------------------------------------------------------
# interrupt SIGNAL OUT: starts a run into OUT, sends SIGNAL once its temporary folder exists,
# and sets RC to the run's exit code.
interrupt() {
    local sig=$1 out=$2 pid i
    "$PROXIMA" run "$STUDY" -o "$out" -q >/dev/null 2>"$TMP/stderr" &
    pid=$!
    for i in $(seq 1 500); do
        if compgen -G "$out.tmp-*" >/dev/null; then
            break
        fi
        sleep 0.01
    done
    kill -s "$sig" "$pid" 2>/dev/null
    wait "$pid"
    RC=$?
}
interrupt INT "$TMP/out-int"
check "run + SIGINT -> exit 130, no temporary folder, no lock, no output" \
    test "$RC" -eq 130 -a -z "$(leftovers "$TMP/out-int")" -a ! -e "$TMP/out-int"
interrupt TERM "$TMP/out-term"
check "run + SIGTERM -> exit 143, nothing left" test "$RC" -eq 143 -a -z "$(leftovers "$TMP/out-term")"
mkdir -p "$TMP/result.tmp-999999"
echo half >"$TMP/result.tmp-999999/access.gpkg"
run "$PROXIMA" run "$STUDY" -o "$TMP/result" --force "${FAST[@]}"
check "run: the temporary folder of a dead run is removed by the next run" test "$RC" -eq 0 -a ! -e "$TMP/result.tmp-999999"
mv "$TMP/result" "$TMP/result.old-4242"
expect "run: results parked by a run killed mid-commit are put back (then kept without --force)" 6 - "already exists" -- \
    "$PROXIMA" run "$STUDY" -o "$TMP/result" "${FAST[@]}"
check "run: the parked results are back in place" test -f "$TMP/result/run.json" -a ! -e "$TMP/result.old-4242"

# ---------------------------------------------------------------------------------------------
# 11. Two runs into the same new folder: the second fails at once with a clear message.
# ---------------------------------------------------------------------------------------------
"$PROXIMA" run "$STUDY" -o "$TMP/shared" -q "${FAST[@]}" >/dev/null 2>&1 &
first=$!
for i in $(seq 1 500); do
    [ -e "$TMP/shared.lock" ] && break
    sleep 0.01
done
expect "run: a second run into a folder being written -> 6 'another proxima process'" 6 - "another proxima process" -- \
    "$PROXIMA" run "$STUDY" -o "$TMP/shared" --force "${FAST[@]}"
wait "$first"
check "run: the first run still succeeds" test "$?" -eq 0 -a -f "$TMP/shared/run.json"

# ---------------------------------------------------------------------------------------------
# 12. A travel-time surface too fine for the territory: refused on the zones alone, before the
#     graph is read (a national graph takes minutes), with a resolution that fits.
# ---------------------------------------------------------------------------------------------
head -c 4000 /dev/urandom >"$TMP/damaged.pxg"
write_study "$TMP/fine.toml" "$DATA/andorra/poblacions-2010.csv" "$TMP/damaged.pxg"
expect "run --raster-resolution 1 -> 5 naming the option and a coarser resolution" 5 "$TMP/out-fine" \
    "more than 100 million" "50 m gives" "--raster-resolution" -- \
    "$PROXIMA" run "$TMP/fine.toml" -o "$TMP/out-fine" --no-maps --raster-resolution 1
check "run: the surface is refused before the damaged graph file is even read" \
    test -z "$(grep -F -e 'rebuilding' -e 'damaged.pxg' "$TMP/stderr")"
expect "run --raster-resolution 1 --no-rasters -> the same: the deficit areas need that surface" 5 "$TMP/out-fine" \
    "50 m gives" -- "$PROXIMA" run "$TMP/fine.toml" -o "$TMP/out-fine" --no-maps --no-rasters --raster-resolution 1

# ---------------------------------------------------------------------------------------------
# Smaller: "-" is standard output; messages read as sentences.
# ---------------------------------------------------------------------------------------------
run "$PROXIMA" table --graph "$TMP/hostile.pxg" --sources "$TMP/hostile-points.csv" \
    --targets "$TMP/hostile-points.csv" -o -
check "table -o - writes the CSV on standard output, no file named -" \
    test "$RC" -eq 0 -a "$(head -n1 "$TMP/stdout")" = "source_id,target_id,seconds,metres" -a ! -e "$TMP/-"
head -c 2000 /dev/urandom >"$TMP/random.osm.pbf"
run "$PROXIMA" build-graph "$TMP/random.osm.pbf" -o "$TMP/random.pxg"
check "build-graph: a library's message is not followed by a doubled full stop" \
    test "$RC" -eq 3 -a -z "$(grep -F -e "'.." -e '.. Is' "$TMP/stderr")"

cli_test_finish
