"""GraphQL source: named queries, paged by a cursor variable (Relay-style pageInfo)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from syncjobs.errors import ConfigError, ConnectorError, TerminalError
from syncjobs.sync.configs import GraphQLSourceConfig
from syncjobs.sync.request import EntityInfo
from syncjobs.sync.schema import records_to_batch
from syncjobs.sync.secrets import redact, secret_values
from syncjobs.sync.sources.base import Page, ReadPlan, Source
from syncjobs.sync.sources.http import HttpClient, dig
from syncjobs.sync.sources.rest import DONE, extract_records, format_bound


class GraphQLSource(Source):
    kind = "graphql"

    def __init__(self, config: GraphQLSourceConfig) -> None:
        self.config = config
        self.by_name = {q.name: q for q in config.queries}
        self.secrets = secret_values(config)
        self.http = HttpClient(
            name="GraphQL source", headers=config.headers, auth=config.auth,
            timeout=config.timeout, max_retries=config.max_retries,
            requests_per_second=config.requests_per_second, secrets=self.secrets,
        )

    def classify(self, exc: BaseException) -> ConnectorError:
        return TerminalError(f"GraphQL source: {type(exc).__name__}")

    def close(self) -> None:
        self.http.close()

    def entities(self) -> list[EntityInfo]:
        return [
            EntityInfo(
                name=q.name, primary_key=q.primary_key,
                cursor_candidates=[q.incremental.cursor_field] if q.incremental else [],
                cursor_field=q.incremental.cursor_field if q.incremental else None,
            )
            for q in self.config.queries
        ]

    def plan(self, entity: str, incremental: bool) -> ReadPlan:
        q = self.by_name.get(entity)
        if q is None:
            raise ConfigError(
                f"unknown entity {entity!r}; the source offers: {', '.join(self.by_name)}",
                field="entities",
            )
        cursor = q.incremental.cursor_field if q.incremental else None
        return ReadPlan(entity, q.primary_key, cursor, cursor_ordered=False,
                        incremental=incremental)

    def read(
        self, plan: ReadPlan, *, position: dict[str, Any] | None, lower_bound: Any,
        page_rows: int,
    ) -> Iterator[Page]:
        q = self.by_name[plan.entity]
        if position and position.get("done"):
            return
        variables = dict(q.variables)
        if plan.incremental and q.incremental and q.incremental.param:
            bound = lower_bound if lower_bound is not None else q.incremental.initial_value
            if bound is not None:
                variables[q.incremental.param] = format_bound(bound, q.incremental)
        cursor = (position or {}).get("cursor")
        while True:
            if cursor is not None:
                variables[q.cursor_variable] = cursor
            body, _ = self.http.request(
                "POST", self.config.endpoint, json={"query": q.query, "variables": variables}
            )
            self._raise_errors(body, q.name)
            records = extract_records(body, q.data_path, f"query {q.name}")
            has_next = bool(dig(body, q.has_next_page_path)) if q.has_next_page_path else False
            cursor = dig(body, q.end_cursor_path) if q.end_cursor_path else None
            more = has_next and cursor is not None and bool(records)
            yield Page(records_to_batch(records), {"cursor": cursor} if more else DONE)
            if not more:
                return

    def _raise_errors(self, body: Any, name: str) -> None:
        errors = body.get("errors") if isinstance(body, dict) else None
        if errors and not (isinstance(body, dict) and body.get("data")):
            first = errors[0].get("message", "") if isinstance(errors[0], dict) else errors[0]
            raise TerminalError(
                f"GraphQL query {name} failed: {redact(str(first)[:300], self.secrets)}",
                hint="check the query text, its variables and the credentials",
            )
