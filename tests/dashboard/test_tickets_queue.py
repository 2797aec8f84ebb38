"""The reliability page's ticket queue through AppTest: tickets opened in the real store, the
tickets mart built and published by its pipeline definition, the active ones on screen with
their ages; without the mart, a line saying when it appears."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from models.tickets.store import NewTicket, TicketStore
from pipelines.defs.reliability.assets import reliability_assets
from pipelines.warehouse.layout import Layout
from tests.dashboard.test_pages import open_app


def _ticket(cp: str, cause: str, reason: dict[str, object]) -> NewTicket:
    return NewTicket(cp, "rules", cause, cause, reason, port="1")


def test_the_queue_shows_active_tickets_with_ages(
    fixture_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "d"
    shutil.copytree(fixture_dir, data)
    layout = Layout(data)
    store = TicketStore(layout.tickets_file)
    now = datetime.now(UTC)
    old, _ = store.open_ticket(_ticket("B-2", "faulted_hardware", {"codes": ["GroundFailure"]}),
                               now - timedelta(hours=26))
    store.move(old.ticket_id, "dispatched", "ana", at=now - timedelta(hours=2))
    new, _ = store.open_ticket(_ticket("A-1", "resets_unhelpful", {"trigger": "faulted"}),
                               now - timedelta(hours=3))
    done, _ = store.open_ticket(_ticket("B-1", "manual", {"note": "x"}), now - timedelta(hours=5))
    store.move(done.ticket_id, "false_alarm", "ana")
    (mart,) = [m for m in reliability_assets if m.name == "tickets"]
    mart.materialize(duckdb.connect(), layout)  # warehouse/marts/tickets.parquet
    at = open_app(data, monkeypatch, "reliability")
    assert "Maintenance tickets" in [s.value for s in at.subheader]
    assert "open: 1, dispatched: 1, on_site: 0" in [m.value for m in at.markdown]
    queue = next(d.value for d in at.dataframe if "ticket_id" in d.value.columns)
    assert list(queue["ticket_id"]) == [old.ticket_id, new.ticket_id]  # oldest first
    assert list(queue["state"]) == ["dispatched", "open"]
    assert list(queue["charge_point_id"]) == ["B-2", "A-1"]
    assert list(queue["age_h"]) == [pytest.approx(26.0, abs=0.05), pytest.approx(3.0, abs=0.05)]
    assert queue.iloc[0]["in_state_h"] == pytest.approx(2.0, abs=0.05)
    assert queue.iloc[0]["reason"] == "faulted_hardware; codes GroundFailure"


def test_without_the_mart_the_page_says_so(
    fixture_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app(fixture_dir, monkeypatch, "reliability")
    assert any("No tickets yet" in c.value for c in at.caption)
