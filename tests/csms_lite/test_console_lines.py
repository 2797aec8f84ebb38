"""The console says where the API listens and that a handshake was refused (one line each), and
a flood of refusals is summarised instead of printed line by line."""

from __future__ import annotations

import logging
import re

import pytest

from csms_lite.server.log_budget import LogBudget
from ingest.sim.link import basic_auth
from tests.conftest import Csms, CsmsFactory
from tests.csms_lite.test_handshake import refused


async def test_a_refused_handshake_is_one_info_line(
    csms: Csms, caplog: pytest.LogCaptureFixture
) -> None:
    csms.add_charger("CP-LOG")
    caplog.set_level(logging.INFO, logger="csms_lite")
    await refused(f"{csms.url}/CP-LOG", basic_auth("CP-LOG", "not-the-password"))
    lines = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(lines) == 1
    assert re.fullmatch(r"refused CP-LOG from 127\.0\.0\.1:\d+: 401 wrong password", lines[0])


async def test_the_api_address_is_logged(
    make_csms: CsmsFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="csms_lite")
    csms = await make_csms()
    assert f"CSMS API on http://127.0.0.1:{csms.server.api.port}" in caplog.text


def test_a_flood_of_lines_is_summarised(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    budget = LogBudget(logging.getLogger("test.budget"), lines=3, window_s=10.0,
                       clock=lambda: now[0])
    caplog.set_level(logging.INFO, logger="test.budget")
    for i in range(50):
        budget.info("refused %d", i)
    now[0] = 10.0
    budget.info("refused after")
    assert [r.getMessage() for r in caplog.records] == [
        "refused 0", "refused 1", "refused 2", "... and 47 more like it in the last 10 s",
        "refused after"]
