"""A simulated OCPP 2.0.1 charging station: transactions as TransactionEvents with sequence
numbers, and answers to every command the CSMS can send."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from typing import Any

from ocpp.routing import on
from ocpp.v201 import ChargePoint, call, call_result
from ocpp.v201.enums import Action

from ingest.sim.clock import iso

V16_TO_V201_STATUS = {
    "Preparing": "Occupied", "Charging": "Occupied", "SuspendedEV": "Occupied",
    "SuspendedEVSE": "Occupied", "Finishing": "Occupied",
}


class SimChargePoint201(ChargePoint):  # type: ignore[misc]
    def __init__(self, cp_id: str, connection: Any, evses: int = 2) -> None:
        super().__init__(cp_id, connection, response_timeout=15)
        self.evses = evses
        self.register_wh: dict[int, float] = dict.fromkeys(range(1, evses + 1), 0.0)
        self.variables: dict[tuple[str, str], str] = {
            ("OCPPCommCtrlr", "HeartbeatInterval"): "300",
            ("SampledDataCtrlr", "TxUpdatedInterval"): "60",
        }
        self.transactions: dict[int, str] = {}  # evse -> transaction id
        self._seq = itertools.count()
        self.resets: list[str] = []
        self.received: list[tuple[str, dict[str, Any]]] = []

    # -- what the station sends ------------------------------------------------------------

    async def boot(self, model: str = "SimDC150", vendor: str = "CPO-Sim") -> Any:
        return await self.call(call.BootNotification(
            charging_station={"model": model, "vendor_name": vendor, "firmware_version": "2.0"},
            reason="PowerUp"))

    async def status(self, evse: int, status: str, connector: int = 1) -> Any:
        """``status`` may be a 1.6 status; 2.0.1 folds the in-use ones into Occupied."""
        return await self.call(call.StatusNotification(
            timestamp=iso(), connector_status=V16_TO_V201_STATUS.get(status, status),
            evse_id=evse, connector_id=connector))

    async def heartbeat(self) -> Any:
        return await self.call(call.Heartbeat())

    async def authorize(self, token: str) -> Any:
        return await self.call(call.Authorize(id_token={"id_token": token, "type": "ISO14443"}))

    def _meter(self, evse: int, power_w: float, context: str) -> list[dict[str, Any]]:
        return [{"timestamp": iso(), "sampledValue": [
            {"value": self.register_wh[evse], "measurand": "Energy.Active.Import.Register",
             "context": context, "unitOfMeasure": {"unit": "Wh"}},
            {"value": power_w, "measurand": "Power.Active.Import", "context": context,
             "unitOfMeasure": {"unit": "W"}},
        ]}]

    async def _event(self, kind: str, trigger: str, evse: int, tx: str, **extra: Any) -> Any:
        return await self.call(call.TransactionEvent(
            event_type=kind, timestamp=iso(), trigger_reason=trigger, seq_no=next(self._seq),
            transaction_info={"transaction_id": tx, **extra.pop("info", {})},
            evse={"id": evse, "connector_id": 1}, **extra))

    async def start_transaction(self, evse: int, token: str) -> str:
        tx = uuid.uuid4().hex[:20]
        self.transactions[evse] = tx
        await self._event("Started", "Authorized", evse, tx,
                          id_token={"id_token": token, "type": "ISO14443"},
                          meter_value=self._meter(evse, 0.0, "Transaction.Begin"),
                          info={"charging_state": "Charging"})
        return tx

    async def meter(self, evse: int, add_wh: float, power_w: float) -> Any:
        self.register_wh[evse] += add_wh
        return await self._event("Updated", "MeterValuePeriodic", evse, self.transactions[evse],
                                 meter_value=self._meter(evse, power_w, "Sample.Periodic"))

    async def stop_transaction(self, evse: int, reason: str = "Local") -> Any:
        tx = self.transactions.pop(evse)
        return await self._event("Ended", "StopAuthorized", evse, tx,
                                 meter_value=self._meter(evse, 0.0, "Transaction.End"),
                                 info={"stopped_reason": reason})

    # -- what the CSMS may ask ----------------------------------------------------------------

    def _got(self, action: str, **kwargs: Any) -> None:
        self.received.append((action, kwargs))

    @on(Action.reset)
    def on_reset(self, type: str, **kw: Any) -> Any:
        self._got("Reset", type=type)
        self.resets.append(type)
        return call_result.Reset(status="Accepted")

    @on(Action.request_start_transaction)
    def on_request_start(self, id_token: dict[str, Any], remote_start_id: int,
                         evse_id: int | None = None, **kw: Any) -> Any:
        self._got("RequestStartTransaction", id_token=id_token, evse_id=evse_id)
        busy = (evse_id or 1) in self.transactions
        return call_result.RequestStartTransaction(status="Rejected" if busy else "Accepted")

    @on(Action.request_stop_transaction)
    def on_request_stop(self, transaction_id: str, **kw: Any) -> Any:
        self._got("RequestStopTransaction", transaction_id=transaction_id)
        known = transaction_id in self.transactions.values()
        return call_result.RequestStopTransaction(status="Accepted" if known else "Rejected")

    @on(Action.change_availability)
    def on_change_availability(self, operational_status: str, evse: Any = None,
                               **kw: Any) -> Any:
        self._got("ChangeAvailability", operational_status=operational_status, evse=evse)
        return call_result.ChangeAvailability(status="Accepted")

    @on(Action.trigger_message)
    def on_trigger(self, requested_message: str, evse: Any = None, **kw: Any) -> Any:
        self._got("TriggerMessage", requested_message=requested_message)
        if requested_message == "Heartbeat":
            asyncio.get_running_loop().create_task(self.heartbeat())
        return call_result.TriggerMessage(status="Accepted")

    @on(Action.unlock_connector)
    def on_unlock(self, evse_id: int, connector_id: int, **kw: Any) -> Any:
        self._got("UnlockConnector", evse_id=evse_id, connector_id=connector_id)
        return call_result.UnlockConnector(status="Unlocked")

    @on(Action.get_variables)
    def on_get_variables(self, get_variable_data: list[dict[str, Any]], **kw: Any) -> Any:
        self._got("GetVariables", get_variable_data=get_variable_data)
        results = []
        for item in get_variable_data:
            key = (item["component"]["name"], item["variable"]["name"])
            value = self.variables.get(key)
            result = {"attribute_status": "Accepted" if value is not None else "UnknownVariable",
                      "component": item["component"], "variable": item["variable"]}
            if value is not None:
                result["attribute_value"] = value
            results.append(result)
        return call_result.GetVariables(get_variable_result=results)

    @on(Action.set_variables)
    def on_set_variables(self, set_variable_data: list[dict[str, Any]], **kw: Any) -> Any:
        self._got("SetVariables", set_variable_data=set_variable_data)
        results = []
        for item in set_variable_data:
            key = (item["component"]["name"], item["variable"]["name"])
            known = key in self.variables
            if known:
                self.variables[key] = item["attribute_value"]
            results.append({"attribute_status": "Accepted" if known else "UnknownVariable",
                            "component": item["component"], "variable": item["variable"]})
        return call_result.SetVariables(set_variable_result=results)

    @on(Action.clear_cache)
    def on_clear_cache(self, **kw: Any) -> Any:
        self._got("ClearCache")
        return call_result.ClearCache(status="Accepted")

    @on(Action.set_charging_profile)
    def on_set_charging_profile(self, evse_id: int, charging_profile: dict[str, Any],
                                **kw: Any) -> Any:
        self._got("SetChargingProfile", evse_id=evse_id)
        return call_result.SetChargingProfile(status="Accepted")
