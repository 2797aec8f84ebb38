"""A scenario station whose charger speaks the security extension and, over wss://, may show a
client certificate (security profile 3) instead of a password."""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field

from ingest.sim.link import listen, open_link
from tests.conftest import PASSWORD, Csms
from tests.csms_lite.conformance.secure_chargers import SecureCharger16, SecureCharger201, Wallet
from tests.csms_lite.conformance.station import SUBPROTOCOL, Script, Station


@dataclass
class SecureStation(Station):
    wallet: Wallet = field(default_factory=Wallet)
    ssl_context: ssl.SSLContext | None = None
    password: str | None = PASSWORD
    base_url: str | None = None  # wss://...; default the CSMS's ws:// URL

    async def connect(self) -> None:
        self._ws = await open_link(self.base_url or self.csms.url, self.cp_id,
                                   SUBPROTOCOL[self.version], self.password,
                                   ssl_context=self.ssl_context)
        kind = SecureCharger16 if self.version == "1.6" else SecureCharger201
        cp = kind(self.cp_id, self._ws, 2, answers=self.script)
        cp.script, cp.wallet, cp.monitors = self.script, self.wallet, []
        self.cp = cp
        self._task = asyncio.create_task(listen(self.cp))

    @property
    def secure(self) -> SecureCharger16 | SecureCharger201:
        assert isinstance(self.cp, SecureCharger16 | SecureCharger201)
        return self.cp


def secure_station(csms: Csms, version: str, cp_id: str | None = None, **kw: object
                   ) -> SecureStation:
    """A registered charger with two ports (not connected yet)."""
    cp_id = cp_id or ("CP16" if version == "1.6" else "CS201")
    if csms.server.registry.get_charge_point(cp_id) is None:
        csms.add_charger(cp_id, heartbeat_interval=120)
    return SecureStation(csms, cp_id, version, Script(version, 2), **kw)  # type: ignore[arg-type]


def wss_url(csms: Csms) -> str:
    return f"wss://127.0.0.1:{csms.server.port}/ocpp"
