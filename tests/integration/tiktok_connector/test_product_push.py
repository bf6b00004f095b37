"""Product push of the TikTok connector: master products created and edited on the TikTok sandbox."""

import json

import pytest

from .conftest import connect_shop, sandbox_requests
from .test_pushes import seller_view, sync

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

CREATE_PATH = "/product/202309/products"


def master(sku: str, **overrides) -> dict:
    """A master product with everything TikTok requires; overrides replace fields."""
    product = {
        "sku": sku,
        "title": f"Cotton tee {sku}",
        "description": "<p>Heavy cotton tee</p>",
        "price": "19.90",
        "currency": "USD",
        "images": ["https://images.example.test/tee.jpg"],
        "attributes": {"tiktok_category_id": "600001", "package_weight": "0.4"},
    }
    product.update(overrides)
    return product


async def publish_master(harness, product: dict) -> None:
    event = harness.event(type="product.upserted", payload=product, key=f"product:{product['sku']}", service="catalog")
    await harness.publish(event)


async def enable_push(harness, integration_id: str, **settings) -> None:
    response = await harness.client.patch(
        f"/v1/integrations/{integration_id}/settings",
        json={"products": "push", **settings},
        headers=harness.auth(),
    )
    assert response.status_code == 200, response.text


def results(harness, sku: str, status: str) -> list:
    return harness.events("product.push_result", lambda e: e.payload.sku == sku and e.payload.status == status)


async def wait_result(harness, sku: str, status: str, count: int = 1):
    async def arrived() -> bool:
        return len(results(harness, sku, status)) >= count

    await harness.wait_until(arrived, message=f"no {count} product.push_result {status} for {sku}")
    return results(harness, sku, status)[count - 1]


async def creates(sandbox) -> list[dict]:
    return [entry for entry in await sandbox_requests(sandbox, CREATE_PATH) if entry["path"] == CREATE_PATH]


async def edits(sandbox) -> list[dict]:
    return [entry for entry in await sandbox_requests(sandbox, CREATE_PATH + "/") if entry["method"] == "PUT"]


async def listed(sandbox, shop: dict, seller_sku: str) -> list[dict]:
    async with await seller_view(sandbox, shop) as client:
        data = await client.search_products_page({"seller_skus": [seller_sku]}, None)
    return data.get("products") or []


async def status_of(harness, integration_id: str) -> dict:
    response = await harness.client.get(f"/v1/integrations/{integration_id}/status", headers=harness.auth())
    assert response.status_code == 200, response.text
    return response.json()


async def test_product_push_creates_then_edits(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "US")
    await enable_push(connector, connected["id"])

    await publish_master(connector, master("TEE-001"))
    pending = await wait_result(connector, "TEE-001", "pending")
    created = await wait_result(connector, "TEE-001", "succeeded")

    assert pending.payload.integration_id == connected["id"]
    assert created.payload.integration_id == connected["id"]
    assert len(await creates(sandbox)) == 1
    products = await listed(sandbox, connected["shop"], "TEE-001")
    assert len(products) == 1
    product_id = products[0]["id"]
    assert products[0]["skus"][0]["seller_sku"] == "TEE-001"

    await publish_master(connector, master("TEE-001", title="Cotton tee, relaxed fit", price="24.00"))
    await wait_result(connector, "TEE-001", "succeeded", count=2)

    assert len(await creates(sandbox)) == 1
    edit_requests = await edits(sandbox)
    assert len(edit_requests) == 1
    assert edit_requests[0]["path"] == f"{CREATE_PATH}/{product_id}"
    assert edit_requests[0]["code"] == 0
    edit_body = json.loads(edit_requests[0]["body"])
    assert edit_body["title"] == "Cotton tee, relaxed fit"
    assert edit_body["skus"][0]["id"] == products[0]["skus"][0]["id"]
    assert "inventory" not in edit_body["skus"][0]
    products = await listed(sandbox, connected["shop"], "TEE-001")
    assert [p["id"] for p in products] == [product_id]
    assert products[0]["title"] == "Cotton tee, relaxed fit"
    assert products[0]["skus"][0]["price"]["sale_price"] == "24.00"

    pushed = (await status_of(connector, connected["id"]))["product_push"]
    assert len(pushed) == 1
    assert pushed[0]["sku"] == "TEE-001"
    assert pushed[0]["product_id"] == product_id
    assert pushed[0]["status"] == "succeeded"
    assert pushed[0]["skus"][0]["sku_id"] == products[0]["skus"][0]["id"]


