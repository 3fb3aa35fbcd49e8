#!/usr/bin/env bash
# Checks that every module includes only itself and the modules above it, in the README's layer
# order: core ← graph ← osm ← routing ← territory ← study ← analysis ← report ← run ← apps.
# Scans include/proxima/<module>/, src/<module>/ and apps/ for public includes
# ("proxima/<module>/...") and internal ones ("<module>/...", headers under src/<module>/).
# Prints one line per upward include as `file:line: <module> includes <other module>` and exits 1;
# prints one OK line otherwise. A folder or include of a module missing from the order below also
# fails, so a new module cannot slip past the check unranked.
#
# Usage: scripts/check-layers.sh [ROOT]   (ROOT: the repository, by default this script's parent)
set -euo pipefail

# Lowest first. apps/ holds the CLI, which may include anything.
readonly order="core graph osm routing territory study analysis report run apps"

root=${1:-"$(dirname "$0")/.."}
if [ ! -d "$root/include/proxima" ] && [ ! -d "$root/src" ]; then
    echo "check-layers: '$root' has neither include/proxima/ nor src/" >&2
    exit 2
fi
cd "$root"

# A quoted include with a folder: "proxima/<module>/x.hpp" or "<module>/x.hpp".
readonly include_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*"[A-Za-z0-9_]+/'

folders=()
for f in include/proxima src apps; do
    if [ -d "$f" ]; then
        folders+=("$f")
    fi
done

problems=$(
    {
        # Module folders unknown to the order: their files would otherwise go unchecked.
        for d in include/proxima/*/ src/*/; do
            [ -d "$d" ] || continue
            m=$(basename "$d")
            case " $order " in
                *" $m "*) ;;
                *) echo "${d%/}: module '$m' is not in the layer order of scripts/check-layers.sh" ;;
            esac
        done
        # file:line:text of every quoted include with a folder; awk ranks both ends.
        { grep -rnE "$include_re" "${folders[@]}" || true; } |
            awk -v order="$order" '
                BEGIN { n = split(order, names, " "); for (i = 1; i <= n; ++i) rank[names[i]] = i }
                {
                    # Split "file:line:text" on the first two colons only.
                    file = $0; sub(/:.*/, "", file)
                    rest = substr($0, length(file) + 2)
                    line = rest; sub(/:.*/, "", line)
                    text = substr(rest, length(line) + 2)

                    if (file ~ /^apps\//) from = "apps"
                    else {
                        from = file; sub(/^include\/proxima\//, "", from); sub(/^src\//, "", from)
                        if (from !~ /\//) next          # a file outside any module folder
                        sub(/\/.*/, "", from)
                        if (!(from in rank)) next       # reported once above, per folder
                    }

                    target = text; sub(/^[^"]*"/, "", target); sub(/".*/, "", target)
                    public = sub(/^proxima\//, "", target)
                    if (target !~ /\//) next            # "proxima/x.hpp": no module folder
                    to = target; sub(/\/.*/, "", to)
                    if (!(to in rank)) {
                        # "<dir>/x.hpp" may be a third-party header; "proxima/<dir>/" cannot be.
                        if (public) printf "%s:%s: %s includes unknown module %s\n", file, line, from, to
                        next
                    }
                    if (rank[to] > rank[from]) printf "%s:%s: %s includes %s\n", file, line, from, to
                }'
    } | sort -t: -k1,1 -k2,2n
)

if [ -n "$problems" ]; then
    echo "$problems"
    echo "check-layers: $(echo "$problems" | wc -l) problem(s); a module may include only itself and those" \
        "before it in: $order" >&2
    exit 1
fi
checked=$({ grep -rhE "$include_re" "${folders[@]}" || true; } | wc -l)
echo "check-layers: OK, $checked includes in ${folders[*]} follow the order $order"
