"""``cpo command``: send a remote command to a charger through the CSMS API, and
``cpo status``: the live state the API reports."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from csms_lite.client import CommandAnswer, CsmsClient, Refused
from csms_lite.commands.build import COMMANDS, param_kind
from csms_lite.commands.params import from_text
from workbench.errors import fail, friendly
from workbench.options import DEFAULT_DATA_DIR, ApiUrl, DataDir, Token, api_token

TIMEOUT_S = 60.0  # a command waits for the charger (30 s by default on the CSMS)


def parse_params(command: str, pairs: list[str], params_json: str | None) -> dict[str, Any]:
    """``--params-json`` as given; each ``-p key=value`` turned into the type the command
    declares for ``key`` (``keys=A,B`` a list, ``available=false`` a boolean)."""
    params: dict[str, Any] = {}
    if params_json:
        try:
            loaded = json.loads(params_json)
        except json.JSONDecodeError as exc:
            raise fail(f"--params-json is not JSON: {exc}") from None
        if not isinstance(loaded, dict):
            raise fail("--params-json must be a JSON object")
        params.update(loaded)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise fail(f"--param {pair!r} must look like key=value")
        params[key] = from_text(param_kind(command, key), value)
    return params


@friendly
def command(
    charge_point_id: Annotated[str, typer.Argument(help="Charger id.")],
    name: Annotated[
        str,
        typer.Argument(help=f"One of: {', '.join(COMMANDS)}; or 'raw' with --action/--payload."),
    ],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="key=value, e.g. -p type=hard -p connector_id=1."),
    ] = None,
    params_json: Annotated[str | None, typer.Option(help="All params as a JSON object.")] = None,
    action: Annotated[str | None, typer.Option(help="raw: the OCPP action.")] = None,
    payload: Annotated[str | None, typer.Option(help="raw: the payload (JSON).")] = None,
    reason: Annotated[str | None, typer.Option(help="Why (written to the lake).")] = None,
    timeout: Annotated[float | None, typer.Option(help="Seconds to wait for the answer.")] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    api_url: ApiUrl = "http://127.0.0.1:9001",
    token: Token = None,
) -> None:
    """Send a command (reset, remote_start, ...) to a charger and print its answer."""
    if name == "raw" and not action:
        raise fail("raw needs --action (and usually --payload)")
    client = CsmsClient(api_url, api_token(token, data_dir), TIMEOUT_S, TIMEOUT_S)
    try:
        answer: CommandAnswer = (
            client.command(charge_point_id, action=action, payload=json.loads(payload or "{}"),
                           requested_by="operator", reason=reason, charger_timeout_s=timeout)
            if name == "raw"
            else client.command(charge_point_id, name, parse_params(name, param or [], params_json),
                                requested_by="operator", reason=reason,
                                charger_timeout_s=timeout)
        )
    except Refused as exc:  # 401, 404, ...: shown as the API said it, like any answer
        typer.echo(json.dumps(exc.body, indent=2))
        raise typer.Exit(1) from None
    typer.echo(json.dumps(answer.raw, indent=2))
    if not answer.answered:
        raise typer.Exit(1)


@friendly
def status(
    charge_point_id: Annotated[
        str | None, typer.Argument(help="One charger (default: all).")
    ] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
    api_url: ApiUrl = "http://127.0.0.1:9001",
    token: Token = None,
) -> None:
    """Print the live state (connected, connectors, open transactions) from the CSMS API."""
    path = f"/api/v1/chargers/{charge_point_id}" if charge_point_id else "/api/v1/chargers"
    code, answer = CsmsClient(api_url, api_token(token, data_dir), TIMEOUT_S).get(path)
    typer.echo(json.dumps(answer, indent=2))
    if code != 200:
        raise typer.Exit(1)
