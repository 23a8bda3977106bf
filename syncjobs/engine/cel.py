"""The CEL subset the engine evaluates in keys and `if` expressions.

Supported: `event.<path>` and `async.<path>` (e.g. `event.data.job_id`), string
and number literals, `==`, `&&`, string `+` and parentheses. Anything else is
refused with an error naming the expression, so nothing passes here that the
real server would read differently.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Mapping
from typing import Any

SUPPORTED = "event.<field>, async.<field>, 'string' and number literals, ==, && and string +"

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<path>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    | (?P<op>==|&&|\+|\(|\))
    | (?P<bad>\S+)
    )""",
    re.VERBOSE,
)


class CelError(ValueError):
    """An expression outside the supported subset, or one that cannot be evaluated."""

    def __init__(self, expression: str, problem: str) -> None:
        super().__init__(
            f"CEL expression {expression!r}: {problem}. The embedded engine supports {SUPPORTED}."
        )
        self.expression = expression


@dataclasses.dataclass(frozen=True)
class _Node:
    op: str  # lit | path | == | && | +
    value: Any = None
    args: tuple[_Node, ...] = ()


def _tokens(expression: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(expression):
        kind = m.lastgroup
        if kind is None:
            continue
        text = m.group(kind)
        if kind == "bad":
            raise CelError(expression, f"unsupported token {text!r}")
        out.append((kind, text))
    return out


class _Parser:
    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.toks = _tokens(expression)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise CelError(self.expression, "unexpected end of expression")
        self.pos += 1
        return tok

    def parse(self) -> _Node:
        if not self.toks:
            raise CelError(self.expression, "empty expression")
        node = self.and_expr()
        if self.peek() is not None:
            raise CelError(self.expression, f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return node

    def and_expr(self) -> _Node:
        node = self.eq_expr()
        while self.peek() == ("op", "&&"):
            self.take()
            node = _Node("&&", args=(node, self.eq_expr()))
        return node

    def eq_expr(self) -> _Node:
        node = self.add_expr()
        if self.peek() == ("op", "=="):
            self.take()
            node = _Node("==", args=(node, self.add_expr()))
        return node

    def add_expr(self) -> _Node:
        node = self.primary()
        while self.peek() == ("op", "+"):
            self.take()
            node = _Node("+", args=(node, self.primary()))
        return node

    def primary(self) -> _Node:
        kind, text = self.take()
        if kind == "str":
            return _Node("lit", json.loads('"' + text[1:-1].replace('"', '\\"') + '"'))
        if kind == "num":
            return _Node("lit", float(text) if "." in text else int(text))
        if kind == "path":
            parts = tuple(text.split("."))
            if parts[0] not in ("event", "async") or len(parts) < 2:
                raise CelError(self.expression, f"unknown name {text!r}")
            return _Node("path", parts)
        if text == "(":
            node = self.and_expr()
            if self.take() != ("op", ")"):
                raise CelError(self.expression, "missing ')'")
            return node
        raise CelError(self.expression, f"unexpected {text!r}")


@dataclasses.dataclass(frozen=True)
class Expression:
    source: str
    root: _Node

    def evaluate(
        self, event: Mapping[str, Any], async_event: Mapping[str, Any] | None = None
    ) -> Any:
        return _eval(self.root, {"event": event, "async": async_event or {}}, self.source)

    def matches(
        self, event: Mapping[str, Any], async_event: Mapping[str, Any] | None = None
    ) -> bool:
        return self.evaluate(event, async_event) is True

    def key(self, event: Mapping[str, Any]) -> str:
        """The value as a key: strings as they are, anything else as JSON."""
        value = self.evaluate(event)
        return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


@functools.lru_cache(maxsize=1024)
def compile_expression(source: str) -> Expression:
    """Parse once; raise `CelError` for anything outside the subset."""
    return Expression(source, _Parser(source).parse())


def _eval(node: _Node, scope: Mapping[str, Any], source: str) -> Any:
    if node.op == "lit":
        return node.value
    if node.op == "path":
        value: Any = scope
        for part in node.value:
            value = value.get(part) if isinstance(value, Mapping) else None
        return value
    left, right = (_eval(a, scope, source) for a in node.args)
    if node.op == "==":
        if _is_num(left) and _is_num(right):
            return bool(left == right)
        return type(left) is type(right) and left == right
    if node.op == "&&":
        return left is True and right is True
    if isinstance(left, str) and isinstance(right, str):
        return left + right
    if _is_num(left) and _is_num(right):
        return left + right
    raise CelError(source, f"'+' of {type(left).__name__} and {type(right).__name__}")


def _is_num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
