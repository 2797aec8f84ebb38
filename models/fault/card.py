"""The model card's plots: precision-recall (model vs rule), calibration, lead times (HTML)."""

from __future__ import annotations

from html import escape as html_escape
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from sklearn.metrics import precision_recall_curve

from models.fault.report import restated_lines  # the terminal's lines: one wording


def plots_html(evaluation: dict[str, Any], title: str) -> str:
    scores = evaluation["test_scores"]
    fig = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=(
            "Precision-recall (test weeks)",
            "Calibration",
            "Lead time of caught faults (h)",
        ),
    )
    for name in ("model", "rule_baseline"):
        precision, recall, _ = precision_recall_curve(scores["y"], scores[name])
        auc = evaluation[name]["pr_auc"]
        fig.add_trace(go.Scatter(x=recall, y=precision, name=f"{name} (PR-AUC {auc:.2f})"), 1, 1)
    cal = evaluation["calibration"]
    fig.add_trace(
        go.Scatter(x=cal["predicted"], y=cal["observed"], mode="lines+markers", name="calibration"),
        1,
        2,
    )
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], name="perfect", line={"dash": "dot"}), 1, 2)
    fig.add_trace(go.Histogram(x=np.asarray(evaluation["lead_times_h"]), name="lead time"), 1, 3)
    fig.update_layout(title=title, height=420, width=1300)
    html = str(fig.to_html(include_plotlyjs=True, full_html=True))
    if "restated" in evaluation:
        html = html.replace("</body>", restated_html(evaluation["restated"]) + "</body>")
    return html


def restated_html(restated: dict[str, Any]) -> str:
    """Issue 20's targets as a table: per episode (regimes apart), against the oracle."""
    items = "".join(f"<li>{html_escape(line)}</li>" for line in restated_lines(restated))
    return f"<h3>Targets, per fault episode and against the oracle</h3><ul>{items}</ul>"
