"""The executor's side of the SDK protocol: one POST to /api/inngest, and its answer."""

from __future__ import annotations

import dataclasses
import time
import urllib.parse
from datetime import UTC, datetime
from typing import Any

import httpx

from .ids import dumps, loads
from .signing import signature_header

# Opcodes of a 206 answer.
STEP_RUN = "StepRun"
STEP_ERROR = "StepError"
STEP_FAILED = "StepFailed"
STEP_PLANNED = "StepPlanned"
SLEEP = "Sleep"
WAIT_FOR_EVENT = "WaitForEvent"
INVOKE = "InvokeFunction"


@dataclasses.dataclass(frozen=True)
class CallRequest:
    function_id: str
    step_id: str | None  # None: let the SDK run the next new step
    run_id: str
    attempt: int
    max_attempts: int
    event: dict[str, Any]
    steps: dict[str, Any]
    stack: list[str]
    disable_immediate: bool

    def body(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "events": [self.event],
            "steps": self.steps,
            "use_api": False,
            "ctx": {
                "run_id": self.run_id,
                "attempt": self.attempt,
                "disable_immediate_execution": self.disable_immediate,
                "max_attempts": self.max_attempts,
                "stack": {"stack": self.stack},
            },
        }


@dataclasses.dataclass(frozen=True)
class Op:
    id: str
    op: str
    name: str
    display_name: str
    opts: dict[str, Any]
    data: Any = None
    has_data: bool = False
    error: dict[str, Any] | None = None
    # Bytes of `data` as JSON: what counts against the step output limit.
    size: int = 0


@dataclasses.dataclass(frozen=True)
class CallOutcome:
    status: int  # 200 done, 206 ops, anything else a function-level error
    output: Any = None
    ops: tuple[Op, ...] = ()
    error: dict[str, Any] | None = None
    no_retry: bool = False
    retry_after: datetime | None = None
    output_size: int = 0
    elapsed: float = 0.0

    @property
    def done(self) -> bool:
        return self.status == 200


def call_url(base_url: str, serve_path: str, function_id: str, step_id: str | None) -> str:
    query = urllib.parse.urlencode({"fnId": function_id, "stepId": step_id or "step"})
    return f"{base_url.rstrip('/')}{serve_path}?{query}"


def _parse_retry_after(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        try:  # the HTTP form: seconds from now
            return datetime.fromtimestamp(time.time() + float(value), UTC)
        except ValueError:
            return None


def _error_of(body: Any, status: int) -> dict[str, Any]:
    if isinstance(body, dict) and ("message" in body or "name" in body):
        return {
            "name": str(body.get("name") or "Error"),
            "message": str(body.get("message") or ""),
            "stack": body.get("stack"),
        }
    return {"name": "Error", "message": f"HTTP {status} from the app: {str(body)[:500]}"}


def _parse_op(raw: dict[str, Any]) -> Op:
    has_data = "data" in raw
    return Op(
        id=str(raw["id"]),
        op=str(raw["op"]),
        name=str(raw.get("name") or ""),
        display_name=str(raw.get("displayName") or raw.get("name") or raw["id"]),
        opts=dict(raw.get("opts") or {}),
        data=raw.get("data"),
        has_data=has_data,
        error=raw.get("error"),
        size=len(dumps(raw.get("data"))) if has_data else 0,
    )


def parse_response(response: httpx.Response, elapsed: float) -> CallOutcome:
    """Turn the SDK's answer into a `CallOutcome`; never raises on a bad body."""
    try:
        body = loads(response.content) if response.content else None
    except ValueError:
        body = response.text
    status = response.status_code
    if status == 200:
        return CallOutcome(200, output=body, output_size=len(response.content), elapsed=elapsed)
    if status == 206 and isinstance(body, list):
        return CallOutcome(206, ops=tuple(_parse_op(o) for o in body), elapsed=elapsed)
    return CallOutcome(
        status,
        error=_error_of(body, status),
        no_retry=response.headers.get("x-inngest-no-retry") == "true",
        retry_after=_parse_retry_after(response.headers.get("retry-after")),
        elapsed=elapsed,
    )


async def call_function(
    http: httpx.AsyncClient,
    url: str,
    request: CallRequest,
    *,
    signing_key: str | None = None,
) -> CallOutcome:
    """POST one call; transport failures come back as a retriable 599 outcome."""
    body = request.body()
    content = dumps(body).encode()
    headers = {"content-type": "application/json", "x-inngest-server-kind": "dev"}
    if signing_key:
        headers["x-inngest-server-kind"] = "cloud"
        headers["x-inngest-signature"] = signature_header(body, signing_key)
    started = time.perf_counter()
    try:
        response = await http.post(url, content=content, headers=headers)
    except httpx.HTTPError as exc:
        return CallOutcome(
            599,
            error={"name": type(exc).__name__, "message": f"calling {url} failed: {exc}"},
            elapsed=time.perf_counter() - started,
        )
    return parse_response(response, time.perf_counter() - started)
