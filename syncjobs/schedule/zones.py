"""IANA time zones: validation by name and showing UTC instants in a job's zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syncjobs.errors import ConfigError

FIELD = "schedule.timezone"
EXAMPLES = "'Europe/Berlin', 'America/New_York' or 'UTC'"
# Letters, digits, '_', '+', '-' between single slashes: no absolute paths, no
# '..', no backslashes, so ZoneInfo never looks outside the zone database.
_SHAPE = re.compile(r"^[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*$")


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    """The IANA names shipped by the tzdata package (one file, read once)."""
    try:
        text = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    except (ImportError, OSError):
        return frozenset()
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def _error(name: str, problem: str) -> ConfigError:
    return ConfigError(
        f"time zone {name!r} {problem}", field=FIELD, hint=f"use an IANA name such as {EXAMPLES}"
    )


@lru_cache(maxsize=256)
def _validate(raw: str) -> str:
    name = raw.strip()
    if not name:
        raise _error(raw, "is empty")
    if len(name) > 64 or not _SHAPE.match(name):
        raise _error(name, "is not an IANA time zone name")
    known = _known_zones()
    if known and name not in known:
        close = sorted(z for z in known if z.lower() == name.lower())
        if close:
            raise _error(name, f"is unknown; did you mean {close[0]!r}?")
        raise _error(name, "is unknown")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise _error(name, "is unknown") from None
    return name


def validate_timezone(name: str) -> str:
    """Return the IANA zone name `name`, or raise ConfigError naming it and a valid example."""
    if not isinstance(name, str):
        raise ConfigError(
            f"time zone must be text, got {type(name).__name__}",
            field=FIELD,
            hint=f"use an IANA name such as {EXAMPLES}",
        )
    return _validate(name)


def zone_info(name: str) -> ZoneInfo:
    """The ZoneInfo of a validated zone name."""
    return ZoneInfo(validate_timezone(name))


def require_aware(instant: datetime, what: str) -> datetime:
    """`instant` in UTC; a naive datetime is a programming error, not user input."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime (UTC inside), got naive {instant!r}")
    return instant.astimezone(UTC)


def to_local(instant: datetime, zone: str) -> datetime:
    """The aware UTC `instant` as wall-clock time in `zone`, with that zone's offset."""
    return require_aware(instant, "instant").astimezone(zone_info(zone))


@dataclass(frozen=True)
class FireTime:
    """One fire instant, in UTC and in the job's zone, for showing to people."""

    utc: datetime
    local: datetime

    @classmethod
    def of(cls, instant: datetime, zone: str) -> FireTime:
        utc = require_aware(instant, "instant")
        return cls(utc=utc, local=to_local(utc, zone))

    def as_dict(self) -> dict[str, str]:
        """ISO 8601 strings with offsets: {"utc": "...+00:00", "local": "...+02:00"}."""
        return {"utc": self.utc.isoformat(), "local": self.local.isoformat()}
