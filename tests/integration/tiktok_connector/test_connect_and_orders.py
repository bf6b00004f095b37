"""OAuth, order intake, token refresh and webhooks of the TikTok connector against the TikTok sandbox."""

import json

import pytest
from crossdock_tiktok_connector.domain.signing import webhook_signature

from .conftest import APP_KEY, APP_SECRET, connect_shop, sandbox_requests, shop_of

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_oauth_round_trip_connects_shop(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "US")

    assert connected["callback"]["status"] == "connected"
    assert connected["callback"]["shop"]["region"] == "US"
    assert connected["callback"]["shop"]["id"] == connected["shop"]["id"]
    assert len(connected["callback"]["warehouses"]) == 2

    replay = await connector.client.get(
        "/oauth/tiktok/callback", params={"code": connected["code"], "state": connected["state"]}
    )
    assert replay.status_code == 400

    event = await connector.wait_for_event(
        "integration.upserted",
        lambda e: e.payload.integration_id == connected["id"] and e.payload.status == "connected",
    )
    assert event.payload.settings["region"] == "US"
    assert event.payload.settings["holdMinutes"] == 60
    assert event.payload.supports_channel_sku is False

    subscriptions = await sandbox_requests(sandbox, "/event/202309/webhooks")
    assert subscriptions
    assert all(entry["code"] == 0 for entry in subscriptions)
    assert all("shop_cipher" not in entry["query"] for entry in await sandbox_requests(sandbox, "/authorization/"))


async def test_oauth_callback_rejects_forged_state(connector, sandbox):
    response = await connector.client.get("/oauth/tiktok/callback", params={"code": "x", "state": "forged"})
    assert response.status_code == 400


async def test_order_pull_publishes_orders_and_fbt(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "US")

    synced = await connector.client.post(f"/v1/integrations/{connected['id']}/sync", headers=connector.auth())
    assert synced.status_code == 200, synced.text
    assert synced.json()["last_order_pull"]["orders"] == 12

    received = await connector.wait_for_event("order.received", lambda e: e.payload.integration_id == connected["id"])
    assert received.payload.channel == "tiktok"
    await connector.wait_until(
        lambda: _count(connector, "order.received", connected["id"], 12), message="expected 12 order.received events"
    )
    fbt = [e for e in connector.events("order.received") if e.payload.fulfillment_type == "channel"]
    assert fbt
    assert all(e.payload.status == "fulfilled" for e in fbt)
    unpaid = [e for e in connector.events("order.received") if e.payload.channel_status == "UNPAID"]
    assert all(e.payload.status_reason == "awaiting_payment" for e in unpaid)

    again = await connector.client.post(f"/v1/integrations/{connected['id']}/sync", headers=connector.auth())
    assert again.json()["last_order_pull"]["received"] == 0
    searches = await sandbox_requests(sandbox, "/order/202309/orders/search")
    assert all(int(entry["query"]["timestamp"]) > 1_600_000_000 for entry in searches)


async def test_order_lines_aggregate_units(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "US")
    shop = connected["shop"]
    product = (
        await sandbox["admin"].post("/_sandbox/products", json={"shop_id": shop["id"], "seller_skus": ["UNIT-MUG"]})
    ).json()
    sku_id = product["skus"][0]["id"]
    order = (
        await sandbox["admin"].post(
            "/_sandbox/orders",
            json={"shop_id": shop["id"], "lines": [{"sku_id": sku_id, "quantity": 3}], "status": "AWAITING_SHIPMENT"},
        )
    ).json()
    assert len(order["line_items"]) == 3

    await connector.client.post(f"/v1/integrations/{connected['id']}/sync", headers=connector.auth())

    event = await connector.wait_for_event("order.received", lambda e: e.payload.external_id == order["id"])
    assert len(event.payload.lines) == 1
    assert event.payload.lines[0].quantity == 3
    assert event.payload.lines[0].line_id == sku_id
    assert event.payload.lines[0].channel_sku == "UNIT-MUG"
    assert event.payload.status == "pending"
    assert event.payload.status_reason is None


async def test_expired_access_token_refreshes_once(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "US")
    await sandbox["admin"].post("/_sandbox/tokens/expire", json={"kind": "access", "app_key": APP_KEY})

    synced = await connector.client.post(f"/v1/integrations/{connected['id']}/sync", headers=connector.auth())

    assert synced.json()["status"] == "connected"
    assert synced.json()["last_order_pull"]["orders"] == 12
    assert len(await sandbox_requests(sandbox, "/api/v2/token/refresh")) == 1
    expired = [e for e in await sandbox_requests(sandbox, "/order/") if e["code"] == 105002]
    assert len(expired) == 1


