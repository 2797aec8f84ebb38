"""Options several commands share."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from csms_lite.api.token import part_token, read_token_file
from csms_lite.client import NoToken, read_token
from csms_lite.errors import ConfigError
from csms_lite.registry.store import Registry
from ingest.data_folder import DATA_DIR_ENV, DEFAULT_DATA_DIR, DataFolder
from ingest.lake.location import LAKE_URL_ENV

__all__ = [
    "DEFAULT_DATA_DIR", "ApiUrl", "DataDir", "LakeUrl", "Token", "api_token", "part_api_token",
    "use_lake_url",
]

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        envvar=DATA_DIR_ENV,
        help="Data folder (lake, registry, ...).",
        file_okay=False,
    ),
]
ApiUrl = Annotated[
    str, typer.Option("--api-url", envvar="CPO_API_URL", help="Base URL of a CSMS command API.")
]
def _token_from(file: str | None) -> str | None:
    """``--token-file``'s first line, else CPO_API_TOKEN: never the token itself on the command
    line, where ``ps`` shows it to every user of the machine."""
    if file is None:
        return os.environ.get("CPO_API_TOKEN") or None
    try:
        return read_token_file(Path(file))
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from None


Token = Annotated[
    str | None,
    typer.Option(
        "--token-file", callback=_token_from, metavar="FILE",
        help="File holding the bearer token (first line); else $CPO_API_TOKEN; default: "
             "<data-dir>/api_token.",
    ),
]

LakeUrl = Annotated[
    str | None,
    typer.Option(
        "--lake-url",
        envvar=LAKE_URL_ENV,
        help="Where the lake is: a folder or s3://bucket/prefix (AWS_ENDPOINT_URL, "
        "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION). Default: <data-dir>/lake.",
    ),
]


def use_lake_url(url: str | None) -> None:
    """The pipelines (and their worker processes) find the lake through ``CPO_LAKE_URL``."""
    if url:
        os.environ[LAKE_URL_ENV] = url


def part_api_token(token: str | None, data_dir: Path, name: str) -> str:
    """--token-file/CPO_API_TOKEN, else the token of that part of the system (``self_healing``,
    ...), kept in the data folder and registered in its registry (created on first use)."""
    if token:
        return token
    if not DataFolder(data_dir).registry_file.is_file():
        raise NoToken(f"no registry in {data_dir}: pass --token-file or run the CSMS with "
                      f"--data-dir {data_dir}")
    with Registry(DataFolder(data_dir).registry_file) as registry:
        return part_token(registry, data_dir, name)


def api_token(token: str | None, data_dir: Path) -> str:
    """--token-file/CPO_API_TOKEN, else the token the CSMS keeps in its data folder."""
    return read_token(
        token, DataFolder(data_dir).api_token_file,
        f"pass --token-file or run the CSMS with --data-dir {data_dir}",
    )
