"""``cpo csms``: run one CSMS node until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import signal
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from csms_lite.api.token import read_token_file
from csms_lite.config import CsmsConfig, default
from csms_lite.server.app import CsmsServer, run_until_signalled
from csms_lite.server.client_address import parse_networks
from workbench.errors import fail, friendly
from workbench.options import DEFAULT_DATA_DIR, DataDir


def raise_fd_limit() -> int:
    """Each charger is a socket: lift the soft open-files limit to the hard one (a typical
    soft limit of 1024 would cap a node near 1,000 chargers). Returns the limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return soft


async def serve(config: CsmsConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server = CsmsServer(config)
    await run_until_signalled(server, stop)


def run_loop(coro_factory: object) -> None:
    """Run with uvloop when it is installed (it is a dependency on Linux/macOS)."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows
        asyncio.run(coro_factory)  # type: ignore[arg-type]
        return
    uvloop.run(coro_factory)  # type: ignore[arg-type]


@friendly
def csms(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="OCPP WebSocket port (0: any free port).")] = 9000,
    api_port: Annotated[int | None, typer.Option(help="HTTP command API port.")] = None,
    api_host: Annotated[str, typer.Option(help="Address of the HTTP API.")] = "127.0.0.1",
    api_token_file: Annotated[
        Path | None,
        typer.Option(help="File holding the API's bootstrap (operator) token; else "
                     "CPO_API_TOKEN, else <data-dir>/api_token (created).", dir_okay=False),
    ] = None,
    api_token: Annotated[
        str | None, typer.Option(hidden=True, help="Removed: it showed in ps.")
    ] = None,
    api_tls_cert: Annotated[
        Path | None, typer.Option(help="TLS certificate of the HTTP API (https only).")
    ] = None,
    api_tls_key: Annotated[Path | None, typer.Option(help="TLS key of the HTTP API.")] = None,
    reset_budget: Annotated[
        int, typer.Option(min=1, help="Resets one charger may get per --reset-window, "
                          "whoever asks (more: HTTP 429).")
    ] = 3,
    reset_window: Annotated[
        float, typer.Option(min=1.0, help="The reset budget's window (s).")
    ] = 3600.0,
    node_id: Annotated[str | None, typer.Option(help="Name of this node in the lake.")] = None,
    broker: Annotated[
        str | None,
        typer.Option(envvar="CPO_BROKER", help="Join a cluster through this broker, e.g. "
                     "redis://127.0.0.1:6379/0 (each node with its own --node-id; without it, "
                     "one node alone)."),
    ] = None,
    lake_url: Annotated[
        str | None,
        typer.Option(envvar="CPO_LAKE_URL", help="Where part files go: a folder or "
                     "s3://bucket/prefix (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, "
                     "AWS_SECRET_ACCESS_KEY, AWS_REGION); the journal stays local."),
    ] = None,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(envvar="CPO_TRUSTED_PROXIES", help="A load balancer's address or network "
                     "(repeat for several): its X-Forwarded-For header names the charger's "
                     "address in the lake's connection log."),
    ] = None,
    accept_unknown: Annotated[
        bool, typer.Option(help="Accept charge points that are not in the registry.")
    ] = False,
    tls_cert: Annotated[Path | None, typer.Option(help="TLS certificate (wss://).")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="TLS private key.")] = None,
    tls_client_ca: Annotated[
        Path | None,
        typer.Option(help="Security profile 3: verify chargers' client certificates against "
                     "this CA (e.g. <data-dir>/ca/ca_cert.pem from cpo ca init); a certificate "
                     "must name the charge point id as its common name."),
    ] = None,
    require_client_cert: Annotated[
        bool, typer.Option(help="With --tls-client-ca: refuse chargers without a client "
                           "certificate (else they fall back to Basic auth).")
    ] = False,
    heartbeat_interval: Annotated[
        int, typer.Option(help="Heartbeat interval for chargers the registry has none for (s).")
    ] = 300,
    offline_tolerance: Annotated[
        float, typer.Option(help="Offline after heartbeat interval x this without a frame or pong.")
    ] = 1.5,
    max_frame_bytes: Annotated[int, typer.Option(help="Largest accepted frame.")] = 65536,
    rate_limit: Annotated[
        float, typer.Option(help="Frames/s per charger, of any kind, sustained; a CALL over it "
                            "gets CALLERROR, another frame is dropped (0: no frame/byte limit).")
    ] = default("rate_limit"),
    rate_burst: Annotated[int, typer.Option(help="Frames a charger may send at once.")] = (
        default("rate_burst")),
    byte_rate: Annotated[
        float, typer.Option(help="Bytes/s per charger, sustained (frames of any kind).")
    ] = default("byte_rate"),
    byte_burst: Annotated[
        int, typer.Option(help="Bytes a charger may send at once (>= --max-frame-bytes).")
    ] = default("byte_burst"),
    flood_close_after: Annotated[
        int, typer.Option(help="Close with 1008 after this many frames over the limits within "
                          "--flood-window seconds.")
    ] = default("flood_close_after"),
    flood_window: Annotated[
        float, typer.Option(help="Seconds over which --flood-close-after counts.")
    ] = default("flood_window"),
    flood_cooldown: Annotated[
        float, typer.Option(help="Seconds a charger closed for flooding is refused (429), "
                            "doubling each time up to --auth-backoff-max (0: none).")
    ] = default("flood_cooldown"),
    rejected_rows_per_minute: Annotated[
        int, typer.Option(help="Refused handshakes stored in the lake per source address and "
                          "minute; the rest are counted (0: all).")
    ] = default("rejected_rows_per_minute"),
    lake_quota_bytes: Annotated[
        int, typer.Option(help="Lake bytes/min per charger for frames not served (bad, "
                          "refused, unsolicited, over the limit); the rest is only counted "
                          "(0: no quota).")
    ] = default("lake_quota_bytes"),
    node_lake_quota_bytes: Annotated[
        int, typer.Option(help="The same quota for the whole node (0: none).")
    ] = default("node_lake_quota_bytes"),
    forget_unknown_after: Annotated[
        float, typer.Option(help="With --accept-unknown: forget an unknown id offline this "
                            "many seconds.")
    ] = default("forget_unknown_after"),
    max_gone_unknown: Annotated[
        int, typer.Option(help="With --accept-unknown: keep at most this many offline unknown "
                          "ids (oldest forgotten first).")
    ] = default("max_gone_unknown"),
    auth_free_failures: Annotated[
        int, typer.Option(help="Failed Basic auth logins per source address and per charger id "
                          "before back-off (429).")
    ] = default("auth_free_failures"),
    auth_backoff: Annotated[
        float, typer.Option(help="First back-off after those failures (s); doubles per failure.")
    ] = default("auth_backoff"),
    auth_backoff_max: Annotated[
        float, typer.Option(help="Longest back-off (s).")
    ] = default("auth_backoff_max"),
    auth_max_pending: Annotated[
        int, typer.Option(help="Password checks (scrypt) waiting at once; more get 503 (a "
                          "password verified before never waits).")
    ] = default("auth_max_pending"),
    files_url: Annotated[
        str | None,
        typer.Option(help="The API's address as chargers reach it, for the firmware and "
                     "upload links in commands, e.g. https://csms.example.com:8443 (default: "
                     "the API's own scheme, host and port).")
    ] = None,
    max_upload_bytes: Annotated[
        int, typer.Option(help="Largest diagnostics/log upload a charger may send (more: 413).")
    ] = default("max_upload_bytes"),
    flush_interval: Annotated[float, typer.Option(help="Lake flush period (s).")] = 1.0,
    no_log: Annotated[
        bool, typer.Option("--no-log", help="Do not log frames (benchmarks only).")
    ] = False,
    log_level: Annotated[str, typer.Option(help="Python log level.")] = "INFO",
) -> None:
    """Run a CSMS node: OCPP 1.6J/2.0.1 on ws://HOST:PORT/ocpp/{id}, frames logged to the lake."""
    if api_token is not None:
        raise fail("--api-token is removed (a token on the command line shows in ps): put it "
                   "in a file for --api-token-file, or in CPO_API_TOKEN")
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(message)s")
    config = CsmsConfig(
        data_dir=data_dir,
        host=host,
        port=port,
        api_host=api_host,
        api_port=api_port,
        api_token=read_token_file(api_token_file) if api_token_file else
        os.environ.get("CPO_API_TOKEN") or None,
        api_tls_cert=api_tls_cert,
        api_tls_key=api_tls_key,
        reset_budget=reset_budget,
        reset_window_s=reset_window,
        accept_unknown=accept_unknown,
        tls_cert=tls_cert,
        tls_key=tls_key,
        tls_client_ca=tls_client_ca,
        require_client_cert=require_client_cert,
        heartbeat_interval=heartbeat_interval,
        offline_tolerance=offline_tolerance,
        max_frame_bytes=max_frame_bytes,
        rate_limit=rate_limit,
        rate_burst=rate_burst,
        byte_rate=byte_rate,
        byte_burst=byte_burst,
        flood_close_after=flood_close_after,
        flood_window=flood_window,
        flood_cooldown=flood_cooldown,
        rejected_rows_per_minute=rejected_rows_per_minute,
        lake_quota_bytes=lake_quota_bytes,
        node_lake_quota_bytes=node_lake_quota_bytes,
        forget_unknown_after=forget_unknown_after,
        max_gone_unknown=max_gone_unknown,
        auth_free_failures=auth_free_failures,
        auth_backoff=auth_backoff,
        auth_backoff_max=auth_backoff_max,
        auth_max_pending=auth_max_pending,
        flush_interval=flush_interval,
        log_frames=not no_log,
        broker_url=broker,
        lake_url=lake_url,
        trusted_proxies=parse_networks(trusted_proxy or []),
        files_url=files_url,
        max_upload_bytes=max_upload_bytes,
    )
    if node_id:
        config = replace(config, node_id=node_id)
    limit = raise_fd_limit()
    logging.getLogger(__name__).info("open-files limit %d (about that many chargers)", limit)
    run_loop(serve(config))
