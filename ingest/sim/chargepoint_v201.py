"""A simulated OCPP 2.0.1 charging station: transactions as TransactionEvents with sequence
numbers, and answers to every command the CSMS can send."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Callable
from typing import Any

from ocpp.routing import on
from ocpp.v201 import ChargePoint, call, call_result
from ocpp.v201.enums import Action

from ingest.sim.clock import iso
from ingest.sim.command_answers import CommandAnswers
from ingest.sim.counted import CountsCalls
from ingest.sim.smart_charging import ProfileStore, parse_profile

V16_TO_V201_STATUS = {
    "Preparing": "Occupied", "Charging": "Occupied", "SuspendedEV": "Occupied",
    "SuspendedEVSE": "Occupied", "Finishing": "Occupied",
}


class SimChargePoint201(CountsCalls, ChargePoint):  # type: ignore[misc]
    def __init__(self, cp_id: str, connection: Any, evses: int = 2,
                 now: Callable[[], float] = time.time, answers: CommandAnswers | None = None,
                 new_tx_id: Callable[[], str] = lambda: uuid.uuid4().hex[:20]) -> None:
        super().__init__(cp_id, connection, response_timeout=15)
        self.now, self.answers, self.new_tx_id = now, answers, new_tx_id
        self.evses = evses
        self.register_wh: dict[int, float] = dict.fromkeys(range(1, evses + 1), 0.0)
        self.variables: dict[tuple[str, str], str] = {
            ("OCPPCommCtrlr", "HeartbeatInterval"): "300",
            ("SampledDataCtrlr", "TxUpdatedInterval"): "60",
        }
        self.transactions: dict[int, str] = {}  # evse -> transaction id
        self._seq = itertools.count()
        self._event_ids = itertools.count(1)  # apart from seq_no, whose gaps the CSMS counts
        self.resets: list[str] = []
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.profiles = ProfileStore()  # installed charging profiles, obeyed by limit_w
        self.rating_w = 22_000.0
        self.tx_started: dict[int, float] = {}  # evse -> when its transaction started

    # -- what the station sends ------------------------------------------------------------

    async def boot(self, model: str = "SimDC150", vendor: str = "CPO-Sim",
                   firmware: str = "2.0", reason: str = "PowerUp",
                   serial: str | None = None) -> Any:
        station: dict[str, Any] = {"model": model, "vendor_name": vendor,
                                   "firmware_version": firmware}
        if serial is not None:
            station["serial_number"] = serial
        return await self.call(call.BootNotification(charging_station=station, reason=reason),
                               skip_schema_validation=True)

    def _iso(self) -> str:
        return iso(self.now())

    async def status(self, evse: int, status: str, connector: int = 1) -> Any:
        """``status`` may be a 1.6 status; 2.0.1 folds the in-use ones into Occupied."""
        return await self.call(call.StatusNotification(
            timestamp=self._iso(), connector_status=V16_TO_V201_STATUS.get(status, status),
            evse_id=evse, connector_id=connector), skip_schema_validation=True)

    async def notify_error(self, evse: int, code: str, cleared: bool = False) -> Any:
        """A device-model alert: what 2.0.1 sends where 1.6 puts an errorCode in a status."""
        event = {"event_id": next(self._event_ids), "timestamp": self._iso(), "trigger": "Alerting",
                 "actual_value": "true" if not cleared else "false", "tech_code": code,
                 "event_notification_type": "HardWiredNotification", "cleared": cleared,
                 "component": {"name": "EVSE", "evse": {"id": evse}},
                 "variable": {"name": "Problem"}}
        return await self.call(call.NotifyEvent(generated_at=self._iso(), seq_no=0,
                                                event_data=[event]),
                               skip_schema_validation=True)

    async def heartbeat(self) -> Any:
        return await self.call(call.Heartbeat(), skip_schema_validation=True)

    async def authorize(self, token: str) -> Any:
        return await self.call(call.Authorize(id_token={"id_token": token, "type": "ISO14443"}),
                               skip_schema_validation=True)

    async def notify_temperature(self, celsius: float) -> Any:
        """2.0.1 has no Temperature measurand: a periodic monitor reports it as an event."""
        event = {"event_id": next(self._event_ids), "timestamp": self._iso(),
                 "trigger": "Periodic", "actual_value": f"{celsius:.1f}",
                 "event_notification_type": "PreconfiguredMonitor",
                 "component": {"name": "ChargingStation"}, "variable": {"name": "Temperature"}}
        return await self.call(call.NotifyEvent(generated_at=self._iso(), seq_no=0,
                                                event_data=[event]),
                               skip_schema_validation=True)

    def _meter(self, evse: int, power_w: float, context: str,
               soc: float | None = None) -> list[dict[str, Any]]:
        sampled: list[dict[str, Any]] = [
            {"value": self.register_wh[evse], "measurand": "Energy.Active.Import.Register",
             "context": context, "unitOfMeasure": {"unit": "Wh"}},
            {"value": power_w, "measurand": "Power.Active.Import", "context": context,
             "unitOfMeasure": {"unit": "W"}},
        ]
        if soc is not None:
            sampled.append({"value": round(soc), "measurand": "SoC", "context": context,
                            "location": "EV", "unitOfMeasure": {"unit": "Percent"}})
        return [{"timestamp": self._iso(), "sampledValue": sampled}]

    async def _event(self, kind: str, trigger: str, evse: int, tx: str, **extra: Any) -> Any:
        return await self.call(call.TransactionEvent(
            event_type=kind, timestamp=self._iso(), trigger_reason=trigger,
            seq_no=next(self._seq), transaction_info={"transaction_id": tx,
                                                      **extra.pop("info", {})},
            evse={"id": evse, "connector_id": 1}, **extra), skip_schema_validation=True)

    async def start_transaction(self, evse: int, token: str,
                                remote_start_id: int | None = None) -> str:
        tx = self.new_tx_id()
        self.transactions[evse] = tx
        self.tx_started[evse] = self.now()
        info: dict[str, Any] = {"charging_state": "Charging"}
        if remote_start_id is not None:
            info["remote_start_id"] = remote_start_id
        await self._event("Started", "RemoteStart" if remote_start_id is not None
                          else "Authorized", evse, tx,
                          id_token={"id_token": token, "type": "ISO14443"},
                          meter_value=self._meter(evse, 0.0, "Transaction.Begin"),
                          info=info)
        return tx

    async def meter(self, evse: int, add_wh: float, power_w: float,
                    soc: float | None = None) -> Any:
        self.register_wh[evse] += add_wh
        return await self._event("Updated", "MeterValuePeriodic", evse, self.transactions[evse],
                                 meter_value=self._meter(evse, power_w, "Sample.Periodic", soc))

    async def charging_state(self, evse: int, state: str) -> Any:
        """The EV stopped drawing (SuspendedEV) or resumed: the start of an overstay."""
        return await self._event("Updated", "ChargingStateChanged", evse,
                                 self.transactions[evse], info={"charging_state": state})

    async def stop_transaction(self, evse: int, reason: str = "Local") -> Any:
        tx = self.transactions.pop(evse)
        self.tx_started.pop(evse, None)
        self.profiles.end_transaction(evse)
        trigger = {"Remote": "RemoteStop", "ImmediateReset": "ResetCommand",
                   "EVDisconnected": "EVCommunicationLost"}.get(reason, "StopAuthorized")
        return await self._event("Ended", trigger, evse, tx,
                                 meter_value=self._meter(evse, 0.0, "Transaction.End"),
                                 info={"stopped_reason": reason})

    # -- what the CSMS may ask ----------------------------------------------------------------

    def _got(self, action: str, **kwargs: Any) -> None:
        self.received.append((action, kwargs))

    @on(Action.reset)
    def on_reset(self, type: str, **kw: Any) -> Any:
        self._got("Reset", type=type)
        self.resets.append(type)
        return call_result.Reset(status=self.answers.reset(type == "Immediate") if self.answers
                                 else "Accepted")

    @on(Action.request_start_transaction)
    def on_request_start(self, id_token: dict[str, Any], remote_start_id: int,
                         evse_id: int | None = None, **kw: Any) -> Any:
        self._got("RequestStartTransaction", id_token=id_token, evse_id=evse_id)
        if self.answers:
            return call_result.RequestStartTransaction(
                status=self.answers.remote_start(evse_id, id_token["id_token"]))
        busy = (evse_id or 1) in self.transactions
        return call_result.RequestStartTransaction(status="Rejected" if busy else "Accepted")

    @on(Action.request_stop_transaction)
    def on_request_stop(self, transaction_id: str, **kw: Any) -> Any:
        self._got("RequestStopTransaction", transaction_id=transaction_id)
        if self.answers:
            return call_result.RequestStopTransaction(
                status=self.answers.remote_stop(transaction_id))
        known = transaction_id in self.transactions.values()
        return call_result.RequestStopTransaction(status="Accepted" if known else "Rejected")

    @on(Action.change_availability)
    def on_change_availability(self, operational_status: str, evse: Any = None,
                               **kw: Any) -> Any:
        self._got("ChangeAvailability", operational_status=operational_status, evse=evse)
        if self.answers:
            return call_result.ChangeAvailability(status=self.answers.change_availability(
                (evse or {}).get("id", 0), operational_status == "Operative"))
        return call_result.ChangeAvailability(status="Accepted")

    @on(Action.trigger_message)
    def on_trigger(self, requested_message: str, evse: Any = None, **kw: Any) -> Any:
        self._got("TriggerMessage", requested_message=requested_message)
        if self.answers:
            return call_result.TriggerMessage(status=self.answers.trigger(
                requested_message, (evse or {}).get("id")))
        if requested_message == "Heartbeat":
            asyncio.get_running_loop().create_task(self.heartbeat())
        return call_result.TriggerMessage(status="Accepted")

    @on(Action.unlock_connector)
    def on_unlock(self, evse_id: int, connector_id: int, **kw: Any) -> Any:
        self._got("UnlockConnector", evse_id=evse_id, connector_id=connector_id)
        return call_result.UnlockConnector(
            status=self.answers.unlock(evse_id) if self.answers else "Unlocked")

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
        profile = parse_profile(charging_profile, evse_id, self.now(),
                                self.tx_started.get(evse_id))
        running = self.transactions.get(evse_id)
        has_tx = running is not None and profile.transaction_id in (None, running)
        return call_result.SetChargingProfile(status=self.profiles.install(profile, has_tx))

    @on(Action.clear_charging_profile)
    def on_clear_charging_profile(self, charging_profile_id: int | None = None,
                                  charging_profile_criteria: dict[str, Any] | None = None,
                                  **kw: Any) -> Any:
        self._got("ClearChargingProfile", charging_profile_id=charging_profile_id)
        c = charging_profile_criteria or {}
        cleared = self.profiles.clear(charging_profile_id, c.get("evse_id"),
                                      c.get("charging_profile_purpose"), c.get("stack_level"))
        return call_result.ClearChargingProfile(status="Accepted" if cleared else "Unknown")

    @on(Action.get_composite_schedule)
    def on_get_composite_schedule(self, evse_id: int, duration: int,
                                  charging_rate_unit: str | None = None, **kw: Any) -> Any:
        self._got("GetCompositeSchedule", evse_id=evse_id, duration=duration)
        now = self.now()
        periods = self.profiles.composite(evse_id, now, duration,
                                          evse_id in self.transactions, self.rating_w)
        return call_result.GetCompositeSchedule(status="Accepted", schedule={
            "evse_id": evse_id, "duration": duration, "schedule_start": iso(now),
            "charging_rate_unit": "W", "charging_schedule_period": [
                {"start_period": int(at), "limit": round(w, 1)} for at, w in periods]})

    def limit_w(self, evse: int, at: float | None = None) -> float:
        """What the installed profiles let the EVSE draw now (W), at most its rating."""
        t = self.now() if at is None else at
        return min(self.rating_w, self.profiles.limit_w(evse, t, evse in self.transactions))
