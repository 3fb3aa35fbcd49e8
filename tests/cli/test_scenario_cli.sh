#!/usr/bin/env bash
# End-to-end tests of `proxima scenario` and `proxima site` on the bundled Andorra study: exit
# codes, messages, files written (and none left behind on error), deterministic results.
#
# Usage: test_scenario_cli.sh PATH/TO/proxima PATH/TO/data
# Prints "ok - NAME" or "not ok - NAME: DETAILS" per check, then "N passed, M failed";
# exits 1 if any check failed, 2 on bad usage.

set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cli_test_setup "$@"

# The Andorra study with absolute paths, its graph cache and outputs in the scratch folder.
STUDY=$TMP/andorra.toml
write_andorra_study "$STUDY"
cat >>"$STUDY" <<STUDY
[services]
use = ["urgences", "pharmacie"]
STUDY
HOSPITAL=osm:way/194554955   # Hospital de Nostra Senyora de Meritxell, the only one
PAS=1.7336,42.5428           # El Pas de la Casa

# ---------------------------------------------------------------------------------------------
# scenario
# ---------------------------------------------------------------------------------------------

S=$TMP/out/andorra-scenario-pas
run "$PROXIMA" scenario "$STUDY" --service urgences --add "Pas de la Casa,$PAS" --name pas
if [ "$RC" -eq 0 ] && grep -q "3 063 fewer" "$TMP/stdout" && [ -s "$S/scenario.json" ]; then
    ok "scenario: a site at Pas de la Casa -> 0, 3 063 fewer inhabitants beyond 30 min, default folder"
else
    not_ok "scenario: add" "exit code $RC, stdout: $(head -c 400 "$TMP/stdout"), stderr: $(stderr_excerpt)"
fi
check "scenario: scenario.gpkg has the layers scenario_pas, sites_pas, origins_pas" \
    bash -c "ogrinfo -so '$S/scenario.gpkg' scenario_pas >/dev/null 2>&1 && ogrinfo -so '$S/scenario.gpkg' sites_pas >/dev/null 2>&1 && ogrinfo -so '$S/scenario.gpkg' origins_pas >/dev/null 2>&1"
check "scenario: scenario_pas has the before/after fields" \
    bash -c "ogrinfo -so '$S/scenario.gpkg' scenario_pas | grep -q 'delta_min' && ogrinfo -so '$S/scenario.gpkg' scenario_pas | grep -q 'pop_over_after'"
check "scenario: areas CSV: the study row goes from 3063 to 0 beyond the threshold" \
    test "$(csv_field "$S/areas_pas.csv" 1 pop_over_before),$(csv_field "$S/areas_pas.csv" 1 pop_over_after)" = "3063,0"
check "scenario: before, after and gain maps are PNG files" \
    bash -c "head -c 4 '$S/maps/before.png' | grep -q PNG && head -c 4 '$S/maps/after.png' | grep -q PNG && head -c 4 '$S/maps/gain.png' | grep -q PNG"
check "scenario: one CSV per scale (study, zones), the same rows as areas_pas.csv" \
    bash -c "[ \"\$(cat '$S/areas_pas_study.csv' <(tail -n +2 '$S/areas_pas_zones.csv') | sort | md5sum)\" = \"\$(sort '$S/areas_pas.csv' | md5sum)\" ]"
check "scenario: scenario.json lists the gain map and the tables by scale" \
    bash -c "grep -q 'maps/gain.png' '$S/scenario.json' && grep -q 'areas_pas_zones.csv' '$S/scenario.json'"
check "scenario: no temporary folder left" test -z "$(find "$TMP/out" -maxdepth 1 -name '*.tmp-*')"

expect "scenario: existing output without --force -> 6" 6 - "already exists" "--force" -- \
    "$PROXIMA" scenario "$STUDY" --service urgences --add "Pas de la Casa,$PAS" --name pas
check "scenario: previous results kept" test -s "$S/scenario.gpkg"
cp "$S/areas_pas.csv" "$TMP/areas-first.csv"
cp "$S/maps/after.png" "$TMP/after-first.png"
run "$PROXIMA" scenario "$STUDY" --service urgences --add "Pas de la Casa,$PAS" --name pas --force
check "scenario: --force reruns with the same bytes (CSV and map)" \
    bash -c "[ $RC -eq 0 ] && cmp -s '$S/areas_pas.csv' '$TMP/areas-first.csv' && cmp -s '$S/maps/after.png' '$TMP/after-first.png'"

run "$PROXIMA" scenario "$STUDY" --service urgences --move "$HOSPITAL,$PAS" -o "$TMP/moved"
if [ "$RC" -eq 0 ] && grep -q "1 site moved" "$TMP/stdout" && grep -q "moved_to" "$TMP/moved/sites_scenario.csv"; then
    ok "scenario: --move the hospital to Pas de la Casa -> 0, sites layer lists the move"
