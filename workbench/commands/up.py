"""``cpo up``: the CSMS, the Dagster daemon, the self-healing loop and the dashboard as one
supervised system on a data folder, until Ctrl-C or SIGTERM."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbench.errors import fail, friendly
from workbench.options import DEFAULT_DATA_DIR, DataDir, LakeUrl


@friendly
def up(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    host: Annotated[str, typer.Option(help="Address chargers connect to.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="OCPP WebSocket port.")] = 9000,
    api_port: Annotated[
        int, typer.Option(min=1, max=65535, help="CSMS command API port (loopback).")
    ] = 9001,
    dashboard_port: Annotated[int, typer.Option(min=1, max=65535, help="Dashboard port.")] = 8501,
    dagster_ui_port: Annotated[
        int, typer.Option(min=0, max=65535, help="Dagster UI port (0: no Dagster UI).")
    ] = 3000,
    self_healing: Annotated[
        bool, typer.Option("--self-healing/--no-self-healing", help="Run the self-healing loop.")
    ] = True,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Self-healing decides and logs, sends nothing.")
    ] = False,
    heal_interval: Annotated[
        float, typer.Option(min=5.0, help="Seconds between self-healing passes.")
    ] = 60.0,
    fault_grace: Annotated[
        float, typer.Option(min=0.0, help="Self-healing: seconds a fault lasts before a reset.")
    ] = 600.0,
    verify_after: Annotated[
        float, typer.Option(min=1.0, help="Self-healing: seconds before checking an action.")
    ] = 1800.0,
    health_interval: Annotated[
        float, typer.Option(min=1.0, help="Seconds between health lines.")
    ] = 60.0,
    accept_unknown: Annotated[
        bool, typer.Option(help="Accept charge points that are not in the registry.")
    ] = False,
    tls_cert: Annotated[Path | None, typer.Option(help="TLS certificate (wss://).")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="TLS private key.")] = None,
    tls_client_ca: Annotated[
        Path | None, typer.Option(help="Security profile 3: the CA chargers' client "
                                  "certificates must be signed by (cpo ca init).")
    ] = None,
    require_client_cert: Annotated[
        bool, typer.Option(help="With --tls-client-ca: refuse chargers without a certificate.")
    ] = False,
    node_id: Annotated[str | None, typer.Option(help="Name of this CSMS node in the lake.")] = None,
    broker: Annotated[
        str | None, typer.Option(envvar="CPO_BROKER", help="Cluster broker, redis://H:P/DB.")
    ] = None,
    lake_url: LakeUrl = None,
) -> None:
    """Run the whole product against real chargers: CSMS, pipelines daemon, self-healing,
    dashboard; a child that dies is restarted with back-off; Ctrl-C stops them all."""
    from workbench.runs.up import UpOptions, children
    from workbench.supervise.supervisor import Supervisor

    if (tls_cert is None) != (tls_key is None):
        raise fail("give both --tls-cert and --tls-key, or neither")
    if tls_client_ca is not None and tls_cert is None:
        raise fail("--tls-client-ca needs --tls-cert and --tls-key (wss://)")
    if require_client_cert and tls_client_ca is None:
        raise fail("--require-client-cert needs --tls-client-ca")
    if data_dir.exists() and not data_dir.is_dir():
        raise fail(f"--data-dir {data_dir} is a file; give a folder")
    ports = [p for p in (port, api_port, dashboard_port, dagster_ui_port) if p]
    if len(set(ports)) != len(ports):
        raise fail(f"two components on one port: {ports}; give each its own")
    opts = UpOptions(
        data_dir=data_dir, host=host, port=port, api_port=api_port,
        dashboard_port=dashboard_port, dagster_ui_port=dagster_ui_port or None,
        self_healing=self_healing, self_heal_dry_run=dry_run, self_heal_interval_s=heal_interval,
        fault_grace_s=fault_grace, verify_after_s=verify_after,
        accept_unknown=accept_unknown, tls_cert=tls_cert, tls_key=tls_key,
        tls_client_ca=tls_client_ca, require_client_cert=require_client_cert, node_id=node_id,
        broker=broker, lake_url=lake_url,
    )
    typer.echo(f"cpo up on {data_dir.resolve()} (Ctrl-C stops everything)")
    Supervisor(children(opts), typer.echo, health_interval_s=health_interval).run()
