"""What the live panel reads from the marts: the latest alerts and self-healing actions, over
the whole network and every date (the live panel ignores the sidebar's date range)."""

from __future__ import annotations

import pandas as pd

from dashboard.warehouse import Runner


def alerts(run: Runner, limit: int = 5) -> pd.DataFrame:
    """Chargers whose latest score alerts, highest probability first."""
    return run(
        """
        SELECT charge_point_id, scored_at, probability, top_features
        FROM (SELECT *, row_number() OVER (PARTITION BY charge_point_id
                                           ORDER BY scored_at DESC) AS n FROM predictions)
        WHERE n = 1 AND alert ORDER BY probability DESC LIMIT ?""",
        [limit],
    )


def actions(run: Runner, limit: int = 5) -> pd.DataFrame:
    """The latest self-healing actions with what came of them."""
    return run(
        """
        SELECT requested_at, charge_point_id, action, trigger, answer,
               coalesce(result, 'not verified yet') AS result
        FROM self_healing_actions ORDER BY requested_at DESC LIMIT ?""",
        [limit],
    )
