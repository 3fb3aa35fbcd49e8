#!/usr/bin/env bash
# proxima init on the bundled data laid out as the published files (format fixtures written by
# tests/cli/make_init_inputs.py: ADMIN EXPRESS COMMUNE.shp of the Alpes-Maritimes in Lambert-93,
# a BPE 2023-layout CSV derived from OpenStreetMap points), the Riviera extract standing for the
# région's; then inspect and run on the study as written, and the errors init gives.
# Usage: test_init_cli.sh PATH/TO/proxima PATH/TO/data
SCRIPT_TITLE="init"
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
cli_test_setup "$@"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
EXTRACT="$DATA/osm/monaco-riviera-2016.osm.pbf"

if ! "$PY" "$HERE/make_init_inputs.py" "$DATA" inputs; then
    not_ok "format fixtures written" "make_init_inputs.py failed"
    cli_test_finish
    exit 1
fi
SHP=inputs/ADMIN-EXPRESS/COMMUNE.shp
BPE=inputs/bpe23-format-fixture.csv

# --- the study, as init writes it -----------------------------------------------------------
mkdir -p study
expect "init --departement 06 -> 0" 0 - "160 of the 163 communes of département 06 are not entirely inside the extract" "152 outside it, 8 partly outside: 06019 Blausasc" "06059 Èze" -- \
    "$PROXIMA" init --departement 06 --osm "$EXTRACT" --admin-express "$SHP" --bpe "$BPE" -o study/am.toml
check "the study, its cut extract and its BPE are written" test -s study/am.toml -a -s study/am.osm.pbf -a -s study/am-bpe.csv
check "no temporary file is left" bash -c '[ -z "$(ls study | grep tmp)" ]'
# The zones are the communes the extract holds whole: the three that data/studies/riviera.toml
# chose by hand for that reason.
check "zones: the communes of 06 the extract holds whole (as riviera.toml's)" \
    bash -c "grep -q '^codes = \[\"06012\", \"06032\", \"06150\"\]' study/am.toml && grep -q '^codes = \[\"06012\", \"06032\", \"06150\"\]' '$DATA/studies/riviera.toml'"
check "the communes cut by the extract's edge are listed in the study" \
    bash -c "grep -q '^#   06104 Roquebrune-Cap-Martin: partly outside the extract' study/am.toml"
check "every path in the study is relative" \
    bash -c "! grep -E '^[a-z_]+ = \"/' study/am.toml && grep -q '^osm = \"am.osm.pbf\"' study/am.toml && grep -q '^file = \"../inputs/ADMIN-EXPRESS/COMMUNE.shp\"' study/am.toml"
check "defaults are written, commented" \
    bash -c "grep -q '^# crs = \"EPSG:2154\"' study/am.toml && grep -q '^max_snap_m = 2000' study/am.toml && grep -q '^# \[poles\]' study/am.toml"
check "a service with no facility is left out, commented (medecin)" \
    bash -c "grep -q '^# Not used: medecin' study/am.toml && ! sed -n '/^use = /,/^]/p' study/am.toml | grep -q medecin"

# The cut is checked with an independent tool, osmium (scripts/install-deps.sh installs it): a
# missing osmium fails the test rather than skipping these checks.
command -v osmium >/dev/null 2>&1 || { echo "FAIL: osmium (Debian osmium-tool) is needed by this test" >&2; exit 1; }

# The cut: every way whole (osmium check-refs finds no missing node), every object of the
# département + 30 km, which here is the whole Riviera extract (Monaco is 1 km from Beausoleil).
if command -v osmium >/dev/null 2>&1; then
    count() { osmium fileinfo -e -g "data.count.$2" "$1"; }
    check "the cut extract keeps every way whole (osmium check-refs)" bash -c "osmium check-refs study/am.osm.pbf >/dev/null 2>&1"
    check "with 30 km, the cut holds every node of the Riviera extract" \
        bash -c "[ \"\$(osmium fileinfo -e -g data.count.nodes study/am.osm.pbf)\" = \"\$(osmium fileinfo -e -g data.count.nodes '$EXTRACT')\" ]"
    check "and every turn restriction" \
        bash -c "[ \"\$(osmium tags-filter -o - -f opl study/am.osm.pbf r/type=restriction | wc -l)\" = \"\$(osmium tags-filter -o - -f opl '$EXTRACT' r/type=restriction | wc -l)\" ]"
