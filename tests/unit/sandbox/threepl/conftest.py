"""Fixtures for the 3PL sandbox tests: a fresh sandbox app and a fake hub on a loopback port."""

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import uvicorn
from crossdock_common.auth.signatures import SIGNATURE_HEADER, sign_body, verify_body_signature
from crossdock_sandbox.threepl.admin_models import AccountConfig, ShippingPlan
from crossdock_sandbox.threepl.app import create_sandbox_app
from crossdock_sandbox.threepl.settings import SandboxSettings
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

SECRET = "s3cret-for-tests"
INTEGRATION_ID = "int-3pl-test"
SHIP_DELAY_SECONDS = 0.05
# Port 9 (discard) on loopback: nothing listens there, so a stray post fails fast.
UNREACHABLE_HUB = "http://127.0.0.1:9"


class FakeHub:
    """Order routing's shipment endpoint, reduced to what the sandbox needs: signature check and scripted answers."""

    def __init__(self, *, secret: str) -> None:
        self.secret = secret
        self.posts: list[dict[str, Any]] = []
        self.scripted_statuses: list[int] = []
        self.url = ""
        self._changed = asyncio.Condition()
        self.app = FastAPI()
        self.app.post("/v1/3pl/{integration_id}/shipments")(self._receive)

    @property
    def accepted(self) -> list[dict[str, Any]]:
        """Bodies of the distinct shipments answered 200, in arrival order."""
        unique: dict[str, dict[str, Any]] = {}
        for post in self.posts:
            if post["status"] == 200:
                unique.setdefault(post["body"]["shipment_id"], post["body"])
        return list(unique.values())

    async def wait_for_posts(self, count: int) -> None:
        """Wait until `count` posts arrived, failing the test after 5 seconds."""
        async with asyncio.timeout(5), self._changed:
            await self._changed.wait_for(lambda: len(self.posts) >= count)

    async def _receive(self, integration_id: str, request: Request) -> JSONResponse:
        raw = await request.body()
        signed = verify_body_signature(raw, self.secret, request.headers.get(SIGNATURE_HEADER))
        body = json.loads(raw)

        if not signed:
            status = 401
        elif self.scripted_statuses:
            status = self.scripted_statuses.pop(0)
        else:
            status = 200

        async with self._changed:
            self.posts.append({"integration_id": integration_id, "body": body, "status": status, "signed": signed})
            self._changed.notify_all()
        return JSONResponse({"shipment_id": body["shipment_id"], "status": status}, status_code=status)


@pytest.fixture
def settings() -> SandboxSettings:
    """Sandbox settings with short retries and a long ship delay, so nothing ships unless a test adds the hub."""
    return SandboxSettings(
        default_secret=SECRET,
        default_hub_url=UNREACHABLE_HUB,
        default_integration_id=INTEGRATION_ID,
        ship_delay_seconds=60.0,
        post_attempts=3,
        post_timeout_seconds=2.0,
        retry_initial_seconds=0.02,
        retry_max_seconds=0.1,
    )


@pytest.fixture
async def sandbox_app(settings: SandboxSettings) -> AsyncIterator[FastAPI]:
    app = create_sandbox_app(settings=settings)
    yield app
    await app.state.sandbox.aclose()


@pytest.fixture
async def client(sandbox_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sandbox_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as http:
        yield http


def shipping_request_body(request_id: str = "req-1", **overrides: Any) -> dict[str, Any]:
    """A valid shipping request: two lines, 3 units of L1 and 1 unit of L2."""
    body: dict[str, Any] = {
        "request_id": request_id,
        "order_ref": {"channel": "mirakl", "external_order_id": "MK-1001-A"},
        "ship_to": {
            "name": "Ada Lovelace",
            "address_lines": ["12 Rue des Lilas", "Bâtiment B"],
            "city": "Lyon",
            "postal_code": "69003",
            "country": "FR",
            "phone": "+33 4 00 00 00 00",
        },
        "lines": [
            {"line_id": "L1", "sku": "MUG-BLUE-350", "quantity": 3},
            {"line_id": "L2", "sku": "TEA-EARL-100G", "quantity": 1},
        ],
        "service_level": "standard",
        "label": None,
    }
    body.update(overrides)
    return body


PostSigned = Callable[..., Awaitable[httpx.Response]]


@pytest.fixture
async def hub(sandbox_app: FastAPI) -> AsyncIterator[FakeHub]:
    """A fake hub served by uvicorn on 127.0.0.1, on a port the OS picks.

    It also points the default account at itself with a short ship delay, so
    requests sent in a test that uses it ship within a fraction of a second.
    """
    fake = FakeHub(secret=SECRET)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    fake.url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    server = uvicorn.Server(uvicorn.Config(fake.app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    # uvicorn offers only the `started` flag, no event to await.
    async with asyncio.timeout(5):
        while not server.started:  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    plan = ShippingPlan(ship_delay_seconds=SHIP_DELAY_SECONDS)
    config = AccountConfig(secret=SECRET, hub_url=fake.url, integration_id=INTEGRATION_ID, plan=plan)
    sandbox_app.state.sandbox.register_account("default", config)

    yield fake

    await sandbox_app.state.sandbox.aclose()
    server.should_exit = True
    await asyncio.wait_for(task, 5)
    sock.close()


@pytest.fixture
def post_signed(client: httpx.AsyncClient) -> PostSigned:
    """Send a JSON body signed with the test secret (or `secret`) to a sandbox path."""

    async def post(path: str, body: Any, *, secret: str = SECRET) -> httpx.Response:
        raw = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign_body(raw, secret)}
        return await client.post(path, content=raw, headers=headers)

    return post


@pytest.fixture
def sample_body() -> Callable[..., dict[str, Any]]:
    return shipping_request_body


@pytest.fixture
def secret() -> str:
    """The shared secret of the default account and of the fake hub."""
    return SECRET


@pytest.fixture
def ship_delay() -> float:
    """Ship delay of the default account once the `hub` fixture is in use."""
    return SHIP_DELAY_SECONDS
