"""EV-ChART (Joint Office NEVI reporting) CSV modules from the published warehouse marts.

Reads ``<data>/warehouse/marts/{sessions,port_uptime_monthly,outages,dim_ports}.parquet``
(read-only, so it runs while the pipelines build) and the operator's station table
(:mod:`evchart_costs`), and writes, for the dates ``start``..``end`` (UTC, inclusive), files that
pass the Joint Office's module rules (:mod:`evchart_rules`, checked by :mod:`evchart_validate`
before anything is written: a broken rule raises :class:`ExportRulesError` and no file changes).

Every row starts with ``station_id`` (the port's site id; a charger without a site is its own
station) and ``network_provider`` (:data:`DEFAULT_NETWORK_PROVIDER` unless given: the key the
stations are registered under in EV-ChART).

- ``module2_sessions.csv``: sessions that started in the period and have ended (an open session
  has no ``session_end``, which module 2 requires; it is reported once it ends). ``session_id`` is
  the warehouse's, or its MD5 when longer than 36 characters. ``power_kw`` is the session's peak
  kW (without power samples its average: energy / duration). ``session_error`` is ``none`` for
  a normal end (a stop with reason Local, EVDisconnected, Remote, StoppedByEV or a limit
  reached; module 2 requires the field), else a category (see
  :data:`STOP_REASON_ERRORS`; a session closed without a stop is ``charger_reset`` when the
  charger rebooted, else ``missing_stop``) and ``error_other`` says why
  (``stop_reason=...; end_source=...``). ``payment_method``: partner ``EMSP-*`` -> ``roaming``,
  ``CPO-APP`` -> ``app``, another partner -> ``other`` (named in ``payment_other``), no partner
  but an accepted id tag -> ``rfid`` (the operator's own cards), else ``other``
  (``payment_other`` ``unknown tag`` / ``no tag``).
- ``module3_uptime.csv``: one row per port and calendar month (UTC) overlapping the period, from
  ``port_uptime_monthly``: ``uptime`` (%, NEVI 23 CFR 680.116(b)), ``total_outage`` (minutes),
  ``total_outage_excl`` (outage minutes not excluded = T_outage - T_excluded). ``uptime`` is left
  blank while the station has been operational for a year or less at the month's start
  (operational date: the station table's, else the first frame of its first charger).
- ``module4_outages.csv``: outages that started in the period and lasted at least 0.01 min:
  ``outage_id`` (the outage's start, a datetime), ``outage_duration`` (minutes),
  ``excluded_outage`` (TRUE when the whole outage is excluded), ``excluded_outage_reason`` (for
  an excluded outage, 1-6: its first cause in the order of 23 CFR 680.116(b)(3), see
  :data:`pipelines.exclusions.CAUSES`), ``excluded_outage_notes`` (the causes; a partly excluded
  outage says ``partial (N of M min): causes``).
- ``module9_costs.csv``: capital and installation costs, one row per station of the table that
  has any.
Times are UTC ISO 8601 (``2026-01-10T08:00:00Z``); decimals have two places.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines import exclusions
from pipelines.errors import PipelineError, WarehouseMissingError
from pipelines.exports import evchart_costs, evchart_validate
from pipelines.exports.evchart_rules import MODULE_2, MODULE_3, MODULE_4, MODULE_9, STATION, Module
from pipelines.warehouse.layout import Layout

MARTS = ("sessions", "port_uptime_monthly", "outages", "dim_ports")
# The one owner of the default; `cpo export evchart --network-provider` (or its env var) overrides.
DEFAULT_NETWORK_PROVIDER = "cpo_workbench"
NETWORK_PROVIDER_ENV = "CPO_EVCHART_NETWORK_PROVIDER"
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
NO_ERROR = "none"
_TIME = "'%Y-%m-%dT%H:%M:%SZ'"


class ExportRangeError(PipelineError):
    """The export's date range is empty (``--from`` after ``--to``)."""


