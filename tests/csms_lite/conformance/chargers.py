"""The simulator's charge points plus the commands it does not answer yet (smart charging
queries, data transfer, local list, reservations), answered as the scenario's script says."""

from __future__ import annotations

from typing import Any, Protocol

from ocpp.routing import on
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201

from ingest.sim.chargepoint_v16 import SimChargePoint16
from ingest.sim.chargepoint_v201 import SimChargePoint201
from tests.csms_lite.conformance.file_transfers import FileTransfers16, FileTransfers201


class Scripted(Protocol):
    status: dict[str, str]
    local_list_version: int


SCHEDULE = {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0,
                                                                 "limit": 16.0}]}


class Charger16(FileTransfers16, SimChargePoint16):
    script: Scripted

    def _answer(self, action: str, default: str, **kw: Any) -> str:
        self._got(action, **kw)
        return self.script.status.get(action, default)

    @on(Action16.clear_charging_profile)
    def on_clear_charging_profile(self, **kw: Any) -> Any:
        return result16.ClearChargingProfile(self._answer("ClearChargingProfile", "Accepted",
                                                          **kw))

    @on(Action16.get_composite_schedule)
    def on_get_composite_schedule(self, connector_id: int, duration: int, **kw: Any) -> Any:
        status = self._answer("GetCompositeSchedule", "Accepted", connector_id=connector_id)
        if status != "Accepted":
            return result16.GetCompositeSchedule(status=status)
        return result16.GetCompositeSchedule(
            status=status, connector_id=connector_id, schedule_start="2026-03-01T00:00:00Z",
            charging_schedule={"duration": duration, **SCHEDULE})

    @on(Action16.data_transfer)
    def on_data_transfer(self, vendor_id: str, **kw: Any) -> Any:
        status = self._answer("DataTransfer", "UnknownVendorId", vendor_id=vendor_id, **kw)
        return result16.DataTransfer(status=status, data="pong" if status == "Accepted"
                                     else None)

    @on(Action16.get_local_list_version)
    def on_get_local_list_version(self, **kw: Any) -> Any:
        self._got("GetLocalListVersion")
        return result16.GetLocalListVersion(list_version=self.script.local_list_version)

    @on(Action16.send_local_list)
    def on_send_local_list(self, list_version: int, update_type: str, **kw: Any) -> Any:
        status = self._answer("SendLocalList", "Accepted", list_version=list_version,
                              update_type=update_type, **kw)
        if status == "Accepted":
            self.script.local_list_version = list_version
        return result16.SendLocalList(status=status)

    @on(Action16.reserve_now)
    def on_reserve_now(self, connector_id: int, reservation_id: int, **kw: Any) -> Any:
        return result16.ReserveNow(self._answer("ReserveNow", "Accepted",
                                                connector_id=connector_id,
                                                reservation_id=reservation_id))

    @on(Action16.cancel_reservation)
    def on_cancel_reservation(self, reservation_id: int, **kw: Any) -> Any:
        return result16.CancelReservation(self._answer("CancelReservation", "Accepted",
                                                       reservation_id=reservation_id))


class Charger201(FileTransfers201, SimChargePoint201):
    script: Scripted

    def _answer(self, action: str, default: str, **kw: Any) -> str:
        self._got(action, **kw)
        return self.script.status.get(action, default)

    @on(Action201.clear_charging_profile)
    def on_clear_charging_profile(self, **kw: Any) -> Any:
        return result201.ClearChargingProfile(self._answer("ClearChargingProfile", "Accepted",
                                                           **kw))

    @on(Action201.get_composite_schedule)
    def on_get_composite_schedule(self, evse_id: int, duration: int, **kw: Any) -> Any:
        status = self._answer("GetCompositeSchedule", "Accepted", evse_id=evse_id)
        if status != "Accepted":
            return result201.GetCompositeSchedule(status=status)
        return result201.GetCompositeSchedule(status=status, schedule={
            "evse_id": evse_id, "duration": duration, "schedule_start": "2026-03-01T00:00:00Z",
            "charging_rate_unit": "A",
            "charging_schedule_period": [{"start_period": 0, "limit": 16.0}]})

    @on(Action201.data_transfer)
    def on_data_transfer(self, vendor_id: str, **kw: Any) -> Any:
        status = self._answer("DataTransfer", "UnknownVendorId", vendor_id=vendor_id, **kw)
        return result201.DataTransfer(status=status, data="pong" if status == "Accepted"
                                      else None)

    @on(Action201.get_local_list_version)
    def on_get_local_list_version(self, **kw: Any) -> Any:
        self._got("GetLocalListVersion")
        return result201.GetLocalListVersion(version_number=self.script.local_list_version)

    @on(Action201.send_local_list)
    def on_send_local_list(self, version_number: int, update_type: str, **kw: Any) -> Any:
        status = self._answer("SendLocalList", "Accepted", version_number=version_number,
                              update_type=update_type, **kw)
        if status == "Accepted":
            self.script.local_list_version = version_number
        return result201.SendLocalList(status=status)

    @on(Action201.reserve_now)
    def on_reserve_now(self, id: int, **kw: Any) -> Any:
        return result201.ReserveNow(self._answer("ReserveNow", "Accepted", id=id))

    @on(Action201.cancel_reservation)
    def on_cancel_reservation(self, reservation_id: int, **kw: Any) -> Any:
        return result201.CancelReservation(self._answer("CancelReservation", "Accepted",
                                                        reservation_id=reservation_id))
