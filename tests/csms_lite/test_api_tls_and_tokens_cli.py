"""The API over https, its bootstrap token kept off the command line, and ``cpo tokens``
against a running CSMS (issue 18, item 8 and tokens)."""

from __future__ import annotations

import asyncio
import json
import ssl
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from typer.testing import CliRunner

from csms_lite.client import CsmsClient
from ingest.sim.link import open_link
from tests.conftest import PASSWORD, Csms, CsmsFactory
from tests.csms_lite.test_handshake import self_signed  # noqa: F401  (a fixture)
from tests.loopback import free_port, wait_until_answers
from workbench.cli import app

runner = CliRunner()


async def test_the_api_serves_https_only_when_given_a_certificate(
    make_csms: CsmsFactory, self_signed: tuple[Path, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cert, key = self_signed
    csms: Csms = await make_csms(api_tls_cert=cert, api_tls_key=key)
    https = f"https://127.0.0.1:{csms.server.api.port}"
    trust = ssl.create_default_context(cafile=str(cert))
    async with aiohttp.ClientSession(headers=csms.api_headers) as http:
        async with http.get(f"{https}/api/v1/chargers", ssl=trust) as resp:
            assert resp.status == 200
        with pytest.raises(aiohttp.ClientError):
            async with http.get(f"http://127.0.0.1:{csms.server.api.port}/healthz") as resp:
                await resp.read()
    # the product's own client, trusting the certificate the usual way (SSL_CERT_FILE)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    client = CsmsClient(https, csms.server.api.token)
    assert await asyncio.to_thread(client.chargers) == []


def test_api_token_on_the_command_line_is_refused() -> None:
    # an address nobody can bind: the old option would have failed later, differently
    result = runner.invoke(app, ["csms", "--api-token", "secret", "--host", "999.0.0.1"])
    assert result.exit_code == 2
    assert "--api-token is removed" in result.output
    assert "--api-token-file" in result.output
    assert "CPO_API_TOKEN" in result.output


def test_api_token_file_keeps_the_token_out_of_ps(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("cpo_from-a-file-0123456789\n")
    api_port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "csms", "--data-dir", str(tmp_path / "data"),
         "--port", "0", "--api-port", str(api_port), "--api-token-file", str(token_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_answers(f"http://127.0.0.1:{api_port}/healthz", proc)
        client = CsmsClient(f"http://127.0.0.1:{api_port}", "cpo_from-a-file-0123456789")
        assert client.chargers() == []
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        assert b"cpo_from-a-file" not in cmdline
    finally:
        proc.terminate()
        proc.wait(20)


async def test_cpo_tokens_against_a_running_csms(csms: Csms) -> None:
    data = str(csms.data_dir)
    url = csms.api_url

    def cli(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["tokens", *args, "--data-dir", data])
        return result.exit_code, result.output.strip()

    code, secret = await asyncio.to_thread(cli, "create", "ops-bot", "-s", "read")
    assert code == 0
    assert secret.startswith("cpo_")
    assert await asyncio.to_thread(CsmsClient(url, secret).chargers) == []
    code, listed = await asyncio.to_thread(cli, "list", "--json")
    assert code == 0
    assert "ops-bot" in listed
    assert secret not in listed
    assert (await asyncio.to_thread(cli, "create", "bad", "-s", "root"))[0] == 2
    assert (await asyncio.to_thread(cli, "create", "ops-bot"))[0] == 2
    assert (await asyncio.to_thread(cli, "revoke", "ops-bot"))[0] == 0
    status, _ = await asyncio.to_thread(CsmsClient(url, secret).get, "/api/v1/chargers")
    assert status == 401
    assert (await asyncio.to_thread(cli, "revoke", "ops-bot"))[0] == 2
    # rotating the bootstrap token rewrites the file the local CLI reads
    code, operator = await asyncio.to_thread(cli, "rotate", "operator")
    assert code == 0
    assert (csms.data_dir / "api_token").read_text().strip() == operator
    assert (csms.data_dir / "api_token").stat().st_mode & 0o077 == 0
    status, _ = await asyncio.to_thread(CsmsClient(url, csms.server.api.token).get,
                                        "/api/v1/chargers")
    assert status == 401
    assert await asyncio.to_thread(CsmsClient(url, operator).chargers) == []


async def test_cpo_command_rotate_password(csms: Csms) -> None:
    """Rotation is a command like any other on the CLI; the new password never shows."""
    csms.add_charger("ROT-CLI")
    ws = await open_link(csms.url, "ROT-CLI", "ocpp1.6", PASSWORD)
    args = ["command", "ROT-CLI", "rotate_password", "--api-url", csms.api_url,
            "--data-dir", str(csms.data_dir)]
    run = asyncio.create_task(asyncio.to_thread(runner.invoke, app, args))
    sent = json.loads(await asyncio.wait_for(ws.recv(), 10))
    await ws.send(json.dumps([3, sent[1], {"status": "Accepted"}]))
    result = await run
    assert result.exit_code == 0, result.output
    assert sent[3]["value"] not in result.output
    assert '"<redacted>"' in result.output
    await ws.close()
    again = await open_link(csms.url, "ROT-CLI", "ocpp1.6", sent[3]["value"])
    await again.close()
