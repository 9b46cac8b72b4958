#!/usr/bin/env bash
# Benchmark of the contact index (issue 4): indexing throughput on generated
# months and query latency on the largest one.
#
#   bench/index.sh                 # 100k and 1M contacts
#   bench/index.sh 100000          # one size
#
# Each month runs twice with the lexical same-issue test and
# `--categorise none` (the index stage is what is measured): with the index
# and with --no-index, so the difference in wall time and peak RSS is the
# index's cost. The index's own time and size come from the run's summary.
# Then examples/query_bench runs a fixed query set on the last month's index.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
threads=${THREADS:-$(nproc)}

cargo build --release --quiet --bin recontact --example gen_month --example query_bench
bin=target/release/recontact
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml || echo "+dirty")

echo "| commit | contacts | text MB | index s | contacts/s | MB/s | index MB | segments | run wall s (no index) | peak RSS MB (no index) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  seed=$((n % 1000 + 7))
  month=bench-data/m${n}-s${seed}
  if [ ! -f "$month.truth.csv" ]; then
    target/release/examples/gen_month --contacts "$n" --seed "$seed" --out "$month" --truth "$month.truth.csv" >/dev/null 2>&1
  fi
  out=bench-data/index-${n}
  /usr/bin/time -f "%e %M" -o bench-data/time.txt \
    "$bin" run "$month" --config "$month/recontact.toml" --out "$out" --same-issue lexical --categorise none --threads "$threads" > bench-data/index-run.txt
  read -r wall rss < bench-data/time.txt
  /usr/bin/time -f "%e %M" -o bench-data/time.txt \
    "$bin" run "$month" --config "$month/recontact.toml" --out "$out-noindex" --same-issue lexical --categorise none --threads "$threads" --no-index --quiet
  read -r wall0 rss0 < bench-data/time.txt
  rm -rf "$out-noindex"
  line=$(grep "index:" bench-data/index-run.txt)
  # index: N contacts, X MB of text in Y s (inside output; R contacts/s, M MB/s), D MB on disk, S segments
  python3 - "$commit" "$n" "$wall" "$rss" "$wall0" "$rss0" "$line" <<'PY'
import re, sys
commit, n, wall, rss, wall0, rss0, line = sys.argv[1:]
m = re.search(r"([\d.]+) MB of text in ([\d.]+)s \(inside output; (\d+) contacts/s, ([\d.]+) MB/s\), ([\d.]+) MB on disk, (\d+) segments", line)
text, secs, rate, mbs, disk, segs = m.groups()
print(f"| {commit} | {n} | {text} | {secs} | {rate} | {mbs} | {disk} | {segs} | {wall} ({wall0}) | {int(rss)//1024} ({int(rss0)//1024}) |")
PY
done
echo
target/release/examples/query_bench "bench-data/index-${sizes[-1]}" --repeat 20
