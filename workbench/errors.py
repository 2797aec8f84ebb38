"""Turn our own errors into one clear line and exit code 2, never a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from csms_lite.errors import CsmsError
from csms_lite.registry.errors import RegistryError
from dashboard.users import UserStoreError
from ingest.errors import IngestError
from models.errors import ModelError
from pipelines.errors import PipelineError

P = ParamSpec("P")
R = TypeVar("R")

USER_ERRORS: tuple[type[Exception], ...] = (
    CsmsError,
    RegistryError,
    IngestError,
    PipelineError,
    ModelError,
    UserStoreError,
)


def fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(2)


def friendly(func: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except USER_ERRORS as exc:
            raise fail(str(exc)) from None
        except OSError as exc:
            raise fail(f"{exc.strerror or exc} ({exc.filename or 'no file'})") from None

    return wrapper
