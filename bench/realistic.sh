#!/usr/bin/env bash
# Months from three utterance sets, plain and --realistic (issues 13.6,
# 14.4): generated with fixed seeds into bench-data/, run with the default
# settings, scored with `recontact eval`. Prints one block per month.
#
#   bench/realistic.sh [CONTACTS] [SEED] [-- extra `recontact run` flags]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
seed=${2:-11}
shift $(( $# > 2 ? 2 : $# ))
[[ "${1:-}" == "--" ]] && shift
cargo build --release --quiet --bin recontact --example gen_month
RC=target/release/recontact
GEN=target/release/examples/gen_month
mkdir -p bench-data
for set in banking77 clinc150 massive; do
    for kind in plain realistic; do
        month=bench-data/$set-$kind-$n-$seed
        flag=()
        [[ $kind == realistic ]] && flag=(--realistic)
        if [[ ! -d $month ]]; then
            $GEN --contacts "$n" --seed "$seed" --english "$set" "${flag[@]}" \
                --out "$month" --truth "$month.truth.csv" >/dev/null 2>&1
        fi
        out=$(mktemp -d)
        start=$(date +%s.%N)
        $RC run "$month" --config "$month/recontact.toml" --out "$out/out" -q "$@"
        end=$(date +%s.%N)
        echo "== $set $kind ($n contacts, seed $seed): $(echo "$end - $start" | bc) s"
        $RC eval --truth "$month.truth.csv" "$out/out"
        rm -rf "$out"
    done
done
