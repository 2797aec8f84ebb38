"""Registry records printed as an aligned text table, or as JSON with --json."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import orjson
import typer

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def print_records(records: list[dict[str, Any]], headers: Sequence[str], as_json: bool) -> None:
    if as_json:
        typer.echo(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode())
    elif not records:
        typer.echo("(none)")
    else:
        typer.echo(_table(headers, [[_cell(r[h]) for h in headers] for r in records]))


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _table(headers: Sequence[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    lines = [headers, ["-" * w for w in widths], *rows]
    return "\n".join(_row(line, widths) for line in lines)


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
