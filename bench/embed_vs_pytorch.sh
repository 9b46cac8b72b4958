#!/usr/bin/env bash
# Embedding throughput side by side in one run (issue 7): recontact's
# default embedder vs sentence-transformers (PyTorch) with the same model
# files and the same distinct texts, on this machine, one after the other.
# Prints both figures and the ratio.
#
#   bench/embed_vs_pytorch.sh            # 2,000 BANKING77 texts
#   N=10000 bench/embed_vs_pytorch.sh
#
# Needs the model (scripts/fetch-model.sh) and a Python venv with
# sentence-transformers in bench-data/venv (created here on first use from
# PyPI: a few GB, torch included).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-2000}
model=models/all-MiniLM-L6-v2
venv=bench-data/venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import sentence_transformers" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --no-cache-dir sentence-transformers
fi
# Distinct texts: the embedder embeds each distinct text once, so repeats
# would flatter it.
texts=bench-data/embed-texts-$n.csv
python3 - "$n" "$texts" <<'PY'
import csv, sys
n, out = int(sys.argv[1]), sys.argv[2]
seen, rows = set(), []
for path in ["../shared/data/banking77/train.csv", "../shared/data/banking77/test.csv", "../shared/data/clinc150/train.csv"]:
    try:
        for r in csv.DictReader(open(path, encoding="utf-8")):
            t = r.get("text", "").strip()
            if t and t not in seen:
                seen.add(t); rows.append(t)
    except FileNotFoundError:
        pass
rows = rows[:n]
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f); w.writerow(["text"]); w.writerows([[t] for t in rows])
print(f"{len(rows)} distinct texts", file=sys.stderr)
PY
cargo build --release --quiet --example embed_bench
echo "commit $(git rev-parse --short HEAD), $(nproc) cores"
rust=$(target/release/examples/embed_bench --model "$model" --csv "$texts" --n "$n" --backends fused --repeats 3 | tee /dev/stderr | grep -oE '[0-9.]+ texts/s' | head -1 | cut -d' ' -f1)
py=$("$venv/bin/python" - "$model" "$texts" <<'PY'
import csv, sys, time, torch
from sentence_transformers import SentenceTransformer
model, path = sys.argv[1], sys.argv[2]
texts = [r["text"] for r in csv.DictReader(open(path, encoding="utf-8"))]
m = SentenceTransformer(model, device="cpu")
m.encode(texts[:64])
best = 0.0
for bs in (32, 64, 128):
    t = time.perf_counter()
    m.encode(texts, batch_size=bs)
    rate = len(texts) / (time.perf_counter() - t)
    print(f"sentence-transformers batch {bs}: {rate:.1f} texts/s (torch {torch.__version__}, {torch.get_num_threads()} threads)", file=sys.stderr)
    best = max(best, rate)
print(f"{best:.1f}")
PY
)
python3 -c "print(f'recontact {float($rust):.1f} texts/s, sentence-transformers best {float($py):.1f} texts/s, ratio {float($rust)/float($py):.2f}x')"
