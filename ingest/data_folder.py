"""The data folder's layout: the one place that names what lives where in it.

``<data>/registry.sqlite``  charge points and tags (the CSMS and the CLI share it)
``<data>/ca/ca_key.pem``, ``ca_cert.pem``  the CSMS's certificate authority (``cpo ca``; the
    key mode 0600): it signs chargers' client certificates (security profile 3, SignCertificate)
``<data>/api_token``  the CSMS API's bootstrap (operator) token (mode 0600), for the local CLI
``<data>/tokens/<name>``  the API tokens of the system's own parts (``self_healing``,
    ``dashboard``; mode 0600), registered by ``cpo up``/``cpo demo``/``cpo self-heal run``
``<data>/firmware/``  firmware images the CSMS serves to chargers (``update_firmware -p file=NAME``)
``<data>/diagnostics/<charger>/<UTC time>_<name>``  diagnostics and logs chargers uploaded to
    the CSMS (GetDiagnostics, GetLog), beside the lake
``<data>/file_links.key``  the key that signs the CSMS's download and upload links (mode 0600)
``<data>/dashboard_users.json``  the dashboard's users, roles and scrypt password hashes (mode
    0600; ``cpo users``); while it does not exist a loopback dashboard runs without sign-in
``<data>/lake/``  the lake, unless ``$CPO_LAKE_URL`` names another (a folder or
    ``s3://bucket/prefix``); the CSMS's journal stays here even then, in ``lake/_journal/<node>/``
    (the lake's own tables and journal are laid out by ``ingest.lake.paths``)
``<data>/warehouse/warehouse.duckdb``  the pipelines' DuckDB file (one writer at a time)
``<data>/warehouse/staging/<table>/date=YYYY-MM-DD/part-0.parquet``  daily staging partitions
``<data>/warehouse/marts/<table>.parquet``  every mart, published after each build for readers
``<data>/config/``  operator-maintained tables (tariffs, partners, exclusion windows, EV-ChART
    station costs)
``<data>/dagster_home/``  DAGSTER_HOME, so runs and materialisations persist
``<data>/sim/``  the simulator's ``sim_truth.parquet``, ``network.json`` and ``precursors.json``
``<data>/models/fault/<version>/``  trained fault models
``<data>/self_healing/state.json``  the self-healing loop's guard-rail state
``<data>/tickets/tickets.sqlite``  maintenance tickets, their state history and delivery
    attempts (mode 0600; the loop, the CLI and the pipelines share it, as the registry is shared)
``<data>/tickets/outbox/<ticket_id>.json``  tickets for field service when no endpoint is set
``<data>/reports/outbox/<partner>/<YYYY-MM>/``  partner reports and their delivery log's folder
``<data>/logs/``  the logs of ``cpo up``'s components and of the demo's dashboard
``<data>/replays.jsonl``  one line per replay landed in the lake (its file, node, totals)
``<data>/replay_prices/<node>.parquet``  a replay's per-session amounts from its file
    (``cpo replay --price-col``; OCPP 1.6 carries no price), keyed like the ``sessions`` mart
``<data>/.replay-staging/``  a replay being written; it lands in the lake whole, or not at all

Permissions do not follow the umask: the folder itself is 0700 (only the operator's user may
read the lake, the warehouse and the registry's password hashes, whatever their files' modes)
and the secrets in it (registry, API token) are 0600; :meth:`DataFolder.ensure` and
:func:`secret_file` apply them, to a new folder and, tightening, to an existing one.

Every package may import this module (tests/test_layering.py), so it imports only the standard
library at module level; ``lake`` and ``lake_dates`` import the lake's modules when called.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ingest.lake.location import LakeLocation

DATA_DIR_ENV = "CPO_DATA_DIR"
FOLDER_MODE = 0o700  # the data folder: its owner only
SECRET_MODE = 0o600  # password hashes, tokens
DEFAULT_DATA_DIR = Path("data")


def data_dir_from_env(env: Mapping[str, str] | None = None) -> Path:
    """``$CPO_DATA_DIR``, else the default ``data`` (relative to the working directory)."""
    return Path((os.environ if env is None else env).get(DATA_DIR_ENV, str(DEFAULT_DATA_DIR)))


def private_folder(path: Path) -> Path:
    """Create ``path`` (and parents) if missing and make it 0700 either way."""
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    os.chmod(path, FOLDER_MODE)  # mkdir's mode is masked by the umask; an old folder is 0755
    return path


def secret_file(path: Path) -> Path:
    """Create ``path`` empty if missing, 0600 either way (before anything is written to it)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, SECRET_MODE))
    os.chmod(path, SECRET_MODE)
    return path


