#!/usr/bin/env bash
# Times `aiops render` against mermaid-cli (mmdc) on the same diagrams, whole process, in one
# run with hyperfine. Needs a release build and .ci/install-render-deps. Writes PNGs to $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/aiops-render-compare}
mkdir -p "$OUT"
AIOPS=target/release/aiops
MMDC=".ci/mermaid/node_modules/.bin/mmdc -p .ci/mermaid/puppeteer.json -c .ci/mermaid/mermaid.json"

cases=(
  "ces|deps|aie1p-ces-*|--depth 2"
  "impact|impact|spotdb|"
  "all|deps|re:.*|"
)
args=()
for c in "${cases[@]}"; do
  IFS='|' read -r name cmd pattern extra <<<"$c"
  render_flags=$extra
  [ "$cmd" = impact ] && render_flags="--impact $extra"
  # shellcheck disable=SC2086
  $AIOPS "$cmd" "$pattern" $extra --format mermaid >"$OUT/$name.mmd"
  args+=(-n "aiops render $name" "$AIOPS render '$pattern' $render_flags --out $OUT/$name.png")
  args+=(-n "mmdc $name" "$MMDC -i $OUT/$name.mmd -o $OUT/$name-mmdc.png")
done
hyperfine --warmup 1 --runs "${RUNS:-5}" --export-markdown "$OUT/compare.md" "${args[@]}"
for c in "${cases[@]}"; do
  IFS='|' read -r name _ <<<"$c"
  printf '%s: %s nodes, %s edges\n' "$name" \
    "$(grep -c '^    n[0-9]*\["' "$OUT/$name.mmd")" \
    "$(grep -c -- '-->\|-\.->' "$OUT/$name.mmd")"
done
