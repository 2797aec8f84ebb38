"""Asset checks on the money marts: each SELECTs the offending rows (none = pass)."""

# No "from __future__ import annotations": this module defines Dagster checks.
from pipelines.marts import sql_check

FINISHED = (
    "SELECT session_id FROM sessions "
    "WHERE end_source <> 'open' AND end_at IS NOT NULL AND quarantine_reason IS NULL"
)

REVENUE_NOT_NEGATIVE = """
SELECT session_id, energy_revenue, time_revenue, parking_revenue, flat_revenue, total_revenue
FROM session_charges
WHERE least(energy_revenue, time_revenue, parking_revenue, flat_revenue, total_revenue,
            energy_cost, roaming_fee) < 0
"""

COMPONENTS_ADD_UP = """
SELECT session_id, energy_revenue, time_revenue, parking_revenue, flat_revenue, total_revenue
FROM session_charges
WHERE abs(energy_revenue + time_revenue + parking_revenue + flat_revenue - total_revenue) > 1e-6
   OR abs(total_revenue - energy_cost - roaming_fee - margin) > 1e-6
"""

ONE_ROW_PER_FINISHED_SESSION = f"""
SELECT coalesce(f.session_id, c.session_id) AS session_id,
       count(f.session_id) AS finished, count(c.session_id) AS charge_rows
FROM ({FINISHED}) f
FULL OUTER JOIN session_charges c USING (session_id)
GROUP BY ALL
HAVING count(f.session_id) <> 1 OR count(c.session_id) <> 1
"""

CDR_ENERGY_MATCHES = f"""
SELECT coalesce(f.session_id, c.session_id) AS session_id, s.energy_kwh, c.total_energy
FROM ({FINISHED}) f
FULL OUTER JOIN cdrs c USING (session_id)
LEFT JOIN sessions s ON s.session_id = coalesce(f.session_id, c.session_id)
WHERE f.session_id IS NULL OR c.session_id IS NULL
   OR abs(coalesce(c.total_energy, -1) - coalesce(s.energy_kwh, -2)) > 1e-9
"""

SLICES_ADD_UP = """
SELECT s.session_id, s.energy_kwh, sum(e.kwh) AS sliced_kwh
FROM sessions s JOIN session_energy_slices e USING (session_id)
GROUP BY ALL
HAVING abs(sum(e.kwh) - s.energy_kwh) > 1e-6
"""

revenue_checks = [
    sql_check(
        "session_charges",
        "revenue_not_negative",
        REVENUE_NOT_NEGATIVE,
        "No revenue component, total, energy cost or roaming fee is negative.",
    ),
    sql_check(
        "session_charges",
        "components_add_up",
        COMPONENTS_ADD_UP,
        "energy + time + parking + flat = total_revenue, and total - cost - fee = margin.",
    ),
    sql_check(
        "session_charges",
        "one_row_per_finished_session",
        ONE_ROW_PER_FINISHED_SESSION,
        "Every finished (not open) session has exactly one charges row, and no other row.",
    ),
    sql_check(
        "cdrs",
        "cdr_energy_matches_sessions",
        CDR_ENERGY_MATCHES,
        "One CDR per finished session, and its total_energy equals the session's energy_kwh.",
    ),
    sql_check(
        "session_energy_slices",
        "slices_add_up_to_session_energy",
        SLICES_ADD_UP,
        "A session's hourly energy slices add up to its energy_kwh.",
    ),
]
