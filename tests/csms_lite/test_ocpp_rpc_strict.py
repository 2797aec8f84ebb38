"""An independent client check: the npm package ``ocpp-rpc`` in strict mode talks to the CSMS.

``tests/node/strict_client.mjs`` validates every frame our server sends (answers to its CALLs
and the CALLs of the command API) against the OCA JSON schemas bundled with ocpp-rpc, so a
mistake shared by our handlers and our own validation still shows up here. Needs Node and
``npm ci --prefix tests/node``; without them the test fails (it never skips).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import polars as pl
import pytest

from ingest.lake.reader import read_table
from tests.conftest import PASSWORD, Csms

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
SCRIPT = NODE_DIR / "strict_client.mjs"
INSTALL_HINT = "run `npm ci --prefix tests/node` (CI installs it)"

CALLS_TIMEOUT = 20.0  # connect + every charge-point CALL
COMMAND_TIMEOUT = 10.0  # one command through the HTTP API
EXIT_TIMEOUT = 10.0

PROFILE_16 = {
    "chargingProfileId": 7, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Relative",
    "chargingSchedule": {
        "chargingRateUnit": "A", "minChargingRate": 6.0,
        "chargingSchedulePeriod": [
            {"startPeriod": 0, "limit": 16.3},
            {"startPeriod": 3600, "limit": 7.7, "numberPhases": 3},
        ],
    },
}
PROFILE_201 = {
    "id": 7, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Relative",
    "chargingSchedule": [{
        "id": 1, "chargingRateUnit": "A", "minChargingRate": 6.0,
        "chargingSchedulePeriod": [
            {"startPeriod": 0, "limit": 16.3},
            {"startPeriod": 3600, "limit": 7.7, "numberPhases": 3},
        ],
    }],
}


@dataclass(frozen=True)
class Case:
    protocol: str
    version: str
    cp_id: str
    # charge-point CALLs the script must have made (each answered without a strict failure)
    calls: frozenset[str]
    # (command, params, OCPP action the CSMS sends, expected answer status); "{tx}" in params
    # is replaced by the id of the transaction the script started
    commands: tuple[tuple[str, dict[str, Any], str, str | None], ...] = field(repr=False)


CASES = [
    Case(
        "ocpp1.6", "1.6", "CP-RPC-16",
        frozenset({
            "BootNotification", "Heartbeat", "StatusNotification", "Authorize",
            "StartTransaction", "MeterValues", "StopTransaction", "DataTransfer",
            "FirmwareStatusNotification", "DiagnosticsStatusNotification",
        }),
        (
            ("reset", {"type": "hard"}, "Reset", "Accepted"),
            ("remote_start", {"id_tag": "TAG-OK", "connector_id": 1},
             "RemoteStartTransaction", "Accepted"),
            ("remote_stop", {"transaction_id": "{tx}"}, "RemoteStopTransaction", "Accepted"),
            ("change_availability", {"connector_id": 1, "available": False},
             "ChangeAvailability", "Accepted"),
            ("trigger_message", {"message": "Heartbeat"}, "TriggerMessage", "Accepted"),
            ("unlock_connector", {"connector_id": 1}, "UnlockConnector", "Unlocked"),
            ("get_configuration", {"keys": ["HeartbeatInterval", "NoSuchKey"]},
             "GetConfiguration", "UnknownKey"),
            ("get_configuration", {}, "GetConfiguration", "Accepted"),
            ("change_configuration", {"key": "HeartbeatInterval", "value": 120},
             "ChangeConfiguration", "Accepted"),
            ("clear_cache", {}, "ClearCache", "Accepted"),
            ("set_charging_profile", {"connector_id": 1, "profile": PROFILE_16},
             "SetChargingProfile", "Accepted"),
        ),
    ),
    Case(
        "ocpp2.0.1", "2.0.1", "CP-RPC-201",
        frozenset({
            "BootNotification", "Heartbeat", "StatusNotification", "Authorize",
            "TransactionEvent", "MeterValues", "NotifyEvent", "NotifyReport",
            "FirmwareStatusNotification", "SecurityEventNotification", "DataTransfer",
        }),
        (
            ("reset", {"type": "hard"}, "Reset", "Accepted"),
            ("remote_start", {"id_tag": "TAG-OK", "evse_id": 1},
             "RequestStartTransaction", "Accepted"),
            ("remote_stop", {"transaction_id": "{tx}"}, "RequestStopTransaction", "Accepted"),
            ("change_availability", {"evse_id": 1, "available": False},
             "ChangeAvailability", "Accepted"),
            ("trigger_message", {"message": "Heartbeat"}, "TriggerMessage", "Accepted"),
            ("unlock_connector", {"evse_id": 1, "connector_id": 1}, "UnlockConnector",
             "Unlocked"),
            ("get_configuration",
             {"keys": ["OCPPCommCtrlr.HeartbeatInterval", "SampledDataCtrlr.TxUpdatedInterval"]},
             "GetVariables", "Accepted"),
            ("change_configuration", {"key": "OCPPCommCtrlr.HeartbeatInterval", "value": 120},
             "SetVariables", "Accepted"),
            ("clear_cache", {}, "ClearCache", "Accepted"),
            ("set_charging_profile", {"evse_id": 1, "profile": PROFILE_201},
             "SetChargingProfile", "Accepted"),
        ),
    ),
]


def node_executable() -> str:
    """``node``, with ocpp-rpc installed next to the script; a failure (not a skip) otherwise."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"`node` is not on PATH: install Node.js >= 18, then {INSTALL_HINT}",
                    pytrace=False)
    if not (NODE_DIR / "node_modules" / "ocpp-rpc" / "package.json").is_file():
        pytest.fail(f"tests/node/node_modules is missing ocpp-rpc: {INSTALL_HINT}",
                    pytrace=False)
    return node


