"""recontact on Spark: ``recontact run`` with the model's encoder on the
cluster's executors. See USAGE, and the README's "On Spark"."""

import os
import sys
import time

USAGE = """recontact on Spark.

    recontact-spark INPUT... --out DIR [recontact run's flags]
                    [--master URL] [--partitions N] [--conf KEY=VALUE]...

The run is `recontact run` (this package's native module, the same Rust
code) on the driver; what it hands to the cluster is the sentence-embedding
model's work -- on real text nearly all of a month's time: the encoder
batches, cut on the driver exactly as a local run cuts them, are spread
over the executors with mapInArrow, each executor runs whole batches
through the same encoder (recontact.Encoder), and the vectors come back in
order. So the outputs are those of `recontact run` on the same input, byte
for byte, where the executors' CPUs have the driver's instruction sets
(AVX-512, AVX2: the encoder picks its kernels by them).

Reading the input, linking, clustering, naming, the report and the index
stay on the driver for now (ARCHITECTURE.md, "Beyond one machine"). Every
executor needs this package and the model folder at the same path as the
driver's (a shared file system or the nodes' image); its Python is
spark.pyspark.python, or this Python when run here without spark-submit.

--master defaults to local[*]; under spark-submit its own is kept.
--partitions: tasks per embedding job (default: Spark's parallelism).
"""

# Vectors that come back to the driver per Spark job: a month's calls are
# cut into jobs of at most this many texts (~100 MB of 384-dim vectors),
# under Spark's default spark.driver.maxResultSize (1g) and driver heap.
# (RECONTACT_SPARK_TEXTS_PER_JOB overrides it: the test makes many jobs.)
TEXTS_PER_JOB = int(os.environ.get("RECONTACT_SPARK_TEXTS_PER_JOB", "65536"))

# Set by a worker the first time it is asked for a model: one load per
# Python worker process (Spark reuses them across tasks).
_ENCODERS = {}


def _encoder(model_dir):
    from recontact._native import Encoder

    enc = _ENCODERS.get(model_dir)
    if enc is None:
        enc = _ENCODERS[model_dir] = Encoder(model_dir)
    return enc


def _encode_partition(model_dir):
    """The function ``mapInArrow`` runs on an executor: each row is one
    batch (its index, token lengths and ids); out come its vectors."""

    def encode(batches):
        import pyarrow as pa

        enc = _encoder(model_dir)
        for rb in batches:
            index = rb.column(0).to_pylist()
            lengths = rb.column(1).to_pylist()
            ids = rb.column(2).to_pylist()
            vectors = [enc.forward(l, i) for l, i in zip(lengths, ids)]
            yield pa.RecordBatch.from_arrays(
                [pa.array(index, pa.int64()), pa.array(vectors, pa.binary())],
                names=["batch", "vectors"],
            )

    return encode


def _jobs(batches, texts_per_job=TEXTS_PER_JOB):
    """Index ranges of consecutive batches, each at most `texts_per_job`
    texts (a larger batch goes alone)."""
    start, texts = 0, 0
    for i, (lengths, _) in enumerate(batches):
        n = len(lengths) // 4
        if i > start and texts + n > texts_per_job:
            yield start, i
            start, texts = i, 0
        texts += n
    if start < len(batches):
        yield start, len(batches)


