#!/usr/bin/env bash
# The whole job (episodes with the embedding same-issue test, categories)
# with the default model on the sample month and a generated month, scored
# against the truth, with per-stage times and peak RSS. Needs the model
# (scripts/fetch-model.sh).
#
#   bench/full.sh            # sample + 100k
#   bench/full.sh 20000      # sample + a 20k month
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
cargo build --release --quiet --bin recontact --example gen_month
bin=target/release/recontact
seed=$((n % 1000 + 7))
month=bench-data/m${n}-s${seed}
if [ ! -f "$month.truth.csv" ]; then
  target/release/examples/gen_month --contacts "$n" --seed "$seed" --out "$month" --truth "$month.truth.csv" >/dev/null 2>&1
fi
echo "commit $(git rev-parse --short HEAD)"
for m in data/sample "$month"; do
  truth="${m%/}.truth.csv"
  out=bench-data/full-$(basename "$m")
  echo "== $m"
  /usr/bin/time -f "wall %e s, peak RSS %M KB" "$bin" run "$m" --config "$m/recontact.toml" --out "$out" 2>&1 | grep -E "time:|embedder|wall|categories"
  "$bin" eval --truth "$truth" "$out"
done
