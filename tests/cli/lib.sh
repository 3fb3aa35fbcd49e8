# Shared helpers of the CLI end-to-end tests (sourced, not run). The sourcing script sets
# SCRIPT_TITLE and calls `cli_test_setup "$@"`, then uses run / expect / check, and ends with
# `cli_test_finish`.
#
# Each script prints "ok - NAME" or "not ok - NAME: DETAILS" per check, then "N passed, M failed",
# and exits 1 if any check failed, 2 on bad usage.

# cli_test_setup PATH/TO/proxima PATH/TO/data: checks the arguments, sets PROXIMA and DATA
# (absolute), makes the scratch folder TMP (removed at exit) and moves into it.
cli_test_setup() {
    if [ $# -ne 2 ]; then
        echo "usage: $0 PATH/TO/proxima PATH/TO/data" >&2
        exit 2
    fi
    PROXIMA=$1
    DATA=$2
    if [ ! -x "$PROXIMA" ]; then
        echo "$0: '$PROXIMA' is not an executable" >&2
        exit 2
    fi
    if [ ! -f "$DATA/osm/andorra-2021.osm.pbf" ] || [ ! -f "$DATA/reference/andorra-points.csv" ]; then
        echo "$0: '$DATA' is not the repository's data folder (no osm/andorra-2021.osm.pbf)" >&2
        exit 2
    fi
    # Absolute paths: the tests run from inside the scratch folder.
    PROXIMA=$(cd "$(dirname "$PROXIMA")" && pwd)/$(basename "$PROXIMA")
    DATA=$(cd "$DATA" && pwd)
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/proxima-cli-test.XXXXXX") || exit 2
    trap 'rm -rf "$TMP"' EXIT
    cd "$TMP" || exit 2
    # A command stuck for this long is a failure, not a hang of the whole test run.
    if command -v timeout >/dev/null 2>&1; then
        TIMEOUT=(timeout 120)
    else
        TIMEOUT=()
    fi
    HAVE_PYTHON=0
    if command -v python3 >/dev/null 2>&1; then
        HAVE_PYTHON=1
    fi
    passed=0
    failed=0
}

cli_test_finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

ok() {
    passed=$((passed + 1))
    echo "ok - $1"
}
not_ok() {
    failed=$((failed + 1))
    echo "not ok - $1: $2"
}

# run CMD... : runs a command, keeping its exit code in $RC and its output in $TMP/stdout, $TMP/stderr.
run() {
    ${TIMEOUT[@]+"${TIMEOUT[@]}"} "$@" >"$TMP/stdout" 2>"$TMP/stderr"
    RC=$?
}

# First line of stderr, for failure details.
stderr_excerpt() {
    local text
    text=$(grep -m1 '^proxima: ' "$TMP/stderr" || head -n1 "$TMP/stderr")
    printf '%s' "${text:0:300}"
}

# leftovers PATH: prints PATH if it is a file, any PATH.tmp-* (temporary outputs) and any
# temporary output inside PATH if it is a folder, one a line.
leftovers() {
    local target=$1 dir base
    dir=$(dirname "$target")
    base=$(basename "$target")
    if [ -e "$target" ] && [ ! -d "$target" ]; then
        echo "$target"
    fi
    if [ -d "$dir" ]; then
        find "$dir" -maxdepth 1 \( -name "$base.tmp-*" -o -name "$base.lock" \) 2>/dev/null
    fi
    if [ -d "$target" ]; then
        find "$target" -name '*.tmp-*' 2>/dev/null
    fi
}

# expect NAME RC OUTPUT PHRASE... -- CMD...
#   Runs CMD and checks its exit code is RC, that stderr contains every PHRASE (fixed strings),
#   that a failure (RC >= 3) is reported as exactly one stderr line starting with "proxima: ",
#   and, if OUTPUT is not "-", that neither OUTPUT (a file, or a folder that did not exist
#   before) nor OUTPUT.tmp-* exists afterwards.
expect() {
    local name=$1 want=$2 output=$3
    shift 3
    local phrases=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        phrases+=("$1")
        shift
    done
    shift  # the "--"
    local folder_before=0
    if [ "$output" != "-" ]; then
        if [ -d "$output" ]; then
            folder_before=1
        else
            rm -f "$output"
        fi
    fi
    run "$@"
    local problems=()
    if [ "$RC" -ne "$want" ]; then
        problems+=("exit code $RC, expected $want")
    fi
    local phrase
    for phrase in ${phrases[@]+"${phrases[@]}"}; do
        if ! grep -qF -- "$phrase" "$TMP/stderr"; then
            problems+=("stderr lacks '$phrase'")
        fi
    done
    if [ "$want" -ge 3 ]; then
        local n
        n=$(grep -c '^proxima: ' "$TMP/stderr")
        if [ "$n" -ne 1 ]; then
            problems+=("$n stderr lines start with 'proxima: ', expected 1")
        fi
    fi
    if [ "$output" != "-" ]; then
        local left
        left=$(leftovers "$output" | tr '\n' ' ')
        if [ "$folder_before" -eq 0 ] && [ -d "$output" ]; then
            left="$left$output"
        fi
        if [ -n "$left" ]; then
            problems+=("left behind: $left")
        fi
    fi
    if [ ${#problems[@]} -eq 0 ]; then
        ok "$name"
    else
        local details
        details=$(printf '%s; ' "${problems[@]}")
        not_ok "$name" "${details%; } [command: $*] [stderr: $(stderr_excerpt)]"
    fi
}

# check NAME CONDITION-COMMAND... : a check on its own (e.g. on a file's content).
check() {
    local name=$1
    shift
    if "$@"; then
        ok "$name"
    else
        not_ok "$name" "failed: $*"
    fi
}

# json_seconds FILE: prints the top-level "seconds" of the route JSON in FILE (empty if none).
json_seconds() {
    if [ "$HAVE_PYTHON" -eq 1 ]; then
        python3 -c 'import json, sys
v = json.load(open(sys.argv[1])).get("seconds")
print("" if v is None else v)' "$1" 2>/dev/null
    else
        # The nested "from"/"to" objects have no "seconds" key, so the first match is the trip's.
        grep -o '"seconds": *[0-9.]*' "$1" | head -n1 | sed 's/.*: *//'
    fi
}

# csv_field FILE ROW COLUMN: the value of COLUMN (by header name) in data row ROW (1-based).
csv_field() {
    awk -F, -v row="$2" -v col="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
        NR == row + 1 { print $c }' "$1"
}
export -f csv_field  # also inside `check ... bash -c`

# write_andorra_study FILE: the bundled Andorra study with absolute paths, its graph cache and
# outputs in the scratch folder, without [services] (the caller appends its own).
write_andorra_study() {
    cat >"$1" <<STUDY
[study]
name = "cli andorra"
output = "$TMP/out/andorra"
[network]
osm = "$DATA/osm/andorra-2021.osm.pbf"
graph = "$TMP/andorra.pxg"
[zones]
osm_admin_level = 7
[population]
source = "points"
points = "$DATA/andorra/poblacions-2010.csv"
name_field = "poblacio"
population_field = "population_2010"
STUDY
}
