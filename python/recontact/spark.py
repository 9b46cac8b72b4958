"""recontact on Spark.

    recontact-spark INPUT... --out DIR [recontact run's flags]
                    [--master URL] [--partitions N] [--conf KEY=VALUE]...

The run is ``recontact run`` (this package's native module, the same Rust
code) on the driver; what it hands to the cluster is the sentence-embedding
model's work -- on real text nearly all of a month's time (see
BENCHMARKS.md): the encoder batches, cut on the driver exactly as a local
run cuts them, are spread over the executors with ``mapInArrow``, each
executor runs them through the same encoder (``recontact.Encoder``), and
the vectors come back in order. So the outputs are those of
``recontact run`` on the same input, byte for byte.

What stays on the driver for now (see ARCHITECTURE.md, "Beyond one
machine"): reading the input, linking, clustering, naming, the report and
the index. Every executor needs this package installed and the model
folder at the same path (a shared file system, or ``--files`` and a
relative ``--model``).

``--master`` defaults to ``local[*]``; under ``spark-submit`` the session
it configured is used.
"""

import sys
import time

# Set by a worker the first time it is asked for a model: one load per
# Python worker process (Spark reuses them across tasks).
_ENCODERS = {}

USAGE = __doc__


def _encoder(model_dir):
    from ._native import Encoder

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


class SparkEncoder:
    """The callable ``recontact.run`` sends encoder batches to."""

    def __init__(self, spark, partitions=None):
        self.spark = spark
        self.partitions = partitions or spark.sparkContext.defaultParallelism
        self.calls = 0
        self.batches = 0
        self.texts = 0
        self.seconds = 0.0

    def __call__(self, model_dir, batches):
        if not batches:
            return []
        self.calls += 1
        started = time.monotonic()
        self.batches += len(batches)
        self.texts += sum(len(lengths) // 4 for lengths, _ in batches)
        rows = [(i, bytes(l), bytes(ids)) for i, (l, ids) in enumerate(batches)]
        slices = max(1, min(self.partitions, len(rows)))
        # parallelize keeps the rows in contiguous slices, one per task,
        # with no shuffle.
        rdd = self.spark.sparkContext.parallelize(rows, slices)
        df = self.spark.createDataFrame(rdd, "batch long, lengths binary, ids binary")
        out = df.mapInArrow(
            _encode_partition(str(model_dir)), "batch long, vectors binary"
        ).collect()
        out.sort(key=lambda r: r[0])
        if [r[0] for r in out] != list(range(len(rows))):
            raise RuntimeError(
                f"the executors returned {len(out)} of {len(rows)} encoder batches"
            )
        self.seconds += time.monotonic() - started
        return [bytes(r[1]) for r in out]


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


def main(argv=None):
    from . import run

    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        # recontact run's own flags follow.
        return run(["--help"])
    args, master, partitions, confs = split_args(argv)

    from pyspark.sql import SparkSession

    # recontact says its own progress on stderr; Spark's bar would
    # interleave with it (--conf spark.ui.showConsoleProgress=true brings
    # it back).
    builder = SparkSession.builder.appName("recontact").config(
        "spark.ui.showConsoleProgress", "false"
    )
    if master:
        builder = builder.master(master)
    elif "spark.master" not in _submitted_conf():
        builder = builder.master("local[*]")
    for k, v in confs:
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    try:
        encoder = SparkEncoder(spark, partitions)
        code = run(args, encoder)
        if code == 0:
            print(
                f"spark: {encoder.texts} texts in {encoder.batches} encoder batches on "
                f"{spark.sparkContext.master} ({encoder.partitions} partitions), "
                f"{encoder.seconds:.1f} s",
                file=sys.stderr,
            )
        return code
    finally:
        spark.stop()


def _submitted_conf():
    """What spark-submit set (its master), read before a session starts."""
    from pyspark import SparkConf

    return dict(SparkConf().getAll())


if __name__ == "__main__":
    sys.exit(main())
