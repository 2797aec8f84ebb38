"""The ``predictions`` table: each charger's last complete hour scored by the current fault model
(the shipped default until the operator's own is trained); empty, with a note, without a model."""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb
import polars as pl

from models.errors import NoModelError, NotEnoughDataError
from models.fault.score import PREDICTIONS_SCHEMA, score_latest
from pipelines.warehouse import sql_files
from pipelines.warehouse.layout import Layout

TABLE = "predictions"


@dataclass(frozen=True)
class Scored:
    frame: pl.DataFrame
    note: str  # why nothing was scored, else ""

    def metadata(self) -> dict[str, int | str]:
        scored = self.frame
        return {
            "dagster/row_count": scored.height,
            "alerts": int(scored["alert"].sum()) if scored.height else 0,
            "model": scored["model_version"][0] if scored.height else "",
            "model_source": scored["model_source"][0] if scored.height else "",  # own|default
            "note": self.note,
            "top": json.dumps(
                scored.sort("probability", descending=True)
                .head(3)
                .select("charge_point_id", "probability")
                .to_dicts()
            ),
        }


def write_predictions(conn: duckdb.DuckDBPyConnection, layout: Layout) -> Scored:
    """Score from the published marts, then write and publish ``predictions``."""
    note = ""
    try:
        scored = score_latest(layout.data_dir, layout.marts)
    except (NoModelError, NotEnoughDataError) as exc:
        scored, note = pl.DataFrame(schema=PREDICTIONS_SCHEMA), str(exc)
    conn.register("_scored", scored.to_arrow())
    conn.execute(f"CREATE OR REPLACE TABLE {TABLE} AS SELECT * FROM _scored")
    conn.unregister("_scored")
    sql_files.publish(conn, TABLE, layout.mart_file(TABLE))
    return Scored(scored, note)
