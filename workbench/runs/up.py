"""``cpo up``: the product as one supervised system on a data folder.

Children, in start order (stopped in reverse, the CSMS last so it flushes the lake after the
others stopped sending it commands):

- ``csms``: the OCPP server and its command API (``cpo csms``);
- ``dagster-daemon``: the project's sensors and schedules (staging when lake files change, the
  marts after staging, scoring every 15 minutes, weekly training), DAGSTER_HOME in the folder;
- ``dagster-ui``: the Dagster webserver, for the data team (optional);
- ``self-healing``: the closed loop against the API (``cpo self-heal run``), its memory in
  ``<data>/self_healing/state.json`` so a restart resumes cooldowns and escalations;
- ``dashboard``: Streamlit, wired to the API (URL and token passed here, never typed).

API tokens, all through ``CPO_API_TOKEN`` (never on a command line, which shows in ``ps``):
the CSMS gets the bootstrap token (``operator``, every scope; ``<data>/api_token``, created once);
self-healing, the Dagster daemon and UI get the ``self_healing`` token, the dashboard the
``dashboard`` one (read + command; ``<data>/tokens/<name>``, created once, registered here).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from csms_lite.api.token import DASHBOARD, SELF_HEALING, load_or_create, part_token
from csms_lite.registry.store import Registry
from ingest.data_folder import DATA_DIR_ENV, DataFolder
from ingest.lake.location import LAKE_URL_ENV
from pipelines.launch import prepare_home
from pipelines.warehouse.layout import Layout
from workbench.commands.dashboard import command_line as dashboard_command
from workbench.supervise.child import ChildSpec

CODE_LOCATION = "pipelines.definitions"


@dataclass(frozen=True)
class UpOptions:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 9000
    api_port: int = 9001
    dashboard_port: int = 8501
    dagster_ui_port: int | None = 3000  # None: no Dagster UI
    self_healing: bool = True
    self_heal_dry_run: bool = False
    self_heal_interval_s: float = 60.0
    fault_grace_s: float = 600.0
    verify_after_s: float = 1800.0
    accept_unknown: bool = False
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_client_ca: Path | None = None  # security profile 3 (cpo csms --tls-client-ca)
    require_client_cert: bool = False
    node_id: str | None = None
    broker: str | None = None
    lake_url: str | None = None


def api_url(opts: UpOptions) -> str:
    return f"http://127.0.0.1:{opts.api_port}"


def children(opts: UpOptions) -> list[ChildSpec]:
    data = opts.data_dir.resolve()
    layout = Layout(data)
    home = prepare_home(layout)  # also sets DAGSTER_HOME / CPO_DATA_DIR in this process
    env = {**os.environ, DATA_DIR_ENV: str(data), "DAGSTER_HOME": str(home)}
    if opts.lake_url:
        env[LAKE_URL_ENV] = opts.lake_url
    with Registry(DataFolder(data).registry_file) as registry:
        healing = {**env, "CPO_API_TOKEN": part_token(registry, data, SELF_HEALING)}
        dashboard = {**env, "CPO_API_TOKEN": part_token(registry, data, DASHBOARD)}
    csms = {**env, "CPO_API_TOKEN": load_or_create(data, None)}
    logs = layout.logs
    specs = [_csms(opts, data, csms, logs), _daemon(healing, logs)]
    if opts.dagster_ui_port is not None:
        specs.append(_dagster_ui(opts, healing, logs))
    if opts.self_healing:
        specs.append(_self_healing(opts, data, healing, logs))
    specs.append(_dashboard(opts, data, dashboard, logs))
    return specs


def _cpo(*args: str) -> list[str]:
    return [sys.executable, "-m", "workbench.cli", *args]


def _tool(name: str) -> str:
    """A console script of this environment (dagster-daemon, dagster-webserver)."""
    return str(Path(sys.executable).with_name(name))


def _csms(opts: UpOptions, data: Path, env: dict[str, str], logs: Path) -> ChildSpec:
    args = ["csms", "--data-dir", str(data), "--host", opts.host, "--port", str(opts.port),
            "--api-port", str(opts.api_port)]
    if opts.accept_unknown:
        args.append("--accept-unknown")
    if opts.require_client_cert:
        args.append("--require-client-cert")
    for flag, value in (("--tls-cert", opts.tls_cert), ("--tls-key", opts.tls_key),
                        ("--tls-client-ca", opts.tls_client_ca),
                        ("--node-id", opts.node_id), ("--broker", opts.broker)):
        if value is not None:
            args += [flag, str(value)]
    scheme = "wss" if opts.tls_cert else "ws"
    return ChildSpec(
        "csms", _cpo(*args), env, logs / "csms.log",
        describe=f"chargers connect to {scheme}://{opts.host}:{opts.port}/ocpp/<id>, "
        f"API {api_url(opts)}",
        health_url=f"{api_url(opts)}/healthz",
        ready_timeout_s=30.0,
    )


def _daemon(env: dict[str, str], logs: Path) -> ChildSpec:
    return ChildSpec(
        "dagster-daemon", [_tool("dagster-daemon"), "run", "-m", CODE_LOCATION], env,
        logs / "dagster-daemon.log",
        describe="sensors and schedules: staging on new lake files, marts after staging, "
        "scoring every 15 min",
    )


def _dagster_ui(opts: UpOptions, env: dict[str, str], logs: Path) -> ChildSpec:
    port = str(opts.dagster_ui_port)
    url = f"http://127.0.0.1:{port}"
    return ChildSpec(
        "dagster-ui",
        [_tool("dagster-webserver"), "-m", CODE_LOCATION, "-h", "127.0.0.1", "-p", port], env,
        logs / "dagster-ui.log", describe=f"Dagster UI {url}", health_url=f"{url}/server_info",
    )


def _self_healing(opts: UpOptions, data: Path, env: dict[str, str], logs: Path) -> ChildSpec:
    args = ["self-heal", "run", "--data-dir", str(data), "--api-url", api_url(opts),
            "--interval", f"{opts.self_heal_interval_s:g}", "--fault-grace",
            f"{opts.fault_grace_s:g}", "--verify-after", f"{opts.verify_after_s:g}"]
    if opts.self_heal_dry_run:
        args.append("--dry-run")
    mode = "dry run" if opts.self_heal_dry_run else "live"
    return ChildSpec(
        "self-healing", _cpo(*args), env, logs / "self-healing.log",
        describe=f"{mode}, every {opts.self_heal_interval_s:g} s, memory in "
        f"{DataFolder(data).self_healing_state}",
    )


def _dashboard(opts: UpOptions, data: Path, env: dict[str, str], logs: Path) -> ChildSpec:
    url = f"http://127.0.0.1:{opts.dashboard_port}"
    argv = dashboard_command(data, opts.dashboard_port, headless=True, api_url=api_url(opts))
    return ChildSpec(
        "dashboard", argv, {**env, "CPO_API_URL": api_url(opts)}, logs / "dashboard.log",
        describe=f"dashboard {url}", health_url=f"{url}/_stcore/health",
    )
