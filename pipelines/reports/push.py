"""Push a report to a partner's HTTPS endpoint: POST the manifest and the files (base64) as JSON,
signed with HMAC-SHA256; retry with exponential back-off on 5xx, 429 and network errors or
timeouts; never retry a 4xx (e.g. 401 bad signature), which is logged as rejected.

Headers: ``X-CPO-Timestamp`` (Unix seconds), ``X-CPO-Signature: sha256=<hex>`` over
``<timestamp>.<body>`` (so a captured request cannot be replayed later with a new timestamp),
``X-CPO-Report-Id`` (the manifest's sha256; receivers may use it to drop duplicates).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

RETRY_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True)
class PushResult:
    status: str  # delivered | rejected | failed
    attempts: int
    http_status: int | None
    reason: str


def body(manifest: bytes, files: dict[str, bytes]) -> bytes:
    doc = {
        "manifest": json.loads(manifest),
        "files": {n: base64.b64encode(d).decode() for n, d in sorted(files.items())},
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def sign(secret: bytes, timestamp: str, payload: bytes) -> str:
    return (
        "sha256="
        + hmac.new(secret, timestamp.encode() + b"." + payload, hashlib.sha256).hexdigest()
    )


def verify(secret: bytes, timestamp: str, payload: bytes, signature: str) -> bool:
    """What a receiver does (used by the tests' server)."""
    return hmac.compare_digest(sign(secret, timestamp, payload), signature)


def push(
    url: str,
    secret: bytes,
    payload: bytes,
    report_id: str,
    max_attempts: int = 4,
    timeout_s: float = 10.0,
    base_delay_s: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    on_attempt: Callable[[PushResult], None] | None = None,
) -> PushResult:
    """Delays between attempts: base, 2 x base, 4 x base, ... (1 s, 2 s, 4 s by default).
    ``on_attempt`` hears each attempt's own result (``failed`` for one that will be retried)."""
    seen = on_attempt or (lambda _: None)
    reason, status = "", None
    for attempt in range(1, max_attempts + 1):
        if attempt > 1:
            sleep(base_delay_s * 2 ** (attempt - 2))
        timestamp = str(int(clock()))
        request = urllib.request.Request(
            url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-CPO-Timestamp": timestamp,
                "X-CPO-Signature": sign(secret, timestamp, payload),
                "X-CPO-Report-Id": report_id,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                done = PushResult("delivered", attempt, response.status, f"HTTP {response.status}")
                seen(done)
                return done
        except urllib.error.HTTPError as exc:
            status = exc.code
            text = exc.read(300).decode(errors="replace").strip()
            reason = f"HTTP {exc.code} {exc.reason}" + (f": {text}" if text else "")
            if 400 <= exc.code < 500 and exc.code not in RETRY_STATUSES:
                refused = PushResult("rejected", attempt, exc.code, reason)
                seen(refused)
                return refused
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            status = None
            reason = f"network: {getattr(exc, 'reason', exc)}"
        seen(PushResult("failed", attempt, status, reason))
    return PushResult(
        "failed", max_attempts, status, f"gave up after {max_attempts} attempts: {reason}"
    )
