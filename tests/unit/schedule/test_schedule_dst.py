"""Exact UTC fire instants across DST transitions in Berlin, New York and Sydney."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from syncjobs.schedule import next_fire_times, next_run_after, slots_between, to_local


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def fires(cron: str, zone: str, after: str, count: int) -> list[str]:
    return [t.strftime("%m-%d %H:%M") for t in next_fire_times(cron, zone, utc(after), count)]


BER, NYC, SYD = "Europe/Berlin", "America/New_York", "Australia/Sydney"

CASES = [
    # Berlin: spring 2025-03-30 02:00 CET -> 03:00 CEST; autumn 2025-10-26 03:00 -> 02:00.
    ("30 2 * * *", BER, "2025-03-29", ["03-29 01:30", "03-30 01:00", "03-31 00:30"]),
    ("30 2 * * *", BER, "2025-10-25", ["10-25 00:30", "10-26 00:30", "10-27 01:30"]),
    ("0 9 * * *", BER, "2025-03-29", ["03-29 08:00", "03-30 07:00", "03-31 07:00"]),
    ("0 9 * * *", BER, "2025-10-25", ["10-25 07:00", "10-26 08:00", "10-27 08:00"]),
    ("0 * * * *", BER, "2025-03-29T23:30", ["03-30 00:00", "03-30 01:00", "03-30 02:00"]),
    ("0 * * * *", BER, "2025-10-25T23:30", ["10-26 00:00", "10-26 01:00", "10-26 02:00"]),
    # New York: spring 2025-03-09 02:00 EST -> 03:00 EDT; autumn 2025-11-02 02:00 -> 01:00.
    ("30 2 * * *", NYC, "2025-03-08", ["03-08 07:30", "03-09 07:00", "03-10 06:30"]),
    ("30 1 * * *", NYC, "2025-11-01", ["11-01 05:30", "11-02 05:30", "11-03 06:30"]),
    ("30 2 * * *", NYC, "2025-11-01", ["11-01 06:30", "11-02 07:30", "11-03 07:30"]),
    ("0 9 * * *", NYC, "2025-03-08", ["03-08 14:00", "03-09 13:00"]),
    ("0 9 * * *", NYC, "2025-11-01", ["11-01 13:00", "11-02 14:00"]),
    ("0 * * * *", NYC, "2025-03-09T05:30", ["03-09 06:00", "03-09 07:00", "03-09 08:00"]),
    ("0 * * * *", NYC, "2025-11-02T04:30", ["11-02 05:00", "11-02 06:00", "11-02 07:00"]),
    # Sydney: April 2025-04-06 03:00 AEDT -> 02:00 AEST; October 2025-10-05 02:00 -> 03:00.
    ("30 2 * * *", SYD, "2025-04-04", ["04-04 15:30", "04-05 15:30", "04-06 16:30"]),
    ("30 2 * * *", SYD, "2025-10-03", ["10-03 16:30", "10-04 16:00", "10-05 15:30"]),
    ("0 9 * * *", SYD, "2025-04-04", ["04-04 22:00", "04-05 23:00"]),
    ("0 9 * * *", SYD, "2025-10-03", ["10-03 23:00", "10-04 22:00"]),
    ("0 * * * *", SYD, "2025-04-05T14:30", ["04-05 15:00", "04-05 16:00", "04-05 17:00"]),
    ("0 * * * *", SYD, "2025-10-04T14:30", ["10-04 15:00", "10-04 16:00", "10-04 17:00"]),
]


@pytest.mark.parametrize(("cron", "zone", "after", "expected"), CASES)
def test_exact_utc_instants_across_transitions(
    cron: str, zone: str, after: str, expected: list[str]
) -> None:
    assert fires(cron, zone, after, len(expected)) == expected


TRANSITIONS = [
    ("Europe/Berlin", "2025-03-30T01:00"),
    ("Europe/Berlin", "2025-10-26T01:00"),
    ("America/New_York", "2025-03-09T07:00"),
    ("America/New_York", "2025-11-02T06:00"),
    ("Australia/Sydney", "2025-04-05T16:00"),
    ("Australia/Sydney", "2025-10-04T16:00"),
]


@pytest.mark.parametrize(("zone", "transition"), TRANSITIONS)
def test_every_15_minutes_keeps_15_real_minutes_across_transitions(
    zone: str, transition: str
) -> None:
    start = utc(transition) - timedelta(hours=2)
    got = next_fire_times("*/15 * * * *", zone, start, 16)
    assert got == [start + timedelta(minutes=15 * i) for i in range(1, 17)]


def test_every_15_minutes_berlin_spring_has_nothing_in_the_gap() -> None:
    got = next_fire_times("*/15 * * * *", "Europe/Berlin", utc("2025-03-29T23:00"), 12)
    local = [to_local(t, "Europe/Berlin").strftime("%H:%M%z") for t in got]
    assert local == [
        "00:15+0100", "00:30+0100", "00:45+0100", "01:00+0100", "01:15+0100", "01:30+0100",
        "01:45+0100", "03:00+0200", "03:15+0200", "03:30+0200", "03:45+0200", "04:00+0200",
    ]  # fmt: skip


def test_every_15_minutes_berlin_autumn_fires_in_both_passes() -> None:
    got = next_fire_times("*/15 * * * *", "Europe/Berlin", utc("2025-10-25T23:45"), 9)
    local = [to_local(t, "Europe/Berlin").strftime("%H:%M%z") for t in got]
    assert local == [
        "02:00+0200", "02:15+0200", "02:30+0200", "02:45+0200",
        "02:00+0100", "02:15+0100", "02:30+0100", "02:45+0100", "03:00+0100",
    ]  # fmt: skip


def test_several_times_in_one_gap_fire_once_after_it() -> None:
    assert fires("0,30 2 * * *", "Europe/Berlin", "2025-03-29T12:00", 3) == [
        "03-30 01:00",
        "03-31 00:00",
        "03-31 00:30",
    ]


def test_fixed_time_searched_from_second_pass_is_not_repeated() -> None:
    # cronsim alone answers 00:30 UTC here: before `after`, and a second firing.
    assert next_run_after("30 2 * * *", "Europe/Berlin", utc("2025-10-26T01:15")) == utc(
        "2025-10-27T01:30"
    )


def test_results_are_strictly_after_even_at_a_fire_instant() -> None:
    assert next_run_after("0 9 * * *", "UTC", utc("2025-01-01T09:00")) == utc("2025-01-02T09:00")
    assert next_run_after("0 9 * * *", "UTC", utc("2025-01-01T08:59:59.999")) == utc(
        "2025-01-01T09:00"
    )


def test_slots_between_after_downtime_over_a_spring_night() -> None:
    got = slots_between(
        "30 2 * * *", "Europe/Berlin", utc("2025-03-28T00:00"), utc("2025-03-31T00:30"), 100
    )
    assert got == [utc("2025-03-28T01:30"), utc("2025-03-29T01:30"), utc("2025-03-30T01:00"),
                   utc("2025-03-31T00:30")]  # fmt: skip


def test_slots_between_pages_with_limit() -> None:
    start, end = utc("2025-01-01"), utc("2025-01-02")
    first = slots_between("*/15 * * * *", "UTC", start, end, 10)
    assert len(first) == 10
    rest = slots_between("*/15 * * * *", "UTC", first[-1], end, 1000)
    assert len(first) + len(rest) == 96
    assert rest[-1] == end


def test_slots_between_empty_window() -> None:
    at = utc("2025-01-01")
    assert slots_between("0 * * * *", "UTC", at, at, 5) == []
    assert slots_between("0 * * * *", "UTC", at, at - timedelta(days=1), 5) == []
    assert slots_between("0 0 * * *", "UTC", at, at + timedelta(hours=1), 5) == []


def test_fire_times_shared_within_a_minute_stay_strictly_after_the_instant_asked() -> None:
    """Answers are cached per minute: asking at :00, :30 and :59.9 of one minute differ right."""
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert next_fire_times("* * * * *", "UTC", start - timedelta(microseconds=1), 1) == [start]
    for offset in (timedelta(0), timedelta(seconds=30), timedelta(seconds=59, microseconds=9)):
        assert next_fire_times("* * * * *", "UTC", start + offset, 2) == [
            start + timedelta(minutes=1), start + timedelta(minutes=2)]
