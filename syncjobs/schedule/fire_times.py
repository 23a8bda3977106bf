"""Fire times of a cron schedule in an IANA zone, as aware UTC instants.

Cron fields are read as wall-clock time in the job's zone; everything returned
is an aware UTC datetime, and all comparisons happen in UTC.

Daylight-saving rule
--------------------
Jobs are of two kinds, told apart by their text as Debian cron and cronsim do:

* Fixed-time jobs: neither the minute nor the hour field starts with ``*``
  (``30 2 * * *``, ``0 9 * * 1-5``, ``0,30 8-18 * * *``). They follow the wall clock.
  - Spring forward: a local time that does not exist that day fires at the first
    instant after the gap (02:30 Europe/Berlin on the spring day fires at 03:00
    CEST = 01:00 UTC). Several times inside one gap fire once, at that instant.
  - Fall back: a local time that happens twice fires once, at its first
    occurrence (02:30 Europe/Berlin on the autumn day fires at 02:30 CEST =
    00:30 UTC, not again at 02:30 CET).

* Interval jobs: the minute or the hour field starts with ``*``
  (``*/15 * * * *``, ``0 * * * *``, ``30 */2 * * *``). They follow real time: they
  fire at every matching wall-clock reading that actually occurs.
  - Spring forward: readings inside the gap never happen and are not caught up;
    ``*/15`` keeps firing every 15 real minutes (01:45 CET then 03:00 CEST) and
    ``0 * * * *`` every real hour.
  - Fall back: the repeated hour is matched in both passes, so ``*/15`` fires
    every 15 real minutes and ``0 * * * *`` every real hour through the night.

Both follow from cronsim, except one case it gets wrong and is corrected here:
searching from an instant inside the second pass of a repeated hour, cronsim
returns the first pass's (earlier) time for a fixed-time job. Every result is
therefore required to be strictly later than the previous one and than `after`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache

from cronsim import CronSim

from syncjobs.errors import ConfigError
from syncjobs.schedule.cron import FIELD as CRON_FIELD
from syncjobs.schedule.cron import validate_cron
from syncjobs.schedule.zones import require_aware, zone_info

MAX_COUNT = 1000
# Candidates cronsim may yield at or before the previous one in a row (a DST
# correction skips at most a handful); more means a bug, not a long wait.
_MAX_SKIPS = 1000


def _iter_fire_times(cron: str, zone: str, after: datetime) -> Iterator[datetime]:
    expr = validate_cron(cron)
    tz = zone_info(zone)
    last = require_aware(after, "after")
    candidates = CronSim(expr, last.astimezone(tz))
    skipped = 0
    for local in candidates:
        instant = local.astimezone(UTC)
        if instant <= last:
            skipped += 1
            if skipped > _MAX_SKIPS:
                raise RuntimeError(f"cronsim went backwards for {expr!r} in {zone} near {last}")
            continue
        skipped = 0
        last = instant
        yield instant


def _check_bound(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_COUNT:
        raise ConfigError(
            f"{name} must be a whole number from 1 to {MAX_COUNT}, got {value!r}",
            field=name,
            hint=f"ask for at most {MAX_COUNT} fire times at once and page on from the last one",
        )
    return value


def next_fire_times(cron: str, zone: str, after: datetime, count: int) -> list[datetime]:
    """The next `count` (1..1000) fire instants strictly after `after`, in UTC, ascending.

    Fewer only if the schedule stops matching within cronsim's 50-year horizon.
    """
    _check_bound(count, "count")
    after = require_aware(after, "after")
    # Every caller asking within the same minute shares one computation; one
    # more is asked for, so that dropping any at or before `after` stays exact.
    minute = after.replace(second=0, microsecond=0)
    found = _from_minute(cron, zone, minute, count + 1)
    return [t for t in found if t > after][:count]


@lru_cache(maxsize=2048)
def _from_minute(cron: str, zone: str, minute: datetime, count: int) -> tuple[datetime, ...]:
    result: list[datetime] = []
    for instant in _iter_fire_times(cron, zone, minute):
        result.append(instant)
        if len(result) == count:
            break
    return tuple(result)


def next_run_after(cron: str, zone: str, after: datetime) -> datetime:
    """The first fire instant strictly after `after`, in UTC."""
    found = next_fire_times(cron, zone, after, 1)
    if not found:
        raise ConfigError(
            f"cron expression {cron!r} does not fire in the 50 years after {after.isoformat()}",
            field=CRON_FIELD,
            hint="check the day-of-month, month and day-of-week fields",
        )
    return found[0]


def slots_between(
    cron: str, zone: str, start_exclusive: datetime, end_inclusive: datetime, limit: int
) -> list[datetime]:
    """Fire instants in (start_exclusive, end_inclusive], the earliest `limit` (1..1000) of them.

    For slots missed during downtime. When exactly `limit` come back there may be
    more: call again with the last one as `start_exclusive`.
    """
    _check_bound(limit, "limit")
    end = require_aware(end_inclusive, "end_inclusive")
    result: list[datetime] = []
    if end <= require_aware(start_exclusive, "start_exclusive"):
        return result
    for instant in _iter_fire_times(cron, zone, start_exclusive):
        if instant > end:
            break
        result.append(instant)
        if len(result) == limit:
            break
    return result
