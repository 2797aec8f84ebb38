"""The CSMS registry: charge points, id tags and transaction ids in one SQLite file.

Nothing is cached: every call reads or writes SQLite (a few µs on an index), so edits made by
the CLI or by another CSMS process sharing the file are seen at once.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from types import TracebackType

from csms_lite.registry.db import Database
from csms_lite.registry.errors import InvalidValueError
from csms_lite.registry.models import ChargePoint, IdTag, StopOutcome, check_timezone
from csms_lite.registry.rows import (
    CHARGE_POINT_COLUMNS,
    ID_TAG_COLUMNS,
    charge_point_from_row,
    charge_point_params,
    id_tag_from_row,
    id_tag_params,
)
from csms_lite.registry.site_model import SiteModelStore
from csms_lite.registry.tokens import TokenStore
from csms_lite.registry.variables import VariableStore

_CP_COLS = ", ".join(CHARGE_POINT_COLUMNS)
_TAG_COLS = ", ".join(ID_TAG_COLUMNS)
UPSERT_CHARGE_POINT = (
    f"INSERT OR REPLACE INTO charge_points ({_CP_COLS}) "
    f"VALUES ({', '.join('?' * len(CHARGE_POINT_COLUMNS))})"
)
SELECT_CHARGE_POINT = f"SELECT {_CP_COLS} FROM charge_points WHERE id = ?"
UPSERT_ID_TAG = (
    f"INSERT OR REPLACE INTO id_tags ({_TAG_COLS}) VALUES ({', '.join('?' * len(ID_TAG_COLUMNS))})"
)
SELECT_ID_TAG = f"SELECT {_TAG_COLS} FROM id_tags WHERE id_tag = ?"
_TXN_KEY = "cp_id = ? AND connector_id = ? AND id_tag = ? AND meter_start = ? AND timestamp = ?"
FIND_TRANSACTION = f"SELECT id FROM transactions WHERE {_TXN_KEY}"
INSERT_TRANSACTION = (
    "INSERT INTO transactions (cp_id, connector_id, id_tag, meter_start, timestamp, started_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
RECORD_TRANSACTION = (
    "INSERT OR IGNORE INTO transactions "
    "(id, cp_id, connector_id, id_tag, meter_start, timestamp, started_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
# Only the charge point that started a transaction can stop it (1.6 ids are this CSMS's, global).
STOP_TRANSACTION = (
    "UPDATE transactions SET stopped_at = coalesce(stopped_at, ?) WHERE id = ? AND cp_id = ?"
)
TRANSACTION_OWNER = "SELECT cp_id FROM transactions WHERE id = ?"
_OPEN_COLS = "SELECT id, cp_id, connector_id, id_tag FROM transactions"
# INDEXED BY: scan only open rows via the partial index, not the whole history.
OPEN_TRANSACTIONS = (
    f"{_OPEN_COLS} INDEXED BY transactions_open WHERE stopped_at IS NULL ORDER BY id"
)
OPEN_TRANSACTIONS_OF = f"{_OPEN_COLS} WHERE cp_id = ? AND stopped_at IS NULL ORDER BY id"
class Registry:
    """Open (creating if missing) `path`; one connection, shareable between threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._db = Database(self.path)
        self.tokens = TokenStore(self._db)
        self.variables = VariableStore(self._db)
        self.site_models = SiteModelStore(self._db)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # charge points

    def add_charge_point(self, cp: ChargePoint) -> None:
        """Insert, or replace every field of an existing charge point with the same id."""
        self._db.change(UPSERT_CHARGE_POINT, charge_point_params(cp))

    def get_charge_point(self, cp_id: str) -> ChargePoint | None:
        row = self._db.one(SELECT_CHARGE_POINT, (cp_id,))
        return charge_point_from_row(row) if row is not None else None

    def list_charge_points(self) -> list[ChargePoint]:
        rows = self._db.all(f"SELECT {_CP_COLS} FROM charge_points ORDER BY id")
        return [charge_point_from_row(row) for row in rows]

    def remove_charge_point(self, cp_id: str) -> bool:
        return self._db.change("DELETE FROM charge_points WHERE id = ?", (cp_id,)) > 0

    # password rotation (OCPP 1.6 AuthorizationKey, 2.0.1 SecurityCtrlr.BasicAuthPassword)

    def start_password_rotation(self, cp_id: str, pending_hash: str, now: float) -> None:
        """While the new password is in flight the charger may connect with it too."""
        self._db.change("INSERT OR REPLACE INTO password_rotations VALUES (?, ?, ?)",
                        (cp_id, pending_hash, now))

    def pending_password_hashes(self, cp_id: str) -> list[str]:
        rows = self._db.all("SELECT pending_hash FROM password_rotations WHERE "
                            "charge_point_id = ? ORDER BY started_at DESC", (cp_id,))
        return [str(r[0]) for r in rows]

    def settle_password_rotation(self, cp_id: str, pending_hash: str, accepted: bool) -> None:
        """Accepted: that password becomes the charger's only one (other pending ones go);
        refused: that pending password is dropped."""

        def settle(conn: sqlite3.Connection) -> None:
            key = (cp_id, pending_hash)
            if not conn.execute("SELECT 1 FROM password_rotations WHERE charge_point_id = ? "
                                "AND pending_hash = ?", key).fetchone():
                return
            if accepted:
                conn.execute("UPDATE charge_points SET password_hash = ? WHERE id = ?",
                             (pending_hash, cp_id))
                conn.execute("DELETE FROM password_rotations WHERE charge_point_id = ?", (cp_id,))
            else:
                conn.execute("DELETE FROM password_rotations WHERE charge_point_id = ? AND "
                             "pending_hash = ?", key)

        self._db.transaction(settle)

    # command callers: who sent which command (only they may record its outcome)

    def record_command_caller(
        self, command_id: str, cp_id: str, requested_by: str, now: float
    ) -> None:
        self._db.change("INSERT OR IGNORE INTO command_callers VALUES (?, ?, ?, ?)",
                        (command_id, cp_id, requested_by, now))

    def forget_command_callers(self, before: float) -> int:
        return self._db.change("DELETE FROM command_callers WHERE requested_at < ?", (before,))

    def command_caller(self, command_id: str) -> tuple[str, str] | None:
        """(charge point id, requested_by) of a command this CSMS sent, or None."""
        row = self._db.one("SELECT charge_point_id, requested_by FROM command_callers "
                           "WHERE command_id = ?", (command_id,))
        return (str(row[0]), str(row[1])) if row is not None else None

    # sites (a charger names its site; the site's own facts live here)

    def set_site_timezone(self, site: str, timezone: str) -> None:
        """The site's IANA time zone: its local days, hours and time-of-use bands."""
        check_timezone(timezone)
        self._db.change(
            "INSERT INTO sites (id, timezone) VALUES (?, ?) "
            "ON CONFLICT (id) DO UPDATE SET timezone = excluded.timezone",
            (site, timezone),
        )

    def site_timezones(self) -> dict[str, str]:
        """Site -> time zone, for the sites that have one."""
        return {str(r[0]): str(r[1]) for r in self._db.all("SELECT id, timezone FROM sites")}

    # id tags (OCPP idTags are case-insensitive: "abc" finds "ABC")

    def add_id_tag(self, tag: IdTag) -> None:
        self._db.change(UPSERT_ID_TAG, id_tag_params(tag))

    def get_id_tag(self, id_tag: str, now: datetime) -> IdTag | None:
        """The tag as OCPP sees it at `now` (aware): an Accepted tag past expiry is Expired."""
        if now.tzinfo is None:
            raise InvalidValueError("now", "must be timezone-aware (UTC), e.g. datetime.now(UTC)")
        row = self._db.one(SELECT_ID_TAG, (id_tag,))
        if row is None:
            return None
        tag = id_tag_from_row(row)
        if tag.status == "Accepted" and tag.expiry is not None and tag.expiry < now:
            return id_tag_from_row(row, status="Expired")
        return tag

    def list_id_tags(self) -> list[IdTag]:
        """Tags as stored (no expiry applied), ordered by tag."""
        rows = self._db.all(f"SELECT {_TAG_COLS} FROM id_tags ORDER BY id_tag")
        return [id_tag_from_row(row) for row in rows]

    def remove_id_tag(self, id_tag: str) -> bool:
        return self._db.change("DELETE FROM id_tags WHERE id_tag = ?", (id_tag,)) > 0

    # local authorization lists (the version of the last one sent to each charger)

    def local_list_version(self, cp_id: str) -> int:
        """The version of the last list sent to ``cp_id``; 0 when none was."""
        row = self._db.one("SELECT version FROM local_lists WHERE cp_id = ?", (cp_id,))
        return 0 if row is None else int(row[0])

    def next_local_list_version(self, cp_id: str, at_least: int = 0) -> int:
        """Number the next list for ``cp_id`` (the last one + 1, or ``at_least`` if higher) and
        record it as sent: versions only grow, even when a charger refuses a list."""
        def bump(conn: sqlite3.Connection) -> int:
            row = conn.execute("SELECT version FROM local_lists WHERE cp_id = ?",
                               (cp_id,)).fetchone()
            version = max((0 if row is None else int(row[0])) + 1, at_least)
            conn.execute("INSERT INTO local_lists (cp_id, version) VALUES (?, ?) ON CONFLICT "
                         "(cp_id) DO UPDATE SET version = excluded.version", (cp_id, version))
            return version
        return self._db.transaction(bump)

    # transactions (OCPP 1.6 integer ids, unique across restarts and processes)

    def start_transaction(
        self,
        cp_id: str,
        connector_id: int,
        id_tag: str,
        meter_start: int,
        timestamp: str,
        now: float,
    ) -> tuple[int, bool]:
        """Return (transaction_id, is_duplicate); a retried identical start gets the same id."""
        key = (cp_id, connector_id, id_tag, meter_start, timestamp)

        def start(conn: sqlite3.Connection) -> tuple[int, bool]:
            found = conn.execute(FIND_TRANSACTION, key).fetchone()
            if found is not None:
                return int(found[0]), True
            cursor = conn.execute(INSERT_TRANSACTION, (*key, now))
            return int(cursor.lastrowid or 0), False

        return self._db.transaction(start)

    def record_transaction(
        self,
        transaction_id: int,
        cp_id: str,
        connector_id: int,
        id_tag: str,
        meter_start: int,
        timestamp: str,
        now: float,
    ) -> None:
        """Keep a transaction whose id was allocated elsewhere (a cluster's broker), so this
        file's own ids stay above every id handed out; a known start is left as it is."""
        self._db.change(RECORD_TRANSACTION,
                        (transaction_id, cp_id, connector_id, id_tag, meter_start, timestamp, now))

    def max_transaction_id(self) -> int:
        """The highest transaction id this file has handed out or recorded (0: none)."""
        row = self._db.one("SELECT max(id) FROM transactions", ())
        return int(row[0]) if row and row[0] is not None else 0

    def stop_transaction(self, transaction_id: int, cp_id: str, now: float) -> StopOutcome:
        """Mark ``cp_id``'s transaction stopped (a repeated stop keeps the first time). A
        transaction another charge point started is left as it is: ``FOREIGN``."""
        if self._db.change(STOP_TRANSACTION, (now, transaction_id, cp_id)) > 0:
            return StopOutcome.STOPPED
        owner = self._db.one(TRANSACTION_OWNER, (transaction_id,))
        return StopOutcome.UNKNOWN if owner is None else StopOutcome.FOREIGN

    def open_transactions(self, cp_id: str | None = None) -> list[tuple[int, str, int, str]]:
        """(transaction_id, cp_id, connector_id, id_tag) of transactions not yet stopped."""
        if cp_id is None:
            rows = self._db.all(OPEN_TRANSACTIONS)
        else:
            rows = self._db.all(OPEN_TRANSACTIONS_OF, (cp_id,))
        return [(int(r[0]), str(r[1]), int(r[2]), str(r[3])) for r in rows]
