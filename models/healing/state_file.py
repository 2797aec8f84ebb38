"""The loop's memory on disk, so a pass run as a Dagster job remembers the last ones: cooldowns,
the escalation ladder, reconnections and the actions waiting to be verified. In a data folder:
``DataFolder.self_healing_state`` (``cpo self-heal run`` and the Dagster job)."""

from __future__ import annotations

import json
import os
from collections import deque
from dataclasses import asdict
from pathlib import Path
from typing import Any

from models.healing.loop import Pending, SelfHealer
from models.healing.policy import ChargerMemory


def save(healer: SelfHealer, path: Path) -> None:
    doc = {
        "resets": list(healer.memory.resets),
        "chargers": {
            k: {**asdict(m), "connects": list(m.connects)}
            for k, m in healer.memory.chargers.items()
        },
        "pending": [
            {**asdict(p), "sessions_before": sorted(p.sessions_before)} for p in healer.pending
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(json.dumps(doc), encoding="utf-8")
    os.replace(temp, path)


def load(healer: SelfHealer, path: Path) -> None:
    if not path.exists():
        return
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    healer.memory.resets = deque(doc.get("resets", []))
    for cp_id, m in doc.get("chargers", {}).items():
        healer.memory.chargers[cp_id] = ChargerMemory(**{**m, "connects": deque(m["connects"])})
    healer.pending = [
        Pending(**{**p, "sessions_before": set(p["sessions_before"])})
        for p in doc.get("pending", [])
    ]
