"""Products pull (OF21 + P31) and push (P41 + P42), location discovery, and the background worker."""

import asyncio

import pytest

from .conftest import connected_integration, publish_product
from .helpers import fetchval, run

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_locations_pulled_only_when_enabled(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        # A01 is allowed once a day per shop, so the second integration uses the other shop's key.
        disabled = await connected_integration(harness, sandbox, key="mirakl-sandbox-key-2002")
        counts_off = await run(harness, disabled["integration_id"], "products")
        await run(harness, disabled["integration_id"], "orders")
        none_yet = harness.events("location.discovered")

        enabled = await connected_integration(harness, sandbox, pullLocations=True)
        counts_on = await run(harness, enabled["integration_id"], "products")
        await harness.wait_for_event("location.discovered", lambda e: len(harness.events("location.discovered")) >= 3)
        again = await run(harness, enabled["integration_id"], "products")

    codes = sorted(event.payload.external_code for event in harness.events("location.discovered"))
    assert counts_off == {"offers_read": 0, "products_published": 0, "locations_discovered": 0}
    assert none_yet == []
    assert codes == ["", "WH-LYON", "WH-PARIS"]
    assert {event.payload.integration_id for event in harness.events("location.discovered")} == {
        enabled["integration_id"]
    }
    assert counts_on["locations_discovered"] == 3
    assert again["locations_discovered"] == 0


async def test_products_pull_publishes_channel_products(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox, products="pull")
        counts = await run(harness, view["integration_id"], "products")
        offers = (await sandbox.state())["offers"]["2001"]
        await harness.wait_for_event(
            "channel_product.upserted", lambda e: len(harness.events("channel_product.upserted")) >= len(offers)
        )
        again = await run(harness, view["integration_id"], "products")
        product_calls = await sandbox.requests("P31")

    published = {event.payload.channel_sku: event.payload for event in harness.events("channel_product.upserted")}
    mug = published["MUG-WHITE"]
    assert set(published) == set(offers)
    assert counts["products_published"] == len(offers)
    assert again["products_published"] == 0
    assert mug.title
    assert mug.gtin
    assert mug.problems == []
    assert mug.price is not None
    assert len(product_calls) >= 1


async def test_worker_auto_accepts_in_background(make_connector, sandbox):
    async with make_connector() as harness:
        view = await connected_integration(harness, sandbox, ordersAutoAccept=True)
        integration_id = view["integration_id"]
        offers = (await sandbox.state())["offers"]["2001"]
        for sku in offers:
            await publish_product(harness, integration_id, sku)

        async def mapped() -> bool:
            return await fetchval(harness, "SELECT count(*) FROM sku_mappings") >= len(offers)

        await harness.wait_until(mapped)
        await harness.client.patch(
            f"/v1/integrations/{integration_id}/settings", json={"ordersPollSeconds": 60}, headers=harness.auth()
        )
        result = await harness.wait_for_event("command.result", lambda e: e.payload.status == "succeeded", timeout=30)
        status = (await harness.client.get(f"/v1/integrations/{integration_id}/status", headers=harness.auth())).json()

    assert result.payload.command_type == "command.order.accept"
    assert status["jobs"]["orders"]["last_success_at"] is not None
    assert status["jobs"]["orders"]["counts"]["orders_received"] >= 1
    assert status["orders_cursor"] is not None


async def test_products_push_imports_and_reports(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox, products="push")
        integration_id = view["integration_id"]
        for sku, gtin in (("LAMP-1", "4006381333931"), ("NO-GTIN-1", None)):
            product = {
                "sku": sku,
                "title": f"Desk lamp {sku}",
                "gtin": gtin,
                "attributes": {"category": "lighting", "brand": "Lumo"},
                "channel_options": [{"integration_id": integration_id, "channel_sku": f"MK-{sku}"}],
            }
            await harness.publish(harness.event(type="product.upserted", payload=product, key=sku))

        async def marked() -> bool:
            return await fetchval(harness, "SELECT count(*) FROM product_pushes") == 2

        await harness.wait_until(marked)
        counts = await run(harness, integration_id, "products_push")
        uploads = await sandbox.requests("P41")
        for _ in range(40):
            await run(harness, integration_id, "products_push_imports")
            if harness.events("product.push_result", lambda e: e.payload.status == "succeeded"):
                break
            await asyncio.sleep(0.05)
        succeeded = await harness.wait_for_event(
            "product.push_result", lambda e: e.payload.sku == "LAMP-1" and e.payload.status == "succeeded"
        )
        failed = await harness.wait_for_event("product.push_result", lambda e: e.payload.sku == "NO-GTIN-1")
        again = await run(harness, integration_id, "products_push")

    assert counts == {"products_pushed": 1, "products_rejected": 1}
    assert len(uploads) == 1
    assert '"MK-LAMP-1";"4006381333931";"EAN";"Desk lamp LAMP-1";"lighting";"Lumo"' in uploads[0]["body"]
    assert "NO-GTIN-1" not in uploads[0]["body"]
    assert succeeded.payload.import_id is not None
    assert failed.payload.status == "failed"
    assert "GTIN" in failed.payload.message
    assert again == {"products_pushed": 0, "products_rejected": 0}
