"""What a simulated charger does at each of its events. Each handler changes the charger's state
first (synchronously, so other agents see a deterministic state) and then talks to the CSMS."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

from ingest.sim.agent import REBOOT_DOWN_S, ChargerAgent
from ingest.sim.demand import Visit, draw_visit
from ingest.sim.faults import CHARGEX_CODES, NOISE_CODES_PER_DAY, NOISE_REBOOTS_PER_DAY, Fault
from ingest.sim.ports import Port, Session
from ingest.sim.tags import Tag

Handler = Callable[[ChargerAgent, float, Any], Awaitable[None]]
STOP_REASON_BY_REBOOT = {"soft": "SoftReset", "hard": "HardReset", "watchdog": "Reboot",
                         "technician": "Reboot"}
BOOT_REASON = {"soft": "RemoteReset", "hard": "RemoteReset", "watchdog": "Watchdog",
               "technician": "PowerUp"}


# -- boot, link and heartbeat ------------------------------------------------------------------

async def boot(a: ChargerAgent, at: float, reason: str) -> None:
    if a.station is None and not await a.connect():
        return
    answer = await a.send("boot", a.spec.vendor, a.spec.model, f"SN-{a.spec.id}", reason)
    if answer is None:
        return
    status, interval = answer
    if status != "Accepted":
        a.push(a.now + max(interval, 60), "boot", reason)
        return
    a.heartbeat_s, a.booting = float(interval or a.heartbeat_s), False
    for port in a.ports.values():
        await report(a, port)
    a.hb_token += 1
    a.push(a.now + a.heartbeat_s, "heartbeat", a.hb_token)


async def reconnect(a: ChargerAgent, at: float, _: Any) -> None:
    if (a.active is not None and a.active.type.offline) or a.station is not None:
        return  # a lost-link fault has its own retry cycle
    await boot(a, at, "Unknown")


async def heartbeat(a: ChargerAgent, at: float, token: int) -> None:
    if token != a.hb_token or a.booting:
        return
    if a.now - a.last_sent >= 0.9 * a.heartbeat_s:  # other traffic counts as a sign of life
        await a.send("heartbeat")
    x, kind = a.intensity(a.now)
    sd = 5.0 + (x * kind.jitter * a.heartbeat_s if kind else 0.0)
    gap = max(a.heartbeat_s + a.jitter(a.rng, sd), 0.2 * a.heartbeat_s)
    a.push(max(a.last_sent + gap, a.now + 1.0), "heartbeat", token)


async def report(a: ChargerAgent, port: Port) -> None:
    """Send the port's status as it is now."""
    state, code = _state(a, port)
    port.state = state
    await a.send("status", port.connector, state, code)


def _state(a: ChargerAgent, port: Port) -> tuple[str, str | None]:
    f = a.active
    if f is not None and not f.type.offline and (not f.type.connector
                                                 or f.connector == port.connector):
        return "Faulted", f.type.onset_code
    if port.session is not None:
        charging = a.now < port.session.charged_by
        return ("Charging" if charging else "SuspendedEV"), None
    return ("Available" if port.operative else "Unavailable"), None


# -- sessions ---------------------------------------------------------------------------------

async def visit(a: ChargerAgent, at: float, arg: tuple[Visit, int]) -> None:
    v, c = arg
    await _session(a, v, c, remote_id=None)


async def remote_start(a: ChargerAgent, at: float, arg: tuple[int, str]) -> None:
    c, id_tag = arg
    v = draw_visit(a.rng, a.ctx.profile.demand, a.now, a.spec.kind, Tag(id_tag, None, "Accepted"))
    await _session(a, v, c, remote_id=a.new_token())


async def _session(a: ChargerAgent, v: Visit, c: int, remote_id: int | None) -> None:
    port = a.ports[c]
    port.reserved = False
    if a.booting or a.station is None or port.session is not None or not port.operative \
            or port.state not in ("Available", "Preparing"):
        a.truth("turned_away", connector_id=c, end=a.now, detail="port no longer free")
        a.ctx.stats.turned_away += 1
        return
    port.state = "Preparing"
    await a.send("status", c, "Preparing", None)
    if remote_id is None:
        status = await a.send("authorize", v.tag.id_tag)
        if status != "Accepted":
            a.ctx.stats.rejected_tags += 1
            a.truth("failed_start", connector_id=c, end=a.now, detail=f"authorize {status}")
            await _to_idle(a, port)
            return
    x, kind = a.intensity(a.now)
    failed = kind is not None and a.rng.random() < x * kind.failed_start
    power = _power(a, v)
    token = a.new_token()
    want = 0 if failed else round(v.want_kwh * 1000.0)
    leaves = a.now + (a.rng.uniform(60.0, 180.0) if failed else max(v.dwell_s, 120.0))
    charged_by = min(a.now + want / power * 3600.0, leaves)
    session = Session(v, c, power, a.now, charged_by, leaves, a.registers_now(c), want, token)
    port.session = session
    session.tx = await a.send("start", c, v.tag.id_tag, remote_id)
    if session.tx is None:
        return
    if failed:
        assert kind is not None
        a.ctx.stats.failed_starts += 1
        a.truth("failed_start", connector_id=c, end=leaves, fault_type=kind.name,
                detail="precursor")
        if kind.precursor_codes:
            await a.send("error", c, "Preparing", kind.precursor_codes[0])
        session.reason = "Other"
    else:
        port.state = "Charging"
        await a.send("status", c, "Charging", None)
        if charged_by < leaves:
            a.push(charged_by, "charged", (c, token))
    a.push(a.now + a.ctx.settings.meter_interval_s, "meter", (c, token))
    a.push(leaves, "unplug", (c, token, session.reason))


