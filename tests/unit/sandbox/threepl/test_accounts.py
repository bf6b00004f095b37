"""Account registration through the admin API."""


async def test_accounts_default_registered_from_settings(client, settings):
    accounts = (await client.get("/_sandbox/accounts")).json()

    assert len(accounts) == 1
    assert accounts[0]["account_id"] == "default"
    assert accounts[0]["shipments_url"] == f"{settings.default_hub_url}/v1/3pl/int-3pl-test/shipments"
    assert "secret" not in accounts[0]


async def test_accounts_register_and_show(client):
    config = {"secret": "b", "hub_url": "http://127.0.0.1:8103/", "integration_id": "int-b", "carrier": "DHL"}

    created = await client.put("/_sandbox/accounts/warehouse-b", json=config)
    shown = await client.get("/_sandbox/accounts/warehouse-b")

    assert created.status_code == 200
    assert shown.json()["carrier"] == "DHL"
    assert shown.json()["shipments_url"] == "http://127.0.0.1:8103/v1/3pl/int-b/shipments"
    assert "secret" not in shown.json()


async def test_accounts_invalid_hub_url_is_422(client):
    config = {"secret": "b", "hub_url": "ftp://hub", "integration_id": "int-b"}

    response = await client.put("/_sandbox/accounts/warehouse-b", json=config)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "hub_url"


async def test_accounts_delete_then_404(client, post_signed, sample_body):
    deleted = await client.delete("/_sandbox/accounts/default")

    response = await post_signed("/shipping-requests", sample_body())

    assert deleted.status_code == 204
    assert response.status_code == 404


async def test_accounts_unknown_is_404(client):
    response = await client.get("/_sandbox/accounts/nobody")

    assert response.status_code == 404
    assert response.json()["type"] == "urn:crossdock:problem:account-not-found"
