"""PDF building blocks: a one-column A4 document with a byte-stable output.

reportlab stamps the clock into CreationDate and the file ID; ``render`` fixes both from the data
(the report month's end), so the same month rebuilds to the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.lib.utils import TimeStamp  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # type: ignore[import-untyped]

STYLES = getSampleStyleSheet()
SMALL = ParagraphStyle("small", parent=STYLES["Normal"], fontSize=8, leading=10)
HEADER_BG = colors.HexColor("#1f6f8b")


def _fixed_stamp(when: datetime) -> TimeStamp:
    stamp = TimeStamp(invariant=1)
    stamp.t = when.timestamp()
    stamp.lt = when.utctimetuple()
    stamp.YMDhms = tuple(stamp.lt)[:6]
    return stamp


def render(title: str, author: str, stamp: datetime, story: Sequence[Flowable]) -> bytes:
    """Build ``story`` into PDF bytes dated ``stamp`` (not the clock)."""

    class _Canvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **{**kwargs, "invariant": 1})
            self._doc._timeStamp = _fixed_stamp(stamp)

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=title,
        author=author,
        subject=title,
        creator="cpo workbench partner reports",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    doc.build(list(story), onFirstPage=_footer, onLaterPages=_footer, canvasmaker=_Canvas)
    return out.getvalue()


def _footer(canvas: Canvas, doc: Any) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 7)
    canvas.setFillColor(colors.grey)
    canvas.drawString(18 * mm, 10 * mm, doc.title)
    canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"page {doc.page}")
    canvas.restoreState()


def heading(text: str, level: int = 1) -> Paragraph:
    return Paragraph(text, STYLES["Title" if level == 0 else f"Heading{level}"])


def para(text: str, small: bool = False) -> Paragraph:
    return Paragraph(text, SMALL if small else STYLES["Normal"])


def gap(height_mm: float = 4) -> Spacer:
    return Spacer(1, height_mm * mm)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], numeric_from: int = 1) -> Table:
    """A striped table; columns from ``numeric_from`` on are right-aligned."""
    data = [list(header), *[[_cell(v) for v in row] for row in rows]]
    t = Table(data, repeatRows=1, hAlign="LEFT")
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
    ]
    style += [
        ("BACKGROUND", (0, i), (-1, i), colors.HexColor("#f2f6f8")) for i in range(2, len(data), 2)
    ]
    t.setStyle(TableStyle(style))
    return t


def _cell(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def money(value: float, currency: str = "USD") -> str:
    return f"{currency} {value:,.2f}"


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} %"
