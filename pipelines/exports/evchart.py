"""EV-ChART (Joint Office NEVI reporting) CSV modules from the published warehouse marts.

Reads ``<data>/warehouse/marts/{sessions,port_uptime_monthly,outages}.parquet`` (read-only, so
it runs while the pipelines build) and writes, for the dates ``start``..``end`` (UTC, inclusive):

- ``module2_sessions.csv``: sessions that started in the period. ``power_kw`` is the session's
  peak kW. ``session_error`` is empty for a normal end (a stop message with stop reason Local,
  EVDisconnected, Remote, StoppedByEV or a limit reached), else a category (see
  :data:`STOP_REASON_ERRORS`; a session closed without a stop is ``charger_reset`` when the
  charger rebooted, else ``missing_stop``) and ``error_other`` says why
  (``stop_reason=...; end_source=...``). ``payment_method``: partner ``EMSP-*`` -> ``roaming``,
  ``CPO-APP`` -> ``app``, another partner -> ``other`` (named in ``payment_other``), no partner
  but an accepted id tag -> ``rfid`` (the operator's own cards), else ``other``
  (``payment_other`` ``unknown tag`` / ``no tag``). Open sessions have no end.
- ``module3_uptime.csv``: one row per port and calendar month (UTC) overlapping the period, from
  ``port_uptime_monthly``: ``uptime`` (%, NEVI 23 CFR 680.116(b)), ``total_outage`` (minutes),
  ``total_outage_excl`` (outage minutes not excluded = T_outage - T_excluded).
- ``module4_outages.csv``: outages that started in the period: ``outage_duration`` (minutes),
  ``excluded_outage`` (TRUE when the whole outage is excluded), ``excluded_outage_reason`` (the
  exclusion causes; a partly excluded outage says ``partial (N of M min): causes``).
Times are UTC ISO 8601 (``2026-01-10T08:00:00Z``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from pipelines.errors import PipelineError, WarehouseMissingError
from pipelines.warehouse.layout import Layout

MARTS = ("sessions", "port_uptime_monthly", "outages")
NORMAL_STOPS = (  # 1.6 and 2.0.1 stop reasons of a session that ended as the driver meant
    "local", "evdisconnected", "remote", "stoppedbyev", "energylimitreached", "soclimitreached",
    "timelimitreached",
)  # fmt: skip
STOP_REASON_ERRORS = {
    "powerloss": "power_loss",
    "emergencystop": "emergency_stop",
    "hardreset": "charger_reset",
    "softreset": "charger_reset",
    "reboot": "charger_reset",
    "immediatereset": "charger_reset",
    "powerquality": "power_loss",
    "deauthorized": "authorization",
    "groundfault": "charger_fault",
    "overcurrentfault": "charger_fault",
    "undervoltage": "charger_fault",
    "overvoltage": "charger_fault",
    "timeout": "ev_communication",
    "evnotconnected": "ev_communication",
}
_TIME = "'%Y-%m-%dT%H:%M:%SZ'"


class ExportRangeError(PipelineError):
    """The export's date range is empty (``--from`` after ``--to``)."""


@dataclass(frozen=True)
class Written:
    path: Path
    rows: int


def write(data_dir: Path, start: date, end: date, out: Path) -> list[Written]:
    """Write the three EV-ChART modules for ``start``..``end`` into ``out``; what was written."""
    if end < start:
        raise ExportRangeError(f"the period ends ({end}) before it starts ({start})")
    layout = Layout(data_dir)
    missing = [m for m in MARTS if not layout.mart_file(m).exists()]
    if missing:
        raise WarehouseMissingError(
            f"no {', '.join(missing)} mart(s) in {layout.marts}; build the warehouse first with "
            f"`cpo pipelines run --data-dir {data_dir}`"
        )
    out.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect()
    try:
        for mart in MARTS:
            path = str(layout.mart_file(mart)).replace("'", "''")
            conn.execute(f"CREATE VIEW {mart} AS SELECT * FROM read_parquet('{path}')")
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute("SET VARIABLE p_from = ?::DATE", [start])
        conn.execute("SET VARIABLE p_to = ?::DATE", [end + timedelta(days=1)])
        conn.execute(_STOP_MAP_SQL)
        return [
            _copy(conn, _SESSIONS_SQL, out / "module2_sessions.csv"),
            _copy(conn, _UPTIME_SQL, out / "module3_uptime.csv"),
            _copy(conn, _OUTAGES_SQL, out / "module4_outages.csv"),
        ]
    finally:
        conn.close()


