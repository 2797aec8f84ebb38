"""Flatten OCPP meter values into ``meter_values`` lake rows: one row per sampled value.

Defaults the specifications give for omitted fields are filled in, so downstream SQL never has
to know them: measurand ``Energy.Active.Import.Register``, unit ``Wh``, context
``Sample.Periodic``, location ``Outlet``. 2.0.1's ``unitOfMeasure.multiplier`` is applied to the
value (value x 10^multiplier), the unit kept as given.
"""

from __future__ import annotations

from typing import Any

from csms_lite.handlers.context import CallContext, Row
from csms_lite.timefmt import parse_epoch

DEFAULT_MEASURAND = "Energy.Active.Import.Register"


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None  # e.g. 1.6 SignedData
    return None


def _row(
    ctx: CallContext, action: str, where: tuple[int | None, int | None, str | None],
    ts: float | None, sv: dict[str, Any], unit: str, value: float | None,
) -> Row:
    evse_id, connector_id, tx = where
    return (
        "meter_values",
        (
            ctx.now, ctx.node_id, ctx.charger.charge_point_id, ctx.charger.ocpp_version,
            ctx.unique_id, action, evse_id, connector_id, tx, ts,
            sv.get("measurand", DEFAULT_MEASURAND), sv.get("phase"),
            sv.get("location", "Outlet"), sv.get("context", "Sample.Periodic"), unit, value,
        ),
    )


def add_v16(
    ctx: CallContext, action: str, connector_id: int | None, transaction_id: Any,
    meter_value: list[dict[str, Any]],
) -> None:
    tx = None if transaction_id is None else str(transaction_id)
    for mv in meter_value:
        ts = parse_epoch(mv.get("timestamp"))
        for sv in mv.get("sampledValue", ()):
            ctx.rows.append(_row(ctx, action, (None, connector_id, tx), ts, sv,
                                 sv.get("unit", "Wh"), _number(sv.get("value"))))


def add_v2(
    ctx: CallContext, action: str, evse_id: int | None, connector_id: int | None,
    transaction_id: str | None, meter_value: list[dict[str, Any]],
) -> None:
    for mv in meter_value:
        ts = parse_epoch(mv.get("timestamp"))
        for sv in mv.get("sampledValue", ()):
            uom = sv.get("unitOfMeasure") or {}
            value = _number(sv.get("value"))
            multiplier = uom.get("multiplier", 0)
            if value is not None and multiplier:
                value *= 10.0**multiplier
            ctx.rows.append(_row(ctx, action, (evse_id, connector_id, transaction_id), ts, sv,
                                 uom.get("unit", "Wh"), value))


def add_register(
    ctx: CallContext, action: str, connector_id: int | None, transaction_id: str | None,
    ts: float | None, wh: float, context: str,
) -> None:
    """1.6 meterStart/meterStop: the energy register at the start or end of a transaction."""
    sv = {"context": context}
    ctx.rows.append(_row(ctx, action, (None, connector_id, transaction_id), ts, sv, "Wh", wh))
