"""Random and hostile JSON bodies on a real API server (loopback): every one gets an answer
that is not a 500, in JSON, and the server keeps serving."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import Csms
from tests.fuzz.strategies import FUZZ_LIVE, HOSTILE_TEXTS, json_values
from tests.threaded_csms import threaded_csms

PATHS = ("/api/v1/chargers/CP-1/commands", "/api/v1/commands/c-1/outcome")
# 404: no such command (an outcome); 409: the charger is offline; 413: over client_max_size
ANSWERS = {200, 400, 404, 409, 413}


@pytest.fixture(scope="module")
def csms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Csms]:
    with threaded_csms(Path(tmp_path_factory.mktemp("api-fuzz"))) as live:
        live.add_charger("CP-1")  # known, offline: an unknown one is 404 before its body is read
        yield live


def post(csms: Csms, path: str, body: bytes) -> tuple[int, Any]:
    headers = csms.api_headers | {"Content-Type": "application/json"}
    request = urllib.request.Request(csms.api_url + path, data=body, method="POST",
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def answered_sanely(csms: Csms, path: str, body: bytes) -> int:
    status, answer = post(csms, path, body)
    assert status in ANSWERS, (status, answer)
    assert status in {200, 409} or (isinstance(answer, dict) and "error" in answer)
    return status


command_like = st.fixed_dictionaries({}, optional={
    "command": st.sampled_from(["reset", "unlock", "change_availability", ""]) | json_values,
    "params": json_values, "action": json_values, "payload": json_values,
    "requested_by": st.sampled_from(["api", "operator", "self_healing"]) | json_values,
    "reason": json_values, "timeout": json_values, "charge_point_id": json_values,
    "result": json_values, "detail": json_values,
})


@FUZZ_LIVE
@given(st.sampled_from(PATHS), command_like | json_values)
def test_random_json_bodies(csms: Csms, path: str, body: Any) -> None:
    answered_sanely(csms, path, json.dumps(body).encode())  # NaN / Infinity as Python writes them


@FUZZ_LIVE
@given(st.sampled_from(PATHS), st.binary(max_size=300))
def test_random_bytes(csms: Csms, path: str, body: bytes) -> None:
    answered_sanely(csms, path, body)


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
@pytest.mark.parametrize("path", PATHS)
def test_hostile_bodies_are_refused_with_400(csms: Csms, path: str, name: str,
                                             caplog: pytest.LogCaptureFixture) -> None:
    """Regression (issue 18, item 12): a JSON bomb raised RecursionError, a 500 with a
    traceback in the log; NaN and 1e999 went through as a timeout."""
    body = HOSTILE_TEXTS[name]
    status = answered_sanely(csms, path, body)
    assert status == 400, name  # duplicate keys: the last wins, and "unlock" lacks its connector
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert still_serving(csms)


def still_serving(csms: Csms) -> bool:
    request = urllib.request.Request(csms.api_url + "/api/v1/health", headers=csms.api_headers)
    with urllib.request.urlopen(request, timeout=10) as reply:
        return bool(reply.status == 200)
