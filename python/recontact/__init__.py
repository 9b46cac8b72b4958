"""recontact: links repeat customer contacts into episodes, measures first
contact resolution, and mines why customers come back.

``recontact.run(argv)`` is ``recontact run`` (the same Rust code, in this
process); ``recontact.spark`` runs it with the model's encoder on a Spark
cluster's executors. See the repository's README, "On Spark".
"""

from ._native import Encoder, __version__
from ._native import run as _run


def run(args, forward=None):
    """``recontact run ARGS...``; returns its exit code (0 on success).

    ``forward(model_dir, batches) -> list[bytes]``, when given, computes the
    model's encoder batches (see ``recontact.spark``)."""
    return _run(["recontact"] + [str(a) for a in args], forward)


__all__ = ["Encoder", "run", "__version__"]