async def test_product_push_parent_two_variants(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "GB")
    await enable_push(connector, connected["id"])
    attributes = {"tiktok_category_id": "600001", "package_weight": "0.4"}

    await publish_master(
        connector, master("HOODIE", product_type="parent", price=None, currency=None, attributes=attributes)
    )
    for sku, color in (("HOODIE-RED", "Red"), ("HOODIE-BLUE", "Blue")):
        variant = master(sku, product_type="variant", parent_sku="HOODIE", currency="GBP", attributes={"Color": color})
        await publish_master(connector, variant)
    await wait_result(connector, "HOODIE-RED", "succeeded")
    await wait_result(connector, "HOODIE-BLUE", "succeeded")
    await sync(connector, connected["id"])

    red = await listed(sandbox, connected["shop"], "HOODIE-RED")
    assert len(red) == 1
    assert sorted(sku["seller_sku"] for sku in red[0]["skus"]) == ["HOODIE-BLUE", "HOODIE-RED"]
    assert red[0]["title"] == "Cotton tee HOODIE"
    assert len(await creates(sandbox)) == 1
    assert results(connector, "HOODIE", "succeeded") == []

    pushed = (await status_of(connector, connected["id"]))["product_push"]
    assert [entry["sku"] for entry in pushed] == ["HOODIE"]
    assert pushed[0]["product_id"] == red[0]["id"]
    assert sorted(entry["sku"] for entry in pushed[0]["skus"]) == ["HOODIE-BLUE", "HOODIE-RED"]
    assert all(entry["sku_id"] for entry in pushed[0]["skus"])


async def test_product_push_errors_per_product(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "US")
    await enable_push(connector, connected["id"])

    await publish_master(connector, master("NO-CAT", attributes={"package_weight": "0.4"}, price=None, currency=None))
    await publish_master(connector, master("LONG-DESC", description="x" * 10_001))
    await publish_master(connector, master("GOOD-1"))

    missing = await wait_result(connector, "NO-CAT", "failed")
    rejected = await wait_result(connector, "LONG-DESC", "failed")
    await wait_result(connector, "GOOD-1", "succeeded")

    assert "category is missing" in missing.payload.message
    assert "tiktok_category_id" in missing.payload.message
    assert "price of SKU 'NO-CAT' is missing" in missing.payload.message
    assert "12052013" in rejected.payload.message
    assert "description" in rejected.payload.message
    assert await listed(sandbox, connected["shop"], "NO-CAT") == []
    assert await listed(sandbox, connected["shop"], "LONG-DESC") == []
    assert len(await listed(sandbox, connected["shop"], "GOOD-1")) == 1

    # A failed product is not retried until the catalog changes it.
    calls_before = len(await creates(sandbox))
    await sync(connector, connected["id"])
    assert len(await creates(sandbox)) == calls_before
    pushed = {entry["sku"]: entry for entry in (await status_of(connector, connected["id"]))["product_push"]}
    assert pushed["NO-CAT"]["status"] == "failed"
    assert "category is missing" in pushed["NO-CAT"]["message"]
    assert pushed["NO-CAT"]["skus"][0]["status"] == "failed"
    assert pushed["LONG-DESC"]["status"] == "failed"
    assert "12052013" in pushed["LONG-DESC"]["skus"][0]["message"]
    assert pushed["GOOD-1"]["status"] == "succeeded"

    # A fix from the catalog sends the product again.
    await publish_master(connector, master("NO-CAT"))
    await wait_result(connector, "NO-CAT", "succeeded")
    assert len(await listed(sandbox, connected["shop"], "NO-CAT")) == 1


async def test_product_push_category_from_setting(connector, sandbox):
    connected = await connect_shop(connector, sandbox, "US")
    await enable_push(connector, connected["id"], defaultCategoryId="600777")

    await publish_master(connector, master("CAT-DEFAULT", attributes={"package_weight": "1.5"}))
    await wait_result(connector, "CAT-DEFAULT", "succeeded")

    body = json.loads((await creates(sandbox))[0]["body"])
    assert body["category_id"] == "600777"
    assert body["package_weight"] == {"value": "1.5", "unit": "KILOGRAM"}
    assert body["skus"][0]["seller_sku"] == "CAT-DEFAULT"


async def test_product_push_off_for_pull_and_other_regions(connector, sandbox):
    pull = await connect_shop(connector, sandbox, "US", settings={"products": "pull"})
    malaysia = await connect_shop(connector, sandbox, "MY")
    rejected = await connector.client.patch(
        f"/v1/integrations/{malaysia['id']}/settings", json={"products": "push"}, headers=connector.auth()
    )
    assert rejected.status_code == 422
    assert "manage the catalog in TikTok Shop directly" in rejected.json()["detail"]

    # A row written before a shop change (or by hand) must still not push outside US and GB.
    async with connector.runtime.pool.acquire() as connection:
        await connection.execute(
            'UPDATE integrations SET settings = settings || \'{"products": "push"}\'::jsonb WHERE id = $1',
            malaysia["id"],
        )

    await publish_master(connector, master("MY-TEE", currency="MYR"))
    failed = await wait_result(connector, "MY-TEE", "failed")

    assert failed.payload.integration_id == malaysia["id"]
    assert "US or GB" in failed.payload.message
    await sync(connector, pull["id"])
    assert await creates(sandbox) == []
    assert await edits(sandbox) == []
    assert [e for e in results(connector, "MY-TEE", "pending") if e.payload.integration_id == pull["id"]] == []
    assert (await status_of(connector, pull["id"]))["product_push"] == []
