"""A signed-push receiver on 127.0.0.1 (partner reports, field-service tickets): it checks the
HMAC signature as a real receiver would and answers from a script."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pipelines.reports import push

SECRET = b"s3cret-for-tests"


@dataclass
class Receiver:
    """Answers from ``script`` in order (then 200); 401 when the signature does not verify."""

    url: str
    secret: bytes = SECRET
    script: list[int] = field(default_factory=list)
    received: list[dict[str, object]] = field(default_factory=list)


@contextmanager
def serve(path: str = "/cdrs") -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            payload = self.rfile.read(int(self.headers["Content-Length"]))
            ok = push.verify(
                state.secret,
                self.headers["X-CPO-Timestamp"],
                payload,
                self.headers["X-CPO-Signature"],
            )
            code = 401 if not ok else (state.script.pop(0) if state.script else 200)
            state.received.append(
                {"code": code, "report_id": self.headers["X-CPO-Report-Id"], "body": payload,
                 "verified": ok}
            )
            self.send_response(code)
            self.end_headers()
            self.wfile.write(b"bad signature" if code == 401 else b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
