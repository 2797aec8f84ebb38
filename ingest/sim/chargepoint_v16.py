"""A simulated OCPP 1.6J charge point: sends what a real one sends and answers every command
the CSMS can send the way a real one would."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action

from ingest.sim.clock import iso
from ingest.sim.command_answers import CommandAnswers
from ingest.sim.counted import CountsCalls
from ingest.sim.smart_charging import ProfileStore, parse_profile


class SimChargePoint16(CountsCalls, ChargePoint):  # type: ignore[misc]
    """State kept: energy register per connector, availability, configuration, open tx."""

    def __init__(self, cp_id: str, connection: Any, connectors: int = 2,
                 now: Callable[[], float] = time.time,
                 answers: CommandAnswers | None = None) -> None:
        super().__init__(cp_id, connection, response_timeout=15)
        self.now, self.answers = now, answers
        self.connectors = connectors
        self.register_wh: dict[int, int] = dict.fromkeys(range(1, connectors + 1), 0)
        self.available: dict[int, bool] = dict.fromkeys(range(0, connectors + 1), True)
        self.config: dict[str, str] = {"HeartbeatInterval": "300", "MeterValueSampleInterval": "60"}
        self.transactions: dict[int, int] = {}  # connector -> transaction id
        self.resets: list[str] = []
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.profiles = ProfileStore()  # installed charging profiles, obeyed by limit_w
        self.rating_w = 22_000.0
        self.tx_started: dict[int, float] = {}  # connector -> when its transaction started

    # -- what the charger sends ------------------------------------------------------------

    async def boot(self, model: str = "SimAC22", vendor: str = "CPO-Sim",
                   firmware: str = "1.0.0", serial: str | None = None) -> Any:
        return await self.call(call.BootNotification(
            charge_point_model=model, charge_point_vendor=vendor, firmware_version=firmware,
            charge_point_serial_number=serial), skip_schema_validation=True)

    # ``at`` (epoch seconds) stamps the payload with a given time instead of ``now()``: a replay
    # of historical sessions sends the times they happened.

    def _iso(self, at: float | None) -> str:
        return iso(self.now() if at is None else at)

    async def status(self, connector: int, status: str, error_code: str = "NoError",
                     at: float | None = None, vendor_error_code: str | None = None) -> Any:
        return await self.call(call.StatusNotification(
            connector_id=connector, error_code=error_code, status=status,
            timestamp=self._iso(at), vendor_error_code=vendor_error_code),
            skip_schema_validation=True)

    async def heartbeat(self) -> Any:
        return await self.call(call.Heartbeat(), skip_schema_validation=True)

    async def authorize(self, id_tag: str) -> Any:
        return await self.call(call.Authorize(id_tag=id_tag), skip_schema_validation=True)

    async def start_transaction(self, connector: int, id_tag: str, at: float | None = None) -> int:
        res = await self.call(call.StartTransaction(
            connector_id=connector, id_tag=id_tag, meter_start=self.register_wh[connector],
            timestamp=self._iso(at)), skip_schema_validation=True)
        self.transactions[connector] = res.transaction_id
        self.tx_started[connector] = self.now() if at is None else at
        return int(res.transaction_id)

    async def meter(self, connector: int, add_wh: int, power_w: float,
                    at: float | None = None, soc: float | None = None,
                    temperature_c: float | None = None) -> Any:
        self.register_wh[connector] += add_wh
        sampled = [
            {"value": str(self.register_wh[connector]), "measurand":
             "Energy.Active.Import.Register", "unit": "Wh", "context": "Sample.Periodic"},
            {"value": f"{power_w:.1f}", "measurand": "Power.Active.Import", "unit": "W"},
        ]
        if soc is not None:
            sampled.append({"value": f"{soc:.0f}", "measurand": "SoC", "unit": "Percent",
                            "location": "EV"})
        if temperature_c is not None:
            sampled.append({"value": f"{temperature_c:.1f}", "measurand": "Temperature",
                            "unit": "Celsius", "location": "Body"})
        return await self.call(call.MeterValues(
            connector_id=connector, transaction_id=self.transactions.get(connector),
            meter_value=[{"timestamp": self._iso(at), "sampledValue": sampled}]),
            skip_schema_validation=True)

    async def stop_transaction(self, connector: int, reason: str = "Local",
                               at: float | None = None) -> Any:
        tx = self.transactions.pop(connector)
        self.tx_started.pop(connector, None)
        self.profiles.end_transaction(connector)
        return await self.call(call.StopTransaction(
            meter_stop=self.register_wh[connector], timestamp=self._iso(at), transaction_id=tx,
            reason=reason), skip_schema_validation=True)

    # -- what the CSMS may ask ----------------------------------------------------------------

    def _got(self, action: str, **kwargs: Any) -> None:
        self.received.append((action, kwargs))

    @on(Action.reset)
    def on_reset(self, type: str, **kw: Any) -> Any:
        self._got("Reset", type=type)
        self.resets.append(type)
        return call_result.Reset(status=self.answers.reset(type == "Hard") if self.answers
                                 else "Accepted")

    @on(Action.remote_start_transaction)
    def on_remote_start(self, id_tag: str, connector_id: int | None = None, **kw: Any) -> Any:
        self._got("RemoteStartTransaction", id_tag=id_tag, connector_id=connector_id)
        if self.answers:
            return call_result.RemoteStartTransaction(
                status=self.answers.remote_start(connector_id, id_tag))
        free = connector_id or 1
        status = "Rejected" if free in self.transactions else "Accepted"
        return call_result.RemoteStartTransaction(status=status)

    @on(Action.remote_stop_transaction)
    def on_remote_stop(self, transaction_id: int, **kw: Any) -> Any:
        self._got("RemoteStopTransaction", transaction_id=transaction_id)
        if self.answers:
            return call_result.RemoteStopTransaction(
                status=self.answers.remote_stop(str(transaction_id)))
        known = transaction_id in self.transactions.values()
        return call_result.RemoteStopTransaction(status="Accepted" if known else "Rejected")

    @on(Action.change_availability)
    def on_change_availability(self, connector_id: int, type: str, **kw: Any) -> Any:
        self._got("ChangeAvailability", connector_id=connector_id, type=type)
        if self.answers:
            return call_result.ChangeAvailability(
                status=self.answers.change_availability(connector_id, type == "Operative"))
        self.available[connector_id] = type == "Operative"
        busy = connector_id in self.transactions
        return call_result.ChangeAvailability(status="Scheduled" if busy else "Accepted")

    @on(Action.trigger_message)
    def on_trigger(self, requested_message: str, connector_id: int | None = None,
                   **kw: Any) -> Any:
        self._got("TriggerMessage", requested_message=requested_message)
        if self.answers:
            return call_result.TriggerMessage(
                status=self.answers.trigger(requested_message, connector_id))
        if requested_message == "Heartbeat":
            asyncio.get_running_loop().create_task(self.heartbeat())
        return call_result.TriggerMessage(status="Accepted")

    @on(Action.unlock_connector)
    def on_unlock(self, connector_id: int, **kw: Any) -> Any:
        self._got("UnlockConnector", connector_id=connector_id)
        return call_result.UnlockConnector(
            status=self.answers.unlock(connector_id) if self.answers else "Unlocked")

    @on(Action.get_configuration)
    def on_get_configuration(self, key: list[str] | None = None, **kw: Any) -> Any:
        self._got("GetConfiguration", key=key)
        wanted = key or list(self.config)
        known = [{"key": k, "readonly": False, "value": self.config[k]}
                 for k in wanted if k in self.config]
        unknown = [k for k in wanted if k not in self.config]
        return call_result.GetConfiguration(configuration_key=known, unknown_key=unknown or None)

    @on(Action.change_configuration)
    def on_change_configuration(self, key: str, value: str, **kw: Any) -> Any:
        self._got("ChangeConfiguration", key=key, value=value)
        if key not in self.config:
            return call_result.ChangeConfiguration(status="NotSupported")
        self.config[key] = value
        return call_result.ChangeConfiguration(status="Accepted")

    @on(Action.clear_cache)
    def on_clear_cache(self, **kw: Any) -> Any:
        self._got("ClearCache")
        return call_result.ClearCache(status="Accepted")

    @on(Action.set_charging_profile)
    def on_set_charging_profile(self, connector_id: int, cs_charging_profiles: dict[str, Any],
                                **kw: Any) -> Any:
        self._got("SetChargingProfile", connector_id=connector_id)
        profile = parse_profile(cs_charging_profiles, connector_id, self.now(),
                                self.tx_started.get(connector_id))
        has_tx = connector_id in self.transactions
        return call_result.SetChargingProfile(status=self.profiles.install(profile, has_tx))

    @on(Action.clear_charging_profile)
    def on_clear_charging_profile(self, id: int | None = None, connector_id: int | None = None,
                                  charging_profile_purpose: str | None = None,
                                  stack_level: int | None = None, **kw: Any) -> Any:
        self._got("ClearChargingProfile", id=id, connector_id=connector_id)
        cleared = self.profiles.clear(id, connector_id, charging_profile_purpose, stack_level)
        return call_result.ClearChargingProfile(status="Accepted" if cleared else "Unknown")

    @on(Action.get_composite_schedule)
    def on_get_composite_schedule(self, connector_id: int, duration: int,
                                  charging_rate_unit: str | None = None, **kw: Any) -> Any:
        self._got("GetCompositeSchedule", connector_id=connector_id, duration=duration)
        now = self.now()
        periods = self.profiles.composite(connector_id, now, duration,
                                          connector_id in self.transactions, self.rating_w)
        return call_result.GetCompositeSchedule(
            status="Accepted", connector_id=connector_id, schedule_start=iso(now),
            charging_schedule={"duration": duration, "charging_rate_unit": "W",
                               "charging_schedule_period": [
                                   {"start_period": int(at), "limit": round(w, 1)}
                                   for at, w in periods]})

    def limit_w(self, connector: int, at: float | None = None) -> float:
        """What the installed profiles let the connector draw now (W), at most its rating."""
        t = self.now() if at is None else at
        return min(self.rating_w, self.profiles.limit_w(connector, t,
                                                        connector in self.transactions))
