"""Webhooks: Event API subscriptions and signed deliveries with retries, against a real local receiver."""

import asyncio
import hashlib
import hmac
import socket

import httpx
import pytest
import uvicorn
from crossdock_sandbox.tiktok.clock import SandboxClock
from crossdock_sandbox.tiktok.main import create_sandbox_app
from crossdock_sandbox.tiktok.seed import DEFAULT_APP_KEY, DEFAULT_APP_SECRET

from .conftest import FROZEN_NOW, SignedClient


class Receiver:
    """A tiny ASGI app that stores every POST and responds with the queued statuses, then 200."""

    def __init__(self) -> None:
        self.received: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        self.received.append(({k.decode(): v.decode() for k, v in scope["headers"]}, body))
        status = self.statuses.pop(0) if self.statuses else 200
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
async def receiver():
    app = Receiver()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    app.url = f"http://127.0.0.1:{port}/tiktok/webhook"
    yield app
    server.should_exit = True
    await task


@pytest.fixture
async def fast_sandbox():
    """A sandbox at time scale 0.0001, so the 2-minute first retry takes 12 ms."""
    app = create_sandbox_app(time_scale=0.0001, clock=SandboxClock(frozen_at=FROZEN_NOW))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test") as http:
        client = SignedClient(http, app_key=DEFAULT_APP_KEY, app_secret=DEFAULT_APP_SECRET)
        await client.authorize()
        client.cipher = next(s for s in app.state.sandbox.store.shops.values() if s.region == "US").cipher
        yield app, http, client
    await app.state.sandbox.webhooks.aclose()


async def _wait_for(predicate, timeout=3.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def test_webhook_subscription_round_trip(api):
    put = await api.call(
        "PUT",
        "/event/202309/webhooks",
        body={"address": "http://127.0.0.1:8112/tiktok/webhook", "event_type": "ORDER_STATUS_CHANGE"},
    )
    listed = await api.call("GET", "/event/202309/webhooks")
    deleted = await api.call("DELETE", "/event/202309/webhooks", body={"event_type": "ORDER_STATUS_CHANGE"})
    after = await api.call("GET", "/event/202309/webhooks")

    assert put.json()["code"] == 0
    assert listed.json()["data"]["webhooks"][0]["address"] == "http://127.0.0.1:8112/tiktok/webhook"
    assert deleted.json()["code"] == 0
    assert after.json()["data"]["total_count"] == 0


@pytest.mark.parametrize("address", ["http://example.com/hook", "ftp://127.0.0.1/x", "https://" + "a" * 250 + ".com"])
async def test_webhook_subscription_bad_address_rejected(api, address):
    response = await api.call(
        "PUT", "/event/202309/webhooks", body={"address": address, "event_type": "ORDER_STATUS_CHANGE"}
    )

    assert response.json()["code"] == 36009004


async def test_webhook_order_status_change_signed(fast_sandbox, receiver):
    app, http, client = fast_sandbox
    await client.call(
        "PUT", "/event/202309/webhooks", body={"address": receiver.url, "event_type": "ORDER_STATUS_CHANGE"}
    )
    order = next(
        o
        for o in app.state.sandbox.store.orders.values()
        if o.status == "UNPAID" and o.shop_id == app.state.sandbox.store.shop_by_cipher(client.cipher).id
    )

    await http.post(f"/_sandbox/orders/{order.id}/pay")
    await _wait_for(lambda: receiver.received)

    headers, body = receiver.received[0]
    expected = hmac.new(DEFAULT_APP_SECRET.encode(), DEFAULT_APP_KEY.encode() + body, hashlib.sha256).hexdigest()
    assert headers["authorization"] == expected
    assert b'"type":1' in body
    assert order.id.encode() in body


async def test_webhook_retried_until_200(fast_sandbox, receiver):
    app, http, client = fast_sandbox
    receiver.statuses = [500, 503]
    shop_id = app.state.sandbox.store.shop_by_cipher(client.cipher).id
    await client.call("PUT", "/event/202309/webhooks", body={"address": receiver.url, "event_type": "PACKAGE_UPDATE"})

    await http.post(
        "/_sandbox/webhooks/trigger",
        json={"shop_id": shop_id, "event_type": "PACKAGE_UPDATE", "data": {"sc_type": "SPLIT"}},
    )
    await app.state.sandbox.webhooks.wait_idle()

    deliveries = (await http.get("/_sandbox/webhooks/deliveries")).json()["deliveries"]
    assert deliveries[0]["attempts"] == [500, 503, 200]
    assert deliveries[0]["state"] == "delivered"
    assert len(receiver.received) == 3


async def test_webhook_retries_bounded(fast_sandbox, receiver):
    app, http, client = fast_sandbox
    receiver.statuses = [500] * 10
    shop_id = app.state.sandbox.store.shop_by_cipher(client.cipher).id
    await client.call(
        "PUT", "/event/202309/webhooks", body={"address": receiver.url, "event_type": "PRODUCT_STATUS_CHANGE"}
    )
    app.state.sandbox.webhooks.retry_delays = (0.001, 0.001, 0.001, 0.001)

    await http.post(
        "/_sandbox/webhooks/trigger", json={"shop_id": shop_id, "event_type": "PRODUCT_STATUS_CHANGE", "data": {}}
    )
    await app.state.sandbox.webhooks.wait_idle()

    delivery = (await http.get("/_sandbox/webhooks/deliveries")).json()["deliveries"][0]
    assert delivery["attempts"] == [500] * 5
    assert delivery["state"] == "failed"


async def test_webhook_cancellation_and_address_events(fast_sandbox, receiver):
    app, http, client = fast_sandbox
    store = app.state.sandbox.store
    shop_id = store.shop_by_cipher(client.cipher).id
    for event_type in ("CANCELLATION_STATUS_CHANGE", "RECIPIENT_ADDRESS_UPDATE"):
        await client.call("PUT", "/event/202309/webhooks", body={"address": receiver.url, "event_type": event_type})
    order = next(
        o
        for o in store.orders.values()
        if o.status == "AWAITING_SHIPMENT" and o.shop_id == shop_id and o.fulfillment_type == "FULFILLMENT_BY_SELLER"
    )

    await http.post(f"/_sandbox/orders/{order.id}/address", json={"address_line1": "2 New Street"})
    await http.post(f"/_sandbox/orders/{order.id}/buyer-cancel", json={})
    await app.state.sandbox.webhooks.wait_idle()

    types = sorted(body.split(b",")[0] for _, body in receiver.received)
    assert types == [b'{"type":11', b'{"type":3']
