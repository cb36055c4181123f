#!/usr/bin/env bash
# Whole-process load cost on every synthetic shape, against calamine's bare read of the same
# file in the same run: for each shape and size, `aiops --inventory X impact <a Kafka> --format
# json` (read, resolve, answer; a fresh process each time, as a user starts it) and
# `bare_read X` (open the workbook and touch every cell, nothing else), taken in turn so that
# the machine's noise hits both alike. Prints medians, the ratio aiops / bare read, how the time
# grows with 10× the rows, and aiops's peak resident memory.
#
# Usage: scripts/compare-shapes.sh [RUNS] [--million]
#   RUNS       runs of each command per size (default 5); the median is reported
#   --million  also 1,000,000 rows for the seed and domain-heavy shapes (about 4 GB of disk
#              and several minutes)
# Needs bash, python3 (its resource module reads each run's peak memory) and cargo.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
million=0
for a in "$@"; do
    case $a in
        --million) million=1 ;;
        *) runs=$a ;;
    esac
done
target=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p aiops-bot
cargo build --release -q -p aiops-core --features testing --example synth --example bare_read
aiops=$target/release/aiops
synth=$target/release/examples/synth
bare=$target/release/examples/bare_read
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One run of a command: prints "seconds peak_kib" (wall time, the child's peak resident memory).
measure() {
    python3 - "$@" <<'EOF'
import resource, subprocess, sys, time
t0 = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
t1 = time.perf_counter()
print(f"{t1 - t0:.4f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
EOF
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

shapes="seed domain-heavy small-domains huge-domain repeated-pools"
printf '%-15s %9s %10s %10s %8s %10s %10s\n' shape rows "aiops s" "bare s" ratio "aiops MB" "10x rows"
for shape in $shapes; do
    sizes="10000 100000"
    if (( million )) && [[ $shape == seed || $shape == domain-heavy ]]; then
        sizes="$sizes 1000000"
    fi
    prev=
    for rows in $sizes; do
        file=$out/$shape-$rows.xlsx
        kafka=$("$synth" "$rows" "$file" "$shape" 2>/dev/null)
        : >"$out/a" && : >"$out/b"
        for _ in $(seq "$runs"); do
            measure "$aiops" --inventory "$file" impact "$kafka" --format json >>"$out/a"
            measure "$bare" "$file" >>"$out/b"
        done
        a=$(cut -d' ' -f1 "$out/a" | median)
        b=$(cut -d' ' -f1 "$out/b" | median)
        mem=$(cut -d' ' -f2 "$out/a" | sort -g | tail -1)
        growth=$([[ -n $prev ]] && awk -v a="$a" -v p="$prev" 'BEGIN { printf "%.1fx", a / p }' || echo "")
        awk -v s="$shape" -v r="$rows" -v a="$a" -v b="$b" -v m="$mem" -v g="$growth" \
            'BEGIN { printf "%-15s %9d %10.3f %10.3f %7.2fx %10.0f %10s\n", s, r, a, b, a / b, m / 1024, g }'
        prev=$a
        rm -f "$file"
    done
done
echo "(medians of $runs runs each, aiops and bare read taken in turn; peak memory is the largest run's)"
