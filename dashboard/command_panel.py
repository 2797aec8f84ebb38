"""The reliability page's "Send a command" panel: operators and admins only, checked here on
the server, not only by leaving the form out; each command names the signed-in user to the
CSMS (``on_behalf_of``), which records ``requested_by`` as ``operator:<user>``."""

from __future__ import annotations

import streamlit as st

from csms_lite.client import ClientError, CsmsClient, Refused
from dashboard.auth import Identity, NotAllowed, require
from dashboard.context import Context
from dashboard.queries.common import columns

COMMANDS = ("reset (soft)", "reset (hard)", "make unavailable", "make available",
            "fetch diagnostics")
REASON = "sent by hand from the dashboard"


def command_panel(ctx: Context) -> None:
    st.subheader("Send a command")
    who = ctx.identity
    if not ctx.settings.api_url:
        st.caption("Start the dashboard with --api-url (token in CPO_API_TOKEN) to send "
                   "commands through the CSMS.")
        return
    if not who.may("operator"):
        st.info(f"Signed in as {who.name} ({who.role}): viewers cannot send commands. An admin "
                f"can give you the operator role (`cpo users role {who.name} operator`).")
        return
    chargers = ctx.run("SELECT charge_point_id FROM dim_chargers ORDER BY 1", ())
    with st.form("command"):
        cp = st.selectbox("Charger", list(chargers["charge_point_id"]))
        what = st.selectbox("Command", COMMANDS)
        connector = st.number_input("Port (0 = whole charger)", min_value=0, value=0)
        confirm = st.checkbox("I confirm: this acts on a live charger")
        sent = st.form_submit_button("Send")
    if not sent:
        return
    if not confirm:
        st.warning("Tick the confirmation box first.")
        return
    try:
        send(ctx, who, str(cp), str(what), int(connector))
    except NotAllowed as exc:
        st.error(str(exc))


def availability(available: bool, port: int, version: str | None) -> dict[str, object]:
    """change_availability's parameters as the charger's version names a port: 1.6 a
    connector (``connector_id``), 2.0.1 an EVSE (``evse_id``; its connector_id is a connector
    within the EVSE). 0: the whole charger."""
    key = "evse_id" if version is not None and version.startswith("2") else "connector_id"
    return {"available": available, key: port}


def command_for(what: str, port: int, version: str | None) -> tuple[str, dict[str, object]]:
    """The API command and its parameters for a choice in the form (diagnostics: uploaded to
    the CSMS, kept in ``data/diagnostics/<charger>/``; the live panel shows the upload)."""
    if what.startswith("reset"):
        return "reset", {"type": "hard" if "hard" in what else "soft"}
    if what == "fetch diagnostics":
        return "get_diagnostics", {}
    return "change_availability", availability(what == "make available", port, version)


def ocpp_version(ctx: Context, cp: str) -> str | None:
    if "ocpp_version" not in columns(ctx.run, "dim_chargers"):
        return None
    found = ctx.run("SELECT ocpp_version FROM dim_chargers WHERE charge_point_id = ?", (cp,))
    value = found["ocpp_version"].iloc[0] if len(found) else None
    return value if isinstance(value, str) else None


def send(ctx: Context, who: Identity, cp: str, what: str, connector: int) -> None:
    require(who, "operator")  # again here: the one place a command leaves the dashboard
    assert ctx.settings.api_url is not None
    command, params = command_for(what, connector, ocpp_version(ctx, cp))
    client = CsmsClient(ctx.settings.api_url, ctx.settings.api_token)
    try:
        answer = client.command(cp, command, params, requested_by="operator", reason=REASON,
                                on_behalf_of=who.name)
        (st.success if answer.answered else st.error)(
            f"{command} to {cp}: {answer.outcome or answer.http_status} "
            f"{answer.status or answer.error or ''}".strip()
        )
    except Refused as exc:  # e.g. 401: the API's own words, as for any answer
        st.error(f"{command} to {cp}: {exc.status} {exc.message}")
    except ClientError as exc:
        st.error(str(exc))