fi

# --- inspect and run the study as written -----------------------------------------------------
expect "inspect the study as written -> 0" 0 - -- "$PROXIMA" inspect study/am.toml
check "inspect: 3 zones from the ADMIN EXPRESS shapefile, in Lambert-93" \
    bash -c "grep -q 'Zones: 3 from .*COMMUNE.shp (CRS EPSG:2154)' '$TMP/stdout'"
population=$("$PY" -c 'import csv, sys
print(sum(int(r["population"]) for r in csv.DictReader(open(sys.argv[1])) if r["code_insee"] in ("06012", "06032", "06150")))' \
    "$DATA/insee/communes-2026.csv")
check "inspect: the population of the three communes ($population, communes-2026.csv via POPULATION)" \
    bash -c "grep -q 'Population: $population inhabitants read' '$TMP/stdout'"
check "inspect: BPE rows of the study read as facilities" \
    bash -c "grep -E '^  pharmacie ' '$TMP/stdout' | awk '{ exit !(\$6 > 0) }'"
expect "run the study as written -> 0" 0 - -- "$PROXIMA" run study/am.toml --quiet --no-pdf
results=study/am-results
check "run: access.gpkg, communes.csv and the urgences map exist" \
    test -s $results/access.gpkg -a -s $results/communes.csv -a -s $results/maps/urgences.png
check "run: communes.csv has the three communes" bash -c "[ \$(tail -n +2 $results/communes.csv | wc -l) -eq 3 ]"
check "run: the study's population is $population" \
    bash -c "grep -q '^study,.*,urgences,30,$population,' $results/summary.csv"
# Beausoleil's nearest emergency department is in Monaco, a few minutes away through the
# buffer (data/studies/riviera.toml gives the same answer): within 30 minutes, and not 0.
urgences=$(csv_field $results/communes.csv 1 urgences_min)
check "run: Beausoleil to urgences in (0, 30] min through Monaco ($urgences)" \
    bash -c "awk -v t='$urgences' 'BEGIN { exit !(t > 0 && t <= 30) }'"

# --- again: refused without --force, the same bytes with it ------------------------------------
cp study/am.toml first.toml
expect "init again without --force -> 6, names the file and --force" 6 - "study/am.toml" "exists" "--force" -- \
    "$PROXIMA" init --departement 06 --osm "$EXTRACT" --admin-express "$SHP" -o study/am.toml
expect "init again with --force -> 0" 0 - -- \
    "$PROXIMA" init --departement 06 --osm "$EXTRACT" --admin-express "$SHP" --bpe "$BPE" -o study/am.toml --force --quiet
check "same inputs, same study bytes" cmp -s first.toml study/am.toml

# --- a smaller buffer cuts the extract ----------------------------------------------------------
expect "init --buffer-km 0 -> 0" 0 - -- \
    "$PROXIMA" init --departement 06 --osm "$EXTRACT" --admin-express "$SHP" --buffer-km 0 -o tight.toml --quiet
check "the extract cut to the département alone is smaller than the input" \
    bash -c "[ \$(stat -c %s tight.osm.pbf) -lt \$(stat -c %s '$EXTRACT') ]"
if command -v osmium >/dev/null 2>&1; then
    # The only emergency department of the extract is in Monaco (node 1794111144, the Centre
    # Cardio-Thoracique): outside the département, within 30 km of it.
    check "without buffer, Monaco's emergency department is cut away; with 30 km, it is kept" \
        bash -c "! osmium getid tight.osm.pbf n1794111144 -f opl 2>/dev/null | grep -q emergency=yes && osmium getid study/am.osm.pbf n1794111144 -f opl | grep -q emergency=yes"
    check "the tight cut keeps every way whole too" bash -c "osmium check-refs tight.osm.pbf >/dev/null 2>&1"
fi

# --- the GeoPackage edition (COMMUNE after another layer; its three Riviera communes) -------------
GPKG="$DATA/../tests/fixtures/published/admin-express-cog-carto.gpkg"
expect "init from the ADMIN EXPRESS GeoPackage -> 0" 0 - -- \
    "$PROXIMA" init --departement 06 --osm "$EXTRACT" --admin-express "$GPKG" -o gpkg.toml --quiet
check "its study names the GeoPackage, no layer needed, the same three communes" \
    bash -c "grep -q '^file = \".*admin-express-cog-carto.gpkg\"' gpkg.toml && grep -q '^# layer = ' gpkg.toml && grep -q '^codes = \[\"06012\", \"06032\", \"06150\"\]' gpkg.toml"
expect "inspect the GeoPackage study -> 0" 0 - -- "$PROXIMA" inspect gpkg.toml

# --- --codes: the communes chosen, a partly covered one kept with a warning ----------------------
expect "init --codes 06104,06012 -> 0, warns of Roquebrune-Cap-Martin" 0 - \
    "commune 06104 Roquebrune-Cap-Martin is not entirely inside the extract" -- \
    "$PROXIMA" init --departement 06 --osm "$EXTRACT" --admin-express "$SHP" --codes 06104,06012 -o chosen.toml
check "the study holds the communes given, in code order" \
    bash -c "grep -q '^codes = \[\"06012\", \"06104\"\]' chosen.toml"

# --- a Filosofi grid: the population by cell ---------------------------------------------------
# The 2019-layout fixture holds 8 real cells of the Lot (tests/fixtures/README.md): none lies in
# the Alpes-Maritimes, so inspect must say that their 7 160 inhabitants are outside the zones.
expect "init --filosofi (2019 layout) -> 0, warns that no cell lies in the communes" 0 - \
    "no cell of the Filosofi grid" "filosofi-2019-carreaux-1km.csv" "lies in the study's communes" -- \
    "$PROXIMA" init --departement 06 --osm "$EXTRACT" --admin-express "$SHP" -o grid.toml --quiet \
    --filosofi "$DATA/../tests/fixtures/published/filosofi-2019-carreaux-1km.csv"
check "the study takes its population from the grid" \
    bash -c "grep -q '^source = \"grid\"' grid.toml && grep -q '^grid = \".*filosofi-2019-carreaux-1km.csv\"' grid.toml"
expect "inspect the grid study -> 0" 0 - "7160 inhabitants not placed" "outside the study zones" -- "$PROXIMA" inspect grid.toml

# A grid file of a layout not recognised: inspect names its columns and the layouts known.
printf 'code;habitants\n06012;13000\n' >carreaux.csv
sed 's|^grid = .*|grid = "carreaux.csv"|' grid.toml >badgrid.toml
expect "inspect a grid of unknown layout -> 3, its columns and the layouts known" 3 - \
    "population grid 'carreaux.csv'" "it has: code, habitants" "Layouts read without options: Filosofi 2015" \
    "id_field" -- "$PROXIMA" inspect badgrid.toml

# The Lot's real Filosofi cells kept to its real communes (data/insee/communes-46-lot.geojson as
# the ADMIN EXPRESS file, no POPULATION needed with a grid). No OSM extract of the Lot is bundled:
# lot-bounds.osm is a SYNTHETIC stand-in, a header box over the Lot and one pharmacy node, enough
# for init to take every commune and write the study (not run here).
cat >lot-bounds.osm <<'OSM'
<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="proxima test: synthetic, not OpenStreetMap data">
  <bounds minlat="44.0" minlon="0.8" maxlat="45.2" maxlon="2.4"/>
  <node id="1" lat="44.45" lon="1.44" version="1"><tag k="amenity" v="pharmacy"/></node>
</osm>
OSM
LOTGRID="$DATA/filosofi/filosofi2015-carreaux-1km-lot-46.csv"
expect "init --departement 46 --filosofi (x/y grid of the Lot) -> 0" 0 - -- \
    "$PROXIMA" init --departement 46 --osm lot-bounds.osm --admin-express "$DATA/insee/communes-46-lot.geojson" \
    --filosofi "$LOTGRID" -o lot.toml --quiet
kept=$(($(wc -l <lot-filosofi.csv) - 1))
all=$(($(wc -l <"$LOTGRID") - 1))
check "the grid kept to the Lot's communes: $kept of its $all cells, lines copied as they are" \
    bash -c "[ $kept -gt 0 ] && [ $kept -lt $all ] && [ -z \"\$(comm -23 <(sort lot-filosofi.csv) <(sort '$LOTGRID'))\" ] && grep -q '^grid = \"lot-filosofi.csv\"' lot.toml"
lot_insee=$("$PY" -c 'import csv, sys
print(sum(int(r["population"]) for r in csv.DictReader(open(sys.argv[1])) if r["departement"] == "46"))' "$DATA/insee/communes-2026.csv")
lot_cells=$(awk -F, 'NR > 1 { s += $3 } END { print s }' lot-filosofi.csv)
check "its inhabitants ($lot_cells) are within 10 % of the Lot's INSEE population ($lot_insee)" \
    bash -c "awk -v a=$lot_cells -v b=$lot_insee 'BEGIN { exit !(a > 0.9 * b && a < 1.1 * b) }'"

# --- errors: the file and the fix, nothing left behind ------------------------------------------
expect "an unknown département code -> 5" 5 bad.toml "'99' is not a département code" -- \
    "$PROXIMA" init --departement 99 --osm "$EXTRACT" --admin-express "$SHP" -o bad.toml
expect "a département the ADMIN EXPRESS file does not hold -> 3" 3 bad.toml "COMMUNE.shp" "holds no commune of département 48" "06" -- \
    "$PROXIMA" init --departement 48 --osm "$EXTRACT" --admin-express "$SHP" -o bad.toml
expect "an extract that holds none of the département -> 3" 3 bad.toml "andorra-2021.osm.pbf" "holds no commune of département 06 whole" "--codes" -- \
    "$PROXIMA" init --departement 06 --osm "$DATA/osm/andorra-2021.osm.pbf" --admin-express "$SHP" -o bad.toml
check "... and no cut extract is left behind" test ! -e bad.osm.pbf
expect "--codes with an extract far from the département -> 3" 3 bad.toml "do not meet the OSM extract" "région" -- \
    "$PROXIMA" init --departement 06 --osm "$DATA/osm/andorra-2021.osm.pbf" --admin-express "$SHP" --codes 06029 -o bad.toml
check "... and no cut extract is left behind" test ! -e bad.osm.pbf
expect "communes without POPULATION and no Filosofi grid -> 3" 3 bad.toml "POPULATION" "--filosofi" -- \
    "$PROXIMA" init --departement 06 --osm "$EXTRACT" --admin-express "$DATA/insee/communes-06-alpes-maritimes.geojson" -o bad.toml
check "... and no cut extract is left behind" test ! -e bad.osm.pbf
expect "a service not in the catalogue -> 5" 5 bad.toml "--services" "'hopital'" "urgences" -- \
    "$PROXIMA" init --departement 06 --osm "$EXTRACT" --admin-express "$SHP" --services urgences,hopital -o bad.toml
# ... told before any input is read (a région's extract takes minutes to cut): with no extract at
# all, the unknown service is still what is reported.
expect "a service not in the catalogue, before the inputs are read -> 5" 5 bad.toml "'hopital'" -- \
    "$PROXIMA" init --departement 06 --osm no-such-extract.osm.pbf --admin-express no-such.shp --services hopital -o bad.toml
expect "--codes naming a commune of another département -> 5" 5 bad.toml "48095" -- \
    "$PROXIMA" init --departement 06 --osm "$EXTRACT" --admin-express "$SHP" --codes 48095 -o bad.toml
expect "a study in a folder that does not exist -> 6" 6 - "no/such/folder" "does not exist" -- \
    "$PROXIMA" init --departement 06 --osm "$EXTRACT" --admin-express "$SHP" -o no/such/folder/s.toml

cli_test_finish