def _power(a: ChargerAgent, v: Visit) -> float:
    """Watts while charging: the charger or the car, whichever is lower (DC tapers)."""
    kw = min(a.spec.rated_kw, v.vehicle_kw)
    return 1000.0 * kw * (a.rng.uniform(0.7, 0.88) if a.spec.kind == "DC"
                          else a.rng.uniform(0.93, 1.0))


def _temperature(a: ChargerAgent, load: float) -> float:
    """Cabinet temperature: the day's ambient, the load, and a failing part's heat."""
    hour = ((a.now / 3600.0) - 8.0) % 24.0  # Pacific time, near enough for weather
    ambient = 17.0 + 6.0 * math.sin(2 * math.pi * (hour - 9.0) / 24.0)
    x, kind = a.intensity(a.now)
    rise = x * kind.temp_rise_c if kind else 0.0
    return ambient + 12.0 * load + rise + a.rng.normal(0.0, 0.8)


def _session_of(a: ChargerAgent, c: int, token: int) -> Session | None:
    s = a.ports[c].session
    return s if s is not None and s.token == token else None


async def meter(a: ChargerAgent, at: float, arg: tuple[int, int]) -> None:
    c, token = arg
    s = _session_of(a, c, token)
    if s is None:
        return
    charging = a.now < s.charged_by
    power = s.power_w * a.rng.uniform(0.97, 1.0) if charging else 0.0
    add = s.start_wh + s.delivered_wh(a.now) - a.registers_now(c)
    soc = s.soc(a.now) if a.spec.kind == "DC" else None
    load = power / (1000.0 * a.spec.rated_kw)
    await a.send("meter", c, add, power, soc, _temperature(a, load))
    x, kind = a.intensity(a.now)
    interval = a.ctx.settings.meter_interval_s
    sd = 1.0 + (x * kind.jitter * interval if kind else 0.0)
    nxt = a.now + max(interval + a.jitter(a.rng, sd), 0.3 * interval)
    if nxt < s.leaves:
        a.push(nxt, "meter", (c, token))


async def charged(a: ChargerAgent, at: float, arg: tuple[int, int]) -> None:
    c, token = arg
    if _session_of(a, c, token) is None:
        return
    a.ports[c].state = "SuspendedEV"
    await a.send("suspended", c)


async def unplug(a: ChargerAgent, at: float, arg: tuple[int, int, str]) -> None:
    c, token, reason = arg
    s = _session_of(a, c, token)
    if s is not None:
        await end_session(a, s, reason)
        await _to_idle(a, a.ports[c])


async def end_session(a: ChargerAgent, s: Session, reason: str) -> None:
    """Stop a transaction (the driver left, a reset, a fault), counting what it delivered."""
    port = a.ports[s.connector]
    port.session = None
    s.leaves = min(s.leaves, a.now)
    s.charged_by = min(s.charged_by, a.now)
    final = s.start_wh + s.delivered_wh(a.now)
    a.ctx.stats.sessions += 1
    a.ctx.stats.kwh += (final - s.start_wh) / 1000.0
    a.registers[s.connector] = final
    if s.tx is not None:
        await a.send("stop", s.connector, reason, final)


async def _to_idle(a: ChargerAgent, port: Port) -> None:
    if a.station is not None and a.station.v16 and port.state != "Available":
        port.state = "Finishing"
        await a.send("status", port.connector, "Finishing", None)
    if port.pending_inoperative:
        port.operative, port.pending_inoperative = False, False
    await report(a, port)
    if a.pending_reset and all(p.session is None for p in a.ports.values()):
        kind, a.pending_reset = a.pending_reset, None
        a.push(a.now + 1.0, "reboot", kind)


# -- precursors and faults ----------------------------------------------------------------------

async def signals(a: ChargerAgent, at: float, _: Any) -> None:
    """Draw the next hour's precursor signals: error notifications and watchdog reboots."""
    x, kind = a.intensity(a.now)
    rate = NOISE_CODES_PER_DAY / 24.0 + (x * kind.code_rate_per_h if kind else 0.0)
    for t in a.poisson_times(a.rng, rate, a.now):
        precursor = kind is not None and kind.precursor_codes and a.rng.random() < x / (x + 0.05)
        pool = kind.precursor_codes if precursor and kind else CHARGEX_CODES
        a.push(t, "error_code", str(pool[int(a.rng.integers(len(pool)))]))
    reboot_p = NOISE_REBOOTS_PER_DAY / 24.0 + (x * kind.reboots_per_day / 24.0 if kind else 0.0)
    if a.rng.random() < reboot_p:
        a.push(a.now + a.rng.uniform(0.0, 3600.0), "reboot", "watchdog")
    if a.spec.ocpp != "1.6" and not a.booting:  # its periodic temperature monitor
        load = sum(p.session is not None for p in a.ports.values()) / len(a.ports)
        await a.send("temperature", _temperature(a, load))
    a.push(a.now + 3600.0, "signals")


