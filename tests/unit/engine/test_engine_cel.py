"""The CEL subset: what it evaluates, and the error for anything outside it."""

from __future__ import annotations

import pytest

from syncjobs.engine.cel import CelError, compile_expression

EVENT = {"name": "t/x", "data": {"job": "j1", "n": 3, "nested": {"k": "v"}}}
NEW = {"name": "t/y", "data": {"job": "j1", "n": 4}}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("event.data.job", "j1"),
        ("event.data.nested.k", "v"),
        ("event.data.missing", None),
        ("event.data.job == async.data.job", True),
        ("event.data.n == async.data.n", False),
        ("event.data.n == 3 && event.data.job == 'j1'", True),
        ('event.data.n == 3 && event.data.job == "j2"', False),
        ("'job-' + event.data.job + \"-\" + async.data.job", "job-j1-j1"),
        ("(event.data.n == 3)", True),
        ("event.name == 't/x'", True),
    ],
)
def test_subset_evaluates_like_cel(source: str, expected: object) -> None:
    assert compile_expression(source).evaluate(EVENT, NEW) == expected


@pytest.mark.parametrize(
    "source",
    [
        "event.data.n != 3",
        "event.data.n > 3",
        "size(event.data)",
        "has(event.data.job)",
        "event.data.job || true",
        "data.job",
        "event.data.job ==",
        "event.data.tags[0]",
        "",
    ],
)
def test_anything_else_is_refused_naming_the_expression(source: str) -> None:
    with pytest.raises(CelError) as info:
        compile_expression(source)
    assert repr(source) in str(info.value)
    assert "supports" in str(info.value)


def test_key_renders_non_strings_as_json_and_plus_refuses_mixed_types() -> None:
    assert compile_expression("event.data.n").key(EVENT) == "3"
    assert compile_expression("event.data.job").key(EVENT) == "j1"
    with pytest.raises(CelError, match=r"'\+' of str and int"):
        compile_expression("event.data.job + event.data.n").evaluate(EVENT)
