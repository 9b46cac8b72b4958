"""The Spark driver against `recontact run` (issue 19.3).

    python3 python/tests/test_spark.py --recontact BIN

Takes the repository's realistic CLINC150 month (tests/data; every text
distinct, in English, Chinese and Hebrew) plus two unusable rows, runs `recontact run` and `recontact-spark --master local[2]` on it, and
checks that every output table is the same byte for byte: the same
episodes (every contact in the same episode), the same FCR metrics, the
same categories and themes, the same rejected rows. It also checks that
the executors did the encoding, and the driver's own flags and errors.
Needs the package installed (maturin), pyspark, a JRE and the default
model in models/. Exits non-zero on the first failure.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sh(cmd, **kw):
    print("+", " ".join(cmd), file=sys.stderr, flush=True)
    return subprocess.run(cmd, cwd=ROOT, text=True, capture_output=True, **kw)


def check(cond, what, detail=""):
    if not cond:
        raise AssertionError(f"{what}\n{detail}")
    print("ok:", what, file=sys.stderr)


def month(work):
    out = os.path.join(work, "month")
    shutil.copytree(os.path.join(ROOT, "tests", "data", "clinc150-realistic"), out)
    # Two unusable rows: they must be rejected the same way by both runs.
    with open(os.path.join(out, "calls.csv"), "a", encoding="utf-8") as f:
        f.write('C9999998,U9999,not a date,"Customer: hello",phone,inbound,,,,,,,,,,,\n')
        f.write('C9999999,,2026-10-02T10:00:00Z,,phone,inbound,,,,,,,,,,,\n')
    return out


def test_same_outputs(args, work):
    data = month(work)
    common = [data, "--config", os.path.join(data, "recontact.toml"), "-q",
              "--require-model"]
    local = os.path.join(work, "local")
    spark = os.path.join(work, "spark")
    r = sh([args.recontact, "run", *[a for a in common if a != "-q"], "--out", local,
            "--log-format", "plain"])
    check(r.returncode == 0, "recontact run", r.stderr[-2000:])
    # What the local run embedded: every stage that embeds says "done N
    # texts" (the embed stages; cluster, label and themes for what they
    # embed along the way).
    embedded = sum(int(n.replace(",", "")) for n in
                   re.findall(r"  [a-z ]+  done ([\d,]+) texts", r.stderr))
    check(embedded > 500, f"the local run embedded {embedded} texts with the model")
    # Small jobs, so a call is cut into several: each job's batches must
    # come back in their place.
    env = dict(os.environ, RECONTACT_SPARK_TEXTS_PER_JOB="200")
    r = sh([sys.executable, "-m", "recontact.spark", *common, "--out", spark,
            "--master", "local[2]", "--partitions", "3"], env=env)
    check(r.returncode == 0, "recontact-spark", r.stderr[-4000:])
    m = re.search(r"spark: (\d+) texts in (\d+) encoder batches \((\d+) jobs\) on local\[2\] "
                  r"\(3 partitions\), [\d.]+ s", r.stderr)
    # Each call sends its distinct texts: nearly all of them on this month.
    check(m is not None and int(m.group(2)) > 3 and int(m.group(3)) >= int(m.group(1)) // 200
          and 0.9 * embedded <= int(m.group(1)) <= embedded,
          f"the executors encoded the batches ({m.group(0) if m else r.stderr[-1000:]})")

    for name in ["contacts.csv", "episodes.csv", "categories.csv", "themes.csv",
                 "rejected.csv", "categories.centroids.json", "category_ids.json",
                 "metrics.json"]:
        a = open(os.path.join(local, name), "rb").read()
        b = open(os.path.join(spark, name), "rb").read()
        check(a == b, f"{name} is the same ({len(a)} bytes)")
    rejected = open(os.path.join(spark, "rejected.csv"), encoding="utf-8").read()
    check("C9999998" in rejected and "started_at" in rejected,
          "the bad rows were rejected with their reasons")
    metrics = json.load(open(os.path.join(spark, "metrics.json"), encoding="utf-8"))
    check(metrics["episodes"] > 0 and metrics["fcr_rate"] is not None,
          f"FCR measured: {metrics['fcr_rate']:.4f} over {metrics['episodes']} episodes")
    # The report names its own folder (drill-down commands); nothing else differs.
    for name in ["report.json", "report.md", "report.html"]:
        a = open(os.path.join(local, name), encoding="utf-8").read().replace(local, "OUT")
        b = open(os.path.join(spark, name), encoding="utf-8").read().replace(spark, "OUT")
        check(a == b, f"{name} is the same but for the output folder")


def test_driver_flags_and_errors(work):
    from recontact.spark import split_args

    rest, master, parts, confs = split_args(
        ["in", "--master", "local[1]", "--out", "o", "--partitions=4",
         "--conf", "spark.ui.enabled=false", "-q"])
    check(rest == ["in", "--out", "o", "-q"] and master == "local[1]" and parts == 4
          and confs == [("spark.ui.enabled", "false")], "the driver's own flags are taken out")
    # A usage error and a missing input fail as `recontact run` does (2 and 3),
    # before Spark starts.
    import recontact

    check(recontact.run(["--no-such-flag"]) == 2, "a usage error is exit 2")
    missing = os.path.join(work, "nowhere")
    check(recontact.run([missing, "--out", os.path.join(work, "x"), "--embedder", "lexical", "-q"]) == 3,
          "a missing input is exit 3")
    r = sh([sys.executable, "-m", "recontact.spark", "in", "--partitions", "0"])
    check(r.returncode != 0 and "at least 1" in r.stderr, "--partitions 0 is refused")
    # recontact run's answers to --version and a bad flag, with no JVM started.
    r = sh([sys.executable, "-m", "recontact.spark", "--version"])
    check(r.returncode == 0 and r.stdout.startswith("recontact-spark ")
          and "spark:" not in r.stderr and "WARN" not in r.stderr,
          "--version answers without Spark", r.stdout + r.stderr)
    r = sh([sys.executable, "-m", "recontact.spark", "in", "--out", "o", "--no-such-flag",
            "--master", "local[1]"])
    check(r.returncode == 2 and "--no-such-flag" in r.stderr and "WARN" not in r.stderr,
          "a bad flag is exit 2 without Spark", r.stderr[-2000:])
    r = sh([sys.executable, "-m", "recontact.spark", "--help"])
    check(r.returncode == 0 and "--partitions" in r.stdout and "Usage: recontact-spark" in r.stdout,
          "--help shows the driver's and run's flags", r.stdout[-2000:])
    from recontact.spark import _jobs

    batches = [(b"\0" * 4 * n, b"") for n in (3, 3, 5, 1, 9)]
    check(list(_jobs(batches, 6)) == [(0, 2), (2, 4), (4, 5)],
          "batches are cut into jobs of at most N texts, a larger batch alone")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--recontact", required=True)
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="recontact-spark-test-")
    try:
        test_driver_flags_and_errors(work)
        test_same_outputs(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("spark: all checks passed", file=sys.stderr)


if __name__ == "__main__":
    main()
