"""Gateway rules: shop_cipher, envelope, rate limit, injected faults and the request log."""

import asyncio

import httpx
import pytest
from crossdock_sandbox.tiktok.clock import SandboxClock
from crossdock_sandbox.tiktok.main import create_sandbox_app

from .conftest import FROZEN_NOW, SignedClient


async def test_authorized_shops_lists_ciphers(api, shops):
    response = await api.call("GET", "/authorization/202309/shops", cipher=None)

    listed = {shop["id"]: shop for shop in response.json()["data"]["shops"]}
    assert listed[shops["US"].id]["cipher"] == shops["US"].cipher
    assert listed[shops["GB"].id]["region"] == "GB"
    assert shops["REF"].id not in listed


@pytest.mark.parametrize("path", ["/authorization/202309/shops", "/seller/202309/shops", "/seller/202309/permissions"])
async def test_gateway_cipher_on_seller_endpoint_rejected(api, path):
    response = await api.call("GET", path)

    assert response.json()["code"] == 36009004
    assert "shop_cipher not required" in response.json()["message"]


async def test_gateway_missing_cipher_rejected(api):
    response = await api.call("GET", "/logistics/202309/warehouses", cipher=None)

    assert response.json()["code"] == 106013


async def test_gateway_cipher_of_other_seller_rejected(api, shops):
    response = await api.call("GET", "/logistics/202309/warehouses", cipher=shops["REF"].cipher)

    assert response.json()["code"] == 36009004


async def test_gateway_envelope_shape(api):
    response = await api.call("GET", "/logistics/202309/warehouses")

    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"code", "message", "request_id", "data"}
    assert body["message"] == "Success"


async def test_gateway_unknown_path_envelope(api):
    response = await api.call("GET", "/order/202309/nothing")

    assert response.status_code == 404
    assert response.json()["code"] == 36009009


async def test_gateway_rate_limit_51st_call_rejected(api):
    """TikTok allows 50 calls per second per API, app and shop; the clock is frozen, so all fall in one second."""
    statuses = [(await api.call("GET", "/logistics/202309/warehouses")).status_code for _ in range(50)]
    over = await api.call("GET", "/logistics/202309/warehouses")

    assert statuses == [200] * 50
    assert over.status_code == 429
    assert over.json()["code"] == 36009002
    assert int(over.headers["retry-after"]) >= 1


async def test_gateway_rate_limit_counts_per_api_and_shop(api, shops):
    for _ in range(50):
        await api.call("GET", "/logistics/202309/warehouses")

    other_api = await api.call("POST", "/order/202309/orders/search", query={"page_size": "1"}, body={})
    other_shop = await api.call("GET", "/logistics/202309/warehouses", cipher=shops["GB"].cipher)

    assert other_api.json()["code"] == 0
    assert other_shop.json()["code"] == 0


async def test_gateway_rate_limit_window_follows_time_scale():
    clock = SandboxClock(frozen_at=FROZEN_NOW)
    app = create_sandbox_app(time_scale=0.01, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test") as http:
        client = SignedClient(http, app_key="crossdock-sandbox", app_secret="crossdock-sandbox-secret")
        await client.authorize()
        for _ in range(51):
            last = await client.call("GET", "/authorization/202309/shops", cipher=None)
        assert last.status_code == 429

        clock.advance(0.011)
        after = await client.call("GET", "/authorization/202309/shops", cipher=None)

    assert after.status_code == 200


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [("rate_limit", 429, 36009002), ("server_error", 500, 36009003), ("timeout", 504, 36009007)],
)
async def test_fault_next_calls_fail(http, api, kind, status, code):
    await http.post("/_sandbox/faults", json={"kind": kind, "count": 2, "timeout_seconds": 0.01})

    failed = [await api.call("GET", "/logistics/202309/warehouses") for _ in range(2)]
    recovered = await api.call("GET", "/logistics/202309/warehouses")

    assert [r.status_code for r in failed] == [status, status]
    assert [r.json()["code"] for r in failed] == [code, code]
    assert recovered.status_code == 200


async def test_fault_timeout_holds_connection(http, api):
    await http.post("/_sandbox/faults", json={"kind": "timeout", "count": 1, "timeout_seconds": 5})

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(api.call("GET", "/logistics/202309/warehouses"), timeout=0.2)


async def test_fault_path_prefix_limits_scope(http, api):
    await http.post("/_sandbox/faults", json={"kind": "server_error", "count": 1, "path_prefix": "/order/"})

    warehouses = await api.call("GET", "/logistics/202309/warehouses")
    orders = await api.call("POST", "/order/202309/orders/search", query={"page_size": "1"}, body={})

    assert warehouses.status_code == 200
    assert orders.status_code == 500


async def test_fault_latency_delays_calls(http, api):
    await http.put("/_sandbox/latency", json={"seconds": 0.1})
    loop = asyncio.get_running_loop()

    started = loop.time()
    await api.call("GET", "/logistics/202309/warehouses")

    assert loop.time() - started >= 0.1


async def test_request_log_records_verdicts(http, api):
    await http.delete("/_sandbox/requests")
    await api.call("GET", "/logistics/202309/warehouses")
    await api.call("GET", "/logistics/202309/warehouses", cipher=None)
    await api.call("POST", "/order/202309/orders/search", query={"page_size": "5"}, body={"order_status": "UNPAID"})

    entries = (await http.get("/_sandbox/requests")).json()["requests"]

    assert [(e["method"], e["path"], e["code"]) for e in entries] == [
        ("GET", "/logistics/202309/warehouses", 0),
        ("GET", "/logistics/202309/warehouses", 106013),
        ("POST", "/order/202309/orders/search", 0),
    ]
    assert entries[2]["query"]["page_size"] == "5"
    assert entries[2]["body"] == '{"order_status":"UNPAID"}'
    assert entries[1]["http_status"] == 400
