"""Cloud mode: the SDK refuses unsigned or wrongly signed requests, serves signed ones."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import httpx
import inngest
import inngest.fast_api
import pytest
from fastapi import FastAPI

from syncjobs.engine.signing import signature_header
from syncjobs.engine.testing import EngineHarness

pytestmark = pytest.mark.timeout(60)

SIGNING_KEY = f"signkey-test-{secrets.token_hex(32)}"
URL = "/api/inngest?fnId=prod-app-hello&stepId=step"


def _prod_app() -> FastAPI:
    client = inngest.Inngest(
        app_id="prod-app", is_production=True, signing_key=SIGNING_KEY, event_key="k"
    )

    @client.create_function(fn_id="hello", trigger=inngest.TriggerEvent(event="t/hello"))
    async def hello(ctx: inngest.Context) -> str:
        return f"hello {ctx.event.data['who']}"

    app = FastAPI()
    inngest.fast_api.serve(app, client, [hello])
    return app


def _call_body() -> dict[str, Any]:
    event = {"name": "t/hello", "data": {"who": "ann"}, "id": "e1", "ts": 1}
    return {
        "event": event,
        "events": [event],
        "steps": {},
        "use_api": False,
        "ctx": {
            "run_id": "r1",
            "attempt": 0,
            "disable_immediate_execution": False,
            "max_attempts": 1,
            "stack": {"stack": []},
        },
    }


@pytest.fixture
async def http() -> Any:
    transport = httpx.ASGITransport(app=_prod_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        yield client


async def test_unsigned_post_and_get_are_refused(http: httpx.AsyncClient) -> None:
    post = await http.post(URL, content=json.dumps(_call_body()))
    get = await http.get("/api/inngest")
    assert (post.status_code, get.status_code) == (401, 401)


async def test_wrongly_signed_post_and_get_are_refused(http: httpx.AsyncClient) -> None:
    other_key = f"signkey-test-{secrets.token_hex(32)}"
    body = _call_body()
    post = await http.post(
        URL,
        content=json.dumps(body),
        headers={"x-inngest-signature": signature_header(body, other_key)},
    )
    tampered = dict(body, event={**body["event"], "data": {"who": "mallory"}})
    replay = await http.post(
        URL,
        content=json.dumps(tampered),
        headers={"x-inngest-signature": signature_header(body, SIGNING_KEY)},
    )
    get = await http.get(
        "/api/inngest", headers={"x-inngest-signature": signature_header(None, other_key)}
    )
    assert (post.status_code, replay.status_code, get.status_code) == (401, 401, 401)


async def test_correctly_signed_requests_are_served_and_answers_signed(
    http: httpx.AsyncClient,
) -> None:
    body = _call_body()
    # Key order and spacing differ from the canonical form the signature covers.
    content = json.dumps(body, indent=2)
    post = await http.post(
        URL, content=content, headers={"x-inngest-signature": signature_header(body, SIGNING_KEY)}
    )
    get = await http.get(
        "/api/inngest",
        headers={"x-inngest-signature": signature_header(None, SIGNING_KEY, int(time.time()))},
    )
    assert post.status_code == 200
    assert post.json() == "hello ann"
    assert "x-inngest-signature" in post.headers
    assert get.status_code == 200
    assert get.json()["authentication_succeeded"] is True


async def test_engine_with_the_signing_key_drives_a_production_app(sqlite_url: str) -> None:
    harness = EngineHarness(sqlite_url, signing_key=SIGNING_KEY)
    client = harness.client("prod-app")
    assert client.is_production

    @client.create_function(fn_id="greet", trigger=inngest.TriggerEvent(event="t/greet"))
    async def greet(ctx: inngest.Context) -> str:
        return await ctx.step.run("hi", lambda: f"hi {ctx.event.data['who']}")

    async with harness.serve(client, [greet]):
        run = await harness.run_to_completion({"name": "t/greet", "data": {"who": "bo"}})
    assert (run.status, run.output) == ("completed", "hi bo")


async def test_registration_needs_the_apps_signing_key_in_cloud_mode(sqlite_url: str) -> None:
    harness = EngineHarness(sqlite_url, signing_key=SIGNING_KEY)
    client = harness.client("prod-app")

    @client.create_function(fn_id="noop", trigger=inngest.TriggerEvent(event="t/noop"))
    async def noop(ctx: inngest.Context) -> None:
        return None

    async with harness.serve(client, [noop]):
        async with httpx.AsyncClient(base_url=harness.base_url) as http:
            body = {"appname": "evil", "url": "http://evil", "functions": []}
            anonymous = await http.post("/fn/register", json=body)
            wrong = await http.post(
                "/fn/register", json=body, headers={"authorization": "Bearer 00"}
            )
        assert set(harness.engine.functions) == {"prod-app-noop"}
    assert (anonymous.status_code, wrong.status_code) == (401, 401)