def _copy(conn: duckdb.DuckDBPyConnection, sql: str, target: Path) -> Written:
    temp = target.with_name(f".{target.name}.tmp")
    path = str(temp).replace("'", "''")
    # Empty text is written as an empty cell (not ""), like NULL.
    plain = f"SELECT nullif(CAST(COLUMNS(*) AS VARCHAR), '') FROM ({sql})"
    conn.execute(f"COPY ({plain}) TO '{path}' (FORMAT csv, HEADER true)")
    rows = conn.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]
    temp.replace(target)
    return Written(target, int(rows))


_STOP_MAP_SQL = "CREATE TEMP TABLE stop_map (reason VARCHAR, category VARCHAR); " + (
    "INSERT INTO stop_map VALUES "
    + ", ".join(f"('{k}', '{v}')" for k, v in STOP_REASON_ERRORS.items())
)
_IN_PERIOD = (
    "{col} >= getvariable('p_from')::TIMESTAMP AT TIME ZONE 'UTC' "
    "AND {col} < getvariable('p_to')::TIMESTAMP AT TIME ZONE 'UTC'"
)
_NORMAL = ", ".join(f"'{s}'" for s in NORMAL_STOPS)
_SESSIONS_SQL = f"""
SELECT s.port_id, s.charge_point_id AS charger_id, s.session_id, s.connector_id,
       strftime(s.start_at, {_TIME}) AS session_start,
       CASE WHEN s.end_source <> 'open' THEN strftime(s.end_at, {_TIME}) END AS session_end,
       CASE
           WHEN s.end_source = 'open' THEN ''
           WHEN s.end_source = 'stop' AND lower(s.stop_reason) IN ({_NORMAL}) THEN ''
           WHEN s.end_source = 'stop' THEN coalesce(m.category, 'other')
           WHEN s.end_source = 'boot' THEN 'charger_reset'
           ELSE 'missing_stop'
       END AS session_error,
       CASE
           WHEN s.end_source = 'open' THEN ''
           WHEN s.end_source = 'stop' AND lower(s.stop_reason) IN ({_NORMAL}) THEN ''
           ELSE 'stop_reason=' || coalesce(s.stop_reason, 'none') || '; end_source='
                || coalesce(s.end_source, 'none')
       END AS error_other,
       round(s.energy_kwh, 3) AS energy_kwh, round(s.peak_kw, 2) AS power_kw,
       CASE
           WHEN s.partner ILIKE 'EMSP-%' THEN 'roaming'
           WHEN upper(s.partner) = 'CPO-APP' THEN 'app'
           WHEN s.partner IS NOT NULL THEN 'other'
           WHEN s.id_tag IS NOT NULL AND s.auth_status = 'Accepted' THEN 'rfid'
           ELSE 'other'
       END AS payment_method,
       CASE
           WHEN s.partner ILIKE 'EMSP-%' OR upper(s.partner) = 'CPO-APP' THEN ''
           WHEN s.partner IS NOT NULL THEN s.partner
           WHEN s.id_tag IS NOT NULL AND s.auth_status = 'Accepted' THEN ''
           WHEN s.id_tag IS NOT NULL THEN 'unknown tag'
           ELSE 'no tag'
       END AS payment_other
FROM sessions s
LEFT JOIN stop_map m ON m.reason = lower(s.stop_reason)
WHERE {_IN_PERIOD.format(col="s.start_at")}
ORDER BY s.port_id, s.start_at, s.session_id
"""
_UPTIME_SQL = f"""
SELECT port_id,
       strftime(uptime_reporting_start, {_TIME}) AS uptime_reporting_start,
       strftime(uptime_reporting_end, {_TIME}) AS uptime_reporting_end,
       round(uptime_pct, 2) AS uptime,
       round(outage_min, 1) AS total_outage,
       round(outage_min - excluded_min, 1) AS total_outage_excl
FROM port_uptime_monthly
WHERE month >= date_trunc('month', getvariable('p_from')) AND month < getvariable('p_to')
ORDER BY port_id, month
"""
_OUTAGES_SQL = f"""
SELECT port_id, outage_id, round(duration_min, 1) AS outage_duration,
       CASE WHEN excluded THEN 'TRUE' ELSE 'FALSE' END AS excluded_outage,
       CASE
           WHEN excluded THEN coalesce(exclusion_causes, '')
           WHEN excluded_min > 0 THEN 'partial (' || round(excluded_min, 1) || ' of '
                || round(duration_min, 1) || ' min): ' || coalesce(exclusion_causes, '')
           ELSE ''
       END AS excluded_outage_reason
FROM outages
WHERE {_IN_PERIOD.format(col="start_at")}
ORDER BY port_id, start_at
"""
