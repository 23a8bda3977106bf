"""Inline SVG geometry, computed server-side: a run-history chart and time lines.

Templates draw the shapes from these numbers (no markup is built here), so
every label stays under Jinja's autoescape and no inline script or style is
needed under the Content-Security-Policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from syncjobs.web.views import duration, number, parse_time

WIDTH = 1080
PLOT_LEFT = 56
PLOT_RIGHT = 56
PLOT_TOP = 12
PLOT_HEIGHT = 150


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    status: str
    title: str


@dataclass
class Chart:
    bars: list[Bar]
    points: str
    dots: list[tuple[float, float]]
    max_duration: str
    max_records: str
    width: int = WIDTH
    height: int = PLOT_TOP + PLOT_HEIGHT + 24
    left: int = PLOT_LEFT
    right: int = WIDTH - PLOT_RIGHT
    top: int = PLOT_TOP
    bottom: int = PLOT_TOP + PLOT_HEIGHT


def history_chart(runs: list[Any]) -> Chart | None:
    """Duration as bars (left axis) and records as a line (right axis), oldest run first."""
    runs = [r for r in reversed(runs) if r.status not in ("queued", "running")]
    if not runs:
        return None
    durations = [float(r.duration_ms or 0) for r in runs]
    records = [float((r.stats or {}).get("records_processed", 0) or 0) for r in runs]
    top_d, top_r = max(durations) or 1.0, max(records) or 1.0
    span = WIDTH - PLOT_LEFT - PLOT_RIGHT
    step = span / len(runs)
    bars, dots = [], []
    for i, run in enumerate(runs):
        x = PLOT_LEFT + i * step
        height = PLOT_HEIGHT * durations[i] / top_d
        width = min(step * 0.7, 36.0)
        bars.append(Bar(
            x=round(x + (step - width) / 2, 1), y=round(PLOT_TOP + PLOT_HEIGHT - height, 1),
            width=round(width, 1), height=round(max(height, 1.0), 1), status=run.status,
            title=f"{run.id}: {run.status}, {duration(run.duration_ms)}, "
                  f"{number(records[i])} records",
        ))
        dots.append((round(x + step / 2, 1),
                     round(PLOT_TOP + PLOT_HEIGHT - PLOT_HEIGHT * records[i] / top_r, 1)))
    return Chart(bars=bars, points=" ".join(f"{x},{y}" for x, y in dots), dots=dots,
                 max_duration=duration(top_d), max_records=number(top_r))


@dataclass
class Span:
    label: str
    x: float
    y: float
    width: float
    status: str
    title: str


@dataclass
class Timeline:
    spans: list[Span]
    rows: list[tuple[str, float]]
    start: str
    end: str
    total: str
    width: int = WIDTH
    row_height: int = 22
    left: int = 150

    @property
    def height(self) -> int:
        return len(self.rows) * self.row_height + 26


def timeline(items: list[dict[str, Any]]) -> Timeline | None:
    """Spans on one time axis, one row per distinct label, in first-seen order.

    Each item: label, start, end (datetimes or ISO text), status and title.
    """
    timed = [(i, parse_time(i.get("start")), parse_time(i.get("end"))) for i in items]
    usable = [(i, s, e or s) for i, s, e in timed if s is not None]
    if not usable:
        return None
    t0 = min(s for _, s, _ in usable)
    t1 = max(e for _, _, e in usable if e is not None)
    total = max((t1 - t0).total_seconds(), 0.001)
    labels: list[str] = []
    for item, _, _ in usable:
        if item["label"] not in labels:
            labels.append(item["label"])
    result = Timeline(spans=[], rows=[], start="", end="", total=duration(total * 1000))
    scale = (WIDTH - result.left - 10) / total
    for item, start, end in usable:
        assert end is not None
        row = labels.index(item["label"])
        result.spans.append(Span(
            label=str(item["label"]),
            x=round(result.left + (start - t0).total_seconds() * scale, 1),
            y=row * result.row_height + 4,
            width=round(max((end - start).total_seconds() * scale, 2.0), 1),
            status=str(item.get("status", "")), title=str(item.get("title", "")),
        ))
    result.rows = [(label, i * result.row_height + 4) for i, label in enumerate(labels)]
    result.start, result.end = _clock(t0), _clock(t1)
    return result


def _clock(instant: datetime) -> str:
    return instant.strftime("%H:%M:%S UTC")
