"""REST, GraphQL, Stripe and Close sources against a real HTTP server on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_server import Api, make_records, serve
from sync_helpers import rows, run_all, totals

from syncjobs.errors import TerminalError, TransientError
from syncjobs.sync.configs import DestinationConfig, parse_destination_config, parse_source_config
from syncjobs.sync.executor import check_source, list_entities
from syncjobs.sync.request import SyncRequest
from syncjobs.sync.sources.http import HttpClient


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Api]]:
    monkeypatch.setattr(HttpClient, "backoff_base", 0.01)
    with serve() as server:
        yield server


@pytest.fixture
def duck(tmp_path: Path) -> DestinationConfig:
    return parse_destination_config("duckdb", {"path": str(tmp_path / "w.duckdb")})


PAGINATIONS: dict[str, tuple[str, dict[str, Any], str | None]] = {
    "offset": ("/offset", {"type": "offset", "limit": 10, "total_path": "total"}, "data"),
    "offset_short_page": ("/offset", {"type": "offset", "limit": 10}, "data"),
    "page": ("/page", {"type": "page", "page_size": 10, "has_more_path": "has_more"}, "items"),
    "cursor": ("/cursor", {"type": "cursor", "cursor_path": "meta.next", "size_param": "limit",
                           "page_size": 10}, "results"),
    "next_url": ("/next", {"type": "next_url", "next_url_path": "next"}, "data"),
    "link_header": ("/link", {"type": "link_header"}, None),
    "none": ("/all", {"type": "none"}, None),
}


def rest(base: str, path: str, pagination: dict[str, Any], data_path: str | None,
         **extra: Any) -> Any:
    entity = {"name": "things", "path": path, "pagination": pagination, "data_path": data_path,
              **extra.pop("entity", {})}
    return parse_source_config("rest", {"base_url": base, "entities": [entity], **extra})


def sync(source: Any, dest: DestinationConfig, mode: str = "full", **kw: Any) -> list[Any]:
    req = SyncRequest(source=source, destination=dest, entities=[], mode=mode,  # type: ignore[arg-type]
                      table_prefix="api_", execution_id=kw.pop("execution_id", "e1"), **kw)
    return run_all(req)


@pytest.mark.parametrize("kind", sorted(PAGINATIONS))
def test_every_pagination(api: tuple[str, Api], duck: DestinationConfig, kind: str) -> None:
    base, _ = api
    path, pagination, data_path = PAGINATIONS[kind]
    results = sync(rest(base, path, pagination, data_path), duck, chunk_records=20)
    assert totals(results)["records_created"] == 45
    got = rows(duck, "api_things")
    assert [r["id"] for r in got] == list(range(1, 46))
    assert got[0]["meta"] == '{"v":0}' and got[0]["amount"] == 1.5
    if kind != "none":
        assert len(results) >= 3  # chunks of at most 20 records, resumed from state


def test_429_with_retry_after_is_honoured(api: tuple[str, Api], duck: DestinationConfig) -> None:
    base, server = api
    server.fail_next("/offset", 429, {"Retry-After": "1"})
    started = time.monotonic()
    results = sync(rest(base, "/offset", {"type": "offset", "limit": 50}, "data"), duck)
    assert time.monotonic() - started >= 0.9
    assert totals(results)["records_processed"] == 45


def test_500s_then_success_and_giving_up(api: tuple[str, Api], duck: DestinationConfig) -> None:
    base, server = api
    server.fail_next("/page", 500, times=2)
    server.fail_next("/page", 503, times=1)
    source = rest(base, "/page", PAGINATIONS["page"][1], "items")
    assert totals(sync(source, duck))["records_processed"] == 45
    server.fail_next("/page", 502, times=3)
    with pytest.raises(TransientError) as err:
        sync(rest(base, "/page", PAGINATIONS["page"][1], "items", max_retries=2), duck,
             execution_id="e2")
    assert "HTTP 502" in str(err.value)


def test_malformed_page(api: tuple[str, Api], duck: DestinationConfig) -> None:
    base, server = api
    source = rest(base, "/cursor", PAGINATIONS["cursor"][1], "results", max_retries=2)
    server.fail_next("/cursor", 200, body=b'{"results": [{"id": 1')  # truncated once: retried
    assert totals(sync(source, duck))["records_processed"] == 45
    server.fail_next("/cursor", 200, body=b"<html>oops</html>", times=3)
    with pytest.raises(TerminalError, match="not valid JSON"):
        sync(source, duck, execution_id="e2")
    server.fail_next("/cursor", 200, body=b'{"results": {"id": 1}}')
    with pytest.raises(TerminalError, match="data_path"):
        sync(source, duck, execution_id="e3")


def test_401_fails_at_once_without_secrets(api: tuple[str, Api], duck: DestinationConfig) -> None:
    base, server = api
    source = rest(base, "/auth", {"type": "none"}, None,
                  auth={"type": "api_key", "name": "api_key", "value": "key-XYZ-123",
                        "location": "query"})
    before = len(server.requests)
    with pytest.raises(TerminalError) as err:
        sync(source, duck)
    assert len(server.requests) == before + 1  # no retry
    text = str(err.value)
    assert "HTTP 401" in text and "/auth" in text and "key-XYZ-123" not in text
    good = rest(base, "/auth", {"type": "none"}, None,
                auth={"type": "bearer", "token": server.token})
    assert totals(sync(good, duck, execution_id="e2"))["records_created"] == 3
    assert check_source(good)["ok"] is True


def test_incremental_sends_lower_bound_and_upserts(
    api: tuple[str, Api], duck: DestinationConfig
) -> None:
    base, server = api
    source = rest(base, "/offset", {"type": "offset", "limit": 10}, "data",
                  entity={"incremental": {"cursor_field": "updated_at", "param": "updated_since"}})
    first = sync(source, duck, mode="incremental", chunk_records=20)
    assert totals(first)["records_created"] == 45
    cursor = first[-1].committed_cursors["things"]
    # Nothing is committed as cursor before the entity completes (pages are not ordered).
    assert all("things" not in r.committed_cursors for r in first[:-1])

    changed = make_records(47, version=1)
    # Server now: 1..40 unchanged (older than the cursor), 42 and 45 edited, 46 and 47 new.
    server.records = [*server.records[:40], changed[41], changed[44], changed[45], changed[46]]
    server.records[-1]["new_field"] = "hello"
    server.requests.clear()
    second = sync(source, duck, mode="incremental", execution_id="e2", cursors={"things": cursor})
    assert "updated_since=" in server.requests[0][1]
    t = totals(second)
    assert (t["records_created"], t["records_updated"]) == (2, 2)
    got = {r["id"]: r for r in rows(duck, "api_things")}
    assert len(got) == 47 and got[47]["new_field"] == "hello" and got[1]["new_field"] is None


def test_graphql(api: tuple[str, Api], duck: DestinationConfig) -> None:
    base, _ = api
    query = {"name": "users", "query": "query($first: Int, $after: String) { users { ... } }",
             "variables": {"first": 10}, "data_path": "data.users.nodes",
             "has_next_page_path": "data.users.pageInfo.hasNextPage",
             "end_cursor_path": "data.users.pageInfo.endCursor"}
    source = parse_source_config("graphql", {"endpoint": f"{base}/graphql", "queries": [query]})
    results = sync(source, duck, chunk_records=15)
    assert totals(results)["records_created"] == 45 and len(results) >= 3
    broken = parse_source_config("graphql", {"endpoint": f"{base}/graphql",
                                             "queries": [{**query, "query": "{ broken }"}]})
    with pytest.raises(TerminalError, match="Cannot query field"):
        sync(broken, duck, execution_id="e2")


def test_stripe_preset(api: tuple[str, Api], duck: DestinationConfig) -> None:
    base, server = api
    server.records = make_records(230)
    source = parse_source_config("stripe", {"api_key": "sk_test_123", "entities": ["customers"],
                                            "base_url": f"{base}/stripe/v1",
                                            "requests_per_second": 1000})
    assert [e.name for e in list_entities(source)] == ["customers"]
    results = sync(source, duck)
    assert totals(results)["records_created"] == 230
    assert sum("starting_after=cus_0200" in r[1] for r in server.requests) == 1
    assert results[-1].committed_cursors["customers"] == 1_700_000_230
    bad = parse_source_config("stripe", {"api_key": "sk_wrong", "base_url": f"{base}/stripe/v1"})
    with pytest.raises(TerminalError) as err:
        check_source(bad)
    assert "sk_wrong" not in str(err.value)


def test_close_preset(api: tuple[str, Api], duck: DestinationConfig) -> None:
    base, _ = api
    source = parse_source_config("close", {"api_key": "api_close_key", "entities": ["leads"],
                                           "base_url": f"{base}/close/api/v1",
                                           "requests_per_second": 1000})
    assert totals(sync(source, duck))["records_created"] == 45


def test_rate_limit_and_unix_lower_bound(api: tuple[str, Api], duck: DestinationConfig) -> None:
    base, server = api
    source = rest(base, "/stripe/v1/customers", {
        "type": "cursor", "cursor_param": "starting_after", "cursor_record_field": "id",
        "has_more_path": "has_more", "size_param": "limit", "page_size": 10}, "data",
        auth={"type": "bearer", "token": "sk_test_123"}, requests_per_second=20,
        entity={"incremental": {"cursor_field": "created", "param": "created[gte]",
                                "format": "unix", "initial_value": "2023-11-14T22:13:40Z"}})
    server.requests.clear()
    started = time.monotonic()
    results = sync(source, duck, mode="incremental")
    spaced = (len(server.requests) - 1) / 20  # 50 ms between requests
    assert len(server.requests) == 3 and time.monotonic() - started >= spaced
    assert "created%5Bgte%5D=1700000020" in server.requests[0][1]
    assert totals(results)["records_created"] == 26  # created >= 1_700_000_020
