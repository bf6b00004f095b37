"""Every service and sandbox app starts and returns 200 on /healthz."""

import importlib

import httpx
import pytest

APPS = [
    "crossdock_catalog.main",
    "crossdock_inventory.main",
    "crossdock_order_routing.main",
    "crossdock_mirakl_connector.main",
    "crossdock_tiktok_connector.main",
    "crossdock_sandbox.mirakl.main",
    "crossdock_sandbox.tiktok.main",
    "crossdock_sandbox.threepl.main",
]


@pytest.mark.parametrize("module_name", APPS)
async def test_app_healthz_returns_ok(module_name):
    module = importlib.import_module(module_name)
    transport = httpx.ASGITransport(app=module.app)

    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
