"""A source that hangs, sends truncated JSON, or changes a field's type between pages.

One `syncjobs serve` (SQLite metadata) for the module, one misbehaving API; each test
has its own job. Sources use `timeout: 1` and `max_retries: 1`, the service
`SYNCJOBS_SYNC_RETRIES=1`, so every failure is reached in seconds.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.faults.faulty_api import Fault, FaultyApi, rows, serve_faulty
from tests.faults.support import Api, base_env
from tests.support.processes import ServeProcess

pytestmark = pytest.mark.slow

# A hang must end the run within this bound: 2 step attempts x 2 requests x 1 s timeout,
# plus backoffs; far below the API's own hang (it would answer after 8 s).
HANG_BOUND = 25.0


@pytest.fixture(scope="module")
def faulty() -> Iterator[FaultyApi]:
    api = FaultyApi(records={
        "slowpoke": rows(40),
        "halfjson": rows(100),
        "cutoff": rows(100),
        "shifty": rows(80),
    }, faults={
        "slowpoke": Fault(10, "hang"),
        "halfjson": Fault(60, "truncated"),
        "cutoff": Fault(60, "cut"),
    })
    # `score` is an integer on the first 3 pages, text from the 4th page on (2nd chunk too).
    for record in api.records["shifty"][30:]:
        record["score"] = f"level-{record['score']}"
    with serve_faulty(api):
        yield api


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, Path]]:
    tmp = tmp_path_factory.mktemp("source-faults")
    server = ServeProcess(base_env(tmp, SYNCJOBS_SYNC_RETRIES="1"), tmp / "serve.log")
    server.start()
    try:
        yield Api.create(server), tmp
    finally:
        server.stop()


def _job(client: Api, api: FaultyApi, entity: str, dest: dict[str, object],
         dest_type: str = "sqlite", **job: object) -> str:
    name = f"{entity}-{dest_type}"
    src = client.source(name, "rest", api.source_config(entity, timeout=1, max_retries=1))
    dst = client.destination(name, dest_type, dest)
    return client.job(name, src, dst, table_prefix=f"{entity}_", **job)


def test_hanging_source_fails_naming_the_timeout(faulty: FaultyApi,
                                                 service: tuple[Api, Path]) -> None:
    client, tmp = service
    job = _job(client, faulty, "slowpoke", {"path": str(tmp / "slowpoke.db")})
    began = time.monotonic()
    final = client.wait_terminal(job, client.run(job), HANG_BOUND + 15)
    took = time.monotonic() - began
    print(f"\nhang: failed after {took:.1f}s: {final['error']}")
    assert final["status"] == "failed", final
    assert took < HANG_BOUND
    message = final["error"]["message"]
    assert "Timeout" in message and "/v1/slowpoke" in message, message
    assert "within the 1 s timeout" in message and "offset=10" in message, message
    # Page 2 was asked for once per request retry and step attempt: 2 x 2.
    assert faulty.count("slowpoke", 10) == 4
    # A full refresh that failed leaves no table behind (not even a staging one).
    with sqlite3.connect(tmp / "slowpoke.db") as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []


@pytest.mark.parametrize("entity", ["halfjson", "cutoff"])
def test_truncated_body_fails_and_no_partial_record_is_stored(
        entity: str, faulty: FaultyApi, service: tuple[Api, Path]) -> None:
    """Incremental: the first chunk (offsets 0-40) commits; the chunk of the bad page not."""
    client, tmp = service
    path = tmp / f"{entity}.db"
    job = _job(client, faulty, entity, {"path": str(path)}, sync_mode="incremental")
    final = client.wait_terminal(job, client.run(job), 30)
    print(f"\n{entity}: {final['status']} after attempt {final['attempt']}: {final['error']}")
    assert final["status"] == "failed", final
    message = final["error"]["message"]
    if entity == "halfjson":
        # A 200 whose body is not JSON: retried inline, then a terminal failure.
        assert "is not valid JSON" in message and "/v1/halfjson" in message, message
    else:
        # The connection closed before the announced body length: transient, retried.
        assert "RemoteProtocolError" in message and "/v1/cutoff" in message, message
    with sqlite3.connect(path) as conn:
        stored = conn.execute(f'SELECT id, name, score FROM "{entity}_{entity}" ORDER BY id'
                              ).fetchall()
    # Exactly the committed first chunk, every record whole; nothing of pages 6-7.
    assert stored == [(i, f"user {i}", i * 10) for i in range(1, 51)]


@pytest.mark.parametrize("dest_type", ["sqlite", "duckdb"])
def test_field_changing_type_between_pages_widens_the_column(
        dest_type: str, faulty: FaultyApi, service: tuple[Api, Path]) -> None:
    client, tmp = service
    path = tmp / f"shifty.{dest_type}"
    job = _job(client, faulty, "shifty", {"path": str(path)}, dest_type=dest_type)
    final = client.wait_terminal(job, client.run(job), 30)
    assert final["status"] == "completed", final
    assert final["stats"]["records_processed"] == 80
    query = 'SELECT id, score FROM {} ORDER BY id'
    if dest_type == "sqlite":
        with sqlite3.connect(path) as conn:
            stored = conn.execute(query.format('"shifty_shifty"')).fetchall()
    else:
        with duckdb.connect(str(path), read_only=True) as conn:
            stored = conn.execute(query.format('main."shifty_shifty"')).fetchall()
            kind = conn.execute(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_name = 'shifty_shifty' AND column_name = 'score'").fetchone()
        assert kind is not None and kind[0] == "VARCHAR", kind
    expected = [(i, str(i * 10) if i <= 30 else f"level-{i * 10}") for i in range(1, 81)]
    assert [(i, str(s)) for i, s in stored] == expected
