"""HTTP requests for API sources: auth, rate limit, timeouts, retries, error classification."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import orjson

from syncjobs.errors import ConnectorError, TerminalError, TransientError
from syncjobs.sync.configs import ApiKeyAuth, BasicAuth, BearerAuth
from syncjobs.sync.configs.http import Auth
from syncjobs.sync.secrets import MASK, redact

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
# Longer waits are handed back to the engine as a retry_after instead of blocking a thread.
MAX_INLINE_WAIT = 60.0


class MalformedResponse(Exception):
    """A 2xx body that is not the JSON we expect."""


class HttpClient:
    """One API's session. `request` returns parsed JSON or raises a classified error."""

    backoff_base = 0.5
    backoff_cap = 30.0

    def __init__(
        self, *, name: str, headers: dict[str, str], auth: Auth, timeout: float,
        max_retries: int, requests_per_second: float | None, secrets: list[str],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self.secrets = secrets
        self.max_retries = max_retries
        self.interval = 1.0 / requests_per_second if requests_per_second else 0.0
        self.sleep = sleep
        self._next_at = 0.0
        self.auth_params: dict[str, str] = {}
        all_headers = {"Accept": "application/json", "User-Agent": "syncjobs", **headers}
        basic: httpx.BasicAuth | None = None
        if isinstance(auth, BearerAuth):
            all_headers["Authorization"] = f"Bearer {auth.token.get_secret_value()}"
        elif isinstance(auth, ApiKeyAuth):
            if auth.location == "header":
                all_headers[auth.name] = auth.value.get_secret_value()
            else:
                self.auth_params[auth.name] = auth.value.get_secret_value()
        elif isinstance(auth, BasicAuth):
            basic = httpx.BasicAuth(auth.username, auth.password.get_secret_value())
        self.timeout = timeout
        self.client = httpx.Client(
            headers=all_headers, auth=basic, timeout=timeout, follow_redirects=True
        )

    def close(self) -> None:
        self.client.close()

    def safe_url(self, url: str) -> str:
        """The URL for messages and state: secret query values masked."""
        parts = urlsplit(url)
        query = [(k, MASK if k in self.auth_params or v in self.secrets else v)
                 for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        return urlunsplit(parts._replace(query=urlencode(query, safe="*")))

    def strip_auth(self, url: str) -> str:
        """The URL without our auth parameters, to keep in state (they are re-added)."""
        parts = urlsplit(url)
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                 if k not in self.auth_params and v not in self.secrets]
        return urlunsplit(parts._replace(query=urlencode(query)))

    def request(
        self, method: str, url: str, *, params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> tuple[Any, httpx.Response]:
        # Merge, not replace: a next-page URL already carries its own query string.
        target = httpx.URL(url).copy_merge_params({**(params or {}), **self.auth_params})
        attempt = 0
        while True:
            self._throttle()
            try:
                response = self.client.request(method, target, json=json)
                error = self._check(response)
                if error is None:
                    return self._parse(response), response
            except httpx.TimeoutException as exc:
                error = TransientError(
                    f"{self.name}: no answer within the {self.timeout:g} s timeout "
                    f"({type(exc).__name__}) on {method} {self.safe_url(str(target))}",
                    hint="raise the source's `timeout` if the API is slow",
                )
            except httpx.TransportError as exc:
                error = TransientError(
                    f"{self.name}: {type(exc).__name__} (the connection failed or was cut) "
                    f"on {method} {self.safe_url(str(target))}"
                )
            except MalformedResponse as exc:
                error = TransientError(f"{self.name}: {exc}")
                error.details["malformed"] = True
            attempt += 1
            if not isinstance(error, TransientError) or attempt > self.max_retries:
                raise self._final(error)
            wait = self._backoff(attempt, error.retry_after)
            if wait > MAX_INLINE_WAIT:
                raise error
            self.sleep(wait)

    def _final(self, error: ConnectorError) -> ConnectorError:
        if error.details.get("malformed"):
            return TerminalError(error.message, hint="the API keeps sending bodies we cannot read")
        return error

    def _throttle(self) -> None:
        if self.interval:
            now = time.monotonic()
            if now < self._next_at:
                self.sleep(self._next_at - now)
            self._next_at = max(now, self._next_at) + self.interval

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return float(retry_after)
        # Exponential backoff with jitter, so clients that failed together do not retry together.
        ceiling: float = min(self.backoff_cap, self.backoff_base * 2.0 ** (attempt - 1))
        return ceiling * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not crypto

    def _check(self, response: httpx.Response) -> ConnectorError | None:
        status = response.status_code
        if status < 300:
            return None
        where = f"{response.request.method} {self.safe_url(str(response.request.url))}"
        body = redact(response.text[:200], self.secrets).strip()
        text = f"{self.name}: HTTP {status} on {where}" + (f": {body}" if body else "")
        if status in RETRY_STATUSES or status >= 500:
            return TransientError(text, retry_after=_retry_after(response), status=status)
        hints = {401: "check the API key or token", 403: "the credentials lack permission",
                 404: "check the base URL and the entity path"}
        return TerminalError(text, hint=hints.get(status, "check the request"), status=status)

    def _parse(self, response: httpx.Response) -> Any:
        try:
            return orjson.loads(response.content) if response.content else None
        except orjson.JSONDecodeError:
            raise MalformedResponse(
                f"response of {self.safe_url(str(response.request.url))} is not valid JSON"
            ) from None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def dig(body: Any, path: str | None) -> Any:
    """The value at a dotted path (`data.items`, `meta.0.next`); None when absent."""
    if not path:
        return body
    node = body
    for step in path.split("."):
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and step.lstrip("-").isdigit():
            idx = int(step)
            node = node[idx] if -len(node) <= idx < len(node) else None
        else:
            return None
    return node
