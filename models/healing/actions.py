"""What each self-healing action asks of the CSMS: a version-neutral command of its API."""

from __future__ import annotations

from typing import Any

COMMANDS: dict[str, tuple[str, dict[str, Any]]] = {
    "soft_reset": ("reset", {"type": "soft"}),
    "hard_reset": ("reset", {"type": "hard"}),
    "inoperative": ("change_availability", {"available": False}),
    "restore": ("change_availability", {"available": True}),
}
NO_COMMAND = {"ticket"}  # a maintenance ticket only (models.tickets): a person must go
