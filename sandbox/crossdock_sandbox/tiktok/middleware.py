"""ASGI middleware that injects admin-configured faults and logs every API request with its verdict."""

import asyncio
import json
from urllib.parse import parse_qsl

from crossdock_sandbox.tiktok import errors
from crossdock_sandbox.tiktok.runtime import SandboxRuntime

# Paths that are not part of TikTok's API: never faulted, never logged.
UNLOGGED_PREFIXES = ("/_sandbox", "/healthz", "/docs", "/openapi.json", "/redoc")


class SandboxMiddleware:
    def __init__(self, app, *, runtime_of) -> None:
        self.app = app
        self.runtime_of = runtime_of

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNLOGGED_PREFIXES):
            await self.app(scope, receive, send)
            return

        runtime: SandboxRuntime = self.runtime_of()
        body = await _read_body(receive)
        status_and_body = {"status": 0, "body": bytearray()}

        async def replay():
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message):
            if message["type"] == "http.response.start":
                status_and_body["status"] = message["status"]
            elif message["type"] == "http.response.body":
                status_and_body["body"].extend(message.get("body", b""))
            await send(message)

        try:
            if runtime.faults.latency_seconds:
                await asyncio.sleep(runtime.faults.latency_seconds)
            fault = runtime.faults.take(scope["path"])
            if fault is None:
                await self.app(scope, replay, capture)
            else:
                await _send_fault(fault, runtime, capture)
        finally:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
            runtime.request_log.record(
                method=scope["method"],
                path=scope["path"],
                query=query,
                body=body,
                http_status=status_and_body["status"],
                response_body=bytes(status_and_body["body"]),
                time=runtime.clock.now(),
            )


async def _read_body(receive) -> bytes:
    chunks = []
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _send_fault(kind: str, runtime: SandboxRuntime, send) -> None:
    headers = [(b"content-type", b"application/json")]
    if kind == "rate_limit":
        status, code, message = 429, errors.TOO_MANY_REQUESTS, "Too many requests (injected fault)"
        retry_after = max(1, round(runtime.time_scale))
        headers.append((b"retry-after", str(retry_after).encode()))
    elif kind == "server_error":
        status, code, message = 500, errors.INTERNAL_ERROR, "Internal error. Please try again (injected fault)"
    else:
        # A timeout keeps the connection open for the configured time, long enough for
        # any client timeout to fire first, then returns TikTok's timeout code.
        await asyncio.sleep(runtime.timeout_fault_seconds)
        status, code, message = 504, errors.REQUEST_TIMEOUT, "Request timeout (injected fault)"

    payload = json.dumps(errors.envelope(None, code=code, message=message)).encode()
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