async def test_expired_refresh_token_asks_reauthorization(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "US")
    await sandbox["admin"].post("/_sandbox/tokens/expire", json={"kind": "both", "app_key": APP_KEY})

    synced = await connector.client.post(f"/v1/integrations/{connected['id']}/sync", headers=connector.auth())

    assert synced.json()["status"] == "error"
    assert "re-authorize the TikTok Shop app" in synced.json()["last_error"]
    event = await connector.wait_for_event(
        "integration.upserted", lambda e: e.payload.integration_id == connected["id"] and e.payload.status == "error"
    )
    assert "re-authorize" in event.payload.last_error


def _signed(body: dict) -> tuple[bytes, dict]:
    raw = json.dumps(body, separators=(",", ":")).encode()
    return raw, {
        "Authorization": webhook_signature(app_key=APP_KEY, app_secret=APP_SECRET, raw_body=raw),
        "content-type": "application/json",
    }


async def test_webhook_bad_signature_rejected(connector, sandbox):
    raw, headers = _signed({"type": 1, "tts_notification_id": "n-1", "shop_id": "1", "timestamp": 1, "data": {}})
    headers["Authorization"] = headers["Authorization"].upper()
    response = await connector.client.post("/webhooks/tiktok", content=raw, headers=headers)
    assert response.status_code == 401


async def test_webhook_duplicate_fetches_once(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "US")
    await connector.client.post(f"/v1/integrations/{connected['id']}/sync", headers=connector.auth())
    order = next(e for e in connector.events("order.received") if e.payload.channel_status == "AWAITING_SHIPMENT")
    await sandbox["admin"].delete("/_sandbox/requests")

    body = {
        "type": 1,
        "tts_notification_id": "7380066284010030890",
        "shop_id": connected["shop"]["id"],
        "timestamp": 1718305585,
        "data": {"order_id": order.payload.external_id, "order_status": "AWAITING_SHIPMENT", "update_time": 1718305585},
    }
    raw, headers = _signed(body)
    first = await connector.client.post("/webhooks/tiktok", content=raw, headers=headers)
    second = await connector.client.post("/webhooks/tiktok", content=raw, headers=headers)
    assert first.status_code == 200
    assert second.status_code == 200

    await connector.client.post(f"/v1/integrations/{connected['id']}/sync", headers=connector.auth())
    fetches = [
        e
        for e in await sandbox_requests(sandbox, "/order/202309/orders")
        if order.payload.external_id in e["query"].get("ids", "")
    ]
    assert len(fetches) == 1


async def test_webhook_delivery_from_sandbox_updates_order(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "US")
    await connector.client.post(f"/v1/integrations/{connected['id']}/sync", headers=connector.auth())
    order = next(e for e in connector.events("order.received") if e.payload.channel_status == "AWAITING_SHIPMENT")

    cancelled = await sandbox["admin"].post(f"/_sandbox/orders/{order.payload.external_id}/buyer-cancel", json={})
    assert cancelled.status_code == 200, cancelled.text

    update = await connector.wait_for_event(
        "order.updated",
        lambda e: e.payload.external_id == order.payload.external_id and e.payload.status == "cancelled",
    )
    assert update.payload.channel_status == "CANCELLED"


async def test_deauthorization_webhook_sets_error(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "US")
    raw, headers = _signed(
        {
            "type": 6,
            "tts_notification_id": "deauth-1",
            "shop_id": connected["shop"]["id"],
            "timestamp": 1,
            "data": {"message": "seller left"},
        }
    )
    assert (await connector.client.post("/webhooks/tiktok", content=raw, headers=headers)).status_code == 200

    status = await connector.client.post(f"/v1/integrations/{connected['id']}/sync", headers=connector.auth())
    assert status.json()["status"] == "error"
    assert "re-authorize the TikTok Shop app" in status.json()["last_error"]


async def test_products_push_rejected_outside_us_gb(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "MY")
    response = await connector.client.patch(
        f"/v1/integrations/{connected['id']}/settings", json={"products": "push"}, headers=connector.auth()
    )
    assert response.status_code == 422
    assert "manage the catalog in TikTok Shop directly" in response.json()["detail"]
    assert shop_of(sandbox, "MY")["region"] == "MY"


async def _count(harness, event_type, integration_id, expected):
    return len(harness.events(event_type, lambda e: e.payload.integration_id == integration_id)) >= expected


async def test_products_pull_publishes_skus_exactly(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "US", settings={"products": "pull"})

    response = await connector.client.post(
        f"/v1/integrations/{connected['id']}/products/pull", headers=connector.auth()
    )

    assert response.status_code == 200, response.text
    assert response.json()["published"] > 0
    await connector.wait_until(
        lambda: _has_sku(connector, "ABC-123 "), message="near-miss SKU 'ABC-123 ' was not published as sent"
    )
    skus = {e.payload.channel_sku for e in connector.events("channel_product.upserted")}
    assert "abc-123" in skus
    assert "CD-SHARED-001" in skus


async def _has_sku(harness, sku):
    return any(e.payload.channel_sku == sku for e in harness.events("channel_product.upserted"))
