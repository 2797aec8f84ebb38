"""Read-only access to the published marts (``<data>/warehouse/marts/*.parquet``) for one month.

An in-memory DuckDB over the Parquet files: a report never takes the warehouse's write lock,
so it can run while the pipelines rebuild (the marts are replaced atomically).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb

from pipelines.errors import WarehouseMissingError
from pipelines.reports.months import Month
from pipelines.warehouse.layout import Layout

MARTS = (
    "cdrs",
    "session_charges",
    "partners",
    "dim_sites",
    "site_uptime_monthly",
    "utilisation_site_daily",
    "faults",
)
Row = dict[str, Any]


class MartSource:
    def __init__(self, layout: Layout) -> None:
        missing = [t for t in MARTS if not layout.mart_file(t).is_file()]
        if missing:
            raise WarehouseMissingError(
                f"{layout.marts} lacks {', '.join(missing)}: build the warehouse first with "
                f"`cpo pipelines run --data-dir {layout.data_dir}`"
            )
        self.conn = duckdb.connect()
        self.conn.execute("SET TimeZone = 'UTC'")
        for table in MARTS:
            path = str(layout.mart_file(table)).replace("'", "''")
            self.conn.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{path}')")

    def close(self) -> None:
        self.conn.close()

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        rel = self.conn.execute(sql, list(params))
        cols = [d[0] for d in rel.description]
        return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]

    # --- who gets reports -------------------------------------------------------------------
    def emsps(self) -> list[str]:
        """Roaming partners (not the CPO's own app): configured ones and any seen on a CDR."""
        found = self.rows(
            """
            SELECT partner FROM partners WHERE partner IS NOT NULL AND NOT own
            UNION
            SELECT DISTINCT c.partner FROM cdrs c
            WHERE c.partner IS NOT NULL
              AND c.partner NOT IN (SELECT partner FROM partners WHERE own AND partner IS NOT NULL)
            """
        )
        return sorted(r["partner"] for r in found)

    def site_ids(self) -> list[str]:
        return [r["site_id"] for r in self.rows("SELECT site_id FROM dim_sites ORDER BY 1")]

    def partner_terms(self, partner: str) -> Row:
        """Fee terms: the partner's row, else the default row (partner NULL)."""
        rows = self.rows(
            "SELECT * FROM partners WHERE partner = ? OR partner IS NULL "
            "ORDER BY partner IS NULL LIMIT 1",
            [partner],
        )
        return rows[0] if rows else {"name": partner, "fee_pct": 0.0, "fee_per_session_usd": 0.0}

    # --- eMSP reports -------------------------------------------------------------------------
    def partner_cdrs(self, partner: str, month: Month) -> list[Row]:
        """The month's CDRs of a partner, with the charger kind and the fee from session_charges."""
        return self.rows(
            """
            SELECT c.*, sc.kind, sc.roaming_fee, sc.billed, sc.port_id
            FROM cdrs c JOIN session_charges sc USING (session_id)
            WHERE c.partner = ? AND c.end_date_time >= ? AND c.end_date_time < ?
            ORDER BY c.end_date_time, c.id
            """,
            [partner, month.start, month.end],
        )

    def partner_totals(self, partner: str, month: Month) -> Row:
        """The warehouse's own figures for reconciliation (session_charges, not cdrs)."""
        return self.rows(
            """
            SELECT count(*) AS sessions, coalesce(sum(energy_kwh), 0) AS kwh,
                   coalesce(sum(total_revenue), 0) AS revenue,
                   coalesce(sum(roaming_fee), 0) AS fees
            FROM session_charges
            WHERE partner = ? AND end_at >= ? AND end_at < ?
            """,
            [partner, month.start, month.end],
        )[0]

    # --- sites (both kinds of report) -----------------------------------------------------
    def sites(self, site_ids: list[str]) -> list[Row]:
        return self.rows(
            "SELECT * FROM dim_sites WHERE list_contains(?, site_id) ORDER BY site_id", [site_ids]
        )

    def site_uptime(self, site_ids: list[str], month: Month) -> dict[str, float | None]:
        rows = self.rows(
            "SELECT site_id, uptime_pct::DOUBLE AS uptime_pct FROM site_uptime_monthly "
            "WHERE list_contains(?, site_id) AND month = ?",
            [site_ids, month.start.date()],
        )
        found: dict[str, float | None] = {r["site_id"]: r["uptime_pct"] for r in rows}
        return {s: found.get(s) for s in site_ids}

    def site_sessions(self, site_ids: list[str], month: Month) -> list[Row]:
        return self.rows(
            """
            SELECT session_id, site_id, port_id, partner, start_at, end_at, energy_kwh,
                   charging_min, idle_min, total_revenue, billed
            FROM session_charges
            WHERE list_contains(?, site_id) AND end_at >= ? AND end_at < ?
            ORDER BY end_at, session_id
            """,
            [site_ids, month.start, month.end],
        )

    def site_totals(self, site_ids: list[str], month: Month) -> Row:
        return self.rows(
            """
            SELECT count(*) AS sessions, coalesce(sum(energy_kwh), 0) AS kwh,
                   coalesce(sum(total_revenue), 0) AS revenue
            FROM session_charges
            WHERE list_contains(?, site_id) AND end_at >= ? AND end_at < ?
            """,
            [site_ids, month.start, month.end],
        )[0]

    def site_utilisation(self, site_ids: list[str], month: Month) -> dict[str, float | None]:
        """Time-based utilisation over the month's local days: session minutes / available."""
        rows = self.rows(
            """
            SELECT site_id, (sum(session_min) / nullif(sum(available_min), 0))::DOUBLE AS util
            FROM utilisation_site_daily
            WHERE list_contains(?, site_id) AND local_date >= ? AND local_date < ?
            GROUP BY site_id
            """,
            [site_ids, month.start.date(), month.end.date()],
        )
        found: dict[str, float | None] = {r["site_id"]: r["util"] for r in rows}
        return {s: found.get(s) for s in site_ids}

    def site_faults(self, site_ids: list[str], month: Month) -> list[Row]:
        """Faults that began in the month; ``open`` ones were not fixed by the data's end."""
        return self.rows(
            """
            SELECT site_id, port_id, start_at, end_at, duration_min::DOUBLE AS duration_min, open,
                   error_code
            FROM faults
            WHERE list_contains(?, site_id) AND start_at >= ? AND start_at < ?
            ORDER BY start_at, port_id
            """,
            [site_ids, month.start, month.end],
        )


def iso(value: datetime) -> str:
    """OCPI DateTime: UTC, seconds, 'Z'."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
