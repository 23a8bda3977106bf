"""Property tests: any valid schedule in any zone gives strictly increasing UTC instants."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from syncjobs.errors import ConfigError
from syncjobs.schedule import next_fire_times, slots_between, validate_cron, validate_timezone
from syncjobs.schedule.zones import _known_zones

TRICKY_ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe",
                "America/Santiago", "Pacific/Apia", "Pacific/Chatham", "Asia/Kathmandu",
                "America/Havana", "Asia/Gaza", "Africa/Casablanca", "UTC"]  # fmt: skip
zones = st.one_of(st.sampled_from(TRICKY_ZONES), st.sampled_from(sorted(_known_zones())))


def _number_field(low: int, high: int) -> st.SearchStrategy[str]:
    n = st.integers(low, high)
    return st.one_of(
        st.just("*"),
        st.integers(1, high).map(lambda s: f"*/{s}"),
        n.map(str),
        st.tuples(n, n).map(lambda p: f"{min(p)}-{max(p)}"),
        st.tuples(n, n).map(lambda p: f"{p[0]},{p[1]}"),
        st.tuples(n, n, st.integers(1, 10)).map(lambda p: f"{min(p[:2])}-{max(p[:2])}/{p[2]}"),
    )


days = st.sampled_from(["*", "1", "15", "28", "1,15", "1-7", "L", "LW", "10-20"])
weekdays = st.sampled_from(["*", "1-5", "MON", "0", "SUN,SAT", "5L", "MON#2", "1#1"])
crons = st.builds(
    lambda m, h, dom, mon, dow: f"{m} {h} {dom} {mon} {dow}",
    _number_field(0, 59),
    _number_field(0, 23),
    days,
    st.one_of(st.just("*"), _number_field(1, 12)),
    weekdays,
)
instants = st.datetimes(
    min_value=datetime(1995, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=timedelta(seconds=2))
@given(cron=crons, zone=zones, after=instants, count=st.integers(1, 40))
def test_fire_times_are_strictly_increasing_aware_utc(
    cron: str, zone: str, after: datetime, count: int
) -> None:
    got = next_fire_times(cron, zone, after, count)
    assert len(got) == count
    assert all(t.tzinfo is UTC for t in got)
    assert all(a < b for a, b in itertools.pairwise([after, *got]))


@settings(max_examples=100, deadline=timedelta(seconds=2))
@given(cron=crons, zone=zones, after=instants, span=st.integers(1, 60 * 24 * 60))
def test_slots_between_agree_with_next_fire_times(
    cron: str, zone: str, after: datetime, span: int
) -> None:
    end = after + timedelta(minutes=span)
    slots = slots_between(cron, zone, after, end, 50)
    assert slots == [t for t in next_fire_times(cron, zone, after, 50) if t <= end]


cron_tokens = st.sampled_from(
    ["*", "*/", "/", "-", ",", "#", "L", "W", "LW", "?", "0", "1", "5", "7", "12", "29", "30",
     "31", "59", "60", "99999999999999999999", "MON", "JAN", "FOO", "@daily", "@", " ", "\t",
     "²", "é", "\x00"]
)  # fmt: skip
garbage = st.one_of(
    st.text(max_size=60),
    st.lists(cron_tokens, max_size=25).map("".join),
    st.lists(st.lists(cron_tokens, min_size=1, max_size=4).map("".join), max_size=7).map(" ".join),
)


@settings(max_examples=600, deadline=timedelta(seconds=2))
@given(text=garbage)
def test_garbage_cron_is_refused_or_usable(text: str) -> None:
    try:
        expr = validate_cron(text)
    except ConfigError as exc:
        assert exc.field == "schedule.cron"
        return
    got = next_fire_times(expr, "Europe/Berlin", datetime(2030, 1, 1, tzinfo=UTC), 3)
    assert all(a < b for a, b in itertools.pairwise(got))


@settings(max_examples=300, deadline=timedelta(seconds=1))
@given(text=st.one_of(st.text(max_size=40), st.sampled_from(sorted(_known_zones()))))
def test_garbage_timezone_is_refused_or_known(text: str) -> None:
    try:
        name = validate_timezone(text)
    except ConfigError as exc:
        assert exc.field == "schedule.timezone"
        return
    assert name in _known_zones()
