#!/usr/bin/env bash
# Load time of aiops against an openpyxl script on the same synthetic workbook, in one run.
# Usage: scripts/compare-load.sh [ROWS]   (needs: pip install openpyxl)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
out=$(mktemp -d)
cargo build --release -q -p aiops-bot -p aiops-core --example synth
./target/release/examples/synth "$rows" "$out/inventory.xlsx"
runs=5
measure() {
    local label=$1; shift
    local best=999999
    for _ in $(seq $runs); do
        local t0 t1 ms
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1
        t1=$(date +%s%N)
        ms=$(( (t1 - t0) / 1000000 ))
        (( ms < best )) && best=$ms
    done
    printf '%-48s best of %d: %6d ms\n' "$label" "$runs" "$best"
}
measure "aiops deps (load + resolve + one query, $rows rows)" ./target/release/aiops --inventory "$out/inventory.xlsx" deps "aie1p-doma-ces-*" --format json
measure "python3 + openpyxl, split cells only ($rows rows)" python3 scripts/load_openpyxl.py "$out/inventory.xlsx"
rm -rf "$out"
