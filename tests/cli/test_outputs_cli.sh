#!/usr/bin/env bash
# The tables a planner opens: the CSV dialects, the diagnostic tables (CSV and xlsx, read back with
# openpyxl), the services and origins columns, and run.json's record of the dialect.
# Usage: test_outputs_cli.sh PATH/TO/proxima PATH/TO/data
SCRIPT_TITLE="outputs"
source "$(dirname "$0")/lib.sh"
cli_test_setup "$@"

# openpyxl from Debian (python3-openpyxl, installed by scripts/install-deps.sh): prefer the
# system interpreter, which sees Debian's packages, over one earlier on PATH.
PY=""
for candidate in /usr/bin/python3 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import openpyxl' 2>/dev/null; then
        PY=$candidate
        break
    fi
done

expect "run riviera, French CSV dialect -> 0" 0 - -- \
    "$PROXIMA" run "$DATA/studies/riviera.toml" -o fr --csv-dialect fr --quiet
expect "run riviera, default dialect -> 0" 0 - -- \
    "$PROXIMA" run "$DATA/studies/riviera.toml" -o gis --quiet
expect "run riviera, --csv-dialect excel -> 5" 5 - "--csv-dialect" -- \
    "$PROXIMA" run "$DATA/studies/riviera.toml" -o bad --csv-dialect excel --quiet

bom() { [ "$(head -c 3 "$1" | od -An -tx1 | tr -d ' ')" = "efbbbf" ]; }
no_bom() { ! bom "$1"; }
check "gis dialect: communes.csv without BOM, comma-separated" \
    bash -c "[ \"\$(head -c 10 gis/communes.csv)\" = 'code_insee' ] && head -n1 gis/communes.csv | grep -q '^code_insee,nom,population,'"
check "fr dialect: communes.csv with BOM, semicolon-separated" \
    bash -c "$(declare -f bom); bom fr/communes.csv && head -n1 fr/communes.csv | grep -q 'code_insee;nom;population;'"
check "fr dialect: decimal comma in times, same rows as gis" \
    bash -c "grep -q '^06012;Beausoleil;11936;[^;]*;[^;]*;[0-9]*,[0-9]' fr/communes.csv && [ \$(wc -l < fr/communes.csv) -eq \$(wc -l < gis/communes.csv) ]"
check "fr dialect: recorded in run.json" grep -q '"csv_dialect": "fr"' fr/run.json
check "gis dialect: recorded in run.json" grep -q '"csv_dialect": "gis"' gis/run.json
check "diagnostic tables written with the run" \
    test -s gis/diagnostic_communes.csv -a -s gis/diagnostic_epci.csv -a -s gis/diagnostic.xlsx
check "diagnostic_communes.csv: French headers, one row per commune" \
    bash -c "head -n1 gis/diagnostic_communes.csv | grep -q 'Code commune,Commune,EPCI,Population,Service d.urgences : temps moyen (min)' && [ \$(wc -l < gis/diagnostic_communes.csv) -eq 4 ]"
check "diagnostic.xlsx: same bytes on a second run (deterministic)" cmp -s fr/diagnostic.xlsx gis/diagnostic.xlsx

if [ -z "$PY" ]; then
    not_ok "diagnostic.xlsx read back" "no python3 with openpyxl (scripts/install-deps.sh installs python3-openpyxl)"
else
    # Read back as a spreadsheet user sees it: sheets, frozen header, numbers as numbers, names,
    # and the same figures as the CSV tables.
    if "$PY" - gis <<'EOF' >"$TMP/xlsx.out" 2>&1; then
import csv, sys
import openpyxl
out = sys.argv[1]
wb = openpyxl.load_workbook(f"{out}/diagnostic.xlsx")
assert wb.sheetnames == ["Communes", "EPCI"], wb.sheetnames
communes = wb["Communes"]
assert communes.freeze_panes == "B2", communes.freeze_panes
header = [c.value for c in communes[1]]
assert header[:4] == ["Code commune", "Commune", "EPCI", "Population"], header
rows = list(communes.iter_rows(min_row=2, values_only=True))
with open(f"{out}/communes.csv", newline="", encoding="utf-8") as f:
    table = {r["code_insee"]: r for r in csv.DictReader(f)}
assert len(rows) == len(table) == 3, (len(rows), len(table))
mean_col = header.index("Service d'urgences : temps moyen (min)")
flag_col = header.index("Service d'urgences : au-delà de 30 min")
for r in rows:
    code = r[0]
    assert isinstance(code, str) and len(code) == 5, code          # INSEE codes stay text (leading 0)
    assert isinstance(r[3], (int, float)), r[3]                     # population is a number
    assert abs(r[3] - float(table[code]["population"])) < 0.5, (code, r[3])
    assert isinstance(r[mean_col], (int, float)), r[mean_col]
    assert abs(r[mean_col] - float(table[code]["urgences_min"])) <= 0.051, (code, r[mean_col])
    assert r[flag_col] in ("oui", "non"), r[flag_col]
    assert communes.cell(row=2, column=mean_col + 1).number_format != "General"
epci = wb["EPCI"]
erows = list(epci.iter_rows(min_row=2, values_only=True))
assert len(erows) == 2, erows
assert sum(r[3] for r in erows) == sum(r[3] for r in rows), "EPCI populations add up to the communes'"
assert all(communes.column_dimensions[c].width and communes.column_dimensions[c].width > 8 for c in "ABCD")
print("ok")
EOF
        ok "diagnostic.xlsx read back with openpyxl: sheets, frozen header, numbers, same figures as the CSV"
    else
        not_ok "diagnostic.xlsx read back with openpyxl" "$(tail -n 3 "$TMP/xlsx.out" | tr '\n' ' ')"
    fi
fi

# services.csv: where each site is and where it comes from; origins.csv: a stable id and a name.
check "services.csv: provider, commune, lon/lat columns" \
    bash -c "head -n1 gis/services.csv | grep -q '^service,id,name,provider,source,code_insee,commune,lon,lat,snap_m'"
check "services.csv: providers are osm/bpe/file/pole/scenario" \
    bash -c "tail -n +2 gis/services.csv | awk -F, '{print \$4}' | sort -u | grep -qvE '^(osm|bpe|file|pole|scenario)\$' && exit 1 || exit 0"
check "origins.csv: <service>_nearest and <service>_nearest_name" \
    bash -c "head -n1 gis/origins.csv | grep -q 'urgences_nearest,urgences_nearest_name'"
# Where inhabitants are: the Riviera study gives no chef-lieu and no grid, so each commune's
# population sits at its point on surface, said per origin, in run.json and on the console.
check "origins.csv: placement point_on_surface for each commune" \
    bash -c "head -n1 gis/origins.csv | grep -q '^id,zone,population,snap_m,placement,' && [ \$(grep -c ',point_on_surface,' gis/origins.csv) -eq 3 ]"
check "run.json: population.placement lists the communes at a point on surface, largest area x population first" \
    /usr/bin/python3 -c "import json; p = json.load(open('gis/run.json'))['population']['placement']; \
assert p['point_on_surface']['origins'] == 3; c = p['point_on_surface_communes']; \
assert [x['code'] for x in c] == sorted([x['code'] for x in c], key=lambda k: -[x['area_km2'] * x['population'] for x in c if x['code'] == k][0])"
check "run.json: the pole access reading is recorded" \
    /usr/bin/python3 -c "import json; p = json.load(open('gis/run.json'))['poles']; assert p['nested'] is True and 'nested' in p['reading']"

cli_test_finish
