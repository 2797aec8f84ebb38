"""Defects the scenarios exposed, through the real CSMS on loopback and, where the fix is in the
pipelines, the staging built over the lake that CSMS wrote."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import duckdb
import polars as pl
import pytest
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from ingest.sim.clock import iso
from pipelines.staging_sql import staging_sql_files
from pipelines.warehouse import settings, sql_files, staging_build
from pipelines.warehouse.layout import Layout
from tests.conftest import Csms
from tests.csms_lite.conformance.station import WAIT_S, Station
from tests.pipelines.warehouse_kit import DEFS, warehouse_conn


def _warehouse(csms: Csms) -> duckdb.DuckDBPyConnection:
    """stg_tx_events and sessions over what the CSMS wrote today."""
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    sql = staging_sql_files()
    layout = Layout(csms.data_dir)
    for name in ("stg_tx_events", "stg_meter", "stg_boots"):
        staging_build.build_partitions(layout, name, sql[name], [today],
                                       settings.BuildSettings(), threads=1)
    conn = warehouse_conn(csms.data_dir, as_of=datetime.now(UTC))
    conn.execute("INSERT INTO dim_id_tags SELECT upper(id_tag), partner, status, expiry "
                 "FROM reg_id_tags")  # the dimension asset's job in a run
    sql_files.build_table(conn, "sessions", DEFS / "sessions" / "sessions.sql")
    return conn


def _event(kind: str, seq: int, tx: str, info: dict[str, Any]) -> call201.TransactionEvent:
    return call201.TransactionEvent(
        event_type=kind, timestamp=iso(), seq_no=seq,
        trigger_reason="RemoteStart" if kind == "Started" else "EVCommunicationLost",
        evse={"id": 1, "connector_id": 1},
        meter_value=[{"timestamp": iso(), "sampled_value": [
            {"value": 1000.0 * seq, "measurand": "Energy.Active.Import.Register"}]}],
        transaction_info={"transaction_id": tx, **info})


@pytest.mark.slow  # builds staging over the lake
async def test_a_201_remote_start_without_id_token_is_billed_to_the_commands_token(
    csms: Csms, cs201: Station,
) -> None:
    """D5: a TransactionEvent Started naming the remoteStartId and no idToken had no id tag,
    so no partner: the session could not be billed."""
    await cs201.boot()
    answer = await cs201.accepted("remote_start", id_tag="TAG-OK", evse_id=1,
                                  remote_start_id=77)
    assert answer["status"] == "Accepted"
    # a later remote start with the same id that the station rejected is not the one matched
    cs201.script.status["RemoteStart"] = "Rejected"
    refused = await cs201.accepted("remote_start", id_tag="TAG-BLOCKED", evse_id=1,
                                   remote_start_id=77)
    assert refused["status"] == "Rejected"
    for event, seq in (("Started", 0), ("Ended", 1)):
        info = {"remote_start_id": 77} if event == "Started" else {"stopped_reason": "Local"}
        await asyncio.wait_for(cs201.cp.call(_event(event, seq, "RS-1", info),
                                             skip_schema_validation=True), WAIT_S)
    [started] = [f for f in await cs201.frames("TransactionEvent", "in", 2)
                 if f["eventType"] == "Started"]
    assert "idToken" not in started
    await cs201.frames("TransactionEvent", "out", 3)  # flushes the lake
    conn = _warehouse(csms)
    [(id_tag, partner, kwh)] = conn.execute(
        "SELECT id_tag, partner, energy_kwh FROM sessions WHERE session_id = 'CS201:RS-1'"
    ).fetchall()
    assert (id_tag, partner) == ("TAG-OK", "emsp-a")
    assert kwh == pytest.approx(1.0, rel=1e-9)


async def test_a_retried_start_derives_one_transaction_begin_row(cp16: Station) -> None:
    """A StartTransaction retried (the CSMS answers the same id) derived a second
    Transaction.Begin row in meter_values."""
    await cp16.boot()
    stamp = iso()
    answers = [await asyncio.wait_for(cp16.cp.call(call16.StartTransaction(
        connector_id=1, id_tag="TAG-OK", meter_start=500, timestamp=stamp)), WAIT_S)
        for _ in range(2)]
    assert answers[0].transaction_id == answers[1].transaction_id
    rows = (await cp16.meter_rows()).filter(pl.col("context") == "Transaction.Begin")
    assert rows["transaction_id"].to_list() == [str(answers[0].transaction_id)]
    assert rows["value"].to_list() == [500.0]
