#!/usr/bin/env bash
# BERTopic side by side with recontact on the SAME texts: the contact
# reasons of a recontact run's unresolved episodes (OUT_DIR/episodes.csv,
# column contact_reason), scored against the generator's truth (the true
# category of each episode's first contact). Prints a markdown table (NMI,
# ARI, groups, unassigned share, purity of the largest group) for recontact's
# themes, recontact's categories and BERTopic's topics, overall and per
# language; --json FILE also writes the figures as JSON.
#
#   bench/bertopic.sh OUT_DIR TRUTH_CSV [--model DIR] [--json FILE] [--seed N]
#
# e.g.
#   target/release/recontact run data/sample --config data/sample/recontact.toml --out /tmp/s -q
#   bench/bertopic.sh /tmp/s data/sample.truth.csv
#
# BERTopic embeds with the model recontact uses by default
# (models/all-MiniLM-L6-v2, read from disk; nothing is downloaded from a
# model hub) and otherwise runs with its defaults (UMAP + HDBSCAN,
# min_topic_size 10), UMAP's random_state fixed (--seed, default 42).
#
# Needs a Python venv with bertopic, sentence-transformers, torch and
# scikit-learn: created on first use from PyPI in $BERTOPIC_VENV (default
# /work/bench-venv, outside the repo). PyPI's torch for Linux x86_64 is the
# CUDA build (a few GB with its nvidia-* wheels); it runs on the CPU here.
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
venv=${BERTOPIC_VENV:-/work/bench-venv}
py=${PYTHON:-python3}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "
import importlib.util as u, sys
sys.exit(any(u.find_spec(m) is None for m in ('bertopic', 'sentence_transformers', 'sklearn', 'torch', 'umap', 'hdbscan')))" 2>/dev/null; then
  echo "setting up $venv (bertopic, sentence-transformers, torch, scikit-learn) ..." >&2
  t0=$(date +%s)
  [ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip >&2
  "$venv/bin/pip" install -q bertopic sentence-transformers torch scikit-learn >&2
  echo "venv ready in $(( $(date +%s) - t0 )) s" >&2
fi
# No model hub: everything is read from disk.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
exec "$venv/bin/python" "$here/bertopic_compare.py" "$@"
