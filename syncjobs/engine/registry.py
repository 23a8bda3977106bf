"""Function definitions as the SDK's sync describes them, with their CEL compiled."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from .cel import CelError, Expression, compile_expression
from .cron import parse_cron
from .ids import dumps, loads
from .schema import functions as functions_table

log = logging.getLogger(__name__)

# Inngest's default when a function sets no `retries`.
DEFAULT_RETRIES = 4
FAILED_EVENT = "inngest/function.failed"
INVOKED_EVENT = "inngest/function.invoked"
CRON_EVENT = "inngest/scheduled.timer"

_DURATION = re.compile(r"(\d+)(ms|w|d|h|m|s)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class RegistrationError(ValueError):
    """A function config the engine cannot honour; the message names the function."""


def parse_duration(text: str) -> timedelta:
    """Inngest duration strings: `30s`, `1h30m`, `2d`."""
    total, pos = 0.0, 0
    for m in _DURATION.finditer(text):
        if m.start() != pos:
            break
        total += int(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos != len(text) or not text:
        raise ValueError(f"invalid duration {text!r}: use e.g. 30s, 5m, 1h30m, 2d")
    return timedelta(seconds=total)


@dataclasses.dataclass(frozen=True)
class Concurrency:
    limit: int
    key: Expression | None
    scope: str


@dataclasses.dataclass(frozen=True)
class CancelOn:
    event: str
    condition: Expression | None
    timeout: timedelta | None


@dataclasses.dataclass(frozen=True)
class FunctionDef:
    id: str
    app_id: str
    name: str
    url: str
    event_triggers: tuple[tuple[str, Expression | None], ...]
    crons: tuple[str, ...]
    retries: int
    concurrency: tuple[Concurrency, ...]
    cancel: tuple[CancelOn, ...]
    singleton_key: Expression | None
    singleton_mode: str | None
    idempotency: Expression | None
    config: Mapping[str, Any]

    @property
    def max_attempts(self) -> int:
        return self.retries + 1

    def matches_event(self, name: str, event: Mapping[str, Any]) -> bool:
        for trigger, condition in self.event_triggers:
            if _name_matches(trigger, name) and (condition is None or condition.matches(event)):
                return True
        return False

    def concurrency_slots(self, event: Mapping[str, Any]) -> list[tuple[str, int]]:
        slots = []
        for i, c in enumerate(self.concurrency):
            key = c.key.key(event) if c.key is not None else ""
            # Account and env scoped keys are shared by every function using them.
            if c.scope in ("account", "env") and c.key is not None:
                slots.append((f"{c.scope}:{key}", c.limit))
            else:
                slots.append((f"{self.id}:{i}:{key}", c.limit))
        return slots


def _name_matches(pattern: str, name: str) -> bool:
    if pattern.endswith("*"):
        return name.startswith(pattern[:-1])
    return pattern == name


def _expr(fn_id: str, where: str, source: str | None) -> Expression | None:
    if not source:
        return None
    try:
        return compile_expression(source)
    except CelError as exc:
        raise RegistrationError(f"function {fn_id}: {where}: {exc}") from exc


# Accepted but not enforced here; docs/engine.md lists them.
UNENFORCED = ("batchEvents", "debounce", "throttle", "rateLimit", "priority", "timeouts")


def parse_function(app_id: str, cfg: Mapping[str, Any]) -> FunctionDef:
    """Validate one FunctionConfig from the sync payload."""
    fn_id = str(cfg["id"])
    ignored = [key for key in UNENFORCED if cfg.get(key)]
    if ignored:
        log.warning(
            "function %s: %s not enforced by the embedded engine (Inngest does)",
            fn_id,
            ", ".join(ignored),
        )
    events: list[tuple[str, Expression | None]] = []
    crons: list[str] = []
    for trig in cfg.get("triggers") or []:
        if "event" in trig:
            events.append(
                (trig["event"], _expr(fn_id, "trigger expression", trig.get("expression")))
            )
        elif "cron" in trig:
            crons.append(trig["cron"])
    step = (cfg.get("steps") or {}).get("step") or {}
    retries = (step.get("retries") or {}).get("attempts", DEFAULT_RETRIES)
    singleton = cfg.get("singleton") or {}
    return FunctionDef(
        id=fn_id,
        app_id=app_id,
        name=str(cfg.get("name") or fn_id),
        url=str((step.get("runtime") or {}).get("url", "")),
        event_triggers=tuple(events),
        crons=tuple(crons),
        retries=int(retries),
        concurrency=tuple(
            Concurrency(
                limit=int(c["limit"]),
                key=_expr(fn_id, "concurrency key", c.get("key")),
                scope=str(c.get("scope") or "fn"),
            )
            for c in cfg.get("concurrency") or []
            if int(c.get("limit", 0)) > 0
        ),
        cancel=tuple(
            CancelOn(
                event=c["event"],
                condition=_expr(fn_id, "cancel if", c.get("if")),
                timeout=parse_duration(c["timeout"]) if c.get("timeout") else None,
            )
            for c in cfg.get("cancel") or []
        ),
        singleton_key=_expr(fn_id, "singleton key", singleton.get("key")),
        singleton_mode=singleton.get("mode"),
        idempotency=_expr(fn_id, "idempotency", cfg.get("idempotency")),
        config=cfg,
    )


def parse_functions(app_id: str, configs: Iterable[Mapping[str, Any]]) -> list[FunctionDef]:
    fns = [parse_function(app_id, c) for c in configs]
    for fn in fns:
        for expr in fn.crons:
            try:
                parse_cron(expr)
            except ValueError as exc:
                raise RegistrationError(f"function {fn.id}: {exc}") from exc
    return fns


def save_app(
    conn: sa.Connection, app_id: str, url: str, configs: list[Mapping[str, Any]], now_ms: int
) -> list[FunctionDef]:
    """Replace the app's functions with the ones of this sync (validated first)."""
    fns = parse_functions(app_id, configs)
    conn.execute(functions_table.delete().where(functions_table.c.app_id == app_id))
    for fn, cfg in zip(fns, configs, strict=True):
        conn.execute(
            functions_table.insert().values(
                id=fn.id,
                app_id=app_id,
                name=fn.name,
                config=dumps(cfg),
                url=url,
                registered_at=now_ms,
            )
        )
    return fns


def load_all(conn: sa.Connection) -> dict[str, FunctionDef]:
    rows = conn.execute(sa.select(functions_table)).all()
    out = {}
    for row in rows:
        try:
            out[row.id] = parse_function(row.app_id, loads(row.config))
        except (RegistrationError, KeyError, ValueError) as exc:
            log.error("stored function %s ignored: %s", row.id, exc)
    return out
