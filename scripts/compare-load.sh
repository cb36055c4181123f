#!/usr/bin/env bash
# Whole-process load times, in one run: `aiops deps` on synthetic workbooks of 10k and 100k rows
# (each run a fresh, cold process, as a user would start it), and an openpyxl script on the same
# 100k workbook, which is what the team would otherwise write.
# Usage: scripts/compare-load.sh [RUNS]   (the openpyxl line needs: pip install openpyxl)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cargo build --release -q -p aiops-bot -p aiops-core --example synth
for rows in 10000 100000; do
    ./target/release/examples/synth "$rows" "$out/inventory-$rows.xlsx" 2>/dev/null
done

# Best of $runs, interleaved with the other commands so that noise hits them alike.
declare -A best
measure_once() {
    local key=$1; shift
    local t0 t1 us
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    us=$(( (t1 - t0) / 1000 ))
    if [[ -z ${best[$key]:-} ]] || (( us < best[$key] )); then best[$key]=$us; fi
}
have_openpyxl=0
python3 -c 'import openpyxl' 2>/dev/null && have_openpyxl=1
for _ in $(seq "$runs"); do
    for rows in 10000 100000; do
        measure_once "aiops-$rows" ./target/release/aiops --inventory "$out/inventory-$rows.xlsx" \
            deps "aie1p-doma-ces-*" --format json
    done
    if (( have_openpyxl )); then
        measure_once openpyxl python3 scripts/load_openpyxl.py "$out/inventory-100000.xlsx"
    fi
done

ms() { awk -v us="$1" 'BEGIN { printf "%.0f ms", us / 1000 }'; }
printf '%-66s %s\n' "aiops deps, 10,000 rows (read, resolve, answer; whole process)" "$(ms "${best[aiops-10000]}")"
printf '%-66s %s\n' "aiops deps, 100,000 rows (same)" "$(ms "${best[aiops-100000]}")"
awk -v a="${best[aiops-10000]}" -v b="${best[aiops-100000]}" \
    'BEGIN { printf "%-66s %.1fx\n", "100k / 10k", b / a }'
if (( have_openpyxl )); then
    printf '%-66s %s\n' "python3 + openpyxl, 100,000 rows (read and split cells only)" "$(ms "${best[openpyxl]}")"
fi
echo "(best of $runs runs each, interleaved)"