class StrictClient:
    """The node script as a subprocess; its stdout lines parsed as they arrive."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[dict[str, Any]] = []
        self.stderr = b""
        self.ready = asyncio.Event()
        self._reader = asyncio.get_running_loop().create_task(self._read())
        self._err_reader = asyncio.get_running_loop().create_task(self._read_stderr())

    @classmethod
    async def start(cls, node: str, url: str, cp_id: str, protocol: str) -> StrictClient:
        proc = await asyncio.create_subprocess_exec(
            node, str(SCRIPT), url, cp_id, protocol, PASSWORD, cwd=NODE_DIR,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(proc)

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        async for raw in self.proc.stdout:
            text = raw.decode("utf-8", "replace").strip()
            if not text:
                continue
            try:
                line = json.loads(text)
            except ValueError:
                line = {"step": "stdout", "ok": False, "error": f"not JSON: {text}"}
            self.lines.append(line)
            if line.get("ready"):
                self.ready.set()

    async def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        self.stderr = await self.proc.stderr.read()

    def report(self) -> str:
        shown = "\n".join(json.dumps(line) for line in self.lines)
        return f"stdout:\n{shown}\nstderr:\n{self.stderr.decode('utf-8', 'replace')}"

    async def wait_ready(self) -> None:
        waiter = asyncio.ensure_future(self.ready.wait())
        done, _ = await asyncio.wait({waiter, self._reader}, timeout=CALLS_TIMEOUT,
                                     return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if not self.ready.is_set():
            why = "exited" if self._reader in done else f"timed out after {CALLS_TIMEOUT:g} s"
            await self.kill()
            pytest.fail(f"strict client never got ready ({why})\n{self.report()}")

    async def quit(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b'{"quit": true}\n')
        await self.proc.stdin.drain()
        self.proc.stdin.close()
        try:
            async with asyncio.timeout(EXIT_TIMEOUT):
                code = await self.proc.wait()
                await self._reader
                await self._err_reader
        except TimeoutError:
            await self.kill()
            pytest.fail(f"strict client did not exit within {EXIT_TIMEOUT:g} s\n{self.report()}")
        return code

    async def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        for task in (self._reader, self._err_reader):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 2.0)

    def steps(self) -> dict[str, dict[str, Any]]:
        return {line["step"]: line for line in self.lines if "step" in line}

    def failures(self) -> list[dict[str, Any]]:
        return [line for line in self.lines if "step" in line and line.get("ok") is not True]


def transaction_id(client: StrictClient, version: str) -> str | int:
    steps = client.steps()
    if version == "1.6":
        first = steps["StartTransaction"]["response"]["transactionId"]
        retry = steps["StartTransaction retry"]["response"]["transactionId"]
        assert isinstance(first, int)
        assert retry == first, "a repeated identical StartTransaction must get the same id"
        return first
    tx = steps["TransactionEvent Started"]["request"]["transactionInfo"]["transactionId"]
    assert isinstance(tx, str)
    return tx


def check_answers(client: StrictClient, version: str) -> None:
    """What the CSMS answered, beyond the schema (which ocpp-rpc already checked)."""
    steps = client.steps()
    assert steps["BootNotification"]["response"]["status"] == "Accepted"
    assert steps["BootNotification"]["response"]["interval"] == 300
    if version == "1.6":
        info = steps["Authorize known"]["response"]["idTagInfo"]
        assert info["status"] == "Accepted"
        assert info["parentIdTag"] == "GROUP-1"
        assert info["expiryDate"].endswith("Z")
        assert steps["Authorize unknown"]["response"]["idTagInfo"]["status"] == "Invalid"
        assert steps["StartTransaction"]["response"]["idTagInfo"]["status"] == "Accepted"
        assert steps["StopTransaction"]["response"]["idTagInfo"]["status"] == "Accepted"
    else:
        info = steps["Authorize known"]["response"]["idTokenInfo"]
        assert info["status"] == "Accepted"
        assert info["groupIdToken"] == {"idToken": "GROUP-1", "type": "Central"}
        assert info["cacheExpiryDateTime"].endswith("Z")
        assert steps["Authorize unknown"]["response"]["idTokenInfo"]["status"] == "Unknown"
        started = steps["TransactionEvent Started"]["response"]
        assert started["idTokenInfo"]["status"] == "Accepted"


def with_tx(params: dict[str, Any], tx: str | int) -> dict[str, Any]:
    return {k: (tx if v == "{tx}" else v) for k, v in params.items()}


async def send_commands(csms: Csms, case: Case, tx: str | int) -> list[dict[str, Any]]:
    url = f"{csms.api_url}/api/v1/chargers/{case.cp_id}/commands"
    results = []
    timeout = aiohttp.ClientTimeout(total=COMMAND_TIMEOUT)
    async with aiohttp.ClientSession(headers=csms.api_headers, timeout=timeout) as http:
        for command, params, action, status in case.commands:
            body = {"command": command, "params": with_tx(params, tx), "timeout": 5}
            async with http.post(url, json=body) as resp:
                answer = await resp.json()
                assert resp.status == 200, f"{command}: HTTP {resp.status} {answer}"
            assert answer["outcome"] == "answered", f"{command}: {answer}"
            assert answer["action"] == action, f"{command}: {answer}"
            assert answer["status"] == status, f"{command}: {answer}"
            results.append(answer)
    return results


async def wait_disconnected(csms: Csms, cp_id: str) -> None:
    """The server has logged the close (its side of the socket may lag the client's exit)."""
    for _ in range(250):
        if cp_id not in csms.server.hub.connections:
            return
        await asyncio.sleep(0.02)
    pytest.fail(f"the CSMS still holds a connection for {cp_id} 5 s after the client exited")


def check_lake(csms: Csms, case: Case) -> None:
    lake = csms.data_dir / "lake"
    cp = pl.col("charge_point_id") == case.cp_id
    messages = read_table(lake, "ocpp_messages").filter(cp)
    errors = messages.filter(pl.col("error_code").is_not_null())
    assert errors.is_empty(), errors.select("direction", "action", "error_code",
                                            "error_description").to_dicts()
    calls_in = set(messages.filter((pl.col("direction") == "in") & (pl.col("message_type") == 2))
                   ["action"].to_list())
    assert case.calls <= calls_in, f"never reached the CSMS: {sorted(case.calls - calls_in)}"
    assert (messages["ocpp_version"] == case.version).all()

    commands = read_table(lake, "commands").filter(cp)
    assert commands.height == len(case.commands), commands.to_dicts()
    assert (commands["outcome"] == "answered").all(), commands.to_dicts()
    assert sorted(commands["action"].to_list()) == sorted(c[2] for c in case.commands)
    calls_out = messages.filter((pl.col("direction") == "out") & (pl.col("message_type") == 2))
    assert calls_out.height == len(case.commands)
    results_in = messages.filter((pl.col("direction") == "in") & (pl.col("message_type") == 3))
    assert results_in.height == len(case.commands)

    events = read_table(lake, "connection_events").filter(cp)
    closes = events.filter(pl.col("event") == "disconnect")["close_code"].to_list()
    assert closes == [1000], events.to_dicts()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", CASES, ids=[c.protocol for c in CASES])
async def test_ocpp_rpc_strict_client(csms: Csms, case: Case) -> None:
    node = node_executable()
    csms.add_charger(case.cp_id)
    # expiry and parent make the CSMS fill the optional fields of its idTagInfo/idTokenInfo
    csms.add_tag("TAG-OK", expiry=datetime.now(UTC) + timedelta(days=30),
                 parent_id_tag="GROUP-1")

    client = await StrictClient.start(node, csms.url, case.cp_id, case.protocol)
    try:
        await client.wait_ready()
        assert not client.failures(), client.report()
        steps = client.steps()
        assert steps["connect"]["response"]["protocol"] == case.protocol
        tx = transaction_id(client, case.version)
        check_answers(client, case.version)

        await send_commands(csms, case, tx)

        code = await client.quit()
    finally:
        await client.kill()
    assert not client.failures(), client.report()
    assert code == 0, client.report()

    steps = client.steps()
    handled = {name.removeprefix("handled ") for name in steps if name.startswith("handled ")}
    assert handled == {c[2] for c in case.commands}, client.report()
    assert steps["triggered Heartbeat"]["ok"], client.report()
    assert steps["close"]["response"]["code"] == 1000

    await wait_disconnected(csms, case.cp_id)
    await asyncio.to_thread(csms.server.writer.flush)
    check_lake(csms, case)
