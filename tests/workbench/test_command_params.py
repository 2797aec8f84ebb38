"""``cpo command -p key=value``: the text becomes the type the command declares for ``key``."""

from __future__ import annotations

from workbench.commands.command import parse_params


def test_a_text_key_list_is_a_list_not_letters() -> None:
    """D1: ``-p keys=HeartbeatInterval`` reached the charger as ["H", "e", "a", ...]."""
    assert parse_params("get_configuration", ["keys=HeartbeatInterval"], None) == {
        "keys": ["HeartbeatInterval"]}
    assert parse_params("get_configuration", ["keys=A,B"], None) == {"keys": ["A", "B"]}
    assert parse_params("get_configuration", ['keys=["A"]'], None) == {"keys": ["A"]}


def test_booleans_numbers_and_text_by_declared_kind() -> None:
    assert parse_params("change_availability", ["available=false", "connector_id=2"], None) == {
        "available": False, "connector_id": 2}
    # id_tag is text even when it looks like a number; a 2.0.1 transaction id too
    assert parse_params("remote_start", ["id_tag=1234"], None) == {"id_tag": "1234"}
    assert parse_params("remote_stop", ["transaction_id=abc"], None) == {"transaction_id": "abc"}
    assert parse_params("remote_stop", ["transaction_id=12"], None) == {"transaction_id": 12}
    # a value of the wrong kind is passed on for the CSMS to refuse with its message
    assert parse_params("change_availability", ["available=maybe"], None) == {
        "available": "maybe"}
