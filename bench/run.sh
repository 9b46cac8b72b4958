#!/usr/bin/env bash
# Benchmark of `recontact run` with the episode/FCR stages only (ingest →
# episodes with the lexical same-issue test → metrics → output;
# `--categorise none`) on generated months, plus linking quality against
# their truth. bench/full.sh measures the whole job with the model.
#
#   bench/run.sh                 # 100k and 1M contacts
#   bench/run.sh 100000          # one size
#
# Prints one Markdown table row per run (wall time, peak RSS, contacts/s,
# quality) for BENCHMARKS.md. Months are generated once into bench-data/
# (git-ignored) with fixed seeds, so reruns measure the same input.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
threads=${THREADS:-$(nproc)}

cargo build --release --quiet --bin recontact --example gen_month
bin=target/release/recontact
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml || echo "+dirty")

echo "| commit | contacts | same-issue | wall s | peak RSS MB | contacts/s | B³ F1 | FCR err | non-FCR F1 |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  seed=$((n % 1000 + 7))
  month=bench-data/m${n}-s${seed}
  if [ ! -f "$month.truth.csv" ]; then
    target/release/examples/gen_month --contacts "$n" --seed "$seed" --out "$month" --truth "$month.truth.csv" >/dev/null 2>&1
  fi
  for mode in lexical any; do
    out=bench-data/out-${n}-${mode}
    /usr/bin/time -f "%e %M" -o bench-data/time.txt \
      "$bin" run "$month" --config "$month/recontact.toml" --out "$out" --same-issue "$mode" --categorise none --threads "$threads" --quiet
    read -r wall rss < bench-data/time.txt
    q=$("$bin" eval --truth "$month.truth.csv" "$out" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("%.4f %.4f %.4f" % (d["bcubed_f1"], d["fcr_rate_error"], d["non_fcr_f1"]))')
    read -r f1 err nf1 <<<"$q"
    rate=$(python3 -c "print(round($n / max($wall, 0.01)))")
    echo "| $commit | $n | $mode | $wall | $((rss / 1024)) | $rate | $f1 | $err | $nf1 |"
  done
done
