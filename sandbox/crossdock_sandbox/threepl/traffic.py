"""ASGI middleware around the hub-facing endpoints: injected faults and the received-call log.

It runs below FastAPI so that it receives every call, including those rejected
with 401 or 422 and those that a fault ends before any handler runs.
"""

import asyncio
import json
import logging
import re
from typing import TYPE_CHECKING, Any

from crossdock_common.auth.signatures import SIGNATURE_HEADER
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crossdock_sandbox.threepl.journal import decode_body
from crossdock_sandbox.threepl.problems import PROBLEM_MEDIA_TYPE, TYPE_PREFIX

if TYPE_CHECKING:
    from crossdock_sandbox.threepl.app import Sandbox

logger = logging.getLogger(__name__)

HUB_PATH = re.compile(r"^(?:/accounts/(?P<account_id>[^/]+))?/shipping-requests(?:/(?P<request_id>[^/]+)/cancel)?/?$")


class HubTrafficMiddleware:
    """Apply the account's fault plan to hub calls and record each call with its response."""

    def __init__(self, app: ASGIApp, *, sandbox: "Sandbox") -> None:
        self._app = app
        self._sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = HUB_PATH.match(scope["path"]) if scope["type"] == "http" else None
        if match is None:
            await self._app(scope, receive, send)
            return

        body = await _read_body(receive)
        account_id = match["account_id"] or self._sandbox.settings.default_account_id
        account = self._sandbox.store.accounts.get(account_id)
        entry: dict[str, Any] = {
            "direction": "received",
            "account_id": account_id,
            "method": scope["method"],
            "url": scope["path"],
            "request_id": match["request_id"] or _request_id_in(body),
            "signature": _header(scope, SIGNATURE_HEADER),
            "request_body": decode_body(body),
        }

        fault = None
        if account is not None:
            if account.faults.latency_seconds:
                await asyncio.sleep(account.faults.latency_seconds)
            fault = account.take_fault()

        if fault is not None:
            status = 500 if fault == "error" else 504
            if fault == "timeout":
                await asyncio.sleep(account.faults.hang_seconds)
            logger.info("injected %s fault on %s %s for account %s", fault, scope["method"], scope["path"], account_id)
            answer = _fault_body(fault, status, scope["path"])
            await _send_json(send, status, answer)
            self._sandbox.journal.record(**entry, status_code=status, response_body=answer, fault=fault)
            return

        captured = _CapturedResponse(send)
        await self._app(scope, _replay(body, receive), captured.send)
        self._sandbox.journal.record(**entry, status_code=captured.status, response_body=decode_body(captured.body))


class _CapturedResponse:
    def __init__(self, send: Send) -> None:
        self._send = send
        self.status: int | None = None
        self.body = b""

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")
        await self._send(message)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """Hand the app the body already read, then pass later receives (a disconnect) through."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.lower().encode()
    for key, value in scope["headers"]:
        if key == wanted:
            return value.decode("latin-1")
    return None


def _request_id_in(body: bytes) -> str | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    value = parsed.get("request_id") if isinstance(parsed, dict) else None
    return value if isinstance(value, str) else None


def _fault_body(fault: str, status: int, path: str) -> dict[str, Any]:
    return {
        "type": TYPE_PREFIX + "injected-fault",
        "title": "Injected fault",
        "status": status,
        "detail": f"the sandbox fault plan answered this call with {status} ({fault}); the request was not processed",
        "instance": path,
    }


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
