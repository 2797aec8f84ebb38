"""How a simulated charger answers the CSMS's commands. Answers are decided at once (inside the
receive loop); the work they imply (a reboot, a session) is scheduled as the charger's own
events, as a real charger acknowledges first and acts after."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ingest.sim.agent import ChargerAgent

RESET_DELAY_S = 3.0
TRIGGERABLE = {"BootNotification", "Heartbeat", "StatusNotification", "MeterValues"}


class AgentAnswers:
    def __init__(self, agent: ChargerAgent) -> None:
        self.agent = agent

    def reset(self, hard: bool) -> str:
        a = self.agent
        a.ctx.stats.resets += 1
        busy = any(p.session is not None for p in a.ports.values())
        if not hard and busy and a.spec.ocpp != "1.6":  # 2.0.1 OnIdle: after the sessions end
            a.pending_reset = "soft"
            return "Scheduled"
        a.push(a.now + RESET_DELAY_S, "reboot", "hard" if hard else "soft")
        return "Accepted"

    def remote_start(self, connector: int | None, id_tag: str) -> str:
        a = self.agent
        free = a.free_connectors()
        chosen = connector if connector in free else (free[0] if free and not connector else None)
        if chosen is None:
            return "Rejected"
        a.ports[chosen].reserved = True
        a.push(a.now + 1.0, "remote_start", (chosen, id_tag))
        return "Accepted"

    def remote_stop(self, transaction_id: str) -> str:
        a = self.agent
        for port in a.ports.values():
            if port.session is not None and port.session.tx == transaction_id:
                a.push(a.now + 1.0, "unplug", (port.connector, port.session.token, "Remote"))
                return "Accepted"
        return "Rejected"

    def change_availability(self, connector: int, operative: bool) -> str:
        a = self.agent
        ports = list(a.ports.values()) if connector == 0 else [a.ports.get(connector)]
        if any(p is None for p in ports):
            return "Rejected"
        busy = False
        for port in ports:
            assert port is not None
            if not operative and port.session is not None:
                port.pending_inoperative = busy = True
            else:
                port.operative = operative
                port.pending_inoperative = False
        a.push(a.now + 1.0, "availability", None)
        return "Scheduled" if busy else "Accepted"

    def trigger(self, message: str, connector: int | None) -> str:
        if message not in TRIGGERABLE:
            return "NotImplemented"
        self.agent.push(self.agent.now + 1.0, "triggered", (message, connector))
        return "Accepted"

    def unlock(self, connector: int) -> str:
        a = self.agent
        f = a.active
        if f is not None and f.type.connector and f.connector == connector:
            return "UnlockFailed"
        port = a.ports.get(connector)
        if port is not None and port.session is not None:
            a.push(a.now + 1.0, "unplug", (connector, port.session.token, "UnlockCommand"))
        return "Unlocked"
