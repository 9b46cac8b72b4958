#!/usr/bin/env bash
# CI for the optional rust-bert embedder (cargo feature `rust-bert`, off by
# default; see docs/rust-bert.md). On a fresh Debian 12 machine:
#   1. installs libtorch 1.13 and the threaded OpenBLAS from Debian
#      (libtorch-dev libopenblas0-pthread; sudo only when not root);
#   2. runs only this feature's tests (embed::rustbert), which import the
#      default model and compare with the candle embedder;
#   3. smoke-runs `recontact model import` on the default model.
# Needs the default model in models/all-MiniLM-L6-v2 (scripts/fetch-model.sh;
# this script fetches it when missing).
#
# Usage: scripts/ci-rust-bert.sh
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

if ! dpkg -s libtorch-dev libopenblas0-pthread >/dev/null 2>&1; then
    SUDO=()
    if [[ "$(id -u)" -ne 0 ]]; then SUDO=(sudo); fi
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q libtorch-dev libopenblas0-pthread
fi
echo "ci-rust-bert: libtorch ready after $((SECONDS - started))s"

# torch-sys 0.10 builds against this libtorch (headers in /usr/include,
# libraries in /usr/lib/x86_64-linux-gnu; C++11 ABI, its default).
export LIBTORCH="${LIBTORCH:-/usr}"
# Debian's libtorch does its matrix products in OpenBLAS: one torch thread,
# two BLAS threads is fastest on 2 cores.
export TCH_THREADS="${TCH_THREADS:-1}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-2}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

bash scripts/fetch-model.sh

cargo test --features rust-bert --lib embed::rustbert
echo "ci-rust-bert: tests done after $((SECONDS - started))s"

rm -rf target/rust-bert-model
cargo run --features rust-bert -- model import models/all-MiniLM-L6-v2 target/rust-bert-model
test -s target/rust-bert-model/rust_model.ot

echo "ci-rust-bert: done in $((SECONDS - started))s"