class SparkEncoder:
    """The callable the run sends its encoder batches to."""

    def __init__(self, spark, partitions=None, texts_per_job=TEXTS_PER_JOB):
        self.spark = spark
        self.partitions = partitions or spark.sparkContext.defaultParallelism
        self.texts_per_job = texts_per_job
        self.calls = 0
        self.jobs = 0
        self.batches = 0
        self.texts = 0
        self.seconds = 0.0

    def __call__(self, model_dir, batches):
        if not batches:
            return []
        self.calls += 1
        started = time.monotonic()
        out = []
        for lo, hi in _jobs(batches, self.texts_per_job):
            out.extend(self._job(str(model_dir), batches, lo, hi))
        self.batches += len(batches)
        self.texts += sum(len(lengths) // 4 for lengths, _ in batches)
        self.seconds += time.monotonic() - started
        return out

    def _job(self, model_dir, batches, lo, hi):
        self.jobs += 1
        rows = [(i, bytes(batches[i][0]), bytes(batches[i][1])) for i in range(lo, hi)]
        slices = max(1, min(self.partitions, len(rows)))
        # parallelize keeps the rows in contiguous slices, one per task,
        # with no shuffle.
        rdd = self.spark.sparkContext.parallelize(rows, slices)
        df = self.spark.createDataFrame(rdd, "batch long, lengths binary, ids binary")
        got = df.mapInArrow(_encode_partition(model_dir), "batch long, vectors binary").collect()
        got.sort(key=lambda r: r[0])
        if [r[0] for r in got] != list(range(lo, hi)):
            raise RuntimeError(
                f"the executors returned {len(got)} of {hi - lo} encoder batches"
            )
        return [bytes(r[1]) for r in got]


def split_args(argv):
    """(run's arguments, master, partitions, confs): this driver's own
    flags taken out, the rest left for ``recontact run``."""
    rest, master, partitions, confs = [], None, None, []
    it = iter(argv)
    for a in it:
        key, eq, value = a.partition("=")
        if key in ("--master", "--partitions", "--conf"):
            if not eq:
                value = next(it, None)
                if value is None:
                    raise SystemExit(f"error: {key} needs a value\n\n{USAGE}")
            if key == "--master":
                master = value
            elif key == "--partitions":
                try:
                    partitions = int(value)
                except ValueError:
                    raise SystemExit(f"error: --partitions {value!r} is not a number")
                if partitions < 1:
                    raise SystemExit("error: --partitions must be at least 1")
            else:
                k, eq2, v = value.partition("=")
                if not eq2:
                    raise SystemExit(f"error: --conf {value!r} is not KEY=VALUE")
                confs.append((k, v))
        else:
            rest.append(a)
    return rest, master, partitions, confs


PROGRAM = "recontact-spark"


def main(argv=None):
    from recontact import _native

    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, flush=True)
        # recontact run's own flags follow.
        return _native.check_args([PROGRAM, "--help"])
    args, master, partitions, confs = split_args(argv)
    # --help, --version and usage errors anywhere: answered before a JVM
    # starts.
    code = _native.check_args([PROGRAM, *args])
    if code is not None:
        return code

    # Run here (not under spark-submit, which starts the JVM first and says
    # PYSPARK_GATEWAY_PORT), the workers are this Python: it has the
    # package, where the PATH's python3 may not.
    conf_keys = {k for k, _ in confs}
    if ("PYSPARK_GATEWAY_PORT" not in os.environ and "PYSPARK_PYTHON" not in os.environ
            and "spark.pyspark.python" not in conf_keys):
        os.environ["PYSPARK_PYTHON"] = sys.executable

    from pyspark.sql import SparkSession

    # recontact says its own progress on stderr; Spark's bar would
    # interleave with it (--conf spark.ui.showConsoleProgress=true brings
    # it back). Without --master, pyspark's own default is local[*], and
    # spark-submit's --master is kept.
    builder = SparkSession.builder.appName("recontact").config(
        "spark.ui.showConsoleProgress", "false"
    )
    if master:
        builder = builder.master(master)
    for k, v in confs:
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    try:
        encoder = SparkEncoder(spark, partitions)
        code = _native.run([PROGRAM, *args], encoder)
        if code == 0 and encoder.calls:
            print(
                f"spark: {encoder.texts} texts in {encoder.batches} encoder batches "
                f"({encoder.jobs} jobs) on {spark.sparkContext.master} "
                f"({encoder.partitions} partitions), {encoder.seconds:.1f} s",
                file=sys.stderr,
            )
        return code
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main())
