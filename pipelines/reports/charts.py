"""Charts for the PDFs, drawn with reportlab's own graphics (no browser, no network)."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart  # type: ignore[import-untyped]
from reportlab.graphics.shapes import Drawing, String  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]

BRAND = colors.HexColor("#1f6f8b")
WIDTH = 460


def _title(drawing: Drawing, text: str, height: int) -> None:
    drawing.add(String(0, height - 12, text, fontName="Helvetica-Bold", fontSize=10))


def daily_bars(
    title: str, days: Sequence[int], values: Sequence[float], height: int = 170
) -> Drawing:
    """One bar per day of the month (days 1..n), e.g. kWh delivered."""
    drawing = Drawing(WIDTH, height)
    _title(drawing, title, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 25, WIDTH - 50, height - 50
    chart.data = [list(values) or [0.0]]
    chart.categoryAxis.categoryNames = [str(d) if d % 5 == 1 else "" for d in days] or [""]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = BRAND
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    return drawing


def labelled_bars(title: str, labels: Sequence[str], values: Sequence[float]) -> Drawing:
    """One horizontal bar per label (e.g. revenue per site)."""
    height = 45 + 16 * max(len(labels), 1)
    drawing = Drawing(WIDTH, height)
    _title(drawing, title, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 150, 15, WIDTH - 170, height - 40
    chart.data = [list(values) or [0.0]]
    chart.categoryAxis.categoryNames = [label[:28] for label in labels] or [""]
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.reverseDirection = True
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = BRAND
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    return drawing
