"""Opening the CSMS registry for a command: its errors become one line naming the option."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from csms_lite.registry import InvalidValueError, Registry, RegistryError
from ingest.data_folder import DataFolder
from workbench.errors import fail

# Record field -> the argument or option that sets it, so errors name what the user typed.
_OPTION_OF_FIELD = {
    "id": "ID",
    "id_tag": "TAG",
    "rated_kw": "--rated-kw",
    "boot_status": "--boot-status",
    "heartbeat_interval": "--heartbeat-interval",
    "latitude": "--lat/--lon",
    "longitude": "--lat/--lon",
    "parent_id_tag": "--parent",
    "name": "NAME",
    "limit_kw": "KW",
}


@contextmanager
def open_registry(data_dir: Path, must_exist: bool = True) -> Iterator[Registry]:
    """Open the registry; turn registry errors into one `error:` line and exit code 2."""
    path = DataFolder(data_dir).registry_file
    if must_exist and not path.exists():
        raise fail(f"no registry at {path}; pass --data-dir (or set CPO_DATA_DIR) or add a record")
    try:
        with Registry(path) as registry:
            yield registry
    except InvalidValueError as exc:
        raise fail(f"{_OPTION_OF_FIELD.get(exc.field, '--' + exc.field)}: {exc.problem}") from None
    except RegistryError as exc:
        raise fail(str(exc)) from None


def canonical(value: str, choices: Sequence[str]) -> str:
    """Accept any letter case ("pending"); unknown values pass through for the model to reject."""
    return next((c for c in choices if c.lower() == value.lower()), value)