@dataclass(frozen=True)
class DataFolder:
    """The paths of the data folder at ``data_dir``; nothing is created or read here, except
    the folder itself in ``ensure`` and the lake's listing in ``lake_dates``."""

    data_dir: Path

    def ensure(self) -> Path:
        """The data folder, created if missing, mode 0700."""
        return private_folder(self.data_dir)

    # --- the CSMS ---
    @property
    def registry_file(self) -> Path:
        return self.data_dir / "registry.sqlite"

    @property
    def ca_dir(self) -> Path:
        """The CSMS's certificate authority (``cpo ca``): its key (0600) and certificate."""
        return self.data_dir / "ca"

    @property
    def api_token_file(self) -> Path:
        return self.data_dir / "api_token"

    def part_token_file(self, name: str) -> Path:
        """The API token of one part of the system (e.g. ``self_healing``)."""
        return self.data_dir / "tokens" / name

    @property
    def firmware(self) -> Path:
        return self.data_dir / "firmware"

    @property
    def diagnostics(self) -> Path:
        return self.data_dir / "diagnostics"

    @property
    def file_links_key(self) -> Path:
        return self.data_dir / "file_links.key"

    @property
    def dashboard_users(self) -> Path:
        return self.data_dir / "dashboard_users.json"

    # --- the lake ---
    @property
    def local_lake(self) -> Path:
        """``<data>/lake``: the lake when ``$CPO_LAKE_URL`` is unset, and the journal's home."""
        return self.data_dir / "lake"

    @property
    def lake(self) -> LakeLocation:
        """Read from the environment on each use, as the Dagster code location reads its
        data folder (a malformed ``CPO_LAKE_URL`` raises ``LakeUrlError``)."""
        from ingest.lake import location

        return location.resolve(self.data_dir)

    def lake_dates(self, table: str = "ocpp_messages") -> list[str]:
        """The ``date=`` partitions of a lake table that hold at least one complete file."""
        from ingest.lake import listing

        return listing.part_dates(self.lake, table)

    @property
    def replay_log(self) -> Path:
        return self.data_dir / "replays.jsonl"

    @property
    def replay_prices(self) -> Path:
        return self.data_dir / "replay_prices"

    @property
    def replay_staging(self) -> Path:
        return self.data_dir / ".replay-staging"

    # --- the pipelines ---
    @property
    def warehouse(self) -> Path:
        return self.data_dir / "warehouse"

    @property
    def db_file(self) -> Path:
        return self.warehouse / "warehouse.duckdb"

    @property
    def staging_root(self) -> Path:
        return self.warehouse / "staging"

    def staging(self, table: str) -> Path:
        return self.staging_root / table

    def staging_partition(self, table: str, date: str) -> Path:
        return self.staging(table) / f"date={date}"

    @property
    def marts(self) -> Path:
        return self.warehouse / "marts"

    def mart_file(self, table: str) -> Path:
        return self.marts / f"{table}.parquet"

    @property
    def config(self) -> Path:
        return self.data_dir / "config"

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    @property
    def reports(self) -> Path:
        return self.data_dir / "reports"

    @property
    def outbox(self) -> Path:
        return self.reports / "outbox"

    # --- models and control loops ---
    @property
    def fault_models(self) -> Path:
        return self.data_dir / "models" / "fault"

    @property
    def self_healing_state(self) -> Path:
        return self.data_dir / "self_healing" / "state.json"

    @property
    def tickets_file(self) -> Path:
        return self.data_dir / "tickets" / "tickets.sqlite"

    @property
    def tickets_outbox(self) -> Path:
        return self.data_dir / "tickets" / "outbox"

    @property
    def field_reports(self) -> Path:
        """Field service's reports on the tickets it took (one JSON file per ticket)."""
        return self.data_dir / "tickets" / "field_reports"

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    # --- the simulator's ground truth: for evaluating, never for training ---
    @property
    def sim(self) -> Path:
        return self.data_dir / "sim"

    @property
    def sim_truth_file(self) -> Path:
        return self.sim / "sim_truth.parquet"

    @property
    def sim_network_file(self) -> Path:
        return self.sim / "network.json"

    @property
    def sim_precursors_file(self) -> Path:
        return self.sim / "precursors.json"