else
    not_ok "scenario: --move" "exit code $RC, stdout: $(head -c 300 "$TMP/stdout"), stderr: $(stderr_excerpt)"
fi
run "$PROXIMA" scenario "$STUDY" --service urgences --remove "$HOSPITAL" --name closed -o "$TMP/closed"
pop=$(csv_field "$TMP/closed/areas_closed.csv" 1 population)
if [ "$RC" -eq 0 ] && [ -n "$pop" ] && [ "$(csv_field "$TMP/closed/areas_closed.csv" 1 pop_unreachable_after)" = "$pop" ] \
    && [ -z "$(csv_field "$TMP/closed/areas_closed.csv" 1 mean_min_after)" ]; then
    ok "scenario: closing the only hospital -> everyone unreachable, mean time NULL (not 0)"
else
    not_ok "scenario: --remove" "exit code $RC, stderr: $(stderr_excerpt)"
fi
run "$PROXIMA" scenario "$STUDY" --service pharmacie --remove node/4984632724 --name one -o "$TMP/pharma"
check "scenario: a facility id without its osm: prefix is accepted" test "$RC" -eq 0

expect "scenario: unknown facility -> 3 naming it and where ids are, nothing written" 3 "$TMP/bad-id" \
    "osm:node/1" "services.csv" -- "$PROXIMA" scenario "$STUDY" --service urgences --remove osm:node/1 -o "$TMP/bad-id"
expect "scenario: site off the network -> 3 naming it, nothing written" 3 "$TMP/paris" "'Paris'" "from any road" -- \
    "$PROXIMA" scenario "$STUDY" --service urgences --add "Paris,2.35,48.85" -o "$TMP/paris"
expect "scenario: malformed --add -> 5, nothing written" 5 "$TMP/bad-add" "--add" "NAME,LON,LAT" -- \
    "$PROXIMA" scenario "$STUDY" --service urgences --add "1.7,42.5" -o "$TMP/bad-add"
expect "scenario: no change -> 5" 5 "$TMP/nothing" "changes nothing" -- \
    "$PROXIMA" scenario "$STUDY" --service urgences -o "$TMP/nothing"
expect "scenario: unknown service -> 5" 5 "$TMP/nosvc" "'maternite' is not in study" -- \
    "$PROXIMA" scenario "$STUDY" --service maternite --add "x,$PAS" -o "$TMP/nosvc"
expect "scenario: bad name -> 5" 5 "$TMP/badname" "scenario name" -- \
    "$PROXIMA" scenario "$STUDY" --service urgences --add "x,$PAS" --name "a/b" -o "$TMP/badname"
expect "scenario: threshold 0 -> 5" 5 "$TMP/t0" "threshold" -- \
    "$PROXIMA" scenario "$STUDY" --service urgences --add "x,$PAS" --threshold 0 -o "$TMP/t0"

# ---------------------------------------------------------------------------------------------
# site
# ---------------------------------------------------------------------------------------------

run "$PROXIMA" site "$STUDY" --service urgences --k 5 --candidates communes --compare-exhaustive -o "$TMP/site"
rows=$(($(wc -l <"$TMP/site/sites.csv" 2>/dev/null || echo 0) - 1))
# Encamp brings El Pas de la Casa within 30 min: everyone is then covered, and the coverage
# objective stops there (the other four would only shorten times) and says so.
if [ "$RC" -eq 0 ] && [ "$rows" -eq 1 ] && [ "$(csv_field "$TMP/site/sites.csv" 1 name)" = "Encamp" ] \
    && [ "$(csv_field "$TMP/site/sites.csv" 1 gain_covered)" = "3063" ] \
    && grep -q "everyone is within 30 min with 1 new site" "$TMP/stdout" && ! grep -q ': +0 inhabitants' "$TMP/stdout"; then
    ok "site: K=5 over the parishes -> Encamp (+3063 within 30 min), then everyone is covered: stops, says so"
else
    not_ok "site: K=5" "exit code $RC, $rows rows, stdout: $(head -c 400 "$TMP/stdout"), stderr: $(stderr_excerpt)"
fi
check "site: curve.csv has today and the one site, coverage never decreasing" \
    awk -F, 'NR > 1 { if (NR > 2 && $2 < prev) bad = 1; prev = $2; n++ } END { exit !(n == 2 && !bad) }' "$TMP/site/curve.csv"
check "site: sites.csv says where: zone, lon/lat" \
    bash -c "head -n1 '$TMP/site/sites.csv' | grep -q '^rank,id,name,zone,zone_name,lon,lat,' && [ \"\$(csv_field '$TMP/site/sites.csv' 1 zone_name)\" = Encamp ]"
