#!/usr/bin/env bash
# End-to-end tests of `proxima apl` (and of the APL in `run`, `scenario --apl`, `site --objective
# apl`) on the bundled Andorra study: exit codes, messages naming the file, line and fix, files
# written (none left behind on error), the supply assumption stated, conservation, determinism.
#
# Usage: test_apl_cli.sh PATH/TO/proxima PATH/TO/data
# Prints "ok - NAME" or "not ok - NAME: DETAILS" per check, then "N passed, M failed";
# exits 1 if any check failed, 2 on bad usage.

set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cli_test_setup "$@"

# The Andorra doctors (OpenStreetMap: no activity, 1 per site) and a file of practices with a
# supply column, with absolute paths; graph cache and outputs in the scratch folder.
printf 'id,name,lon,lat,etp\nc1,Cabinet Andorra la Vella,1.5218,42.5063,2.5\nc2,Cabinet Encamp,1.5800,42.5350,1\n' \
    >"$TMP/cabinets.csv"
STUDY=$TMP/andorra.toml
write_andorra_study "$STUDY"
cat >>"$STUDY" <<STUDY
[services]
use = ["pharmacie", "medecin"]
[services.medecin]
indicator = "apl"
[services.medecin.apl]
per_inhabitants = 100000
[services.cabinet]
label = "Cabinets"
threshold_min = 10
files = [{ file = "$TMP/cabinets.csv", crs = "EPSG:4326" }]
[services.cabinet.apl]
supply_field = "etp"
supply_unit = "ETP"
per_inhabitants = 100000
threshold = 3
STUDY

# ---------------------------------------------------------------------------------------------
# proxima apl
# ---------------------------------------------------------------------------------------------

A=$TMP/out/andorra-apl-medecin
run "$PROXIMA" apl "$STUDY" --service medecin
if [ "$RC" -eq 0 ] && grep -q "1 per site (assumption" "$TMP/stdout" && grep -q "conservation" "$TMP/stdout" \
    && [ -s "$A/apl.json" ]; then
    ok "apl: Andorra doctors -> 0, supply assumption and conservation on the console, default folder"
else
    not_ok "apl: medecin" "exit code $RC, stdout: $(head -c 400 "$TMP/stdout"), stderr: $(stderr_excerpt)"
fi
check "apl: apl.gpkg has the layers zones, origins, sites, areas" \
    bash -c "for l in zones origins sites areas; do ogrinfo -so '$A/apl.gpkg' \$l >/dev/null 2>&1 || exit 1; done"
check "apl: units in the column names" \
    bash -c "head -n1 '$A/zones.csv' | grep -q apl_per_100000_inh && head -n1 '$A/sites.csv' | grep -q ratio_per_100000_inh && head -n1 '$A/origins.csv' | grep -q nearest_min"
check "apl: the map is a PNG" bash -c "head -c 4 '$A/maps/apl_medecin.png' | grep -q PNG"
if [ "$HAVE_PYTHON" -eq 1 ]; then
    check "apl: apl.json records the assumption, the decay and a conservation that holds" \
        python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
assert "1 per site" in j["supply"]["assumption"]
assert j["decay"]["bands_min"] == [10, 15, 20]
assert j["conservation"]["holds"] and j["conservation"]["relative_residual"] < 1e-9
assert j["conservation"]["sum_supply_reached"] == 4' "$A/apl.json"
fi
check "apl: an origin with no site within 20 min has APL 0 and a NULL nearest time" \
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["sites_within"] == 0 { n++; if ($c["apl_per_100000_inh"] != 0 || $c["nearest_min"] != "") bad = 1 }
        END { exit !(n > 0 && !bad) }' "$A/origins.csv"
cp "$A/areas.csv" "$TMP/areas-first.csv"
cp "$A/maps/apl_medecin.png" "$TMP/map-first.png"
run "$PROXIMA" apl "$STUDY" --service medecin --force --threads 1
check "apl: --force --threads 1 gives the same bytes (CSV and map)" \
    bash -c "[ $RC -eq 0 ] && cmp -s '$A/areas.csv' '$TMP/areas-first.csv' && cmp -s '$A/maps/apl_medecin.png' '$TMP/map-first.png'"
run "$PROXIMA" apl "$STUDY" --service medecin --threshold 100 -o "$TMP/t100" --no-maps
check "apl: --threshold 100 -> everybody under it, no map" \
    bash -c "[ $RC -eq 0 ] && [ \"\$(csv_field '$TMP/t100/areas.csv' 1 pop_under)\" = \"\$(csv_field '$TMP/t100/areas.csv' 1 population)\" ] && [ ! -e '$TMP/t100/maps' ]"

run "$PROXIMA" apl "$STUDY" --service cabinet -o "$TMP/cabinet"
check "apl: supply from the file's column (2.5 + 1 ETP) is conserved and no assumption is stated" \
    bash -c "[ $RC -eq 0 ] && grep -q \"column 'etp' (3.5 in all)\" '$TMP/stdout' && [ \"\$(csv_field '$TMP/cabinet/sites.csv' 1 supply_etp)\" = 2.5 ] && [ \"\$(csv_field '$TMP/cabinet/sites.csv' 1 supply_assumed)\" = 0 ]"

expect "apl: existing output without --force -> 6" 6 - "already exists" "--force" -- \
    "$PROXIMA" apl "$STUDY" --service medecin
expect "apl: unknown service -> 5 naming the study's services, nothing written" 5 "$TMP/nosvc" \
    "'maternite' is not in study" "pharmacie, medecin, cabinet" -- \
    "$PROXIMA" apl "$STUDY" --service maternite -o "$TMP/nosvc"
