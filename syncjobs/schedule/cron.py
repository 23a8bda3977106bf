"""Cron text: validation to one normalised 5-field form, human descriptions, Inngest form."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

from cron_descriptor import Options, get_description
from cronsim import CronSim, CronSimError

from syncjobs.errors import ConfigError
from syncjobs.schedule.zones import validate_timezone

FIELD = "schedule.cron"
EXAMPLE = "'*/15 * * * *' (every 15 minutes) or '0 9 * * 1-5' (09:00 on weekdays)"
MAX_LENGTH = 200

ALIASES = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}

FIELD_NAMES = ("minute", "hour", "day-of-month", "month", "day-of-week")
_ALLOWED = re.compile(r"^[0-9A-Z*,/#-]+$")
# Any Gregorian day/weekday pattern recurs well within cronsim's own 50-year
# search horizon, so one search from a fixed instant tells "never" from "rarely".
_REFERENCE = datetime(2000, 1, 1, tzinfo=UTC)


def _error(expr: str, problem: str) -> ConfigError:
    return ConfigError(
        f"cron expression {expr!r} is invalid: {problem}",
        field=FIELD,
        hint=f"use 5 fields (minute hour day-of-month month day-of-week), e.g. {EXAMPLE}",
    )


def _field_of(message: str) -> int | None:
    for index, name in enumerate(FIELD_NAMES):
        if message == f"Bad {name}":
            return index
    return None


def _check_parses(expr: str, fields: list[str]) -> None:
    try:
        CronSim(expr, _REFERENCE)
    except CronSimError as exc:
        index = _field_of(str(exc))
        if index is None:
            raise _error(expr, str(exc)) from None
        if index == 2:
            # cronsim also says "Bad day-of-month" for days no chosen month has.
            any_month = " ".join([*fields[:3], "*", fields[4]])
            try:
                CronSim(any_month, _REFERENCE)
            except CronSimError:
                pass
            else:
                raise _error(
                    expr,
                    f"day-of-month {fields[2]!r} never occurs in month {fields[3]!r}, "
                    "so it can never fire",
                ) from None
        raise _error(expr, f"{FIELD_NAMES[index]} field {fields[index]!r} is not valid") from None


@lru_cache(maxsize=512)
def _validate(raw: str) -> str:
    text = raw.strip()
    if not text:
        raise _error(raw, "it is empty")
    if len(text) > MAX_LENGTH:
        raise _error(text[:40] + "...", f"it is longer than {MAX_LENGTH} characters")
    if text.startswith("@"):
        alias = text.lower()
        if alias not in ALIASES:
            raise _error(text, f"unknown alias; known aliases: {', '.join(ALIASES)}")
        return ALIASES[alias]
    fields = text.upper().split()
    if len(fields) in (6, 7):
        raise _error(
            text, f"it has {len(fields)} fields; seconds and year fields are not supported"
        )
    if len(fields) != 5:
        raise _error(text, f"it has {len(fields)} field(s), expected 5")
    for index, value in enumerate(fields):
        if not _ALLOWED.match(value):
            raise _error(text, f"{FIELD_NAMES[index]} field {value!r} has unsupported characters")
    expr = " ".join(fields)
    _check_parses(expr, fields)
    try:
        next(CronSim(expr, _REFERENCE))
    except StopIteration:
        raise _error(expr, "no date matches it, so it can never fire") from None
    return expr


def validate_cron(expr: str) -> str:
    """Return `expr` as normalised 5-field cron text, or raise ConfigError saying what is wrong.

    Aliases (@hourly, @daily, @weekly, @monthly, @yearly) expand to their 5-field form.
    """
    if not isinstance(expr, str):
        raise ConfigError(
            f"cron expression must be text, got {type(expr).__name__}",
            field=FIELD,
            hint=f"e.g. {EXAMPLE}",
        )
    return _validate(expr)


@lru_cache(maxsize=4096)
def describe(cron: str) -> str:
    """Human text for `cron` ("Every 15 minutes"); the expression itself if none can be made.

    Cached: cron_descriptor reads its translations from disk on every call, which
    made describing schedules a tenth of the API's time under load.
    """
    expr = validate_cron(cron)
    options = Options()
    options.use_24hour_time_format = True
    try:
        return str(get_description(expr, options))
    except Exception:
        return expr


def inngest_cron(cron: str, zone: str) -> str:
    """Inngest's cron trigger text with its zone prefix, e.g. "TZ=Europe/Paris 0 9 * * 1-5"."""
    return f"TZ={validate_timezone(zone)} {validate_cron(cron)}"
