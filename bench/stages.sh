#!/usr/bin/env bash
# Scale benchmark (issues 7, 18.1): the whole job on generated months of
# 10k, 100k and 1M contacts, per stage wall time (from the run summary),
# total wall time, peak RSS, and throughput, for the default transformer
# embedder and for `--embedder lexical`, on both kinds of month:
#   plain      utterances drawn from a finite pool, so most texts repeat and
#              embedding each distinct text once hides the model's cost;
#   realistic  `gen_month --realistic`: openers, context, references and
#              typos added, so nearly every text is distinct, as in real
#              exports. Figures for speed should come from these.
#
#   bench/stages.sh                          # 10k 100k 1M × kinds × embedders
#   bench/stages.sh 10000 100000             # chosen sizes
#   EMBEDDERS=lexical bench/stages.sh        # one embedder
#   KINDS=realistic bench/stages.sh          # one kind
#
# Prints Markdown rows for BENCHMARKS.md. Months are generated once into
# bench-data/ with fixed seeds (seed = n mod 1000 + 7).
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
read -r -a embedders <<<"${EMBEDDERS:-auto lexical}"
read -r -a kinds <<<"${KINDS:-plain realistic}"
threads=${THREADS:-$(nproc)}

cargo build --release --quiet --bin recontact --example gen_month
bin=target/release/recontact
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml || echo "+dirty")
machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"

echo "machine: $machine, threads $threads"
echo "| commit | month | contacts | embedder | wall s | peak RSS MB | contacts/s | ingest | learn templates | embed repeat candidates | episodes | metrics | embed reasons | cluster | label | rank | output (index) | categories |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
 seed=$((n % 1000 + 7))
 for kind in "${kinds[@]}"; do
  case $kind in
    plain) month=bench-data/m${n}-s${seed}; flag=() ;;
    realistic) month=bench-data/realistic-m${n}-s${seed}; flag=(--realistic) ;;
    *) echo "KINDS: unknown kind $kind (plain, realistic)" >&2; exit 2 ;;
  esac
  if [ ! -f "$month.truth.csv" ]; then
    target/release/examples/gen_month --contacts "$n" --seed "$seed" "${flag[@]}" --out "$month" --truth "$month.truth.csv" >/dev/null 2>&1
  fi
  for e in "${embedders[@]}"; do
    out=bench-data/stages-${kind}-${n}-${e}
    /usr/bin/time -f "%e %M" -o bench-data/time.txt \
      "$bin" run "$month" --config "$month/recontact.toml" --out "$out" --embedder "$e" --threads "$threads" > bench-data/stages-run.txt
    read -r wall rss < bench-data/time.txt
    python3 - "$commit" "$kind" "$n" "$e" "$wall" "$rss" <<'PY'
import re, sys
commit, kind, n, e, wall, rss = sys.argv[1:]
text = open("bench-data/stages-run.txt").read()
times = dict((k.strip(), float(v)) for k, v in re.findall(r"([a-z ]+) ([\d.]+)s", text.split("time:")[1].split("\n")[0]))
ix = re.search(r"in ([\d.]+)s \(inside output", text)
cats = re.search(r"; (\d+) categories", text)
embedder = re.search(r"embedder: ([^;\n]+)", text).group(1).split(" for ")[0]
cols = ["ingest", "learn templates", "embed repeat candidates", "episodes", "metrics", "embed reasons", "cluster", "label", "rank"]
row = [commit, kind, n, embedder, wall, str(int(rss) // 1024), str(round(int(n) / float(wall)))]
row += ["%.2f" % times[c] if c in times else "–" for c in cols]
row.append("%.2f (%s)" % (times.get("output", 0), ix.group(1) if ix else "–"))
row.append(cats.group(1) if cats else "0")
print("| " + " | ".join(row) + " |")
PY
  done
 done
done
