"""The converter process: turns a node's closed journal segments into Parquet, off the server.

    python -m ingest.lake.converter --lake L --node N [--lake-url U] [--interval S] [--since ID]
                                    [--nice K]

``--lake`` is the local folder of the journal; part files go to ``--lake-url`` (a folder or an
``s3://bucket/prefix`` URL, with the AWS_* settings of the environment), default ``--lake``.

Started by ``LakeWriter.start()``; a separate process so that Arrow conversion never takes the
server's GIL (it can run niced: it only has to keep up on average). Protocol on its pipes:

- stdin ``flush\\n``: convert every closed segment, then answer one JSON line on stdout with the
  cumulative ``ConverterStats`` plus ``answered`` (how many ``flush`` requests it has answered);
- stdin EOF (the writer closed, or died, even by ``kill -9``): close the segments a dead writer
  left open (if no live writer holds the node lock), convert everything, write a last stats line,
  exit 0 (1 if some segment could not be written: it stays for the next run);
- on its own, every ``--interval`` seconds: convert what is closed, and report a stats line when
  something happened.

It holds the node's converter lock for its whole life: a second converter of the node (a restarted
server's) waits for the first one to finish. It ignores SIGINT and SIGTERM (the writer's close or
death ends it, after a drain); SIGKILL is safe too: whatever it leaves is converted by the next
converter. Logs go to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.abc
import logging
import os
import queue
import signal
import sys
import threading
from pathlib import Path

import orjson


class _Unimportable(importlib.abc.MetaPathFinder):
    """pyarrow uses numpy and pandas if installed: numpy costs 0.2 s of CPU at import, pandas
    1.2 s (and ~100 MB) on the first conversion of a Python list. Both are optional to pyarrow
    and this process needs neither, so they are made unimportable in it: a converter starts in
    0.2 s, which every server start and stop pays."""

    BLOCKED = frozenset({"numpy", "pandas"})

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] in self.BLOCKED:
            raise ImportError(f"{name} is not used by the lake converter")


if __name__ == "__main__":  # only in the converter process, before pyarrow is imported
    sys.meta_path.insert(0, _Unimportable())

from ingest.lake import location, locks, paths  # noqa: E402
from ingest.lake.conversion import Converter  # noqa: E402
from ingest.lake.part_files import remove_stale_temp_files  # noqa: E402
from ingest.lake.segments import close_orphans  # noqa: E402

logger = logging.getLogger("ingest.lake.converter")

FLUSH = "flush"
Commands = queue.Queue[str | None]  # stdin lines; None at EOF
DEAD_WRITER_GRACE_S = 10.0  # how long a dead writer's node lock may outlive its stdin pipe


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format=f"%(asctime)s lake-converter[{args.node}] %(levelname)s %(message)s")
    if args.nice and hasattr(os, "nice"):
        os.nice(args.nice)
    for sig in (signal.SIGINT, signal.SIGTERM):  # it stops when stdin closes, after draining:
        signal.signal(sig, signal.SIG_IGN)  # a service manager's SIGTERM to all must not cut it
    # Parsing a segment makes millions of small objects and no cycles: the collector would
    # only rescan them (it doubles the cost of dict payloads). One collection per pass instead.
    gc.freeze()
    gc.disable()
    journal = paths.journal_dir(args.lake, args.node)
    commands = _read_stdin()  # from the start: EOF must be seen even while waiting for the lock
    lock_fd = _lock_converter(journal)
    try:
        store = location.of(args.lake_url or args.lake)
        if store.is_local:  # safe: no other converter of ours runs (S3 PUTs leave no temp)
            remove_stale_temp_files(store.local_path, args.node)
        return _serve(Converter(args.lake, args.node, args.since, store), commands,
                      args.interval, journal)
    finally:
        locks.unlock(lock_fd)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ingest.lake.converter")
    parser.add_argument("--lake", type=Path, required=True)
    parser.add_argument("--node", required=True)
    parser.add_argument("--lake-url", default=None, help="where part files go (default: --lake)")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
    parser.add_argument("--since", default="", help="first segment id of the writer: older "
                        "segments count as replayed")
    parser.add_argument("--nice", type=int, default=0, help="increment of the niceness")
    return parser.parse_args(argv)


def _lock_converter(journal: Path) -> int:
    lock_file = paths.converter_lock_file(journal)
    fd = locks.try_lock(lock_file)
    if fd is None:
        logger.info("waiting for the previous converter of this node to finish")
        fd = locks.lock(lock_file, poll=0.05)
    assert fd is not None  # no timeout: waits as long as it takes
    return fd


def _read_stdin() -> Commands:
    """A thread feeds stdin's lines to a queue, so the main loop can wait with a timeout."""
    commands: Commands = queue.Queue()

    def pump() -> None:
        try:
            for line in sys.stdin.buffer:
                commands.put(line.strip().decode(errors="replace"))
        finally:
            commands.put(None)

    threading.Thread(target=pump, name="stdin", daemon=True).start()
    return commands


def _serve(converter: Converter, commands: Commands, interval: float, journal: Path) -> int:
    answered = 0
    timeout = 0.0  # the first pass at once: what earlier runs left
    while True:
        flushes, eof = _next_commands(commands, timeout)
        timeout = interval
        if eof:
            return _drain(converter, answered + flushes, journal)
        if converter.run_pass() or flushes:
            gc.collect()
            answered += flushes
            _report(converter, answered)


def _next_commands(commands: Commands, timeout: float) -> tuple[int, bool]:
    """(``flush`` requests, EOF seen) among the lines that arrive within ``timeout``."""
    try:
        lines = [commands.get(timeout=timeout)]
    except queue.Empty:
        return 0, False
    while not commands.empty():  # answer a burst of requests with one pass
        lines.append(commands.get_nowait())
    for line in lines:
        if line not in (FLUSH, None, ""):
            logger.warning("ignoring unknown command %r", line)
    return lines.count(FLUSH), None in lines


def _drain(converter: Converter, answered: int, journal: Path) -> int:
    # A writer that closes cleanly closes its segment first; an open one means it died. The
    # kernel may close the pipe (our EOF) a moment before it drops the dead writer's node lock,
    # so wait for the lock then, instead of leaving acknowledged rows in the journal.
    wait = DEAD_WRITER_GRACE_S if any(journal.glob("seg-*.open")) else None
    node_lock = (locks.lock(paths.node_lock_file(journal), wait) if wait
                 else locks.try_lock(paths.node_lock_file(journal)))
    if node_lock is not None:  # the writer is dead: nobody appends to its open segment now
        try:
            close_orphans(journal)
        finally:
            locks.unlock(node_lock)
    converter.run_pass()
    _report(converter, answered)
    return 1 if converter.failing else 0


def _report(converter: Converter, answered: int) -> None:
    line = orjson.dumps({**converter.stats.as_dict(), "answered": answered})
    with contextlib.suppress(OSError):  # if the writer is gone, EOF on stdin follows
        os.write(sys.stdout.fileno(), line + b"\n")


if __name__ == "__main__":
    sys.exit(main())
