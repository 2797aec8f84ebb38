"""The demo's operator names the port as each OCPP version's commands do."""

from __future__ import annotations

from typing import Any

from csms_lite.commands.build import build
from csms_lite.versions import BY_NAME
from workbench.runs.demo_operator import DemoOperator


class _Answer:
    status, outcome, error = "Accepted", "answered", None


class _Http:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict[str, Any]]] = []

    async def command(self, cp_id: str, command: str, params: dict[str, Any],
                      **kw: Any) -> _Answer:
        self.sent.append((cp_id, command, params))
        return _Answer()


async def test_each_version_gets_params_it_takes() -> None:
    http = _Http()
    chargers = [{"charge_point_id": cp, "connected": True, "ocpp_version": v,
                 "open_transactions": []} for cp, v in (("A", "1.6"), ("B", "2.0.1"))]
    await DemoOperator(0.0, lambda _: None)._showcase(http, chargers)  # type: ignore[arg-type]
    versions = {"A": "1.6", "B": "2.0.1"}
    for cp_id, command, params in http.sent:
        build(command, params, BY_NAME[versions[cp_id]])  # raises if the version refuses them
    assert ("B", "change_availability", {"available": False, "evse_id": 1}) in http.sent
    assert ("A", "change_availability", {"available": False, "connector_id": 1}) in http.sent
