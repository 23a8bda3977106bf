"""Cron expressions and time zones fuzzed through the API: a schedule or a 422, each in < 2 s.

Expressions are drawn both as free text and as five fields built from the
pieces cron allows (numbers in and out of range, ranges, steps, lists, month
and weekday names, `L`, `W`, `#`, `?`, aliases), zones from the IANA list and
as free text. Every POST and PATCH answers 201/200 or a 422 that names the
field; every accepted schedule previews `count` strictly increasing fire times.
"""

from __future__ import annotations

import time
import uuid
import zoneinfo
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.integration.api.conftest import Workspace

BOUND_S = 2.0
ZONES = sorted(zoneinfo.available_timezones())
SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

number = st.integers(min_value=-2, max_value=70).map(str)
name = st.sampled_from(["JAN", "feb", "DEC", "MON", "sun", "SAT", "L", "W", "?", "LW", "5L",
                        "15W", "1#3", "MON#5", "7", "0", "31", "29", "30", "60", "24", "13"])
atom = st.one_of(
    st.just("*"), number, name,
    st.tuples(number, number).map("-".join),
    st.tuples(st.sampled_from(["*", "0", "5", "1-10"]), st.integers(-1, 100)).map(
        lambda p: f"{p[0]}/{p[1]}"),
)
cron_field = st.lists(atom, min_size=1, max_size=4).map(",".join)
structured = st.lists(cron_field, min_size=3, max_size=7).map(" ".join)


def _in_range(low: int, high: int, names: list[str]) -> st.SearchStrategy[str]:
    value = st.one_of(st.integers(low, high).map(str), st.sampled_from(names or ["*"]))
    piece = st.one_of(
        st.just("*"), value,
        st.tuples(st.integers(low, high), st.integers(low, high)).map(
            lambda p: f"{min(p)}-{max(p)}"),
        st.tuples(st.sampled_from(["*", str(low)]), st.integers(1, high - low + 1)).map(
            lambda p: f"{p[0]}/{p[1]}"),
    )
    return st.lists(piece, min_size=1, max_size=3).map(",".join)


# Mostly-valid five fields: the accepted share must be large enough to exercise
# the preview (free text and out-of-range pieces mostly get 422s).
plausible = st.tuples(
    _in_range(0, 59, []), _in_range(0, 23, []), _in_range(1, 31, ["L"]),
    _in_range(1, 12, ["JAN", "FEB", "JUN", "DEC"]),
    _in_range(0, 7, ["MON", "FRI", "SUN", "MON-FRI", "5L", "1#2"]),
).map(" ".join)
cron = st.one_of(
    plausible, plausible, plausible, structured,
    st.sampled_from(["@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@reboot",
                     "0 0 30 2 *", "0 0 31 4 *", "0 0 29 2 *", "0 0 29 2 1", "* * * * * *"]),
    st.text(max_size=120),
)
odd_zones = ["", "utc", "UTC", "Europe/berlin", "../../etc/passwd", "Etc/GMT+14", "EST5EDT"]
zone = st.one_of(st.sampled_from(ZONES), st.sampled_from(ZONES), st.sampled_from(odd_zones),
                 st.text(max_size=70))


def _timed(call: Any) -> Any:
    started = time.perf_counter()
    answer = call()
    elapsed = time.perf_counter() - started
    assert elapsed < BOUND_S, f"{elapsed:.2f}s for {answer.request.url}"
    assert answer.status_code < 500, answer.text
    return answer


def _schedule_or_422(answer: Any, accepted: int) -> bool:
    event(f"answered {answer.status_code}")
    if answer.status_code == 422:
        body = answer.json()
        assert body["message"], body
        where = " ".join(".".join(map(str, d["loc"])) for d in body["detail"])
        assert "schedule" in where or "cron" in where or "timezone" in where, body
        return False
    assert answer.status_code == accepted, answer.text
    return True


def _preview(ws: Workspace, job_id: str, count: int) -> None:
    answer = _timed(lambda: ws.get(f"/sync-jobs/{job_id}/schedule", params={"count": count}))
    assert answer.status_code == 200, answer.text
    times = [t["utc"] for t in answer.json()["next"]]
    assert len(times) == count and times == sorted(set(times)), times


@pytest.fixture
def base(ws: Workspace, ids: tuple[str, str, str]) -> dict[str, Any]:
    return {"source_id": ids[0], "destination_id": ids[1]}


@SETTINGS
@given(cron=cron, zone=zone, count=st.integers(1, 100))
def test_create_answers_a_schedule_or_422_in_bounded_time(
    ws: Workspace, base: dict[str, Any], cron: str, zone: str, count: int
) -> None:
    body = {**base, "name": f"j-{uuid.uuid4().hex}", "schedule": {"cron": cron, "timezone": zone}}
    answer = _timed(lambda: ws.post("/sync-jobs", body))
    if _schedule_or_422(answer, 201):
        _preview(ws, answer.json()["id"], count)


@SETTINGS
@given(cron=cron, zone=zone, count=st.integers(1, 100))
def test_patch_answers_a_schedule_or_422_in_bounded_time(
    ws: Workspace, ids: tuple[str, str, str], cron: str, zone: str, count: int
) -> None:
    answer = _timed(lambda: ws.patch(f"/sync-jobs/{ids[2]}",
                                     {"schedule": {"cron": cron, "timezone": zone}}))
    if _schedule_or_422(answer, 200):
        _preview(ws, ids[2], count)


@pytest.mark.parametrize("expr", ["0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 12 30,31 2 *"])
def test_an_expression_that_never_fires_is_refused_clearly(
    ws: Workspace, base: dict[str, Any], expr: str
) -> None:
    answer = _timed(lambda: ws.post("/sync-jobs", {**base, "name": "never",
                                                   "schedule": {"cron": expr}}))
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["field"] == "schedule.cron"
    assert "never" in body["message"] and expr in body["message"], body["message"]


def test_a_rare_but_real_date_previews_100_times_quickly(
    ws: Workspace, base: dict[str, Any]
) -> None:
    # 29 February only (and 2100 is not a leap year): 100 fire times span ~400 years.
    answer = _timed(lambda: ws.post("/sync-jobs", {**base, "name": "leap",
                                                   "schedule": {"cron": "0 0 29 2 *"}}))
    assert answer.status_code == 201, answer.text
    _preview(ws, answer.json()["id"], 100)
