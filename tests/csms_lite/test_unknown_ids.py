"""``accept_unknown`` on a live CSMS: the live state of unknown ids that went away is forgotten
(after a time offline, and beyond a count at once), so a stream of made-up ids cannot grow the
node's memory forever; registered and connected chargers are kept."""

from __future__ import annotations

import pytest

from tests.conftest import CsmsFactory
from tests.csms_lite.helpers.ocppj import boot, heartbeat_ok, open_ws, wait_for

pytestmark = pytest.mark.timeout(30)

N = 30


async def test_gone_unknown_ids_are_forgotten_after_a_while(make_csms: CsmsFactory) -> None:
    csms = await make_csms(accept_unknown=True, forget_unknown_after=0.5, watchdog_interval=0.1)
    hub = csms.server.hub
    csms.add_charger("CP-KNOWN", password=False)
    known = await open_ws(csms, "CP-KNOWN", password=None)
    await boot(known, "1.6")
    await known.close()
    stays = await open_ws(csms, "UNKNOWN-LIVE", password=None)
    await boot(stays, "1.6")
    for i in range(N):
        ws = await open_ws(csms, f"UNKNOWN-{i}", password=None)
        await boot(ws, "1.6")
        await ws.close()
    await wait_for(lambda: len(hub.chargers) == 2, within=10)
    assert set(hub.chargers) == {"CP-KNOWN", "UNKNOWN-LIVE"}
    assert not hub.gone_unknown
    await heartbeat_ok(stays)
    # A forgotten id that comes back is a new charger like any other.
    again = await open_ws(csms, "UNKNOWN-0", password=None)
    await boot(again, "1.6")
    assert hub.chargers["UNKNOWN-0"].connected
    await again.close()
    await stays.close()


async def test_gone_unknown_ids_are_capped(make_csms: CsmsFactory) -> None:
    cap = 5
    csms = await make_csms(accept_unknown=True, max_gone_unknown=cap)
    hub = csms.server.hub
    for i in range(N):
        ws = await open_ws(csms, f"UNKNOWN-{i}", password=None)
        await boot(ws, "1.6")
        await ws.close()
        await wait_for(lambda i=i: f"UNKNOWN-{i}" not in hub.connections)
    assert len(hub.chargers) <= cap
    assert set(hub.chargers) == {f"UNKNOWN-{i}" for i in range(N - cap, N)}
