"""Fixtures for the TikTok sandbox tests: a fresh app per test and a client that signs like a connector."""

import json

import httpx
import pytest
from crossdock_sandbox.tiktok.clock import SandboxClock
from crossdock_sandbox.tiktok.main import create_sandbox_app
from crossdock_sandbox.tiktok.seed import DEFAULT_APP_KEY, DEFAULT_APP_SECRET, REFERENCE_APP_KEY, REFERENCE_APP_SECRET
from crossdock_sandbox.tiktok.signing import compute_sign

FROZEN_NOW = 1_750_000_000


class SignedClient:
    """Calls the sandbox the way a connector does: signed query, token header, exact body bytes."""

    def __init__(self, http: httpx.AsyncClient, *, app_key: str, app_secret: str) -> None:
        self.http = http
        self.app_key = app_key
        self.app_secret = app_secret
        self.access_token = ""
        self.cipher: str | None = None

    async def authorize(self, seller_open_id: str | None = None) -> dict:
        response = await self.http.post(
            "/_sandbox/tokens/issue", json={"app_key": self.app_key, "seller_open_id": seller_open_id}
        )
        tokens = response.json()
        self.access_token = tokens["access_token"]
        return tokens

    async def call(
        self,
        method: str,
        path: str,
        *,
        query: dict | None = None,
        body=None,
        cipher: str | None = "default",
        timestamp: int | None = None,
        sign: str | None = None,
        headers: dict | None = None,
    ) -> httpx.Response:
        params = {"app_key": self.app_key, "timestamp": str(timestamp if timestamp is not None else FROZEN_NOW)}
        if cipher == "default":
            cipher = self.cipher
        if cipher is not None:
            params["shop_cipher"] = cipher
        params.update(query or {})
        raw = (
            body
            if isinstance(body, bytes)
            else (json.dumps(body, separators=(",", ":")).encode() if body is not None else b"")
        )
        params["sign"] = (
            sign if sign is not None else compute_sign(app_secret=self.app_secret, path=path, query=params, body=raw)
        )
        request_headers = {"content-type": "application/json", "x-tts-access-token": self.access_token} | (
            headers or {}
        )
        return await self.http.request(method, path, params=params, content=raw, headers=request_headers)


@pytest.fixture
def clock() -> SandboxClock:
    return SandboxClock(frozen_at=FROZEN_NOW)


@pytest.fixture
def sandbox_app(clock):
    return create_sandbox_app(time_scale=1.0, clock=clock, redirect_url="http://127.0.0.1:9/callback")


@pytest.fixture
async def http(sandbox_app):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox_app), base_url="http://sandbox.test"
    ) as client:
        yield client
    await sandbox_app.state.sandbox.webhooks.aclose()


@pytest.fixture
def runtime(sandbox_app):
    return sandbox_app.state.sandbox


@pytest.fixture
def shops(runtime) -> dict:
    """Shops of the default data set by region, plus the reference shop under "REF"."""
    by_region = {}
    for shop in runtime.store.shops.values():
        key = "REF" if shop.id == "7000714532876273420" else shop.region
        by_region[key] = shop
    return by_region


@pytest.fixture
async def api(http, shops) -> SignedClient:
    client = SignedClient(http, app_key=DEFAULT_APP_KEY, app_secret=DEFAULT_APP_SECRET)
    await client.authorize()
    client.cipher = shops["US"].cipher
    return client


@pytest.fixture
async def reference_api(http, shops) -> SignedClient:
    """A client of the reference app, authorized by the seller owning the reference shop."""
    client = SignedClient(http, app_key=REFERENCE_APP_KEY, app_secret=REFERENCE_APP_SECRET)
    await client.authorize("reference-seller")
    client.cipher = shops["REF"].cipher
    return client