class ExportRulesError(PipelineError):
    """The export would break the EV-ChART module rules; nothing was written."""


@dataclass(frozen=True)
class Written:
    path: Path
    rows: int
    note: str = ""


def write(
    data_dir: Path,
    start: date,
    end: date,
    out: Path,
    network_provider: str = DEFAULT_NETWORK_PROVIDER,
) -> list[Written]:
    """Write the EV-ChART modules 2, 3, 4 and 9 for ``start``..``end`` into ``out``."""
    if end < start:
        raise ExportRangeError(f"the period ends ({end}) before it starts ({start})")
    provider = network_provider.strip()
    problem = evchart_validate.check_value(STATION[1], provider) if provider else "empty"
    if problem:
        raise ExportRulesError(f"network provider {network_provider!r}: {problem}")
    layout = Layout(data_dir)
    missing = [m for m in MARTS if not layout.mart_file(m).exists()]
    if missing:
        raise WarehouseMissingError(
            f"no {', '.join(missing)} mart(s) in {layout.marts}; build the warehouse first with "
            f"`cpo pipelines run --data-dir {data_dir}`"
        )
    stations = evchart_costs.load(evchart_costs.csv_path(data_dir))
    out.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect()
    try:
        for mart in MARTS:
            path = str(layout.mart_file(mart)).replace("'", "''")
            conn.execute(f"CREATE VIEW {mart} AS SELECT * FROM read_parquet('{path}')")
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute("SET VARIABLE p_from = ?::DATE", [start])
        conn.execute("SET VARIABLE p_to = ?::DATE", [end + timedelta(days=1)])
        conn.execute("SET VARIABLE provider = ?", [provider])
        conn.execute(_SETUP_SQL)
        operational = _operational(conn, stations)
        conn.register("station_since", _since_table(operational))
        conn.register("station_costs", _costs_table(stations))
        temps = [
            _copy(conn, _SESSIONS_SQL, out, MODULE_2, _open_note(conn)),
            _copy(conn, _UPTIME_SQL, out, MODULE_3),
            _copy(conn, _OUTAGES_SQL, out, MODULE_4, _short_note(conn)),
            _copy(conn, _COSTS_SQL, out, MODULE_9, _costs_note(conn)),
        ]
    finally:
        conn.close()
    violations = [
        v
        for temp, module, _ in temps
        for v in evchart_validate.validate_file(temp, module, operational)
    ]
    if violations:
        for temp, _, _ in temps:
            temp.unlink(missing_ok=True)
        raise ExportRulesError(f"{evchart_validate.summary(violations)}; nothing was written")
    for temp, _, written in temps:
        temp.replace(written.path)
    return [w for _, _, w in temps]


def _operational(
    conn: duckdb.DuckDBPyConnection, stations: Mapping[str, evchart_costs.Costs]
) -> dict[str, date]:
    """Each station's operational date: the station table's, else its first frame here."""
    seen = conn.execute(
        "SELECT station_id, min(commissioned_at)::DATE FROM port_station "
        "WHERE commissioned_at IS NOT NULL GROUP BY 1"
    ).fetchall()
    found: dict[str, date] = {s: d for s, d in seen}
    found.update(evchart_costs.operational_dates(stations))
    return found


def _since_table(operational: Mapping[str, date]) -> pa.Table:
    return pa.table(
        {
            "station_id": pa.array(list(operational), pa.string()),
            "since": pa.array(list(operational.values()), pa.date32()),
        }
    )


def _costs_table(stations: Mapping[str, evchart_costs.Costs]) -> pa.Table:
    rows = [r for r in stations.values() if evchart_costs.has_costs(r)]
    names = MODULE_9.columns[2:]
    return pa.table(
        {"station_id": pa.array([r["station_id"] for r in rows], pa.string())}
        | {n: pa.array([r.get(n, "") for r in rows], pa.string()) for n in names}
    )


