"""Options several commands share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        envvar="CPO_DATA_DIR",
        help="Data folder (lake, registry, ...).",
        file_okay=False,
    ),
]
ApiUrl = Annotated[
    str, typer.Option("--api-url", envvar="CPO_API_URL", help="Base URL of a CSMS command API.")
]
Token = Annotated[
    str | None,
    typer.Option(
        "--token", envvar="CPO_API_TOKEN", help="Bearer token; default: read <data-dir>/api_token."
    ),
]
