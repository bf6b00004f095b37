"""ASGI middleware: run due timers, inject faults and record every API request.

It wraps the app at the ASGI level so it can read the request body once and
replay it to the router, and see the final status of every response.
"""

import asyncio
import json
import logging
from urllib.parse import parse_qs

from crossdock_sandbox.mirakl.clock import format_datetime
from crossdock_sandbox.mirakl.store import FaultPlan, RequestLogEntry, SandboxStore

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
ADMIN_PREFIX = "/_sandbox/"
MAX_LOGGED_BODY = 64_000


class SandboxMiddleware:
    def __init__(self, app, *, store: SandboxStore):
        self.app = app
        self.store = store

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path.startswith(API_PREFIX) or path.startswith(ADMIN_PREFIX)):
            await self.app(scope, receive, send)
            return

        self.store.tick()
        if path.startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return

        body = await _read_body(receive)
        # Handlers record the operation code and shop here for the request log.
        scope.setdefault("state", {})
        status_holder = {"status": 0}

        async def replay():
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message):
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
            await send(message)

        if self.store.faults.latency_seconds:
            await asyncio.sleep(self.store.faults.latency_seconds)

        plan = self._take_fault(path, scope["method"])
        if plan is not None:
            await self._answer_fault(plan, capture)
        else:
            await self.app(scope, replay, capture)

        self._log(scope, body, status_holder["status"])

    def _take_fault(self, path: str, method: str) -> FaultPlan | None:
        for plan in self.store.faults.plans:
            if plan.count > 0 and path.startswith(plan.path_prefix) and plan.method in (None, method):
                plan.count -= 1
                return plan
        return None

    async def _answer_fault(self, plan: FaultPlan, send) -> None:
        headers = [(b"content-type", b"application/json")]
        if plan.kind == "429":
            status, message = 429, "Too many requests (injected fault)."
            headers.append((b"retry-after", str(plan.retry_after_seconds).encode()))
        elif plan.kind == "timeout":
            # Hold the request long enough for a client timeout to fire first.
            await asyncio.sleep(self.store.settings.fault_timeout_seconds)
            status, message = 504, "Gateway timeout (injected fault)."
        else:
            status, message = 500, "Internal server error (injected fault)."

        payload = json.dumps({"message": message, "status": status}).encode()
        headers.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def _log(self, scope, body: bytes, status: int) -> None:
        state = scope.get("state") or {}
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        self.store.request_log.append(
            RequestLogEntry(
                sequence=len(self.store.request_log) + 1,
                at=format_datetime(self.store.clock.now()),
                method=scope["method"],
                path=scope["path"],
                query=query,
                body=body[:MAX_LOGGED_BODY].decode("utf-8", errors="replace"),
                status=status,
                operation=state.get("operation"),
                shop_id=state.get("shop_id"),
            )
        )


async def _read_body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)
