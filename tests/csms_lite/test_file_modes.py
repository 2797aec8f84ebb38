"""The data folder does not follow the umask: a real CSMS on loopback, run under umask 022,
leaves its folder 0700 and the registry (password hashes) and API token 0600; lake part files
are only reachable through the 0700 folder."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from csms_lite.config import CsmsConfig
from csms_lite.server.app import CsmsServer
from ingest.data_folder import FOLDER_MODE, SECRET_MODE, DataFolder
from tests.conftest import Csms
from tests.csms_lite.helpers.ocppj import boot, heartbeat_ok, open_ws, table

pytestmark = pytest.mark.timeout(20)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("umask_022")
async def test_csms_data_folder_0700_secrets_0600(
    tmp_path: Path, csms_config: CsmsConfig,
) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)  # an existing folder made under the old rules is tightened
    os.chmod(data, 0o755)
    server = CsmsServer(replace(csms_config, data_dir=data))
    await server.start()
    try:
        csms = Csms(server, data)
        csms.add_charger("CP-MODE", password=False)
        ws = await open_ws(csms, "CP-MODE", password=None)
        await boot(ws, "1.6")
        await heartbeat_ok(ws)
        await ws.close()
        assert (await table(csms, "ocpp_messages")).height >= 2  # the lake has files
    finally:
        await server.stop()
    folder = DataFolder(data)
    assert mode(data) == FOLDER_MODE
    assert mode(folder.registry_file) == SECRET_MODE
    assert mode(folder.api_token_file) == SECRET_MODE
    for side in ("-wal", "-shm"):
        extra = folder.registry_file.with_name(folder.registry_file.name + side)
        if extra.exists():
            assert mode(extra) == SECRET_MODE, extra


@pytest.mark.usefixtures("umask_022")
def test_ensure_creates_and_tightens(tmp_path: Path) -> None:
    fresh = DataFolder(tmp_path / "a" / "data")
    assert fresh.ensure() == fresh.data_dir
    assert mode(fresh.data_dir) == FOLDER_MODE
    old = tmp_path / "old"
    old.mkdir()
    os.chmod(old, 0o755)
    DataFolder(old).ensure()
    assert mode(old) == FOLDER_MODE
