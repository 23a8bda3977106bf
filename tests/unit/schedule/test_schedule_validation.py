"""Validation of cron text and zones, bounds, descriptions and display helpers."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from syncjobs.errors import ConfigError
from syncjobs.schedule import (
    FireTime,
    describe,
    inngest_cron,
    next_fire_times,
    next_run_after,
    slots_between,
    to_local,
    validate_cron,
    validate_timezone,
)

AFTER = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("*/15 * * * *", "*/15 * * * *"),
        ("  0   9 * *  mon-fri ", "0 9 * * MON-FRI"),
        ("0 0 L * *", "0 0 L * *"),
        ("0 0 * * 5L", "0 0 * * 5L"),
        ("0 0 29 2 *", "0 0 29 2 *"),
        ("@hourly", "0 * * * *"),
        ("@daily", "0 0 * * *"),
        ("@WEEKLY", "0 0 * * 0"),
        ("@monthly", "0 0 1 * *"),
        ("@yearly", "0 0 1 1 *"),
        ("@annually", "0 0 1 1 *"),
    ],
)
def test_valid_cron_is_normalised(given: str, normalised: str) -> None:
    assert validate_cron(given) == normalised


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("* * * *", "4 field(s), expected 5"),
        ("0 */5 * * * *", "seconds and year fields are not supported"),
        ("0 0 12 * * ? 2025", "seconds and year fields are not supported"),
        ("61 * * * *", "minute field '61'"),
        ("0 25 * * *", "hour field '25'"),
        ("0 0 0 * *", "day-of-month field '0'"),
        ("0 0 * 13 *", "month field '13'"),
        ("0 0 * * 8", "day-of-week field '8'"),
        ("0 0 ? * MON", "unsupported characters"),
        ("@reboot", "unknown alias"),
        ("0 0 30 2 *", "never occurs in month '2'"),
        ("0 0 31 4 *", "never occurs in month '4'"),
        ("0 0 31 2,4,6 *", "never occurs"),
        ("0 0 LW * */7", "can never fire"),
        ("1" * 500, "longer than"),
    ],
)
def test_invalid_cron_is_refused_with_a_clear_message(given: str, says: str) -> None:
    with pytest.raises(ConfigError) as info:
        validate_cron(given)
    assert info.value.field == "schedule.cron"
    assert says in info.value.message
    assert info.value.hint is not None and "*/15 * * * *" in info.value.hint


def test_never_firing_cron_is_refused_quickly() -> None:
    started = time.monotonic()
    for expr in ("0 0 LW * */7", "0 0 LW * */6", "0 0 30 2 *"):
        with pytest.raises(ConfigError):
            validate_cron(expr)
    assert time.monotonic() - started < 2


def test_non_text_cron_is_refused() -> None:
    with pytest.raises(ConfigError):
        validate_cron(15)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires",
                                  "Etc/GMT+5", " Asia/Kolkata "])  # fmt: skip
def test_valid_timezone(name: str) -> None:
    assert validate_timezone(name) == name.strip()


@pytest.mark.parametrize(
    "name",
    ["", "  ", "Mars/Olympus", "/etc/localtime", "../../etc/passwd", "Europe/../UTC",
     "localtime", "posixrules", "right/UTC", "posix/Europe/Berlin", "Europe\\Berlin",
     "UTC\x00", "file:///etc/passwd", "A" * 100],
)  # fmt: skip
def test_invalid_timezone_is_refused(name: str) -> None:
    with pytest.raises(ConfigError) as info:
        validate_timezone(name)
    assert info.value.field == "schedule.timezone"
    assert info.value.hint is not None and "Europe/Berlin" in info.value.hint


def test_timezone_in_wrong_case_gets_a_suggestion() -> None:
    with pytest.raises(ConfigError, match="did you mean 'Europe/Berlin'"):
        validate_timezone("europe/berlin")


@pytest.mark.parametrize("count", [0, -1, 1001, True, 2.5, "3"])
def test_count_and_limit_are_bounded(count: object) -> None:
    with pytest.raises(ConfigError) as info:
        next_fire_times("* * * * *", "UTC", AFTER, count)  # type: ignore[arg-type]
    assert info.value.field == "count"
    with pytest.raises(ConfigError) as info:
        slots_between("* * * * *", "UTC", AFTER, AFTER, count)  # type: ignore[arg-type]
    assert info.value.field == "limit"


def test_thousand_fire_times_are_allowed() -> None:
    got = next_fire_times("* * * * *", "Europe/Berlin", AFTER, 1000)
    assert len(got) == 1000


def test_naive_datetimes_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_run_after("* * * * *", "UTC", datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="aware"):
        to_local(datetime(2025, 1, 1), "UTC")


def test_invalid_input_to_fire_time_functions_is_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        next_run_after("0 0 30 2 *", "UTC", AFTER)
    assert info.value.field == "schedule.cron"
    with pytest.raises(ConfigError) as info:
        next_run_after("0 0 * * *", "Nowhere/Town", AFTER)
    assert info.value.field == "schedule.timezone"


def test_results_are_aware_utc() -> None:
    got = next_run_after("0 9 * * *", "Asia/Kolkata", AFTER)
    assert got.tzinfo is UTC
    assert got == datetime(2025, 1, 1, 3, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("cron", "text"),
    [
        ("*/15 * * * *", "Every 15 minutes"),
        ("0 * * * *", "Every hour"),
        ("0 9 * * 1-5", "At 09:00, Monday through Friday"),
        ("@daily", "At 00:00"),
    ],
)
def test_describe(cron: str, text: str) -> None:
    assert describe(cron) == text


def test_describe_falls_back_to_the_expression(monkeypatch: pytest.MonkeyPatch) -> None:
    import syncjobs.schedule.cron as cron_module

    def broken(*_: object) -> str:
        raise ValueError("cannot describe")

    monkeypatch.setattr(cron_module, "get_description", broken)
    assert describe("0 9 * * mon") == "0 9 * * MON"


def test_inngest_cron_has_the_zone_prefix() -> None:
    assert inngest_cron("0 9 * * 1-5", "Europe/Paris") == "TZ=Europe/Paris 0 9 * * 1-5"
    assert inngest_cron("@daily", "UTC") == "TZ=UTC 0 0 * * *"
    with pytest.raises(ConfigError):
        inngest_cron("0 9 * * 1-5", "Paris")


def test_fire_time_shows_utc_and_local_with_offsets() -> None:
    instant = next_run_after("30 2 * * *", "Europe/Berlin", datetime(2025, 3, 29, 12, tzinfo=UTC))
    assert FireTime.of(instant, "Europe/Berlin").as_dict() == {
        "utc": "2025-03-30T01:00:00+00:00",
        "local": "2025-03-30T03:00:00+02:00",
    }
    assert to_local(instant, "America/New_York").isoformat() == "2025-03-29T21:00:00-04:00"
