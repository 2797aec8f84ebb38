"""The replays landed in a data folder (``DataFolder.replay_log``, one JSON line each): what a
later ``--append`` reconciles the whole lake against, and what a refusal names."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import orjson

from ingest.replay.errors import ReplayError
from ingest.replay.reconcile import Count, Totals


@dataclass(frozen=True)
class LoggedReplay:
    file: str
    node_id: str
    landed_at: str  # ISO 8601, UTC, wall clock
    per_station: dict[str, tuple[int, float]]  # station -> (sessions, kWh) from the file

    @property
    def totals(self) -> Totals:
        return Totals({s: Count(n, kwh) for s, (n, kwh) in self.per_station.items()})

    @property
    def sessions(self) -> int:
        return self.totals.sessions


def entry(file: Path, node_id: str, landed_at: str, totals: Totals) -> LoggedReplay:
    per = {s: (c.sessions, c.kwh) for s, c in totals.per_station.items()}
    return LoggedReplay(str(file), node_id, landed_at, per)


def read_log(path: Path) -> list[LoggedReplay]:
    if not path.is_file():
        return []
    out = []
    for n, line in enumerate(path.read_bytes().splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = orjson.loads(line)
            per = {str(s): (int(v[0]), float(v[1])) for s, v in raw["per_station"].items()}
            out.append(LoggedReplay(str(raw["file"]), str(raw["node_id"]),
                                    str(raw["landed_at"]), per))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, IndexError):
            raise ReplayError(f"{path}: line {n} is not a replay record; fix or remove the "
                              "line (the lake itself is unaffected)") from None
    return out


def append_log(path: Path, replay: LoggedReplay) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as f:
        f.write(orjson.dumps(asdict(replay)) + b"\n")


def merged(totals: list[Totals]) -> Totals:
    """Per-station sums over several replays."""
    acc: dict[str, Count] = {}
    for t in totals:
        for s, c in t.per_station.items():
            have = acc.get(s, Count())
            acc[s] = Count(have.sessions + c.sessions, have.kwh + c.kwh)
    return Totals(dict(sorted(acc.items())))
