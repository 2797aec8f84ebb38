"""The live panel: chargers online / faulted / offline and open sessions from the CSMS's API,
the latest alerts and self-healing actions from the marts; it refreshes itself every
``EVERY_S`` seconds (a Streamlit fragment), without rerunning the page around it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import streamlit as st

from csms_lite.client import ClientError, CsmsClient
from dashboard import fmt
from dashboard.context import runner
from dashboard.file_jobs import file_jobs_table
from dashboard.model_in_use import model_caption
from dashboard.queries import live as q
from dashboard.settings import Settings

EVERY_S = 10


@st.fragment(run_every=EVERY_S)
def live_panel(settings: Settings) -> None:
    st.subheader("Live now")
    if settings.api_url:
        _from_the_csms(settings)
    else:
        st.caption("No CSMS API given: `cpo up` and `cpo demo` wire it in (or start the "
                   "dashboard with --api-url).")
    run, found = runner(settings.marts_dir)  # fresh: the marts may have been refreshed
    left, right = st.columns(2)
    with left:
        st.markdown("**Fault alerts** (latest score per charger)")
        if "predictions" in found and len(alerts := q.alerts(run)):
            st.dataframe(alerts, hide_index=True, width="stretch")
        else:
            st.caption("No charger alerting.")
        if "predictions" in found and (caption := model_caption(run)):
            st.caption(caption)
    with right:
        st.markdown("**Self-healing**, latest actions")
        if "self_healing_actions" in found and len(actions := q.actions(run)):
            st.dataframe(actions, hide_index=True, width="stretch")
        else:
            st.caption("No self-healing action yet.")
    st.caption(f"Updated {datetime.now(UTC):%H:%M:%S} UTC, every {EVERY_S} s.")


def _from_the_csms(settings: Settings) -> None:
    assert settings.api_url is not None
    try:
        chargers = CsmsClient(settings.api_url, settings.api_token).chargers()
    except ClientError as exc:
        st.warning(f"Live state unavailable: {exc}")
        return
    counts = live_counts(chargers)
    sessions = sum(len(c.get("open_transactions") or []) for c in chargers)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Online now", fmt.count(counts["online"]))
    c2.metric("Faulted now", fmt.count(counts["faulted"]))
    c3.metric("Offline now", fmt.count(counts["offline"]))
    c4.metric("Open sessions", fmt.count(sessions))
    file_jobs_table(chargers)


def live_counts(states: list[dict[str, Any]]) -> dict[str, int]:
    """Connected / faulted (a connector reporting Faulted) / offline among the chargers known."""
    out = {"online": 0, "faulted": 0, "offline": 0}
    for cp in states:
        if not cp.get("connected"):
            out["offline"] += 1
        elif any(
            (c or {}).get("status") == "Faulted" for c in (cp.get("connectors") or {}).values()
        ):
            out["faulted"] += 1
        else:
            out["online"] += 1
    return out
