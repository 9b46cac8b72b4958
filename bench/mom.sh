#!/usr/bin/env bash
# Month-over-month evaluation (issue 6): two consecutive months from the same
# category distribution (--dist-seed) with planted changes, and a no-change
# pair; each second month is run with --previous and scored by
# examples/mom_eval.rs. Usage: bench/mom.sh [CONTACTS] [EMBEDDER] [PROFILE]
# MODEL=DIR passes --model DIR (runs go to EMBEDDER-BASENAME-*; e.g.
# MODEL=models/multilingual-e5-small after scripts/fetch-multilingual-model.sh).
set -euo pipefail
N=${1:-20000}
EMB=${2:-lexical}
PROFILE=${3:-debug}
OUT=${MOM_OUT:-/tmp/recontact-mom}
SHARED=${SHARED:-../shared/data}
[ -d "$SHARED" ] || SHARED=/work/shared/data
BIN=target/$PROFILE/recontact
GEN=target/$PROFILE/examples/gen_month
EVAL=target/$PROFILE/examples/mom_eval
GROW=${GROW:-visa_or_mastercard} GONE=${GONE:-wrong_exchange_rate_for_cash_withdrawal} NEW=${NEW:-direct_debit_payment_not_recognised}
MODEL=${MODEL:-}
OTHER=${OTHER:-}  # OTHER=DIR passes --other-scripts-model DIR (Chinese, Hebrew, ... with an English-only model)
TAG=$EMB${MODEL:+-$(basename "$MODEL")}${OTHER:+-other-$(basename "$OTHER")}  # run folder prefix
P=${PAIR-p}  # folder prefix of the planted pair (PAIR= for none)
mkdir -p "$OUT"
gen() { # name seed scales...
  local name=$1 seed=$2; shift 2
  [ -d "$OUT/$name" ] || "$GEN" --contacts "$N" --seed "$seed" --dist-seed 7 --shared "$SHARED" --out "$OUT/$name" "$@" 2>/dev/null
}
gen ${P}a 101 --scale $NEW=0                  # planted pair, month 1: no NEW yet
gen ${P}b 102 --month 2026-11 --scale $GROW=3 --scale $GONE=0   # month 2 (November): GROW x3, GONE gone, NEW appears
gen c 101                           # no-change pair, month 1
gen d 103 --month 2026-11           # no-change pair, month 2 (other seed)
run() { # name [previous]
  local name=$1 prev=${2:-}
  [ -d "$OUT/$TAG-$name" ] && [ -z "${RERUN:-}" ] && return 0
  local t0=$SECONDS
  "$BIN" run "$OUT/$name" --config "$OUT/$name/recontact.toml" --embedder "$EMB" --no-index -q \
    ${MODEL:+--model "$MODEL"} ${OTHER:+--other-scripts-model "$OTHER"} --out "$OUT/$TAG-$name" ${prev:+--previous "$OUT/$TAG-$prev"}
  echo "run $TAG-$name: $((SECONDS - t0)) s"
}
run ${P}a; run ${P}b ${P}a; run c; run d c
echo "== planted pair (${P}a → ${P}b: $GROW x3, $GONE gone, $NEW new), $N contacts, $TAG"
"$EVAL" --prev "$OUT/$TAG-${P}a" --prev-truth "$OUT/${P}a.truth.csv" --cur "$OUT/$TAG-${P}b" --cur-truth "$OUT/${P}b.truth.csv" \
  --grown $GROW --gone $GONE --new $NEW
echo "== no-change pair (c → d), $N contacts, $TAG"
"$EVAL" --prev "$OUT/$TAG-c" --prev-truth "$OUT/c.truth.csv" --cur "$OUT/$TAG-d" --cur-truth "$OUT/d.truth.csv"
