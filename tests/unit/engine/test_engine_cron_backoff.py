"""Cron zones and DST, and the retry backoff schedule."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from syncjobs.engine.backoff import backoff_seconds
from syncjobs.engine.cron import last_tick, parse_cron, ticks_between


def test_tz_prefix_sets_the_zone_and_ticks_follow_dst() -> None:
    spec = parse_cron("TZ=Europe/Paris 0 9 * * *")
    ticks = ticks_between(
        spec, datetime(2024, 3, 30, tzinfo=UTC), datetime(2024, 4, 1, 12, tzinfo=UTC)
    )
    # 09:00 Paris is 08:00 UTC before the spring change (31 March) and 07:00 after.
    assert ticks == [
        datetime(2024, 3, 30, 8, tzinfo=UTC),
        datetime(2024, 3, 31, 7, tzinfo=UTC),
        datetime(2024, 4, 1, 7, tzinfo=UTC),
    ]
    assert parse_cron("CRON_TZ=America/New_York */5 * * * *").zone.key == "America/New_York"
    assert parse_cron("* * * * *").zone.key == "UTC"


def test_missed_ticks_are_caught_up_once() -> None:
    spec = parse_cron("*/5 * * * *")
    after, until = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, 1, 2, tzinfo=UTC)
    assert len(ticks_between(spec, after, until)) == 12
    assert last_tick(spec, after, until) == datetime(2024, 1, 1, 1, 0, tzinfo=UTC)
    assert last_tick(spec, until, until) is None


@pytest.mark.parametrize("text", ["TZ=Mars/Olympus 0 9 * * *", "61 * * * *", "every day"])
def test_bad_cron_is_refused_with_the_text(text: str) -> None:
    with pytest.raises(ValueError, match="cron"):
        parse_cron(text)


def test_backoff_follows_inngests_schedule_with_bounded_jitter_and_scale() -> None:
    rng = random.Random(1)
    delays = [backoff_seconds(n, rng=rng) for n in range(6)]
    for delay, base in zip(delays, (15, 30, 60, 120, 300, 600), strict=True):
        assert base <= delay <= base + 30
    assert backoff_seconds(50, rng=rng) >= 7200
    assert backoff_seconds(0, scale=0.001, rng=rng) <= 0.045
