"""The sync client against a real HTTP server on loopback: what it sends, and what each answer
of the API becomes (README, "Command API")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from csms_lite.client import (
    BadAnswer,
    CsmsClient,
    HttpReply,
    HttpRequest,
    Refused,
    Unreachable,
)
from tests.csms_lite.client.loopback import Script, closed_port, loopback

RECORD = {"command_id": "c1", "charge_point_id": "CP/1", "action": "Reset", "outcome": "answered",
          "status": "Accepted", "error_code": None, "error_description": None}


@pytest.fixture
def api() -> Iterator[tuple[CsmsClient, Script]]:
    with loopback() as (url, script):
        yield CsmsClient(url + "/", "sekret", timeout_s=5.0, command_timeout_s=5.0), script


def test_chargers_sends_the_bearer_token(api: tuple[CsmsClient, Script]) -> None:
    client, script = api
    script.answer(200, [{"charge_point_id": "A", "connected": True}])
    assert client.chargers() == [{"charge_point_id": "A", "connected": True}]
    [seen] = script.seen
    assert (seen.method, seen.path, seen.authorization) == ("GET", "/api/v1/chargers",
                                                           "Bearer sekret")


def test_a_command_body_and_its_quoted_charger_id(api: tuple[CsmsClient, Script]) -> None:
    client, script = api
    script.answer(200, RECORD)
    answer = client.command("CP/1", "reset", {"type": "hard"}, requested_by="operator",
                            reason="why", charger_timeout_s=3)
    [seen] = script.seen
    assert seen.path == "/api/v1/chargers/CP%2F1/commands"
    assert seen.body == {"command": "reset", "params": {"type": "hard"},
                         "requested_by": "operator", "reason": "why", "timeout": 3}
    assert (answer.kind, answer.outcome, answer.status, answer.command_id) == (
        "answered", "answered", "Accepted", "c1")
    assert answer.answered
    assert answer.raw == RECORD


def test_a_raw_action(api: tuple[CsmsClient, Script]) -> None:
    client, script = api
    script.answer(200, RECORD)
    client.command("CP", action="Reset", payload={"type": "Soft"})
    assert script.seen[0].body == {"action": "Reset", "payload": {"type": "Soft"},
                                   "requested_by": "api", "reason": None}


@pytest.mark.parametrize(
    ("status", "kind"),
    [(400, "invalid"), (409, "offline"), (502, "call_error"), (504, "timeout")],
)
def test_each_documented_status_is_an_outcome(
    api: tuple[CsmsClient, Script], status: int, kind: str
) -> None:
    client, script = api
    script.answer(status, RECORD | {"outcome": kind, "status": None,
                                    "error_description": "nope"})
    answer = client.command("CP", "reset")
    assert (answer.http_status, answer.kind, answer.outcome) == (status, kind, kind)
    assert answer.error_description == "nope"
    assert not answer.answered


def test_a_body_the_api_could_not_read_is_an_invalid_answer_without_record(
    api: tuple[CsmsClient, Script]
) -> None:
    client, script = api
    script.answer(400, {"error": "unknown command 'x'"})
    answer = client.command("CP", "x")
    assert (answer.kind, answer.outcome, answer.command_id, answer.error) == (
        "invalid", None, None, "unknown command 'x'")


@pytest.mark.parametrize("status", [401, 404, 500])
def test_other_statuses_are_refusals(api: tuple[CsmsClient, Script], status: int) -> None:
    client, script = api
    script.answer(status, {"error": "missing or wrong bearer token"})
    with pytest.raises(Refused, match=f"answered {status} to POST /api/v1/chargers/CP/commands"
                                      ": missing or wrong bearer token") as info:
        client.command("CP", "reset")
    assert info.value.status == status
    assert info.value.body == {"error": "missing or wrong bearer token"}


def test_a_non_json_error_body_is_kept_as_its_text(api: tuple[CsmsClient, Script]) -> None:
    client, script = api
    script.answer(503, b"<html>bad gateway</html>")
    with pytest.raises(Refused) as info:
        client.chargers()
    assert info.value.body == {"error": "<html>bad gateway</html>"}


def test_get_shows_any_status_as_is(api: tuple[CsmsClient, Script]) -> None:
    client, script = api
    script.answer(404, {"error": "this node has never seen that charge point"})
    assert client.get("/api/v1/chargers/X") == (
        404, {"error": "this node has never seen that charge point"})


@pytest.mark.parametrize("body", [b"not json", b'{"a": 1}', b"[1]"])
def test_chargers_must_be_a_list_of_objects(api: tuple[CsmsClient, Script], body: bytes) -> None:
    client, script = api
    script.answer(200, body)
    with pytest.raises(BadAnswer):
        client.chargers()


def test_unreachable_names_the_api() -> None:
    with pytest.raises(Unreachable, match=r"^cannot reach the CSMS API at http://127\.0\.0\.1:9: "):
        CsmsClient(closed_port(), "t").chargers()


def test_a_bad_url_is_unreachable_not_a_traceback() -> None:
    with pytest.raises(Unreachable, match="cannot reach the CSMS API at nowhere"):
        CsmsClient("nowhere", "t").chargers()


def test_a_slow_api_times_out(api: tuple[CsmsClient, Script]) -> None:
    client, script = api
    client.timeout_s = 0.2
    script.answer(200, [], delay_s=1.0)
    with pytest.raises(Unreachable, match="timed out"):
        client.chargers()


def test_a_fake_transport_is_handed_in_not_patched() -> None:
    sent: list[tuple[HttpRequest, float]] = []

    def fake(request: HttpRequest, timeout: float) -> HttpReply:
        sent.append((request, timeout))
        return HttpReply(409, b'{"outcome": "offline", "command_id": "c9"}')

    answer = CsmsClient("http://csms", None, command_timeout_s=7.0, transport=fake).command(
        "CP", "reset")
    assert (answer.kind, answer.command_id) == ("offline", "c9")
    [(request, timeout)] = sent
    assert (str(request), request.headers["Authorization"], timeout) == (
        "POST /api/v1/chargers/CP/commands", "Bearer ", 7.0)