check "site: curve chart and final map are PNG files" \
    bash -c "head -c 4 '$TMP/site/curve.png' | grep -q PNG && head -c 4 '$TMP/site/maps/after.png' | grep -q PNG"
check "site: siting.gpkg has the chosen sites and the final situation" \
    bash -c "ogrinfo -so '$TMP/site/siting.gpkg' sites >/dev/null 2>&1 && ogrinfo -so '$TMP/site/siting.gpkg' situation >/dev/null 2>&1"
check "site: siting.json counts the searches and reports the exhaustive comparison" \
    bash -c "grep -q '\"candidate_searches\": 7' '$TMP/site/siting.json' && grep -q '\"subsets\": 21' '$TMP/site/siting.json'"
cp "$TMP/site/sites.csv" "$TMP/sites-first.csv"
run "$PROXIMA" site "$STUDY" --service urgences --k 5 --candidates communes -o "$TMP/site" --force --threads 1
check "site: same choice with 1 thread (deterministic)" bash -c "[ $RC -eq 0 ] && cmp -s '$TMP/site/sites.csv' '$TMP/sites-first.csv'"

run "$PROXIMA" site "$STUDY" --service pharmacie --k 3 --candidates communes --objective mean-time -o "$TMP/site-mean"
check "site: mean-time objective -> 0, mean decreasing along the curve" \
    bash -c "[ $RC -eq 0 ] && awk -F, 'NR > 1 { if (NR > 2 && \$4 > prev) bad = 1; prev = \$4 } END { exit bad }' '$TMP/site-mean/curve.csv'"

run "$PROXIMA" site "$STUDY" --service urgences --k 2 --candidates "$DATA/reference/andorra-points.csv" -o "$TMP/site-file"
check "site: candidates from a CSV of points -> 0" test "$RC" -eq 0

printf 'id,lon,lat\nok,1.5218,42.5063\nparis,2.35,48.85\n' >"$TMP/far.csv"
expect "site: a candidate off the network -> 3 naming it, nothing written" 3 "$TMP/site-far" "'paris'" "from any road" -- \
    "$PROXIMA" site "$STUDY" --service urgences --k 1 --candidates "$TMP/far.csv" -o "$TMP/site-far"
expect "site: cells on a study without a grid -> 5, nothing written" 5 "$TMP/site-cells" "not grid cells" -- \
    "$PROXIMA" site "$STUDY" --service urgences --k 1 --candidates cells -o "$TMP/site-cells"
expect "site: missing candidate file -> 3" 3 "$TMP/site-missing" "no-such.csv" -- \
    "$PROXIMA" site "$STUDY" --service urgences --k 1 --candidates "$TMP/no-such.csv" -o "$TMP/site-missing"
expect "site: --k 0 -> 5" 5 "$TMP/site-k0" "--k" -- \
    "$PROXIMA" site "$STUDY" --service urgences --k 0 --candidates communes -o "$TMP/site-k0"
expect "site: unknown objective -> 5" 5 "$TMP/site-obj" "--objective" -- \
    "$PROXIMA" site "$STUDY" --service urgences --k 1 --candidates communes --objective median -o "$TMP/site-obj"

# A grid study: four 1 km cells (EPSG:3035), three next to the hospital and one on the Andorran
# side of El Pas de la Casa (more than 20 min away): the first cell chosen is that one.
printf 'x,y,Ind\n3623500,2194500,1000\n3624500,2194500,500\n3623500,2195500,250\n3640500,2196500,2000\n' >"$TMP/grid.csv"
cat >"$TMP/grid.toml" <<GRID
[study]
name = "cli grid"
output = "$TMP/out/grid"
[network]
osm = "$DATA/osm/andorra-2021.osm.pbf"
graph = "$TMP/andorra.pxg"
[zones]
osm_admin_level = 7
[population]
grid = "$TMP/grid.csv"
[services]
use = ["urgences"]
GRID
run "$PROXIMA" site "$TMP/grid.toml" --service urgences --k 2 --candidates cells --threshold 20
if [ "$RC" -eq 0 ] && [ "$(csv_field "$TMP/out/grid-site-urgences/sites.csv" 1 id)" = "3640500_2196500" ] \
    && [ "$(csv_field "$TMP/out/grid-site-urgences/sites.csv" 1 gain_covered)" = "2000" ]; then
    ok "site: grid study, cells as candidates -> the Pas de la Casa cell first (+2000 within 20 min)"
else
    not_ok "site: grid cells" "exit code $RC, stdout: $(head -c 300 "$TMP/stdout"), stderr: $(stderr_excerpt)"
fi

cli_test_finish
