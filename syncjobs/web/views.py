"""Templates and the filters they share: statuses with icons, durations, times in two zones."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from syncjobs import schedule

TEMPLATES = Path(__file__).parent / "templates"

# Label + colour (CSS class) + a shape, so a status never rests on colour alone.
STATUS_ICONS = {
    "queued": "◷", "running": "▶", "completed": "✔", "failed": "✖", "cancelled": "⊘",
    "abandoned": "⚠", "skipped": "↷", "paused": "❚❚", "active": "●",
    # Engine run and step statuses.
    "scheduled": "◷", "succeeded": "✔", "waiting": "◷", "sleeping": "◷", "error": "✖",
}


def status_icon(status: str | None) -> str:
    return STATUS_ICONS.get(status or "", "•")


def duration(ms: int | float | None) -> str:
    if ms is None:
        return "—"
    seconds = ms / 1000
    if seconds < 1:
        return f"{int(ms)} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def between_ms(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() * 1000


def utc(value: datetime | str | None) -> str:
    instant = parse_time(value)
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if instant else "—"


def local(value: datetime | str | None, zone: str | None) -> str:
    instant = parse_time(value)
    if instant is None:
        return "—"
    zone = zone or "UTC"
    return schedule.to_local(instant, zone).strftime("%Y-%m-%d %H:%M:%S ") + zone


def parse_time(value: datetime | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def number(value: Any) -> str:
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "—"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(icon=status_icon, duration=duration, utc=utc, local=local,
                       number=number)
    env.globals.update(between_ms=between_ms)
    return env


def render(request: Request, name: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200) -> HTMLResponse:
    """A page: the template gets the session (for the nav and the CSRF field) and the path."""
    values = {"web": getattr(request.state, "web", None), "path": request.url.path,
              "notice": None, "error": None, **(context or {})}
    html = environment().get_template(name).render(values)
    return HTMLResponse(html, status_code=status_code)
