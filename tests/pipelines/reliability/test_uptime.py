"""Reliability marts on hand-computed cases (as_of 2026-01-31 00:00 UTC).

January from 01-01 00:00 to as_of is 30 days = 43,200 minutes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from models.tickets.store import NewTicket, TicketStore
from pipelines.defs.reliability.checks import ends_after_start_sql, overlaps_sql
from pipelines.warehouse.layout import Layout
from tests.pipelines.reliability.helpers import build_all, connect, one, rows_of, status, window
from tests.pipelines.warehouse_kit import put, utc, warehouse_conn

JAN = 30 * 1440  # 43,200 minutes from 01-01 00:00 to as_of 01-31 00:00


@pytest.fixture
def marts(tmp_path: Path) -> dict[str, list[dict[str, object]]]:
    conn = warehouse_conn(tmp_path, as_of=utc("2026-01-31 00:00"))
    put(
        conn,
        "raw_connection_events",
        [
            connect("CP1", "2026-01-01 00:00"),
            # CP2: closed at 01-05 00:00, back at 03:00; the old link's late close is ignored
            connect("CP2", "2026-01-01 00:00"),
            connect("CP2", "2026-01-05 00:00", event="disconnect"),
            connect("CP2", "2026-01-05 03:00", connection="c2"),
            connect("CP2", "2026-01-05 03:01", event="disconnect"),
            connect("CP3", "2026-01-01 00:00"),
            connect("CP4", "2026-01-16 00:00"),
            # CP5: superseded by a newer connection, so never offline
            connect("CP5", "2026-01-01 00:00"),
            connect("CP5", "2026-01-09 05:00", event="superseded"),
            connect("CP5", "2026-01-09 05:00", connection="c2"),
            connect("CP5", "2026-01-09 05:00:01", event="disconnect"),
        ],
    )
    put(
        conn,
        "stg_gaps",
        # silent 10:00-11:00 with a 300 s heartbeat x 2: offline from 10:10 to 11:00 (50 min)
        [{"charge_point_id": "CP2", "silent_from": utc("2026-01-20 10:00"),
          "silent_until": utc("2026-01-20 11:00"), "gap_s": 3600, "heartbeat_interval_s": 300}],
    )  # fmt: skip
    put(
        conn,
        "stg_status",
        [
            status("CP1", 1, "2026-01-01 00:00", "Available"),
            status("CP1", 2, "2026-01-01 00:00", "Available"),
            status("CP1", 1, "2026-01-10 10:00", "Faulted", "GroundFailure"),
            status("CP1", 1, "2026-01-10 11:00", "Faulted", "GroundFailure"),  # repeated
            status("CP1", 1, "2026-01-10 12:00", "Available"),
            status("CP2", 1, "2026-01-01 00:00", "Available"),
            status("CP3", 1, "2026-01-01 00:00", "Available"),
            status("CP3", 2, "2026-01-01 00:00", "Charging"),
            status("CP3", 0, "2026-01-15 00:00", "Faulted", "PowerSwitchFailure"),
            status("CP3", 0, "2026-01-15 06:00", "Available"),
            status("CP4", 1, "2026-01-16 00:00", "Available"),
            status("CP4", 1, "2026-01-20 00:00", "Unavailable"),
            status("CP4", 1, "2026-01-20 01:30", "Available"),
            status("CP5", 1, "2026-01-01 00:00", "Available"),
        ],
    )
    put(
        conn,
        "dim_ports",
        [{"port_id": "CP4/1", "charge_point_id": "CP4", "port_no": 1, "site_id": "S2",
          "commissioned_at": utc("2026-01-16 00:00")}],
    )  # fmt: skip
    put(conn, "dim_chargers", [{"charge_point_id": "CP1", "site_id": "S1"}])
    result = build_all(
        conn,
        [
            # CP1 port 1 is down 10:00-12:00; windows cover 11:00-13:00 and 11:30-11:45 (their
            # union within the outage is 11:00-12:00: 60 min excluded)
            window("charger", "CP1", "2026-01-10 11:00", "2026-01-10 13:00"),
            window("site", "S1", "2026-01-10 11:30", "2026-01-10 11:45", "utility_outage"),
            window("site", "S9", "2026-01-10 00:00", "2026-01-11 00:00"),  # another site
        ],
    )
    for table, key in (
        ("connector_status_intervals", "port_id"),
        ("charger_connectivity_intervals", "charge_point_id"),
        ("port_state_intervals", "port_id"),
    ):
        assert conn.sql(overlaps_sql(table, key)).fetchall() == []
        assert conn.sql(ends_after_start_sql(table)).fetchall() == []
    return result


def test_status_intervals_merge_repeats_and_end_at_as_of(marts: dict) -> None:
    port1 = rows_of(marts["connector_status_intervals"], port_id="CP1/1")
    assert [(r["status"], r["from_at"], r["to_at"]) for r in port1] == [
        ("Available", utc("2026-01-01 00:00"), utc("2026-01-10 10:00")),
        ("Faulted", utc("2026-01-10 10:00"), utc("2026-01-10 12:00")),
        ("Available", utc("2026-01-10 12:00"), utc("2026-01-31 00:00")),
    ]
    assert port1[-1]["ongoing"] is True
    assert len(rows_of(marts["connector_status_intervals"], port_id="CP3/0")) == 2


def test_connectivity_disconnects_silences_and_stale_closes(marts: dict) -> None:
    cp2 = rows_of(marts["charger_connectivity_intervals"], charge_point_id="CP2")
    assert [(r["state"], r["from_at"], r["to_at"], r["reason"]) for r in cp2] == [
        ("online", utc("2026-01-01 00:00"), utc("2026-01-05 00:00"), None),
        ("offline", utc("2026-01-05 00:00"), utc("2026-01-05 03:00"), "disconnect"),
        ("online", utc("2026-01-05 03:00"), utc("2026-01-20 10:10"), None),
        ("offline", utc("2026-01-20 10:10"), utc("2026-01-20 11:00"), "silent"),
        ("online", utc("2026-01-20 11:00"), utc("2026-01-31 00:00"), None),
    ]
    cp5 = rows_of(marts["charger_connectivity_intervals"], charge_point_id="CP5")
    assert [r["state"] for r in cp5] == ["online"]
    # CP4 does not exist before its first connect
    cp4 = one(marts["charger_connectivity_intervals"], charge_point_id="CP4")
    assert cp4["from_at"] == utc("2026-01-16 00:00")


def test_port_fault_with_partly_excluded_outage(marts: dict) -> None:
    outage = one(marts["outages"], port_id="CP1/1")
    assert outage["cause"] == "faulted"
    assert outage["error_code"] == "GroundFailure"
    assert outage["duration_min"] == 120  # 10:00-12:00
    assert outage["excluded_min"] == 60  # union of windows ∩ outage = 11:00-12:00
    assert outage["excluded"] is False
    assert outage["exclusion_causes"] == "scheduled_maintenance,utility_outage"
    assert outage["outage_id"] == "CP1/1@2026-01-10T10:00:00Z"
    month = one(marts["port_uptime_monthly"], port_id="CP1/1")
    assert (month["period_min"], month["outage_min"], month["excluded_min"]) == (JAN, 120, 60)
    # mu = (43200 - (120 - 60)) / 43200 x 100
    assert month["uptime_pct"] == pytest.approx((43200 - 60) / 43200 * 100)
    assert one(marts["port_uptime_monthly"], port_id="CP1/2")["uptime_pct"] == pytest.approx(100.0)


def test_offline_period_counts_as_outage(marts: dict) -> None:
    outages = rows_of(marts["outages"], port_id="CP2/1")
    assert [(o["cause"], o["duration_min"]) for o in outages] == [("offline", 180), ("offline", 50)]
    month = one(marts["port_uptime_monthly"], port_id="CP2/1")
    # 180 min disconnected + 50 min silent = 230 min: (43200 - 230) / 43200 x 100
    assert month["uptime_pct"] == pytest.approx((43200 - 230) / 43200 * 100)
    assert one(marts["port_uptime_monthly"], port_id="CP5/1")["uptime_pct"] == pytest.approx(100.0)


def test_charger_level_fault_takes_down_every_port(marts: dict) -> None:
    for port in ("CP3/1", "CP3/2"):
        outage = one(marts["outages"], port_id=port)
        assert (outage["cause"], outage["error_code"]) == ("faulted", "PowerSwitchFailure")
        assert outage["duration_min"] == 360  # 00:00-06:00
        month = one(marts["port_uptime_monthly"], port_id=port)
        assert month["uptime_pct"] == pytest.approx((43200 - 360) / 43200 * 100)


def test_port_commissioned_mid_month(marts: dict) -> None:
    month = one(marts["port_uptime_monthly"], port_id="CP4/1")
    # measured from 01-16 00:00 to 01-31 00:00: 15 days = 21,600 min; down 90 min (unavailable)
    assert month["uptime_reporting_start"] == utc("2026-01-16 00:00")
    assert (month["period_min"], month["outage_min"], month["full_period"]) == (21600, 90, False)
    assert month["uptime_pct"] == pytest.approx((21600 - 90) / 21600 * 100)
    assert month["site_id"] == "S2"
    assert one(marts["outages"], port_id="CP4/1")["cause"] == "unavailable"
    rolling = one(marts["port_uptime_rolling"], port_id="CP4/1")
    assert rolling["period_min"] == 21600
    assert rolling["meets_nevi"] is True


def test_roll_ups_weigh_by_port_minutes(marts: dict) -> None:
    network = one(marts["network_uptime_monthly"], month=utc("2026-01-01 00:00").date())
    # 7 ports: CP1/1, CP1/2, CP2/1, CP3/1, CP3/2, CP5/1 (43,200 min each) + CP4/1 (21,600)
    assert network["ports"] == 7
    assert network["port_min"] == 6 * 43200 + 21600
    # outages 120 + 230 + 360 + 360 + 90 = 1160, of which 60 excluded
    assert (network["outage_min"], network["excluded_min"]) == (1160, 60)
    assert network["uptime_pct"] == pytest.approx(
        (6 * 43200 + 21600 - (1160 - 60)) / (6 * 43200 + 21600) * 100
    )
    s1 = one(marts["site_uptime_monthly"], site_id="S1")
    assert s1["ports"] == 2
    assert s1["uptime_pct"] == pytest.approx((2 * 43200 - 60) / (2 * 43200) * 100)


def test_outage_across_months_and_full_exclusion(tmp_path: Path) -> None:
    conn = warehouse_conn(tmp_path, as_of=utc("2026-02-10 00:00"))
    put(conn, "raw_connection_events", [connect("CP1", "2026-01-01 00:00")])
    put(
        conn,
        "stg_status",
        [
            status("CP1", 1, "2026-01-01 00:00", "Available"),
            status("CP1", 1, "2026-01-31 23:00", "Faulted", "OtherError"),
            status("CP1", 1, "2026-02-01 01:00", "Available"),
            status("CP1", 1, "2026-02-05 00:00", "Faulted"),
        ],
    )
    marts = build_all(conn, [window("network", "", "2026-02-04 00:00", "2026-02-11 00:00")])
    jan, feb = rows_of(marts["port_uptime_monthly"], port_id="CP1/1")
    # January: 31 days = 44,640 min, 60 min down (23:00-24:00); February to as_of: 9 days
    assert (jan["period_min"], jan["outage_min"], jan["full_period"]) == (44640, 60, True)
    assert (feb["period_min"], feb["outage_min"]) == (9 * 1440, 60 + 5 * 1440)
    # Feb 5 00:00 to as_of (5 days) is down but inside the network window: excluded
    assert feb["excluded_min"] == 5 * 1440
    ongoing = rows_of(marts["outages"], port_id="CP1/1")[-1]
    assert ongoing["ongoing"] is True
    assert ongoing["excluded"] is True
    assert ongoing["end_at"] == utc("2026-02-10 00:00")
    rolling = one(marts["port_uptime_rolling"], port_id="CP1/1")
    # 01-01 to 02-10 = 40 days = 57,600 min; 120 + 7,200 down, 7,200 excluded
    assert (rolling["period_min"], rolling["outage_min"]) == (57600, 120 + 7200)
    assert rolling["uptime_pct"] == pytest.approx((57600 - 120) / 57600 * 100)


def test_empty_warehouse_builds_empty_marts(tmp_path: Path) -> None:
    marts = build_all(warehouse_conn(tmp_path, as_of=utc("2026-01-31 00:00")))
    assert all(rows == [] for rows in marts.values())


def test_a_reserved_port_is_up(tmp_path: Path) -> None:
    """DESIGN: a port is up when it is available or in use; a reservation (StatusNotification
    Reserved, after a ReserveNow) holds it for a driver, which is use, not an outage."""
    conn = warehouse_conn(tmp_path, as_of=utc("2026-01-02 00:00"))
    put(conn, "raw_connection_events", [connect("CP1", "2026-01-01 00:00")])
    put(conn, "stg_status", [
        status("CP1", 1, "2026-01-01 00:00", "Available"),
        status("CP1", 1, "2026-01-01 08:00", "Reserved"),
        status("CP1", 1, "2026-01-01 10:00", "Available"),
        status("CP1", 1, "2026-01-01 20:00", "Unavailable"),
        status("CP1", 1, "2026-01-01 21:00", "Available"),
    ])
    marts = build_all(conn)
    [month] = rows_of(marts["port_uptime_monthly"], port_id="CP1/1")
    assert (month["period_min"], month["outage_min"]) == (1440, 60)  # only the Unavailable hour


def test_outages_link_the_ticket_open_during_them(tmp_path: Path) -> None:
    """ticket_id: the ticket of the outage's charger open at some time during the outage."""
    store = TicketStore(Layout(tmp_path).tickets_file)
    during, _ = store.open_ticket(_ticket("CP1", "faulted_hardware"), utc("2026-01-10 10:30"))
    store.move(during.ticket_id, "false_alarm", "ana", at=utc("2026-01-10 11:30"))
    before, _ = store.open_ticket(_ticket("CP2", "manual"), utc("2026-01-02 00:00"))
    store.move(before.ticket_id, "false_alarm", "ana", at=utc("2026-01-03 00:00"))
    still, _ = store.open_ticket(_ticket("CP2", "faulted_hardware"), utc("2026-01-20 10:30"))
    conn = warehouse_conn(tmp_path, as_of=utc("2026-01-31 00:00"))
    put(conn, "raw_connection_events", [connect("CP1", "2026-01-01 00:00"),
                                        connect("CP2", "2026-01-01 00:00")])  # fmt: skip
    put(
        conn,
        "stg_status",
        [
            status("CP1", 1, "2026-01-01 00:00", "Available"),
            status("CP1", 1, "2026-01-10 10:00", "Faulted", "GroundFailure"),
            status("CP1", 1, "2026-01-10 12:00", "Available"),
            status("CP2", 1, "2026-01-01 00:00", "Available"),
            status("CP2", 1, "2026-01-05 00:00", "Faulted", "OtherError"),
            status("CP2", 1, "2026-01-05 01:00", "Available"),
            status("CP2", 1, "2026-01-20 10:00", "Faulted", "GroundFailure"),
        ],
    )
    marts = build_all(conn)
    linked = [(o["port_id"], o["duration_min"], o["ticket_id"]) for o in marts["outages"]]
    assert linked == [
        ("CP1/1", 120, during.ticket_id),
        ("CP2/1", 60, None),  # the earlier ticket was closed before this outage began
        ("CP2/1", 10 * 1440 + 14 * 60, still.ticket_id),  # ongoing; the ticket still open
    ]
    (row,) = [t for t in marts["tickets"] if t["ticket_id"] == still.ticket_id]
    assert (row["active"], row["closed_at"]) == (True, None)
    assert [t["ticket_id"] for t in marts["ticket_outcomes"]] == [  # by closing time
        before.ticket_id, during.ticket_id]


def _ticket(cp: str, cause: str) -> NewTicket:
    return NewTicket(cp, "rules", cause, cause, {})
