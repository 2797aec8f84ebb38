"""Data contracts of the lake's raw tables (see DESIGN.md, "Data contracts").

Every table is Hive-partitioned by the UTC date of its *first* column, which is always the
server-side time of the row. Rows travel through the writer as plain tuples in column order
(fast to build and to journal), with these values:

- timestamp columns: float epoch seconds (or None), converted to ``timestamp[us, UTC]`` only when
  a Parquet file is written (rounded to the microsecond);
- string columns: a ``str``, None, or any other JSON value (dict, list, number, bool), which is
  stored as its compact JSON text (``orjson.dumps(v).decode()``: no spaces, keys in insertion
  order). So a caller can put a parsed payload dict straight into the row: it is encoded once,
  inside the journal line, and turned into text by the converter process, off the hot path;
- other columns: Python ints/floats/None fitting the Arrow type; a row that does not fit is set
  apart in ``_rejected/`` rather than written.

Every value must be serialisable by orjson (``append`` raises ``TypeError`` otherwise); NaN and
infinities become null on the way through the journal.
"""

from __future__ import annotations

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")

OCPP_MESSAGES = pa.schema(
    [
        ("received_at", TS),  # server clock
        ("node_id", pa.string()),
        ("charge_point_id", pa.string()),
        ("connection_id", pa.string()),
        ("direction", pa.string()),  # "in" (from the charger) / "out" (to the charger)
        ("ocpp_version", pa.string()),  # "1.6", "2.0.1", "2.1"
        ("message_type", pa.int8()),  # 2 CALL, 3 CALLRESULT, 4 CALLERROR; null if unparsable
        ("unique_id", pa.string()),
        ("action", pa.string()),  # for results and errors: the action of the call they answer
        ("payload", pa.string()),  # JSON text of the payload (or of the error details)
        ("raw", pa.string()),  # original frame text, only when it could not be parsed
        ("error_code", pa.string()),  # CALLERROR code, sent or received
        ("error_description", pa.string()),
        ("latency_ms", pa.float64()),  # for a result or error: time since its call
    ]
)

METER_VALUES = pa.schema(
    [
        ("received_at", TS),
        ("node_id", pa.string()),
        ("charge_point_id", pa.string()),
        ("ocpp_version", pa.string()),
        ("unique_id", pa.string()),  # of the frame that carried the value
        ("source_action", pa.string()),  # MeterValues, StopTransaction, TransactionEvent, ...
        ("evse_id", pa.int32()),  # 2.0.1 only
        ("connector_id", pa.int32()),
        ("transaction_id", pa.string()),  # 1.6 integer ids are written as text
        ("timestamp", TS),  # charger clock; null if the charger sent an unparsable time
        ("measurand", pa.string()),
        ("phase", pa.string()),
        ("location", pa.string()),
        ("context", pa.string()),
        ("unit", pa.string()),
        ("value", pa.float64()),  # in `unit`; null if the charger sent a non-number
    ]
)

CONNECTION_EVENTS = pa.schema(
    [
        ("at", TS),
        ("node_id", pa.string()),
        ("charge_point_id", pa.string()),
        ("connection_id", pa.string()),
        # connect, disconnect, rejected, offline, superseded
        ("event", pa.string()),
        ("reason", pa.string()),
        ("subprotocol", pa.string()),
        ("remote_address", pa.string()),
        ("close_code", pa.int32()),
        ("http_status", pa.int32()),  # for a rejected handshake
    ]
)

COMMANDS = pa.schema(
    [
        ("requested_at", TS),
        ("node_id", pa.string()),
        ("command_id", pa.string()),
        ("charge_point_id", pa.string()),
        ("action", pa.string()),  # the OCPP action sent, e.g. Reset
        ("requested_by", pa.string()),  # API token name (operator, self_healing), or token:person
        ("reason", pa.string()),  # free text, e.g. a model score
        ("request", pa.string()),  # JSON payload sent
        ("sent_at", TS),
        ("answered_at", TS),
        ("response", pa.string()),  # JSON payload of the answer (or error details)
        ("status", pa.string()),  # the answer's `status` field when it has one
        # answered, call_error, timeout, offline, invalid
        ("outcome", pa.string()),
        ("error_code", pa.string()),
        ("latency_ms", pa.float64()),
    ]
)

TABLES: dict[str, pa.Schema] = {  # append new tables at the end: journals index this order
    "ocpp_messages": OCPP_MESSAGES,
    "meter_values": METER_VALUES,
    "connection_events": CONNECTION_EVENTS,
    "commands": COMMANDS,
}
TABLE_NAMES = tuple(TABLES)  # a row's table index in the journal is its position here
WIDTHS = tuple(len(schema) for schema in TABLES.values())


def timestamp_columns(schema: pa.Schema) -> list[str]:
    """Names of the columns that hold float epoch seconds in rows and timestamps on disk."""
    return [f.name for f in schema if pa.types.is_timestamp(f.type)]


def partition_column(schema: pa.Schema) -> str:
    """The column whose UTC date partitions the table: always the first one."""
    name: str = schema.names[0]
    return name
