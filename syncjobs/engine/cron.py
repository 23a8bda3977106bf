"""Cron triggers: `TZ=Zone ` prefixes, ticks computed in the zone and stored in UTC."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError


@dataclasses.dataclass(frozen=True)
class CronSpec:
    expression: str
    zone: ZoneInfo


def parse_cron(text: str) -> CronSpec:
    """Split `TZ=Europe/Paris 0 9 * * 1-5` (or `CRON_TZ=`) into zone and expression."""
    text = text.strip()
    zone = ZoneInfo("UTC")
    head, _, rest = text.partition(" ")
    for prefix in ("TZ=", "CRON_TZ="):
        if head.startswith(prefix):
            try:
                zone = ZoneInfo(head[len(prefix) :])
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(
                    f"cron {text!r}: unknown time zone {head[len(prefix) :]!r}"
                ) from exc
            text = rest.strip()
            break
    try:
        CronSim(text, datetime.now(zone))
    except CronSimError as exc:
        raise ValueError(f"cron {text!r}: {exc}") from exc
    return CronSpec(text, zone)


def ticks_between(spec: CronSpec, after: datetime, until: datetime) -> list[datetime]:
    """Tick instants (aware UTC) in (after, until]; stops after 1,000 to stay bounded."""
    out: list[datetime] = []
    for local in CronSim(spec.expression, after.astimezone(spec.zone)):
        tick = local.astimezone(UTC)
        if tick > until or len(out) >= 1000:
            break
        if tick > after:
            out.append(tick)
    return out


def last_tick(spec: CronSpec, after: datetime, until: datetime) -> datetime | None:
    """The latest tick in (after, until]: a stopped engine catches up once, not per tick."""
    ticks = ticks_between(spec, after, until)
    return ticks[-1] if ticks else None
