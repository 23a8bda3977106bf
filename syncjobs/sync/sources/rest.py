"""REST source: entities are endpoints; every pagination style resumes from small JSON."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from syncjobs.errors import ConfigError, ConnectorError, TerminalError
from syncjobs.sync.configs import (
    CursorPagination,
    Incremental,
    LinkHeaderPagination,
    NextUrlPagination,
    OffsetPagination,
    PagePagination,
    RestEntity,
    RestSourceConfig,
)
from syncjobs.sync.request import EntityInfo
from syncjobs.sync.schema import records_to_batch
from syncjobs.sync.secrets import secret_values
from syncjobs.sync.sources.base import Page, ReadPlan, Source
from syncjobs.sync.sources.http import HttpClient, dig
from syncjobs.sync.values import parse_instant

DONE: dict[str, Any] = {"done": True}
GATHER_SECONDS = 1.0


class RestSource(Source):
    kind = "rest"

    def __init__(
        self, config: RestSourceConfig, name: str = "REST source",
        extra_secrets: list[str] | None = None,
    ) -> None:
        self.config = config
        self.by_name = {e.name: e for e in config.entities}
        self.http = HttpClient(
            name=name, headers=config.headers, auth=config.auth, timeout=config.timeout,
            max_retries=config.max_retries, requests_per_second=config.requests_per_second,
            secrets=secret_values(config) + (extra_secrets or []),
        )

    def classify(self, exc: BaseException) -> ConnectorError:
        return TerminalError(f"{self.http.name}: {type(exc).__name__}")

    def close(self) -> None:
        self.http.close()

    def entities(self) -> list[EntityInfo]:
        return [
            EntityInfo(
                name=e.name,
                primary_key=e.primary_key,
                cursor_candidates=[e.incremental.cursor_field] if e.incremental else [],
                cursor_field=e.incremental.cursor_field if e.incremental else None,
            )
            for e in self.config.entities
        ]

    def plan(self, entity: str, incremental: bool) -> ReadPlan:
        e = self.by_name.get(entity)
        if e is None:
            raise ConfigError(
                f"unknown entity {entity!r}; the source offers: {', '.join(self.by_name)}",
                field="entities",
            )
        cursor = e.incremental.cursor_field if e.incremental else None
        # API pages are not in cursor order: the cursor advances when the entity completes.
        return ReadPlan(entity, e.primary_key, cursor, cursor_ordered=False,
                        incremental=incremental)

    def read(
        self, plan: ReadPlan, *, position: dict[str, Any] | None, lower_bound: Any,
        page_rows: int,
    ) -> Iterator[Page]:
        e = self.by_name[plan.entity]
        if position and position.get("done"):
            return
        params = dict(e.params)
        if plan.incremental and e.incremental and e.incremental.param:
            bound = lower_bound if lower_bound is not None else e.incremental.initial_value
            if bound is not None:
                params[e.incremental.param] = format_bound(bound, e.incremental)
        pos: dict[str, Any] | None = dict(position or {})
        while pos is not None:
            # Small API pages are gathered into one batch (bounded in rows and time):
            # one Arrow conversion and one load per batch, not per request.
            records: list[dict[str, Any]] = []
            started = time.monotonic()
            while pos is not None and len(records) < page_rows and (
                time.monotonic() - started < GATHER_SECONDS
            ) and not self.interrupted():
                url, query = self._request(e, pos, params)
                body, response = self.http.request(e.method, url, params=query, json=e.json_body)
                got = extract_records(body, e.data_path, self.http.safe_url(url))
                pos = self._next(e, pos, body, response, got, url)
                records += got
            yield Page(records_to_batch(records), pos or DONE)

    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return self.config.base_url.rstrip("/") + "/" + path.lstrip("/")

    def _request(
        self, e: RestEntity, pos: dict[str, Any], params: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        p = e.pagination
        if "url" in pos:  # next_url / link_header: the server's URL carries every parameter
            return pos["url"], {}
        query = dict(params)
        if isinstance(p, OffsetPagination):
            query[p.limit_param] = p.limit
            query[p.offset_param] = pos.get("offset", 0)
        elif isinstance(p, PagePagination):
            query[p.page_param] = pos.get("page", p.first_page)
            if p.size_param and p.page_size:
                query[p.size_param] = p.page_size
        elif isinstance(p, CursorPagination):
            if p.size_param and p.page_size:
                query[p.size_param] = p.page_size
            if pos.get("cursor") is not None:
                query[p.cursor_param] = pos["cursor"]
        return self._url(e.path), query

    def _next(
        self, e: RestEntity, pos: dict[str, Any], body: Any, response: Any,
        records: list[dict[str, Any]], url: str,
    ) -> dict[str, Any] | None:
        """Where the next page is, or None after the last one."""
        p = e.pagination
        if isinstance(p, NextUrlPagination | LinkHeaderPagination):
            if isinstance(p, NextUrlPagination):
                link = dig(body, p.next_url_path)
            else:
                link = response.links.get(p.rel, {}).get("url")
            if not link or not records:
                return None
            return {"url": self.http.strip_auth(urljoin(str(response.request.url), str(link)))}
        if not records or p.type == "none":
            return None
        if p.has_more_path is not None and not dig(body, p.has_more_path):
            return None
        if isinstance(p, OffsetPagination):
            return _next_offset(p, pos, body, records)
        if isinstance(p, PagePagination):
            return _next_page(p, pos, body, records)
        cursor = (
            records[-1].get(p.cursor_record_field) if p.cursor_record_field
            else dig(body, p.cursor_path)
        )
        return None if cursor is None or cursor == "" else {"cursor": cursor}


def _next_offset(
    p: OffsetPagination, pos: dict[str, Any], body: Any, records: list[dict[str, Any]]
) -> dict[str, Any] | None:
    offset = pos.get("offset", 0) + len(records)
    total = dig(body, p.total_path) if p.total_path else None
    if isinstance(total, int) and offset >= total:
        return None
    if p.has_more_path is None and total is None and len(records) < p.limit:
        return None  # a short page is the last one
    return {"offset": offset}


def _next_page(
    p: PagePagination, pos: dict[str, Any], body: Any, records: list[dict[str, Any]]
) -> dict[str, Any] | None:
    page = pos.get("page", p.first_page)
    seen_pages = page - p.first_page + 1
    pages = dig(body, p.total_pages_path) if p.total_pages_path else None
    if isinstance(pages, int) and seen_pages >= pages:
        return None
    total = dig(body, p.total_path) if p.total_path else None
    if isinstance(total, int) and p.page_size and seen_pages * p.page_size >= total:
        return None
    if p.has_more_path is None and pages is None and p.page_size and len(records) < p.page_size:
        return None
    return {"page": page + 1}


def extract_records(body: Any, data_path: str | None, where: str) -> list[dict[str, Any]]:
    """The record list of a response body; a body of the wrong shape is a terminal error."""
    records = dig(body, data_path)
    if data_path is None and isinstance(body, dict):
        lists = [v for v in body.values() if isinstance(v, list)]
        records = lists[0] if len(lists) == 1 else body
    if records is None:
        return []
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise TerminalError(
            f"the response of {where} has no list of JSON objects at data_path {data_path!r}",
            hint="set the entity's data_path to where the records are in the body",
        )
    return records


def format_bound(bound: Any, inc: Incremental) -> Any:
    """The lower bound as the API wants it: ISO-8601 text or Unix seconds."""
    value: Any = bound
    if inc.format == "unix":
        instant = parse_instant(bound)
        value = int(instant.timestamp()) if instant else bound
    elif isinstance(bound, int | float) and not isinstance(bound, bool):
        value = dt.datetime.fromtimestamp(bound, tz=dt.UTC).isoformat().replace("+00:00", "Z")
    if inc.value_template:
        return inc.value_template.replace("{value}", str(value))
    return value
