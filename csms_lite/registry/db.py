"""The registry's SQLite connection: opened once, WAL, safe to share between threads.

Every call is one short statement or one short write transaction, so the OCPP event loop can
call it directly. WAL lets readers run while the CLI or another CSMS process writes.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from csms_lite.registry.errors import RegistryError, RegistryFileError
from csms_lite.registry.schema import migrate
from ingest.data_folder import private_folder, secret_file

T = TypeVar("T")
Row = tuple[Any, ...]
Params = tuple[Any, ...]
BUSY_TIMEOUT_S = 5.0  # how long a writer waits for another process's write lock

_FILE_FIX = "Check that the folder exists and this user may read and write it, or pass --data-dir."
_CORRUPT_FIX = (
    "Restore it from a backup, or move it aside and re-add chargers and tags "
    "(a new empty registry is created when the file is missing)."
)


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()  # one connection, many threads: one statement at a time
        self._conn = _connect(path)

    def one(self, sql: str, params: Params) -> Row | None:
        try:
            with self._lock:
                row: Row | None = self._conn.execute(sql, params).fetchone()
                return row
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from exc

    def all(self, sql: str, params: Params = ()) -> list[Row]:
        try:
            with self._lock:
                return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from exc

    def change(self, sql: str, params: Params) -> int:
        """Run one write statement (its own transaction); return the number of rows changed."""
        try:
            with self._lock:
                return self._conn.execute(sql, params).rowcount
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from exc

    def transaction(self, body: Callable[[sqlite3.Connection], T]) -> T:
        """Run `body` in BEGIN IMMEDIATE: takes the write lock up front, so no upgrade deadlock."""
        try:
            with self._lock:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    result = body(self._conn)
                    self._conn.execute("COMMIT")
                    return result
                except BaseException:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from exc

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _connect(path: Path) -> sqlite3.Connection:
    try:
        # Password hashes: private before the first byte lands (SQLite gives -wal/-shm the
        # database file's mode).
        private_folder(path.parent)
        secret_file(path)
    except OSError as exc:
        raise RegistryFileError(path, f"cannot create its folder ({exc})", _FILE_FIX) from exc
    try:
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise translate(exc, path) from exc
    try:
        _configure(conn, path)
        migrate(conn, path)
    except BaseException as exc:
        conn.close()
        if isinstance(exc, sqlite3.Error):
            raise translate(exc, path) from exc
        raise
    return conn


def _configure(conn: sqlite3.Connection, path: Path) -> None:
    mode = _enable_wal(conn)
    if str(mode).lower() != "wal":
        raise RegistryFileError(path, f"cannot use WAL mode (got {mode!r})", _FILE_FIX)
    # FULL: a transaction id handed to a charger must survive a power cut, or it could be
    # handed out twice. In WAL mode this is one fsync per write, none per read.
    conn.execute("PRAGMA synchronous=FULL")


def _enable_wal(conn: sqlite3.Connection) -> object:
    """Switch to WAL, retrying: SQLite does not call the busy handler for this pragma, so
    processes creating the same new file at once would otherwise fail at once."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            return conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            busy = (getattr(exc, "sqlite_errorname", None) or "").startswith("SQLITE_BUSY")
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def translate(exc: sqlite3.Error, path: Path) -> RegistryError:
    """Turn a sqlite3 error into a RegistryError that says which file and what to do."""
    code = getattr(exc, "sqlite_errorname", None) or ""
    if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return RegistryError(
            f"registry file {path} stayed locked by another process for over "
            f"{BUSY_TIMEOUT_S:g} s; retry, and check no process is stuck holding it"
        )
    if code.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
        return RegistryFileError(path, f"is not a readable registry database ({exc})", _CORRUPT_FIX)
    if code.startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM", "SQLITE_IOERR")):
        return RegistryFileError(path, f"cannot be opened or written ({exc})", _FILE_FIX)
    if isinstance(exc, sqlite3.ProgrammingError) and "closed" in str(exc):
        return RegistryError(f"registry {path} is closed; open a new Registry")
    return RegistryError(f"registry file {path}: {exc}")
