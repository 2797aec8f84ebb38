"""The live panel's "Firmware and diagnostics" table: each charger's latest firmware update
and diagnostics upload as the CSMS's live state tells them (``firmware_update``,
``diagnostics_upload``), final or under way."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import streamlit as st

from dashboard.fmt import DASH

KEYS = {"firmware_update": "firmware", "diagnostics_upload": "diagnostics"}


def _when(epoch: float | None) -> str:
    return DASH if epoch is None else f"{datetime.fromtimestamp(epoch, UTC):%Y-%m-%d %H:%M:%S}"


def _outcome(job: dict[str, Any]) -> str:
    if not job.get("final"):
        return "under way"
    refused = job.get("answer") not in (None, "Accepted", "AcceptedCanceled")
    return f"refused ({job['answer']})" if refused else "done"


def file_job_rows(chargers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per charger and job kind, the latest first."""
    rows = []
    for cp in chargers:
        for key, kind in KEYS.items():
            job = cp.get(key)
            if not job:
                continue
            uploads = job.get("uploads") or []
            rows.append({
                "charger": cp.get("charge_point_id"), "job": kind, "command": job.get("action"),
                "status": job.get("status") or job.get("answer") or "sent",
                "outcome": _outcome(job),
                "since": _when(job.get("status_at") or job.get("requested_at")),
                "file": uploads[-1]["file"] if uploads else job.get("file_name") or DASH,
            })
    return sorted(rows, key=lambda r: str(r["since"]), reverse=True)


def file_jobs_table(chargers: list[dict[str, Any]]) -> None:
    rows = file_job_rows(chargers)
    if rows:
        st.markdown("**Firmware and diagnostics**, latest per charger")
        st.dataframe(rows, hide_index=True, width="stretch")