async def error_code(a: ChargerAgent, at: float, code: str) -> None:
    if a.booting or a.station is None:
        return
    c = int(a.rng.integers(1, len(a.ports) + 1))
    await a.send("error", c, a.ports[c].state, code)


async def fault_on(a: ChargerAgent, at: float, f: Fault) -> None:
    if a.active is not None or id(f) in a.averted:
        return
    a.active = f
    a.ctx.stats.faults += 1
    a.push(f.end, "fault_off", f)
    hit = [p for p in a.ports.values() if not f.type.connector or p.connector == f.connector]
    for port in hit:
        if port.session is not None:
            await end_session(a, port.session, "Other")
    if f.type.offline:
        await a.disconnect(abort=True)
        a.booting = True
        a.push(a.now + 60.0 * a.rng.uniform(20.0, 60.0), "link_retry")
        return
    for port in hit:
        await report(a, port)


async def fault_off(a: ChargerAgent, at: float, f: Fault) -> None:
    if a.active is not f:
        return  # a reset cured it already
    a.end_fault("self_cleared" if f.type.curable else "technician")
    if not f.type.curable:
        await reboot(a, at, "technician")
    elif f.type.offline:
        if a.station is None:
            await boot(a, at, "Unknown")
    else:
        for port in a.ports.values():
            await report(a, port)


async def near_miss_end(a: ChargerAgent, at: float, f: Fault) -> None:
    a.truth("near_miss", fault_type=f.type.name, curable=f.type.curable,
            precursor_start=f.precursor_start, start=f.start, end=f.start)


async def link_retry(a: ChargerAgent, at: float, _: Any) -> None:
    """A lost backend link: the charger gets through for a few minutes, then drops again."""
    f = a.active
    if f is None or not f.type.offline:
        return
    await boot(a, at, "Unknown")
    a.push(a.now + 60.0 * a.rng.uniform(3.0, 10.0), "link_drop")


async def link_drop(a: ChargerAgent, at: float, _: Any) -> None:
    f = a.active
    if f is None or not f.type.offline or a.station is None:
        return
    await a.disconnect(abort=True)
    a.booting = True
    a.push(a.now + 60.0 * a.rng.uniform(20.0, 60.0), "link_retry")


async def reboot(a: ChargerAgent, at: float, kind: str) -> None:
    """Restart: sessions end, the link closes, the charger boots again after a while. A reset
    from the CSMS cures a curable fault; a spontaneous (watchdog) reboot does not."""
    for port in a.ports.values():
        if port.session is not None:
            if kind in ("soft", "hard"):
                # The port's state says whether energy was flowing (Charging) or the EV had
                # paused (SuspendedEV): the guard rail forbids the first.
                a.truth("session_interrupted", connector_id=port.connector, end=a.now,
                        detail=f"{kind} reset while {port.state}")
            await end_session(a, port.session, STOP_REASON_BY_REBOOT[kind])
    f = a.active
    if f is not None and f.type.curable and kind in ("soft", "hard"):
        a.end_fault("reset")
    if kind in ("soft", "hard"):
        a.avert_upcoming(a.now, "reset")
    a.ctx.stats.reboots += 1
    await a.disconnect()
    a.booting = True
    a.hb_token += 1
    a.push(a.now + REBOOT_DOWN_S[kind], "boot", BOOT_REASON[kind])


# -- commands' follow-ups -----------------------------------------------------------------------

async def availability(a: ChargerAgent, at: float, _: Any) -> None:
    for port in a.ports.values():
        if port.session is None and _state(a, port)[0] != port.state:
            await report(a, port)


async def triggered(a: ChargerAgent, at: float, arg: tuple[str, int | None]) -> None:
    message, connector = arg
    if a.booting or a.station is None:
        return
    if message == "Heartbeat":
        await a.send("heartbeat")
    elif message == "BootNotification":
        await boot(a, at, "Triggered")
    elif message == "StatusNotification":
        for port in a.ports.values():
            if connector in (None, 0, port.connector):
                await report(a, port)
    else:  # MeterValues
        for port in a.ports.values():
            s = port.session
            if s is not None and connector in (None, 0, port.connector):
                await meter(a, at, (port.connector, s.token))


HANDLERS: dict[str, Handler] = {
    "boot": boot, "reconnect": reconnect, "heartbeat": heartbeat, "visit": visit,
    "remote_start": remote_start, "meter": meter, "charged": charged, "unplug": unplug,
    "signals": signals, "error_code": error_code, "fault_on": fault_on, "fault_off": fault_off,
    "near_miss_end": near_miss_end, "link_retry": link_retry, "link_drop": link_drop,
    "reboot": reboot, "availability": availability, "triggered": triggered,
}
