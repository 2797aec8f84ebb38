"""Options several commands share."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from csms_lite.api.token import token_path
from csms_lite.client import read_token

DEFAULT_DATA_DIR = Path("data")
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

LakeUrl = Annotated[
    str | None,
    typer.Option(
        "--lake-url",
        envvar="CPO_LAKE_URL",
        help="Where the lake is: a folder or s3://bucket/prefix (AWS_ENDPOINT_URL, "
        "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION). Default: <data-dir>/lake.",
    ),
]


def use_lake_url(url: str | None) -> None:
    """The pipelines (and their worker processes) find the lake through ``CPO_LAKE_URL``."""
    if url:
        os.environ["CPO_LAKE_URL"] = url


def api_token(token: str | None, data_dir: Path) -> str:
    """--token, else the token the CSMS keeps in its data folder."""
    return read_token(
        token, token_path(data_dir), f"pass --token or run the CSMS with --data-dir {data_dir}"
    )
