"""The real processes of a cluster on loopback: redis-server, ``cpo csms`` nodes and HAProxy
with the shipped ``deploy/haproxy/haproxy.cfg``, each on free ports, logs in files."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import psutil

REPO = Path(__file__).resolve().parents[2]
HAPROXY_CFG = REPO / "deploy" / "haproxy" / "haproxy.cfg"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes], log: Path, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{proc.args!r} exited:\n{log.read_text(errors='replace')}"
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), 0.2):
            return
        time.sleep(0.05)
    raise AssertionError(f"nothing listening on {port} after {within} s:\n{log.read_text()}")


class Proc:
    """A child process whose output goes to a file (no pipe can fill up)."""

    def __init__(self, cmd: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.log = log
        self._out: IO[bytes] = log.open("ab")
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=self._out, stderr=subprocess.STDOUT,
                                     env={**os.environ, **(env or {})})

    @property
    def pid(self) -> int:
        return self.proc.pid

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, within: float = 15.0) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(within)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._out.close()
        return self.proc.returncode


class RedisServer:
    """redis-server on a free loopback port, nothing on disk but its log."""

    def __init__(self, exe: str, folder: Path) -> None:
        self.exe = exe
        self.folder = folder
        self.port = free_port()
        self.proc: Proc | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.proc = Proc([self.exe, "--port", str(self.port), "--bind", HOST, "--save", "",
                          "--appendonly", "no", "--dir", str(self.folder)],
                         self.folder / "redis.log")
        wait_port(self.port, self.proc.proc, self.proc.log, 10)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop(signal.SIGKILL)
            self.proc = None


class Node:
    """One ``cpo csms`` node process (``python -m workbench.cli csms``)."""

    def __init__(self, node_id: str, data_dir: Path, broker: str, token: str, folder: Path,
                 *extra: str) -> None:
        self.node_id = node_id
        self.port = free_port()
        self.api_port = free_port()
        cmd = [sys.executable, "-m", "workbench.cli", "csms", "--node-id", node_id,
               "--host", HOST, "--port", str(self.port), "--api-host", HOST,
               "--api-port", str(self.api_port), "--data-dir", str(data_dir),
               "--broker", broker, "--rate-limit", "0", *extra]
        # the token through the environment: a command line shows in ps
        self.proc = Proc(cmd, folder / f"{node_id}.log", {"CPO_API_TOKEN": token})

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.api_port}"

    def wait_ready(self, within: float = 30.0) -> None:
        wait_port(self.port, self.proc.proc, self.proc.log, within)
        wait_port(self.api_port, self.proc.proc, self.proc.log, within)

    def kill_9(self) -> list[psutil.Process]:
        """SIGKILL the node alone; its lake converter lives on to drain the journal. Returns
        the converter (and any other child) to wait for."""
        children = psutil.Process(self.proc.pid).children(recursive=True)
        self.proc.proc.send_signal(signal.SIGKILL)
        self.proc.proc.wait(10)
        return children


class Haproxy:
    """HAProxy running the shipped config; its addresses given through the environment."""

    def __init__(self, exe: str, nodes: list[Node], folder: Path, maxconn: int = 2000) -> None:
        self.port = free_port()
        self.api_port = free_port()
        env = {"CPO_LB_HOST": HOST, "CPO_LB_OCPP_PORT": str(self.port),
               "CPO_LB_API_PORT": str(self.api_port), "CPO_NODES": str(len(nodes)),
               "CPO_LB_MAXCONN": str(maxconn)}
        for i, node in enumerate(nodes, 1):
            env |= {f"CPO_NODE{i}_HOST": HOST, f"CPO_NODE{i}_OCPP_PORT": str(node.port),
                    f"CPO_NODE{i}_API_PORT": str(node.api_port)}
        self.proc = Proc([exe, "-db", "-f", str(HAPROXY_CFG)], folder / "haproxy.log", env)
        wait_port(self.port, self.proc.proc, self.proc.log, 10)

    @property
    def url(self) -> str:
        return f"ws://{HOST}:{self.port}/ocpp"

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.api_port}"


def need(binary: str, package: str) -> str:
    """The binary's path, or skip the test saying what to install."""
    import pytest

    exe = shutil.which(binary) or next(
        (str(p) for d in ("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin")
         if (p := Path(d) / binary).is_file()), None)
    if exe is None:
        pytest.skip(f"{binary} not installed (Debian: apt-get install {package})")
    return exe
