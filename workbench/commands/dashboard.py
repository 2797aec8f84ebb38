"""``cpo dashboard``: serve the Streamlit operations dashboard on a data folder's warehouse."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

import dashboard as dashboard_package
from csms_lite.api.token import DASHBOARD
from dashboard.settings import LOOPBACK
from dashboard.users import UserStore
from ingest.data_folder import DATA_DIR_ENV, DataFolder
from workbench.errors import fail, friendly
from workbench.options import DEFAULT_DATA_DIR, DataDir, part_api_token

APP = Path(dashboard_package.__file__).resolve().parent / "app.py"


def command_line(
    data_dir: Path, port: int, headless: bool, host: str = "127.0.0.1", api_url: str | None = None
) -> list[str]:
    """The ``streamlit run`` command; the data folder also travels in CPO_DATA_DIR."""
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true" if headless else "false",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",  # operators do not edit the code; saves a thread
        "--",
        "--data-dir",
        str(data_dir),
    ]
    return cmd + (["--api-url", api_url] if api_url else [])


def serve(
    data_dir: Path,
    port: int = 8501,
    headless: bool = True,
    host: str = "127.0.0.1",
    api_url: str | None = None,
    log_file: Path | None = None,
    api_token: str | None = None,
) -> subprocess.Popen[bytes]:
    """Start the dashboard in the background (for ``cpo demo`` and tests); the caller stops it.
    Its URL is ``url(host, port)``. Its output goes to ``log_file`` when given (a long-running
    dashboard must not fill a pipe nobody reads), else to a pipe the caller reads."""
    env = {**os.environ, DATA_DIR_ENV: str(data_dir.resolve())}
    if api_url:
        env["CPO_API_URL"] = api_url
    if api_token:  # through the environment: a command line shows in ps
        env["CPO_API_TOKEN"] = api_token
    command = command_line(data_dir.resolve(), port, headless, host, api_url)
    if log_file is None:
        return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def url(host: str, port: int) -> str:
    return f"http://{host}:{port}"


@friendly
def dashboard(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")] = 8501,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    headless: Annotated[
        bool, typer.Option("--headless", help="Do not open a browser (servers, CI).")
    ] = False,
    api_url: Annotated[
        str | None,
        typer.Option(
            "--api-url",
            envvar="CPO_API_URL",
            help="CSMS command API for live state and manual commands "
            "(token in CPO_API_TOKEN, else <data-dir>/api_token).",
        ),
    ] = None,
) -> None:
    """Open the operations dashboard (Streamlit) on DATA/warehouse/marts.

    Without a warehouse it shows how to build one (cpo pipelines run)."""
    if not data_dir.is_dir():
        raise fail(
            f"no data folder at {data_dir}: pass --data-dir, or create one with "
            "cpo simulate / cpo demo"
        )
    typer.echo(f"Dashboard on {url(host, port)} (data {data_dir}); Ctrl-C stops it")
    typer.echo(sign_in_note(data_dir, host))
    env = {**os.environ, DATA_DIR_ENV: str(data_dir.resolve())}
    if "CPO_API_TOKEN" not in env and DataFolder(data_dir).registry_file.is_file():
        # its own token, so the lake tells the dashboard's commands apart
        env["CPO_API_TOKEN"] = part_api_token(None, data_dir, DASHBOARD)
    process = subprocess.Popen(
        command_line(data_dir.resolve(), port, headless, host, api_url), env=env
    )
    code = wait_or_stop(process)
    if code not in (0, -2, -15, 130, 143):
        raise fail(f"streamlit stopped with exit code {code} (is port {port} free?)")


def sign_in_note(data_dir: Path, host: str) -> str:
    """One line on who can get in, so nobody learns it from the browser (dashboard.auth)."""
    store = UserStore(DataFolder(data_dir).dashboard_users)
    if store.configured:
        return f"sign-in required ({len(store.users())} users: cpo users list)"
    if host in LOOPBACK:
        return "local mode, no sign-in (no users yet; cpo users add NAME --role admin)"
    return (f"no users yet: on {host} the dashboard refuses everyone until "
            "cpo users add NAME --role admin")


def wait_or_stop(process: subprocess.Popen[bytes]) -> int:
    """Wait for Streamlit; on Ctrl-C or SIGTERM stop it too (a SIGTERM to this process alone
    used to leave Streamlit serving)."""
    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            return process.wait()
        process.terminate()
        try:
            return process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
