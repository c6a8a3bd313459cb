"""HTML tables of the report: the global summary, region tables, rankings, site summaries."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np

from ...analysis.summary import TABLE_COLUMNS


def esc(text) -> str:
    """HTML-escaped text."""
    return html.escape(str(text), quote=True)


def cell(value, fmt: str = "{:.3g}") -> str:
    """Return a value as table text: numbers formatted, NaN as a dash."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return "–" if not math.isfinite(value) else fmt.format(value)
    return str(value)


def html_table(headers: Sequence[str], rows: Sequence[Sequence], cls: str = "") -> str:
    """Return a ``<table>`` of formatted cells (escaped here); numbers right-aligned."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    attr = f' class="{esc(cls)}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def summary_table(summary: dict[str, dict[str, float]]) -> str:
    """Return the global summary per set: the columns of the printed table."""
    headers = ["set"] + [h for _, h, _ in TABLE_COLUMNS]
    rows = [
        [name] + [cell(r.get(k, float("nan")), f) for k, _, f in TABLE_COLUMNS]
        for name, r in summary.items()
    ]
    return html_table(headers, rows, "num")


def frame_table(frame, columns: Sequence[str] | None = None, fmt: str = "{:.4g}") -> str:
    """Return a pandas DataFrame as a table (all or the given columns)."""
    cols = [c for c in (columns or frame.columns) if c in frame.columns]
    rows = [[cell(v, fmt) for v in rec] for rec in frame[cols].itertuples(index=False)]
    return html_table(cols, rows, "num")
