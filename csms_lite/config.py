"""Settings of one CSMS node."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path

from csms_lite.server.client_address import Network
from csms_lite.versions import SUBPROTOCOLS


@dataclass(frozen=True)
class CsmsConfig:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 9000
    api_host: str = "127.0.0.1"
    api_port: int | None = None  # None: no HTTP command API
    api_token: str | None = None  # None: read or create <data_dir>/api_token
    node_id: str = field(default_factory=lambda: socket.gethostname().split(".")[0] or "node")
    accept_unknown: bool = False  # accept charge points that are not in the registry
    # An unknown id (accepted with accept_unknown) that disconnected is forgotten after this many
    # seconds offline, and the oldest beyond max_gone_unknown at once: its live state must not
    # pile up forever (1.6 KB each).
    forget_unknown_after: float = 3600.0
    max_gone_unknown: int = 10_000
    tls_cert: Path | None = None
    tls_key: Path | None = None
    subprotocols: tuple[str, ...] = SUBPROTOCOLS
    heartbeat_interval: int = 300  # sent in BootNotification when the registry has none
    offline_tolerance: float = 1.5  # offline after heartbeat interval x this without a frame
    ping_interval: float = 60.0  # WebSocket ping to a silent charger after this many seconds
    watchdog_interval: float = 5.0
    max_frame_bytes: int = 65536
    rate_limit: float = 20.0  # calls/s per connection, sustained; 0 turns the limit off
    rate_burst: int = 200
    flood_close_after: int = 200  # consecutive calls over the limit before closing with 1008
    command_timeout: float = 30.0
    flush_interval: float = 1.0
    log_frames: bool = True  # False only to measure what logging costs
    validate_responses: bool = False  # check our own answers against the schemas (tests)
    # Cluster: None runs a single node (no broker); redis://HOST:PORT/DB joins the nodes that
    # share that broker (see csms_lite.cluster).
    broker_url: str | None = None
    lake_url: str | None = None  # None: <data_dir>/lake; or s3://bucket/prefix (AWS_* env)
    # Load balancers whose X-Forwarded-For names the charger's address (see client_address).
    trusted_proxies: tuple[Network, ...] = ()
    presence_ttl: float = 30.0  # s; a node refreshes its chargers' presence every ttl / 3
