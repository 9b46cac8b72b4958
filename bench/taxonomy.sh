#!/usr/bin/env bash
# Guided taxonomy (--taxonomy): how well reasons land in known categories per
# --taxonomy-threshold. Known categories = the 8 English intents and 2 MASSIVE
# (zh+he) intents with the most true non-FCR episodes in the month, 5 example
# phrases each (per language) not drawn from what gen_month uses; scored
# against the generator's truth by bench/taxonomy_eval.py.
# Usage: bench/taxonomy.sh [CONTACTS] [THRESHOLDS...]   (run from the repo root:
# the default model is read from models/)
set -euo pipefail
N=${1:-20000}
shift || true
TS=("$@")
[ ${#TS[@]} -gt 0 ] || TS=(0.4 0.5 0.6 0.7)
OUT=${TAX_OUT:-/tmp/recontact-tax}
SHARED=${SHARED:-../shared/data}
[ -d "$SHARED" ] || SHARED=/work/shared/data
BIN=${BIN:-target/release/recontact}
GEN=${GEN:-target/release/examples/gen_month}
EVAL="python3 $(dirname "$0")/taxonomy_eval.py"
EMB=${EMB:-}  # e.g. EMB=lexical (default: the model)
OTHER=${OTHER:-}  # OTHER=DIR: --other-scripts-model DIR for zh/he
SEED=${SEED:-101}  # another seed: same category distribution (--dist-seed 7), other customers
M=$OUT/month-$N-s$SEED
mkdir -p "$OUT"
# default seeds = bench/mom.sh's first month, so the numbers are comparable
[ -d "$M" ] || "$GEN" --contacts "$N" --seed "$SEED" --dist-seed 7 --shared "$SHARED" --out "$M" 2>/dev/null
# rewritten only when it changes, so finished runs with the same taxonomy are kept
$EVAL taxonomy "$M.truth.csv" "$SHARED" 8 2 "$M"/*.csv "$M"/*.jsonl > "$M.taxonomy.new"
cmp -s "$M.taxonomy.new" "$M.taxonomy.toml" && rm "$M.taxonomy.new" || mv "$M.taxonomy.new" "$M.taxonomy.toml"
runs=()
for t in "${TS[@]}"; do
  o=$OUT/run-$N-s$SEED${EMB:+-$EMB}${OTHER:+-other-$(basename "$OTHER")}-t$t
  # a stale run with another taxonomy would be scored wrongly: rerun unless it is newer
  if [ ! -d "$o" ] || [ "$M.taxonomy.toml" -nt "$o" ] || [ -n "${RERUN:-}" ]; then
    "$BIN" run "$M" --config "$M/recontact.toml" --no-index -q --out "$o" \
      --taxonomy "$M.taxonomy.toml" --taxonomy-threshold "$t" ${EMB:+--embedder "$EMB"} ${OTHER:+--other-scripts-model "$OTHER"}
  fi
  runs+=("$t=$o")
done
echo "== guided taxonomy, $N contacts, seed $SEED, embedder ${EMB:-model}, $("$BIN" --version 2>/dev/null || echo recontact), taxonomy $M.taxonomy.toml"
echo "   cells: episodes assigned / precision / recall (by recontact's episodes, first contact's true intent)"
$EVAL eval "$M.truth.csv" "${runs[@]}"
