"""``--workers``: how many staging runs at once, and the DuckDB threads each gets."""

from __future__ import annotations

import os

from pipelines.errors import PipelineError
from pipelines.resources import WarehouseResource


def check_workers(workers: int) -> int:
    """1..4 per CPU: more runs than that only queue for the cores and the disk."""
    if not 1 <= workers <= max_workers():
        raise PipelineError(f"--workers {workers} is out of range: {_workers_hint()}")
    return workers


def parse_workers(text: str) -> int:
    """``--workers`` as given on the command line: a whole number in range, or one clear line."""
    try:
        workers = int(text.strip())
    except ValueError:
        raise PipelineError(
            f"--workers {text!r} is not a whole number: {_workers_hint()}"
        ) from None
    return check_workers(workers)


def max_workers() -> int:
    return (os.cpu_count() or 1) * 4


def worker_threads(workers: int) -> int:
    """DuckDB threads per run: the CPUs shared out, at most what one run uses alone."""
    alone = WarehouseResource.model_fields["threads"].default
    return max(1, min(int(alone), (os.cpu_count() or 1) // workers))


def _workers_hint() -> str:
    return f"give 1 to {max_workers()} (up to 4 per CPU; this machine has {os.cpu_count() or 1})"
