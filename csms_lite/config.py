"""Settings of one CSMS node."""

from __future__ import annotations

import socket
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

from csms_lite.errors import ConfigError
from csms_lite.security.client_cert import check_options
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
    api_tls_cert: Path | None = None  # both set: the API serves https only
    api_tls_key: Path | None = None
    node_id: str = field(default_factory=lambda: socket.gethostname().split(".")[0] or "node")
    accept_unknown: bool = False  # accept charge points that are not in the registry
    # An unknown id (accepted with accept_unknown) that disconnected is forgotten after this many
    # seconds offline, and the oldest beyond max_gone_unknown at once: its live state must not
    # pile up forever (1.6 KB each).
    forget_unknown_after: float = 3600.0
    max_gone_unknown: int = 10_000
    tls_cert: Path | None = None
    tls_key: Path | None = None
    # Security profile 3 (see csms_lite.security.client_cert): chargers' client certificates
    # are verified against this CA; a verified one must name the charge point id.
    tls_client_ca: Path | None = None
    require_client_cert: bool = False  # refuse chargers without a client certificate
    subprotocols: tuple[str, ...] = SUBPROTOCOLS
    heartbeat_interval: int = 300  # sent in BootNotification when the registry has none
    offline_tolerance: float = 1.5  # offline after heartbeat interval x this without a frame
    ping_interval: float = 60.0  # WebSocket ping to a silent charger after this many seconds
    watchdog_interval: float = 5.0
    max_frame_bytes: int = 65536
    # Flood limits, per charge point id (a reconnect refills nothing): every frame it sends,
    # of any kind, takes a frame token and its length in byte tokens. A CALL over a limit gets
    # a CALLERROR GenericError; any other frame over it is dropped unanswered.
    rate_limit: float = 20.0  # frames/s, sustained; 0 turns the frame and byte limits off
    rate_burst: int = 200
    byte_rate: float = 65536.0  # bytes/s, sustained
    byte_burst: int = 1 << 20  # at least max_frame_bytes, or the largest frame never passes
    # Closed with 1008 after this many frames over a limit within flood_window seconds (net:
    # the count leaks away at flood_close_after / flood_window per second).
    flood_close_after: int = 200
    flood_window: float = 10.0
    # Lake bytes per minute for frames that were not served (unparsable, refused, unsolicited,
    # over a limit), per charge point id and per node; 0: no quota. The excess is not stored, only
    # counted in one connection_events row per connection and minute (see server.lake_quota).
    lake_quota_bytes: int = 1 << 20
    node_lake_quota_bytes: int = 64 << 20
    # Failed Basic auth (see server.auth_throttle): per source address and per charge point id,
    # after auth_free_failures scrypt runs that failed, back off auth_backoff s doubling per
    # failure up to auth_backoff_max (answer 429). At most auth_max_pending scrypt runs wait at
    # once (beyond: 503); a password the node already verified never waits for one.
    auth_free_failures: int = 5
    auth_backoff: float = 1.0
    auth_backoff_max: float = 300.0
    auth_max_pending: int = 64
    # A charger closed for flooding is refused (429) for flood_cooldown s, doubling each time up
    # to auth_backoff_max: a flooder that reconnects at once gets no fresh connection.
    flood_cooldown: float = 10.0
    # Refused handshakes stored in the lake per source address and minute; the rest counted in
    # the next stored row (see server.rejections); 0: every one.
    rejected_rows_per_minute: int = 60
    command_timeout: float = 30.0
    reset_budget: int = 3  # resets one charger may get per reset_window_s, whoever asks
    reset_window_s: float = 3600.0
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
    # Firmware downloads and diagnostics uploads (csms_lite.files): the API's address as the
    # chargers reach it (None: the API's own scheme, host and port), and the largest upload.
    files_url: str | None = None
    max_upload_bytes: int = 64 << 20

    def __post_init__(self) -> None:
        _check(self)


# (field, smallest allowed value, the option that sets it)
_AT_LEAST: tuple[tuple[str, float, str], ...] = (
    ("rate_limit", 0, "--rate-limit"), ("rate_burst", 1, "--rate-burst"),
    ("byte_rate", 1, "--byte-rate"), ("byte_burst", 1, "--byte-burst"),
    ("flood_close_after", 1, "--flood-close-after"), ("flood_window", 0.001, "--flood-window"),
    ("lake_quota_bytes", 0, "--lake-quota-bytes"),
    ("node_lake_quota_bytes", 0, "--node-lake-quota-bytes"),
    ("forget_unknown_after", 0, "--forget-unknown-after"),
    ("max_gone_unknown", 0, "--max-gone-unknown"),
    ("auth_free_failures", 1, "--auth-free-failures"), ("auth_backoff", 0, "--auth-backoff"),
    ("auth_backoff_max", 0, "--auth-backoff-max"), ("auth_max_pending", 1, "--auth-max-pending"),
    ("flood_cooldown", 0, "--flood-cooldown"),
    ("rejected_rows_per_minute", 0, "--rejected-rows-per-minute"),
    ("max_upload_bytes", 1, "--max-upload-bytes"),
)


def _check(cfg: CsmsConfig) -> None:
    check_options(cfg.tls_cert is not None, cfg.tls_client_ca, cfg.require_client_cert)
    for name, least, option in _AT_LEAST:
        value = getattr(cfg, name)
        if not value >= least:  # also refuses NaN
            raise ConfigError(f"{option} must be at least {least:g}, not {value}")
    if cfg.files_url is not None and not cfg.files_url.startswith(("http://", "https://")):
        raise ConfigError(f"--files-url must be an http:// or https:// address, not "
                          f"{cfg.files_url!r}")
    if cfg.rate_limit > 0 and cfg.byte_burst < cfg.max_frame_bytes:
        raise ConfigError(f"--byte-burst ({cfg.byte_burst}) must be at least --max-frame-bytes "
                          f"({cfg.max_frame_bytes}), or the largest frame never passes")


def default(name: str) -> Any:
    """A field's default, for the CLI options that set it (one place holds the value)."""
    for f in fields(CsmsConfig):
        if f.name == name and f.default is not MISSING:
            return f.default
    raise KeyError(name)
