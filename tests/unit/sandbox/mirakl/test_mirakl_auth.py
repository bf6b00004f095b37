"""Authentication, roles and shop selection."""

from crossdock_sandbox.mirakl.seed import MULTI_SHOP_API_KEY, READ_ONLY_API_KEY, SECOND_SHOP_ID


async def test_auth_bad_key_returns_401_json(client):
    response = await client.get("/api/orders", headers={"Authorization": "wrong-key"})

    assert response.status_code == 401
    assert response.json()["status"] == 401
    assert "not allowed" in response.json()["message"]


async def test_auth_bearer_prefix_rejected(client):
    response = await client.get("/api/orders", headers={"Authorization": f"Bearer {client.headers['Authorization']}"})

    assert response.status_code == 401


async def test_auth_missing_header_rejected(client):
    del client.headers["Authorization"]

    response = await client.get("/api/orders")

    assert response.status_code == 401


async def test_auth_key_without_role_gets_403(client, store):
    waiting = next(record for record in store.shop_orders(2001).values() if record.state == "WAITING_ACCEPTANCE")
    decisions = {"order_lines": [{"id": line["order_line_id"], "accepted": True} for line in waiting.lines]}

    response = await client.put(
        f"/api/orders/{waiting.order_id}/accept", json=decisions, headers={"Authorization": READ_ONLY_API_KEY}
    )

    assert response.status_code == 403
    assert waiting.state == "WAITING_ACCEPTANCE"


async def test_auth_read_only_key_lists_orders(client):
    response = await client.get("/api/orders", headers={"Authorization": READ_ONLY_API_KEY})

    assert response.status_code == 200


async def test_auth_foreign_shop_id_gets_403(client):
    response = await client.get("/api/orders", params={"shop_id": SECOND_SHOP_ID})

    assert response.status_code == 403


async def test_auth_multi_shop_key_selects_shop(client):
    response = await client.get(
        "/api/account", params={"shop_id": SECOND_SHOP_ID}, headers={"Authorization": MULTI_SHOP_API_KEY}
    )

    assert response.status_code == 200
    assert response.json()["shop_id"] == SECOND_SHOP_ID


async def test_auth_version_needs_no_key(client):
    del client.headers["Authorization"]

    response = await client.get("/api/version")

    assert response.status_code == 200
