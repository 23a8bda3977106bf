"""Request guards: body size, JSON nesting depth and content type, checked before parsing."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 1_000_000
MAX_JSON_DEPTH = 32


class RequestGuard:
    """Pure ASGI middleware: refuses what would be unsafe or pointless to parse.

    JSON bodies of API routes are read whole here (at most MAX_BODY_BYTES), so a
    deeply nested document is refused with 400 instead of reaching a recursive
    parser, and a non-JSON content type gets 415 naming the expected one.
    """

    def __init__(self, app: ASGIApp, prefix: str = "/api/workspaces") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "\x00" in scope["path"]:
            # An id with a NUL would reach PostgreSQL, which refuses it with an error.
            await _refuse(send, 400, "the path contains a NUL character")
            return
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix) or scope[
            "method"
        ] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            await _refuse(send, 413, f"request body over {MAX_BODY_BYTES} bytes")
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY_BYTES:
                await _refuse(send, 413, f"request body over {MAX_BODY_BYTES} bytes")
                return
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        if body.strip() and ctype != "application/json":
            await _refuse(
                send, 415, f"content type {ctype or 'none'!r} not accepted; send application/json"
            )
            return
        if _too_deep(bytes(body)):
            await _refuse(send, 400, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)


def _too_deep(body: bytes) -> bool:
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return False
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


async def _refuse(send: Send, status: int, message: str) -> None:
    payload: dict[str, Any] = {"detail": message, "code": f"HTTP_{status}"}
    body = json.dumps(payload).encode()
    await send({
        "type": "http.response.start", "status": status,
        "headers": [(b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body})