def _copy(
    conn: duckdb.DuckDBPyConnection, sql: str, out: Path, module: Module, note: str = ""
) -> tuple[Path, Module, Written]:
    target = out / module.file_name
    temp = target.with_name(f".{target.name}.tmp")
    path = str(temp).replace("'", "''")
    # Empty text is written as an empty cell (not ""), like NULL.
    plain = f"SELECT nullif(CAST(COLUMNS(*) AS VARCHAR), '') FROM ({sql})"
    conn.execute(f"COPY ({plain}) TO '{path}' (FORMAT csv, HEADER true)")
    rows = int(conn.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0])
    if not rows:
        note = "; ".join(filter(None, [note, "no rows: tell EV-ChART there is no data"]))
    return temp, module, Written(target, rows, note)


def _count(conn: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(conn.execute(sql).fetchall()[0][0])


def _open_note(conn: duckdb.DuckDBPyConnection) -> str:
    n = _count(conn, f"SELECT count(*) FROM sessions s WHERE {_STARTED} AND s.end_source = 'open'")
    return f"{n} open session(s) left out until they end" if n else ""


def _short_note(conn: duckdb.DuckDBPyConnection) -> str:
    n = _count(conn, f"SELECT count(*) FROM outages WHERE {_OUTAGE_STARTED} AND {_TOO_SHORT}")
    return f"{n} outage(s) under 0.01 min left out" if n else ""


def _costs_note(conn: duckdb.DuckDBPyConnection) -> str:
    n = _count(
        conn,
        "SELECT count(DISTINCT station_id) FROM port_station "
        "WHERE station_id NOT IN (SELECT station_id FROM station_costs)",
    )
    return f"{n} station(s) without costs (cpo export evchart-costs set)" if n else ""


def _dec(expr: str) -> str:
    """Two decimals, printed as such (never as 1e-05): module 2/3/4/9 decimals have scale 2."""
    return f"CAST(round({expr}, 2) AS DECIMAL(18, 2))"


_SETUP_SQL = (
    "CREATE TEMP TABLE stop_map (reason VARCHAR, category VARCHAR); INSERT INTO stop_map VALUES "
    + ", ".join(f"('{k}', '{v}')" for k, v in STOP_REASON_ERRORS.items())
    + "; CREATE TEMP TABLE cause_code (cause VARCHAR, code INTEGER); INSERT INTO cause_code VALUES "
    + ", ".join(f"('{c}', {i})" for i, c in enumerate(exclusions.CAUSES, start=1))
    + "; CREATE TEMP TABLE port_station AS SELECT port_id, "
    "coalesce(site_id, charge_point_id) AS station_id, commissioned_at FROM dim_ports"
)
_IN_PERIOD = (
    "{col} >= getvariable('p_from')::TIMESTAMP AT TIME ZONE 'UTC' "
    "AND {col} < getvariable('p_to')::TIMESTAMP AT TIME ZONE 'UTC'"
)
_STARTED = _IN_PERIOD.format(col="s.start_at")
_OUTAGE_STARTED = _IN_PERIOD.format(col="start_at")
_TOO_SHORT = "round(duration_min, 2) < 0.01"
# A port the dimension does not know is its charger's: '<charge_point_id>/<n>'.
_STATION = "coalesce(ps.station_id, split_part({t}.port_id, '/', 1)) AS station_id"
_PROVIDER = "getvariable('provider') AS network_provider"
_NORMAL = ", ".join(f"'{s}'" for s in NORMAL_STOPS)
# No power samples: the session's average power, a lower bound of its peak (module 2 needs one).
_POWER = (
    "coalesce(s.peak_kw, CASE WHEN s.end_at > s.start_at THEN s.energy_kwh * 3600.0 "
    "/ (epoch(s.end_at) - epoch(s.start_at)) ELSE 0 END)"
)
_SESSIONS_SQL = f"""
SELECT {_STATION.format(t="s")}, {_PROVIDER},
       s.port_id, s.charge_point_id AS charger_id,
       CASE WHEN length(s.session_id) <= 36 THEN s.session_id ELSE md5(s.session_id) END
           AS session_id,
       s.connector_id,
       strftime(s.start_at, {_TIME}) AS session_start,
       strftime(s.end_at, {_TIME}) AS session_end,
       CASE
           WHEN s.end_source = 'stop' AND lower(s.stop_reason) IN ({_NORMAL}) THEN '{NO_ERROR}'
           WHEN s.end_source = 'stop' THEN coalesce(m.category, 'other')
           WHEN s.end_source = 'boot' THEN 'charger_reset'
           ELSE 'missing_stop'
       END AS session_error,
       CASE
           WHEN s.end_source = 'stop' AND lower(s.stop_reason) IN ({_NORMAL}) THEN ''
           ELSE 'stop_reason=' || coalesce(s.stop_reason, 'none') || '; end_source='
                || coalesce(s.end_source, 'none')
       END AS error_other,
       {_dec("s.energy_kwh")} AS energy_kwh, {_dec(_POWER)} AS power_kw,
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
LEFT JOIN port_station ps USING (port_id)
LEFT JOIN stop_map m ON m.reason = lower(s.stop_reason)
WHERE {_STARTED} AND s.end_source <> 'open'
ORDER BY s.port_id, s.start_at, s.session_id
"""
_UPTIME_SQL = f"""
SELECT {_STATION.format(t="u")}, {_PROVIDER},
       u.port_id,
       strftime(u.uptime_reporting_start, {_TIME}) AS uptime_reporting_start,
       strftime(u.uptime_reporting_end, {_TIME}) AS uptime_reporting_end,
       CASE
           WHEN ss.since >= (u.uptime_reporting_start::DATE - INTERVAL 1 YEAR)::DATE THEN NULL
           ELSE {_dec("u.uptime_pct")}
       END AS uptime,
       {_dec("u.outage_min")} AS total_outage,
       {_dec("u.outage_min - u.excluded_min")} AS total_outage_excl
FROM port_uptime_monthly u
LEFT JOIN port_station ps USING (port_id)
LEFT JOIN station_since ss ON ss.station_id = coalesce(ps.station_id, split_part(u.port_id, '/', 1))
WHERE u.month >= date_trunc('month', getvariable('p_from')) AND u.month < getvariable('p_to')
ORDER BY u.port_id, u.month
"""
_OUTAGES_SQL = f"""
WITH o AS (
    SELECT o.*,
           (SELECT min(c.code) FROM cause_code c
            WHERE list_contains(string_split(coalesce(o.exclusion_causes, ''), ','), c.cause))
               AS reason_code
    FROM outages o
    WHERE {_OUTAGE_STARTED} AND NOT {_TOO_SHORT}
)
SELECT {_STATION.format(t="o")}, {_PROVIDER},
       o.port_id, strftime(o.start_at, {_TIME}) AS outage_id,
       {_dec("o.duration_min")} AS outage_duration,
       CASE WHEN o.excluded THEN 'TRUE' ELSE 'FALSE' END AS excluded_outage,
       CASE WHEN o.excluded THEN o.reason_code END AS excluded_outage_reason,
       CASE
           WHEN o.excluded THEN coalesce(o.exclusion_causes, '')
           WHEN o.excluded_min > 0 THEN 'partial (' || {_dec("o.excluded_min")} || ' of '
                || {_dec("o.duration_min")} || ' min): ' || coalesce(o.exclusion_causes, '')
           ELSE ''
       END AS excluded_outage_notes
FROM o
LEFT JOIN port_station ps USING (port_id)
ORDER BY o.port_id, o.start_at
"""
_COSTS_SQL = f"""
SELECT station_id, {_PROVIDER}, {", ".join(MODULE_9.columns[2:])}
FROM station_costs
ORDER BY station_id
"""
