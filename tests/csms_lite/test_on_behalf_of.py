"""``on_behalf_of`` on the command API: the person a requester acts for (the dashboard's
signed-in user) lands in the lake's ``commands.requested_by`` as ``operator:<name>``."""

from __future__ import annotations

import pytest

from tests.conftest import Csms
from tests.csms_lite.helpers.ocppj import table
from tests.csms_lite.test_commands import post


async def test_the_person_is_recorded_with_the_kind(csms: Csms) -> None:
    csms.add_charger("GHOST")  # known, not connected: the request is still logged
    code, _ = await post(csms, "GHOST", {"command": "reset", "params": {},
                                         "requested_by": "operator", "on_behalf_of": "olga"})
    assert code == 409  # offline, and logged all the same
    code, _ = await post(csms, "GHOST", {"command": "reset", "params": {}})
    rows = await table(csms, "commands")
    # the token's name (the bootstrap one is "operator"), then the person it acts for
    assert sorted(rows["requested_by"].to_list()) == ["operator", "operator:olga"]


@pytest.mark.parametrize("who", ["", "a b", "x" * 65, 5, ["olga"], "olga:admin"])
async def test_a_malformed_name_is_refused(csms: Csms, who: object) -> None:
    csms.add_charger("GHOST")  # known, not connected: the request is still logged
    code, answer = await post(csms, "GHOST", {"command": "reset", "params": {},
                                              "requested_by": "operator", "on_behalf_of": who})
    assert code == 400
    assert "on_behalf_of" in answer["error"]
