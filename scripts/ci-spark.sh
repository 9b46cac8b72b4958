#!/usr/bin/env bash
# CI for the Spark driver (python/, issue 19). On a fresh machine:
#   1. a JRE (Debian's, when `java` is missing) and, in a virtual
#      environment under target/, maturin and pyspark with pandas and
#      pyarrow (python/requirements-spark.txt, pinned);
#   2. builds the Python package from this workspace with maturin (the dev
#      profile, so it reuses what `cargo test` built) and installs it;
#   3. runs python/tests/test_spark.py: tests/data's realistic month through
#      `recontact run` and through `recontact-spark --master local[2]`,
#      every output compared.
# Needs the default model in models/ (scripts/fetch-models.sh).
#
# Usage: scripts/ci-spark.sh
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

if ! command -v java >/dev/null 2>&1; then
    SUDO=()
    if [[ "$(id -u)" -ne 0 ]]; then SUDO=(sudo); fi
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jre-headless
fi
venv=target/spark-venv
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r python/requirements-spark.txt
echo "ci-spark: JRE and pyspark ready after $((SECONDS - started))s"

# The binaries the test compares against, from the same profile as the
# package (the same code, the same floating point).
cargo build -q --bin recontact
rm -rf target/wheels-ci
"$venv/bin/maturin" build -q --profile dev -m python/Cargo.toml -o target/wheels-ci
"$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps target/wheels-ci/recontact-*.whl
echo "ci-spark: package built after $((SECONDS - started))s"

# Spark's workers run the venv's Python (it has the package); a container's
# host name may not resolve, so Spark binds to loopback.
export PYSPARK_PYTHON="$PWD/$venv/bin/python"
export SPARK_LOCAL_IP=127.0.0.1
# The test's driver runs from outside the source tree, so the installed
# package (with its native module) is the one imported.
(cd target && "$OLDPWD/$venv/bin/python" "$OLDPWD/python/tests/test_spark.py" \
    --recontact "$OLDPWD/target/debug/recontact")
echo "ci-spark: done in $((SECONDS - started))s"
