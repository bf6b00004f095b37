"""A TikTok sandbox on a free loopback port, and the connector configured against it as a user would."""

import asyncio
import socket
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn
from crossdock_common.testing.service import ServiceHarness, settings_for_test
from crossdock_sandbox.tiktok.main import create_sandbox_app
from crossdock_tiktok_connector.main import build_app
from crossdock_tiktok_connector.settings import TikTokConnectorSettings

APP_KEY = "crossdock-sandbox"
APP_SECRET = "crossdock-sandbox-secret"
TIME_SCALE = 0.01


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LoopbackServer:
    """Serves an ASGI app with uvicorn on 127.0.0.1 inside the test's event loop."""

    def __init__(self, app, *, lifespan: str = "on") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, lifespan=lifespan, log_level="warning")
        )
        self.task = None

    async def __aenter__(self) -> "LoopbackServer":
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            await asyncio.sleep(0.02)
        return self

    async def __aexit__(self, *_exc) -> None:
        self.server.should_exit = True
        await self.task


@pytest.fixture
async def sandbox():
    async with LoopbackServer(create_sandbox_app(time_scale=TIME_SCALE)) as server:
        async with httpx.AsyncClient(base_url=server.url) as admin:
            state = (await admin.get("/_sandbox/state")).json()
            yield {"url": server.url, "admin": admin, "state": state}


def shop_of(sandbox, region: str) -> dict:
    return next(s for s in sandbox["state"]["shops"] if s["region"] == region and s["name"].startswith("Sandbox"))


@pytest.fixture
async def connector(sandbox, database_dsn, kafka_bootstrap):
    """The connector under a harness, plus its API on a loopback port so the sandbox can deliver webhooks."""
    webhook_port = free_port()
    settings = settings_for_test(
        TikTokConnectorSettings,
        database_dsn=database_dsn,
        kafka_bootstrap=kafka_bootstrap,
        tiktok_app_key=APP_KEY,
        tiktok_app_secret=APP_SECRET,
        tiktok_api_base_url=sandbox["url"],
        tiktok_auth_base_url=sandbox["url"],
        tiktok_public_webhook_url=f"http://127.0.0.1:{webhook_port}/webhooks/tiktok",
        sync_interval_seconds=3600,
        marketplace_time_scale=TIME_SCALE,
        http_backoff_seconds=0.05,
    )
    app = build_app(settings)
    async with ServiceHarness(app=app, settings=settings) as harness:
        server = LoopbackServer(app, lifespan="off")
        server.port, server.url = webhook_port, f"http://127.0.0.1:{webhook_port}"
        server.server.config.port = webhook_port
        async with server:
            yield harness


async def connect_shop(harness, sandbox, region: str = "US", settings: dict | None = None) -> dict:
    """Create an integration and run the OAuth round trip for the sandbox seller's shop in `region`."""
    shop = shop_of(sandbox, region)
    body = {"name": f"TikTok {region}", "settings": {"shopId": shop["id"], **(settings or {})}}
    created = await harness.client.post("/v1/integrations", json=body, headers=harness.auth())
    assert created.status_code == 201, created.text
    integration_id = created.json()["id"]

    link = await harness.client.get(f"/v1/integrations/{integration_id}/oauth/authorize", headers=harness.auth())
    assert link.status_code == 200, link.text
    state = link.json()["state"]
    approved = await sandbox["admin"].get(
        "/_sandbox/oauth/authorize", params={"app_key": APP_KEY, "state": state, "redirect": "false"}
    )
    query = parse_qs(urlsplit(approved.json()["redirect_url"]).query)
    callback = await harness.client.get(
        "/oauth/tiktok/callback", params={"code": query["code"][0], "state": query["state"][0]}
    )
    assert callback.status_code == 200, callback.text
    return {"id": integration_id, "shop": shop, "state": state, "code": query["code"][0], "callback": callback.json()}


async def sandbox_requests(sandbox, path_part: str) -> list[dict]:
    log = (await sandbox["admin"].get("/_sandbox/requests")).json()
    entries = log["requests"] if isinstance(log, dict) else log
    return [entry for entry in entries if path_part in entry["path"]]
