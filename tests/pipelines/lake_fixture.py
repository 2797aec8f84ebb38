"""Write a small lake frame by frame, in the lake's real contract (ingest/lake/schemas.py).

Each call records the CALL as the CSMS logs it and, when ``answer`` is given, our CALLRESULT
50 ms later; MeterValues-like frames also get the rows the CSMS flattens into ``meter_values``.
Files are Hive-partitioned by UTC date like the real writer's.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.data_folder import DataFolder
from ingest.lake import meter_flatten, paths
from ingest.lake.schemas import METER_VALUES, OCPP_MESSAGES, TABLES, partition_column


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


class FixtureLake:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
        self._ids = count(1)

    def call(
        self,
        when: datetime,
        cp: str,
        action: str,
        payload: dict[str, Any],
        answer: dict[str, Any] | None = None,
        version: str = "1.6",
        connection: str = "c1",
        uid: str | None = None,
        error: str | None = None,
    ) -> str:
        """``error``: our answer is a CALLERROR with this code (``answer`` is then ignored)."""
        uid = uid or str(next(self._ids))
        base = {
            "node_id": "t",
            "charge_point_id": cp,
            "connection_id": connection,
            "ocpp_version": version,
            "unique_id": uid,
            "action": action,
        }
        self.rows["ocpp_messages"].append(
            {
                **base,
                "received_at": when,
                "direction": "in",
                "message_type": 2,
                "payload": json.dumps(payload),
            }
        )
        if error is not None:
            self.rows["ocpp_messages"].append(
                {
                    **base,
                    "received_at": when + timedelta(milliseconds=50),
                    "direction": "out",
                    "message_type": 4,
                    "payload": "{}",
                    "error_code": error,
                    "error_description": f"{action} refused",
                    "latency_ms": 50.0,
                }
            )
        elif answer is not None:
            self.rows["ocpp_messages"].append(
                {
                    **base,
                    "received_at": when + timedelta(milliseconds=50),
                    "direction": "out",
                    "message_type": 3,
                    "payload": json.dumps(answer),
                    "latency_ms": 50.0,
                }
            )
        return uid

    def frame(
        self,
        when: datetime,
        cp: str,
        action: str,
        payload: dict[str, Any],
        answer: dict[str, Any] | None = None,
        version: str = "1.6",
        error: str | None = None,
    ) -> str:
        """A CALL and our answer, its ``meter_values`` rows derived by the lake's own converter
        (``ingest.lake.meter_flatten``): none for a CALLERROR, none for a non-number."""
        first = len(self.rows["ocpp_messages"])
        uid = self.call(when, cp, action, payload, answer, version=version, error=error)
        logged = [tuple(r.get(n) for n in OCPP_MESSAGES.names)
                  for r in self.rows["ocpp_messages"][first:]]  # fmt: skip
        for row in meter_flatten.meter_rows(logged):
            flat = dict(zip(METER_VALUES.names, row, strict=True))
            ts = flat["timestamp"]
            flat["timestamp"] = None if ts is None else datetime.fromtimestamp(ts, UTC)
            self.rows["meter_values"].append(flat)
        return uid

    def meter(
        self,
        when: datetime,
        cp: str,
        uid: str,
        source: str,
        transaction_id: str | None,
        values: dict[str, tuple[float, str]],
        port: int | None = 1,
        version: str = "1.6",
        charger_time: datetime | None = None,
    ) -> None:
        """Flattened meter rows of one frame: ``{measurand: (value, unit)}``."""
        for measurand, (value, unit) in values.items():
            self.rows["meter_values"].append(
                {
                    "received_at": when,
                    "node_id": "t",
                    "charge_point_id": cp,
                    "ocpp_version": version,
                    "unique_id": uid,
                    "source_action": source,
                    "evse_id": port if version != "1.6" else None,
                    "connector_id": port if version == "1.6" else 1,
                    "transaction_id": transaction_id,
                    "timestamp": charger_time or when,
                    "measurand": measurand,
                    "unit": unit,
                    "value": value,
                    "context": "Sample.Periodic",
                    "location": "Outlet",
                }
            )

    def connection(self, when: datetime, cp: str, event: str, reason: str | None = None) -> None:
        self.rows["connection_events"].append(
            {
                "at": when,
                "node_id": "t",
                "charge_point_id": cp,
                "connection_id": "c1",
                "event": event,
                "reason": reason,
                "subprotocol": "ocpp1.6",
            }
        )

    # -- 1.6 conveniences -------------------------------------------------------------------

    def start16(
        self,
        when: datetime,
        cp: str,
        port: int,
        tag: str,
        meter_wh: int,
        tx: int,
        charger_time: datetime | None = None,
        status: str = "Accepted",
    ) -> None:
        payload = {
            "connectorId": port,
            "idTag": tag,
            "meterStart": meter_wh,
            "timestamp": iso(charger_time or when),
        }
        uid = self.call(
            when,
            cp,
            "StartTransaction",
            payload,
            {"transactionId": tx, "idTagInfo": {"status": status}},
        )
        self.meter(
            when,
            cp,
            uid,
            "StartTransaction",
            str(tx),
            {"Energy.Active.Import.Register": (meter_wh, "Wh")},
            port,
            charger_time=charger_time,
        )

    def sample16(
        self,
        when: datetime,
        cp: str,
        port: int,
        tx: int,
        wh: float,
        watts: float,
        charger_time: datetime | None = None,
    ) -> None:
        t = charger_time or when
        payload = {
            "connectorId": port,
            "transactionId": tx,
            "meterValue": [
                {
                    "timestamp": iso(t),
                    "sampledValue": [
                        {
                            "value": str(wh),
                            "measurand": "Energy.Active.Import.Register",
                            "unit": "Wh",
                        },
                        {"value": str(watts), "measurand": "Power.Active.Import", "unit": "W"},
                    ],
                }
            ],
        }
        uid = self.call(when, cp, "MeterValues", payload, {})
        self.meter(
            when,
            cp,
            uid,
            "MeterValues",
            str(tx),
            {"Energy.Active.Import.Register": (wh, "Wh"), "Power.Active.Import": (watts, "W")},
            port,
            charger_time=t,
        )

    def stop16(
        self,
        when: datetime,
        cp: str,
        tx: int,
        meter_wh: int,
        reason: str = "Local",
        charger_time: datetime | None = None,
    ) -> None:
        payload = {
            "transactionId": tx,
            "meterStop": meter_wh,
            "timestamp": iso(charger_time or when),
            "reason": reason,
        }
        uid = self.call(when, cp, "StopTransaction", payload, {})
        self.meter(
            when,
            cp,
            uid,
            "StopTransaction",
            str(tx),
            {"Energy.Active.Import.Register": (meter_wh, "Wh")},
            None,
            charger_time=charger_time,
        )

    def status16(
        self, when: datetime, cp: str, port: int, status: str, error: str = "NoError"
    ) -> None:
        self.call(
            when,
            cp,
            "StatusNotification",
            {"connectorId": port, "errorCode": error, "status": status, "timestamp": iso(when)},
            {},
        )

    def boot16(self, when: datetime, cp: str, interval: int = 900) -> None:
        self.call(
            when,
            cp,
            "BootNotification",
            {"chargePointModel": "M1", "chargePointVendor": "V1"},
            {"status": "Accepted", "currentTime": iso(when), "interval": interval},
        )

    def heartbeat(self, when: datetime, cp: str, version: str = "1.6") -> None:
        self.call(when, cp, "Heartbeat", {}, {"currentTime": iso(when)}, version=version)

    # -- 2.0.1 ------------------------------------------------------------------------------

    def tx201(
        self,
        when: datetime,
        cp: str,
        evse: int,
        event: str,
        tx: str,
        wh: float,
        seq: int,
        tag: str | None = None,
        reason: str | None = None,
        watts: float = 0.0,
        uid: str | None = None,
    ) -> None:
        info: dict[str, Any] = {"transactionId": tx}
        if reason:
            info["stoppedReason"] = reason
        payload: dict[str, Any] = {
            "eventType": event,
            "timestamp": iso(when),
            "seqNo": seq,
            "triggerReason": "Authorized" if event == "Started" else "MeterValuePeriodic",
            "transactionInfo": info,
            "evse": {"id": evse, "connectorId": 1},
            "meterValue": [
                {
                    "timestamp": iso(when),
                    "sampledValue": [{"value": wh, "measurand": "Energy.Active.Import.Register"}],
                }
            ],
        }
        if tag:
            payload["idToken"] = {"idToken": tag, "type": "ISO14443"}
        answer = {"idTokenInfo": {"status": "Accepted"}} if tag else {}
        uid = self.call(when, cp, "TransactionEvent", payload, answer, version="2.0.1", uid=uid)
        self.meter(
            when,
            cp,
            uid,
            "TransactionEvent",
            tx,
            {"Energy.Active.Import.Register": (wh, "Wh"), "Power.Active.Import": (watts, "W")},
            evse,
            version="2.0.1",
        )

    # -- output -----------------------------------------------------------------------------

    def write(self) -> Path:
        lake = DataFolder(self.data_dir).local_lake
        for table, schema in TABLES.items():
            rows = self.rows[table]
            key = partition_column(schema)
            by_day: dict[str, list[dict[str, Any]]] = {}
            for row in rows:
                by_day.setdefault(row[key].date().isoformat(), []).append(row)
            for day, day_rows in by_day.items():
                folder = paths.partition_dir(lake, table, day)
                folder.mkdir(parents=True, exist_ok=True)
                columns = {f.name: [r.get(f.name) for r in day_rows] for f in schema}
                pq.write_table(
                    pa.table(columns, schema=schema),
                    folder / f"part-t-{len(list(folder.iterdir()))}.parquet",
                )
        return lake
