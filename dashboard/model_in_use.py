"""Which fault model scored the predictions shown: the operator's own, or the shipped default
(trained on a simulated network) that stands in until the data folder has enough fault onsets."""

from __future__ import annotations

from dashboard.queries.common import columns
from dashboard.warehouse import Runner

OWN = "own"
TRAIN = "cpo models train"


def model_caption(run: Runner) -> str | None:
    """One caption naming the model(s) behind each charger's latest score; None when the
    predictions say nothing of their model (files written before it was recorded)."""
    if not {"model_source", "model_version"} <= columns(run, "predictions"):
        return None
    used = run(
        """
        SELECT model_source, model_version, count(*) AS chargers
        FROM (SELECT *, row_number() OVER (PARTITION BY charge_point_id
                                           ORDER BY scored_at DESC) AS n FROM predictions)
        WHERE n = 1 GROUP BY ALL ORDER BY chargers DESC""",
        [],
    )
    parts = [_describe(str(r.model_source), str(r.model_version), int(r.chargers))
             for r in used.itertuples()]
    return "Scored by " + "; ".join(parts) + "." if parts else None


def _describe(source: str, version: str, chargers: int) -> str:
    who = f"{chargers} charger{'s' if chargers != 1 else ''}"
    if source == OWN:
        return f"this network's own model {version} ({who})"
    return (f"the shipped default model {version}, trained on a simulated network ({who}); "
            f"`{TRAIN}` replaces it once this data holds enough fault onsets")
