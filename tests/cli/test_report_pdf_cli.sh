#!/usr/bin/env bash
# report.pdf read back with poppler's tools (Debian poppler-utils, installed by
# scripts/install-deps.sh): its pages, its embedded fonts, its text, its vector maps, its bytes
# from one run to the next; and `report --pdf`, which points to `run`.
# Usage: test_report_pdf_cli.sh PATH/TO/proxima PATH/TO/data
SCRIPT_TITLE="report.pdf"
source "$(dirname "$0")/lib.sh"
cli_test_setup "$@"

for tool in pdfinfo pdffonts pdftotext pdfimages; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "test_report_pdf_cli.sh: $tool missing: run scripts/install-deps.sh (poppler-utils)" >&2
        exit 1
    fi
done

# A scratch copy of the study whose graph cache lives here: the first run builds it, the second
# reads it, and the two PDFs must still be the same bytes.
sed "s|^graph = .*|graph = \"$TMP/andorra.pxg\"|" "$DATA/studies/andorra.toml" >andorra.toml
sed -i "s|\"\\.\\./|\"$DATA/|g" andorra.toml
expect "run andorra -> 0" 0 - -- "$PROXIMA" run andorra.toml -o first --quiet
expect "run andorra again -> 0" 0 - -- "$PROXIMA" run andorra.toml -o second --quiet
expect "run andorra --no-pdf -> 0" 0 - -- "$PROXIMA" run andorra.toml -o nopdf --no-pdf --quiet

services=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["services"]))' first/run.json)
pages=$(pdfinfo first/report.pdf 2>/dev/null | sed -n 's/^Pages: *//p')
check "report.pdf starts with %PDF" bash -c "[ \"\$(head -c 4 first/report.pdf)\" = '%PDF' ]"
check "report.pdf is A4 portrait" bash -c "pdfinfo first/report.pdf | grep -q 'Page size: *595 x 842 pts (A4)'"
check "cover, summary, one page per service ($services), provenance: $pages pages" \
    bash -c "[ -n '$pages' ] && [ '$pages' -eq $((services + 3)) ]"
check "page numbers in the footer" bash -c "pdftotext first/report.pdf - | grep -q 'page $pages / $pages'"
check "every font is embedded" bash -c "pdffonts first/report.pdf | tail -n +3 | awk '{ if (\$(NF-4) != \"yes\") bad = 1 } END { exit bad }'"
check "the fonts are DejaVu Sans" bash -c "pdffonts first/report.pdf | grep -q DejaVuSans"
check "the maps are vectors: no image in the PDF" bash -c "[ \$(pdfimages -list first/report.pdf | tail -n +3 | wc -l) -eq 0 ]"
check "the text names the study" bash -c "pdftotext first/report.pdf - | grep -q 'Andorra'"
# 3 063 inhabitants beyond 30 min of the hospital: the digits are grouped by a no-break space,
# which pdftotext writes as a space.
nbsp=$(printf '\302\240')
check "the text holds 3 063 (urgences beyond 30 min)" \
    bash -c "pdftotext first/report.pdf - | grep -q -e '3 063' -e '3${nbsp}063'"
check "the summary holds 3,8 % (share of urgences)" \
    bash -c "pdftotext first/report.pdf - | grep -q -e '3,8 %' -e '3,8${nbsp}%'"
check "the same bytes from a second run (graph read from its cache)" cmp first/report.pdf second/report.pdf
check "run.json lists report.pdf" grep -q '"report.pdf"' first/run.json
check "--no-pdf writes no report.pdf" bash -c "[ ! -e nopdf/report.pdf ] && ! grep -q '\"report.pdf\"' nopdf/run.json"
check "no creation date (same bytes whatever the clock)" bash -c "! pdfinfo first/report.pdf | grep -q CreationDate"

expect "report --pdf -> 2, naming proxima run" 2 - "proxima run" "--force" -- "$PROXIMA" report first --pdf
check "report --pdf leaves report.pdf as it was" cmp first/report.pdf second/report.pdf

cli_test_finish
