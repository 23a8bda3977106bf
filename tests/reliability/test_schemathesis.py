"""schemathesis against the app's own OpenAPI document: no 5xx, no response off its schema.

Every operation under /api/workspaces/{ws} is generated from the document the
app serves (positive and negative data), sent with a valid workspace key, the
path's `ws` set to that workspace and, every other case, the other ids set to
real objects so that generated bodies reach the routes' logic instead of a 404.

The engine is a stand-in that refuses every other event, as an unreachable
engine would: run, cancel and delete must then answer a clean 4xx with a
message (and record why), never a 500.

Checks: schemathesis' `not_a_server_error`, `status_code_conformance` (every
code answered is declared: the document lists each operation's 400, 401, 404,
409, 413, 415, 422 and 424, see syncjobs/api/errors.py), `response_schema_conformance`
(error bodies included), `content_type_conformance`, `response_headers_conformance`,
`negative_data_rejection` and `missing_required_header`, and ours: every 4xx is
JSON with a message. Not run (each with its reason, also in docs/reliability.md):
- `positive_data_acceptance`: schema-valid bodies may still be refused by
  design (an id of no object, a cron that never fires, a config whose fields
  depend on `type`, a job name already taken): the API answers 4xx for them.
- `use_after_free`, `ensure_resource_availability`: stateful checks that follow
  links; the document declares none, and isolation/CRUD tests cover them.
- `ignored_auth`: tests/reliability/test_security.py and
  tests/integration/api/test_workspaces_and_auth.py send no key, wrong keys and
  foreign keys to every route.
- `unsupported_method`: a method a path does not declare answers 405 from
  Starlette; nothing of ours to prove.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from syncjobs.app import create_app
from syncjobs.engine.migrate import migrate as migrate_engine
from syncjobs.store import connectors, jobs, migrate
from syncjobs.store.models import Destination, Source, SyncJob
from tests.integration.api.conftest import ADMIN, make_workspace
from tests.reliability.conftest import make_settings, make_source_db


@schemathesis.check
def error_has_a_message(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> bool:
    """Every 4xx is JSON with a non-empty `detail` (and a `code` from our own handlers)."""
    if 400 <= response.status_code < 500 and response.status_code != 405:
        body = response.json()
        assert isinstance(body, dict) and body.get("detail"), (response.status_code, body)
    return True


CHECKS = [
    not_a_server_error, status_code_conformance, response_schema_conformance,
    content_type_conformance,
    response_headers_conformance, negative_data_rejection, missing_required_header,
    error_has_a_message,
]
MAX_EXAMPLES = 30  # ~27 operations x positive+negative: about a minute in all


class FlakyEngine:
    """Stands in for the Inngest client: every other send fails like an unreachable engine."""

    def __init__(self) -> None:
        self.calls = itertools.count()
        self.sent: list[Any] = []

    async def send(self, batch: list[Any]) -> list[str]:
        if next(self.calls) % 2 == 0:
            raise httpx.ConnectError("connection refused")
        self.sent.extend(batch)
        return [f"evt_{len(self.sent)}_{i}" for i in range(len(batch))]


@dataclass
class Target:
    app: FastAPI
    ws: str
    key: str
    source_db: str
    dest_path: Path
    ids: dict[str, str] = field(default_factory=dict)
    cases: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def ctx(self) -> Any:
        return self.app.state.ctx

    def restore(self) -> None:
        """Put back the source, destination and job a previous case deleted or re-pointed.

        Resetting their configs also keeps /check and /entities on loopback files:
        a generated PATCH may have pointed the source at any URL.
        """
        ctx = self.ctx
        with ctx.db.session() as session:
            src = session.get(Source, self.ids.get("src", ""))
            if src is None or src.workspace_id != self.ws:
                src = connectors.create(session, Source, ctx.cipher, self.ws,
                                        f"shop-{next(self.cases)}", "sql", {"url": ""})
            src.type = "sql"
            connectors.update(session, src, ctx.cipher, config={"url": self.source_db})
            dst = session.get(Destination, self.ids.get("dst", ""))
            if dst is None or dst.workspace_id != self.ws:
                dst = connectors.create(session, Destination, ctx.cipher, self.ws,
                                        f"lake-{next(self.cases)}", "sqlite", {"path": ""})
            dst.type = "sqlite"
            connectors.update(session, dst, ctx.cipher, config={"path": str(self.dest_path)})
            job = session.get(SyncJob, self.ids.get("job", ""))
            if job is None:
                job = jobs.create(session, self.ws, name=f"nightly-{next(self.cases)}",
                                  source_id=src.id, destination_id=dst.id, entities=["customers"],
                                  cron="30 2 * * *", timezone="Europe/Berlin")
            jobs.update(session, job, source_id=src.id, destination_id=dst.id)
            self.ids.update(src=src.id, dst=dst.id, job=job.id)

    def aim(self, case: schemathesis.Case) -> None:
        """`ws` is ours; other ids are real every other case, generated otherwise.

        A case whose path was generated invalid on purpose (negative mode) is
        left alone: it must be refused, whatever workspace it names.
        """
        params = case.path_parameters
        path = case.meta.components.get("path") if case.meta else None
        if params is None or (path is not None and path.mode == GenerationMode.NEGATIVE):
            return  # a path made invalid on purpose must stay so: it has to be refused
        params["ws"] = self.ws
        if next(self.cases) % 2:
            return
        if "job_id" in params:
            params["job_id"] = self.ids["job"]
        if "item_id" in params:
            params["item_id"] = self.ids["dst" if "/destinations" in case.path else "src"]
        if "execution_id" in params and self.ids.get("exe"):
            params["execution_id"] = self.ids["exe"]


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    (tmp_path / "home").mkdir()
    app = create_app(make_settings(tmp_path / "home"), start_engine=False)
    migrate(app.state.ctx.db.engine)
    # The engine's tables too: /api/engine/runs reads them, and without a started
    # engine nothing creates them (reported: a 500 "no such table" otherwise).
    migrate_engine(app.state.ctx.settings.metadata_url)
    app.state.ctx.inngest = FlakyEngine()
    client = TestClient(app)  # no lifespan here: schemathesis runs the app's own
    workspace = make_workspace(client, "acme")
    found = Target(app, workspace.id, workspace.key, make_source_db(tmp_path / "source.db"),
                   tmp_path / "lake.db")
    found.restore()
    # A real execution for the execution routes: its event was refused, so it failed.
    run = client.post(workspace.url(f"/sync-jobs/{found.ids['job']}/run"),
                      headers=workspace.headers)
    assert run.status_code == 409 and "engine" in run.json()["detail"], run.text
    history = client.get(workspace.url(f"/sync-jobs/{found.ids['job']}/history"),
                         headers=workspace.headers).json()
    assert history["items"][0]["error"]["code"] == "EVENT_NOT_SENT"
    found.ids["exe"] = history["items"][0]["id"]
    yield found


class Proxy:
    """The ASGI app schemathesis calls: forwards to this test's app (its DB is migrated already).

    The schema is built at import (from the document of an app that is never
    served); each test's own app, with its own temporary DB, is set here.
    """

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await self.app(scope, receive, send)


def _document() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as home:
        return create_app(make_settings(Path(home)), start_engine=False).openapi()


PROXY = Proxy()
schema = schemathesis.openapi.from_dict(_document(), config=schemathesis.Config.from_dict({
    # Unknown query parameters and headers are ignored, as HTTP APIs do; the
    # document does not forbid them, so sending them proves nothing.
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES,
                   "allow-extra-parameters": False},
    # Stateful phase: the document declares no links between operations.
    "phases": {"stateful": {"enabled": False}},
}))
schema.app = PROXY


@schema.include(path_regex=r"^/api/workspaces/\{ws\}").parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_workspace_routes(case: schemathesis.Case, target: Target) -> None:
    PROXY.app = target.app
    target.restore()
    target.aim(case)
    case.call_and_validate(headers={"Authorization": f"Bearer {target.key}"}, checks=CHECKS)


# /api/inngest is left out: the inngest SDK serves it (its document says only
# "200"); unsigned and badly signed calls are tested in
# tests/integration/engine/test_signing.py, and the embedded engine's calls in
# tests/integration/engine.
@schema.include(path_regex=r"^/(health|api/workspaces$|api/engine/)").parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_admin_and_health_routes(case: schemathesis.Case, target: Target) -> None:
    PROXY.app = target.app
    # Not negative_data_rejection here: /api/engine/runs has optional *string*
    # query parameters, and a generated "invalid" value (an array, an object)
    # serializes into a query string that is a valid string again (`?function_id=a`),
    # so the check reports, now and then, a request that was in fact valid. The
    # workspace routes' query parameters are integers and keep the check.
    case.call_and_validate(headers={"Authorization": f"Bearer {ADMIN}"},
                           checks=[c for c in CHECKS if c is not negative_data_rejection])
