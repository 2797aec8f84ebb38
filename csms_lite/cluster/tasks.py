"""Stopping the broker's background tasks."""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)


async def cancel_and_wait(task: asyncio.Task[None], patience: float = 3.0) -> None:
    """Cancel ``task`` and wait for its end, cancelling again while it runs: redis-py may
    swallow a cancellation that lands in the middle of a command (redis/redis-py#2028, seen
    with 5.2 to 8.1)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while not task.done():
        if loop.time() > deadline:
            log.warning("task %s did not stop within %g s", task.get_name(), patience)
            return
        task.cancel()
        await asyncio.wait([task], timeout=0.05)
    if not task.cancelled() and task.exception() is not None:
        log.error("task %s had failed", task.get_name(), exc_info=task.exception())