expect "apl: --threshold 0 -> 5, nothing written" 5 "$TMP/t0" "threshold" -- \
    "$PROXIMA" apl "$STUDY" --service medecin --threshold 0 -o "$TMP/t0"
expect "apl: missing --service -> 2" 2 - "--service" -- "$PROXIMA" apl "$STUDY"
expect "apl: a supply column OpenStreetMap sites lack -> 3 naming it and the fix, nothing written" 3 "$TMP/osm-etp" \
    "'medecin'" "'etp'" "OpenStreetMap" "remove supply_field" -- \
    "$PROXIMA" apl "$STUDY" --service medecin --supply-field etp -o "$TMP/osm-etp"
expect "apl: a supply column missing from the file -> 3 naming file, column and fix, nothing written" 3 "$TMP/no-col" \
    "cabinets.csv" "no column 'fte'" "it has: id, name, lon, lat, etp" "supply_field" -- \
    "$PROXIMA" apl "$STUDY" --service cabinet --supply-field fte -o "$TMP/no-col"
printf 'id,name,lon,lat,etp\nc1,A,1.5218,42.5063,2.5\nc2,B,1.5800,42.5350,beaucoup\n' >"$TMP/cabinets.csv"
expect "apl: a supply that is not a number -> 3 naming file:line, the value and the fix, nothing written" 3 \
    "$TMP/bad-value" "cabinets.csv:3" "'beaucoup'" "not a number" "1.5" -- \
    "$PROXIMA" apl "$STUDY" --service cabinet -o "$TMP/bad-value"
printf 'id,name,lon,lat,etp\nc1,A,1.5218,42.5063,-2\n' >"$TMP/cabinets.csv"
expect "apl: a negative supply -> 3 naming file:line, nothing written" 3 "$TMP/negative" "cabinets.csv:2" "negative" -- \
    "$PROXIMA" apl "$STUDY" --service cabinet -o "$TMP/negative"
printf 'id,name,lon,lat,etp\nc1,A,1.5218,42.5063,\n' >"$TMP/cabinets.csv"
expect "apl: an empty supply -> 3 saying to write 0 or remove the row, nothing written" 3 "$TMP/empty" \
    "cabinets.csv:2" "empty supply" "0 for a site with no activity" -- \
    "$PROXIMA" apl "$STUDY" --service cabinet -o "$TMP/empty"
sed 's/^threshold = 3$/threshold = -3/' "$STUDY" >"$TMP/bad.toml"
expect "apl: a bad [services.<id>.apl] value -> 5 naming the study file and line" 5 - "bad.toml:" "threshold" -- \
    "$PROXIMA" apl "$TMP/bad.toml" --service medecin -o "$TMP/bad-study"
printf 'id,name,lon,lat,etp\nc1,Cabinet Andorra la Vella,1.5218,42.5063,2.5\nc2,Cabinet Encamp,1.5800,42.5350,1\n' \
    >"$TMP/cabinets.csv"

# ---------------------------------------------------------------------------------------------
# The APL inside run, scenario and site
# ---------------------------------------------------------------------------------------------

run "$PROXIMA" run "$STUDY" -o "$TMP/run" --raster-resolution 0
check "run: indicator = \"apl\" adds the APL layers, map and run.json section for medecin only" \
    bash -c "[ $RC -eq 0 ] && [ -s '$TMP/run/apl_medecin.csv' ] && [ -s '$TMP/run/maps/apl_medecin.png' ] && [ ! -e '$TMP/run/apl_pharmacie.csv' ] && grep -q '\"apl\"' '$TMP/run/run.json' && grep -q 'APL Médecin' '$TMP/stdout'"
check "run: its APL table equals the one of proxima apl" cmp -s "$TMP/run/apl_areas_medecin.csv" "$TMP/areas-first.csv"

run "$PROXIMA" scenario "$STUDY" --service medecin --add "Canillo,1.5977647,42.5668305" --name canillo --apl \
    -o "$TMP/scenario"
check "scenario --apl: APL before and after, layers apl_canillo" \
    bash -c "[ $RC -eq 0 ] && grep -q 'APL (site per 100000 inhabitants)' '$TMP/stdout' && [ -s '$TMP/scenario/apl_areas_canillo.csv' ]"
expect "scenario: --supply without --apl -> 5" 5 "$TMP/scenario-bad" "go with --apl" -- \
    "$PROXIMA" scenario "$STUDY" --service medecin --add "Canillo,1.5977647,42.5668305" --supply 2 -o "$TMP/scenario-bad"
expect "scenario --apl: a new site of a service with a supply column needs --supply -> 5" 5 "$TMP/scenario-nosupply" \
    "--supply" -- "$PROXIMA" scenario "$STUDY" --service cabinet --add "Canillo,1.5977647,42.5668305" --apl \
    -o "$TMP/scenario-nosupply"

run "$PROXIMA" site "$STUDY" --service medecin --k 2 --candidates communes --objective apl --apl-threshold 6 \
    --compare-exhaustive -o "$TMP/site"
if [ "$HAVE_PYTHON" -eq 1 ]; then
    check "site --objective apl: greedy's final figure equals a full recomputation; no guarantee claimed" \
        python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
assert j["apl"]["final_pop_apl_ok"] == j["apl"]["final_pop_apl_ok_recomputed"]
assert "not submodular" in j["method"]["guarantee"]' "$TMP/site/siting.json"
else
    check "site --objective apl -> 0" test "$RC" -eq 0
fi
expect "site: --apl-threshold without --objective apl -> 5" 5 "$TMP/site-bad" "go with --objective apl" -- \
    "$PROXIMA" site "$STUDY" --service medecin --k 1 --candidates communes --apl-threshold 3 -o "$TMP/site-bad"

cli_test_finish
