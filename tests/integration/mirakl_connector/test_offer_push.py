"""Offers push (OF24 + OF02/OF03) after the P41 product push, checked through the sandbox's OF21."""

import asyncio
from decimal import Decimal

import httpx
import pytest
from crossdock_mirakl_connector.adapters import repository
from crossdock_mirakl_connector.service_layer.worker import job_plan

from .conftest import SANDBOX_KEY, connected_integration, create_integration
from .helpers import fetch, fetchval, run

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def publish_master(
    harness,
    integration_id: str,
    sku: str,
    *,
    gtin: str | None,
    price: str | None,
    channel_sku: str | None = None,
    sync: bool = True,
):
    option = {"integration_id": integration_id, "sync_to_channel": sync}
    if channel_sku:
        option["channel_sku"] = channel_sku
    payload = {
        "sku": sku,
        "title": f"Desk lamp {sku}",
        "description": f"Lamp {sku}",
        "gtin": gtin,
        "price": price,
        "currency": "EUR" if price else None,
        "attributes": {"category": "lighting", "brand": "Lumo"},
        "channel_options": [option],
    }
    await harness.publish(harness.event(type="product.upserted", payload=payload, key=sku))


def availability(harness, integration_id: str, sku: str, channel_sku: str, quantity: int):
    return harness.event(
        type="availability.changed",
        payload={"integration_id": integration_id, "sku": sku, "channel_sku": channel_sku, "quantity": quantity},
        key=f"{integration_id}:{sku}",
        service="inventory",
    )


async def wait_value(harness, expected, query: str, *args) -> None:
    async def reached() -> bool:
        return await fetchval(harness, query, *args) == expected

    await harness.wait_until(reached, message=f"{query} {args} never returned {expected!r}")


async def track_until_final(harness, integration_id: str, job: str, table: str) -> None:
    for _ in range(60):
        await run(harness, integration_id, job)
        pending = await fetchval(harness, f"SELECT count(*) FROM {table} WHERE finished_at IS NULL")
        if pending == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{table} still has unfinished imports")


async def sandbox_offer(sandbox, sku: str) -> dict | None:
    """Read one offer of shop 2001 through OF21, waiting out a 429 as a client would."""
    async with httpx.AsyncClient(base_url=sandbox.url, headers={"Authorization": SANDBOX_KEY}) as client:
        for _ in range(20):
            response = await client.get("/api/offers", params={"sku": sku})
            if response.status_code == 429:
                await asyncio.sleep(float(response.json().get("retry_after_seconds", 0.1)))
                continue
            assert response.status_code == 200, response.text
            offers = response.json()["offers"]
            return offers[0] if offers else None
    raise AssertionError(f"OF21 kept answering 429 for {sku}")


async def push_products_and_offers(harness, integration_id: str) -> dict:
    await run(harness, integration_id, "products_push")
    await track_until_final(harness, integration_id, "products_push_imports", "product_imports")
    counts = await run(harness, integration_id, "offers_push")
    await track_until_final(harness, integration_id, "offers_push_imports", "offer_imports")
    return counts


async def test_worker_offers_pushed_master(make_connector, sandbox):
    async with make_connector() as harness:
        view = await connected_integration(harness, sandbox, products="push", syncOrders=False)
        integration_id = view["integration_id"]
        await publish_master(
            harness, integration_id, "LAMP-1", gtin="4006381333931", price="19.90", channel_sku="MK-LAMP-1"
        )
        await harness.publish(availability(harness, integration_id, "LAMP-1", "MK-LAMP-1", 7))

        offer = None
        for _ in range(100):
            offer = await sandbox_offer(sandbox, "MK-LAMP-1")
            if offer is not None:
                break
            await asyncio.sleep(0.2)
        await wait_value(harness, "succeeded", "SELECT status FROM offer_pushes WHERE master_sku = $1", "LAMP-1")
        offer_import = await fetchval(harness, "SELECT import_id FROM offer_pushes WHERE master_sku = 'LAMP-1'")
        result = await harness.wait_for_event(
            "product.push_result",
            lambda e: e.payload.import_id == offer_import and e.payload.status == "succeeded",
        )
        by_master_sku = await sandbox_offer(sandbox, "LAMP-1")

    assert offer is not None, "the worker never created the offer"
    assert Decimal(str(offer["price"])) == Decimal("19.90")
    assert offer["quantity"] == 7
    assert offer["state_code"] == "11"
    assert {"reference_type": "EAN", "reference": "4006381333931"} in offer["product_references"]
    assert offer["description"] == "Lamp LAMP-1"
    assert by_master_sku is None
    assert result.payload.sku == "LAMP-1"


async def test_price_change_keeps_quantity(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox, products="push", syncOrders=False)
        integration_id = view["integration_id"]
        await publish_master(harness, integration_id, "LAMP-2", gtin="4006381333948", price="10.00")
        await harness.publish(availability(harness, integration_id, "LAMP-2", "LAMP-2", 4))
        await wait_value(harness, 1, "SELECT count(*) FROM offer_pushes")
        await wait_value(harness, 4, "SELECT quantity FROM inventory_lines WHERE channel_sku = 'LAMP-2'")
        first_counts = await push_products_and_offers(harness, integration_id)
        created = await sandbox_offer(sandbox, "LAMP-2")

        # The stock changes through STO01 only, so the offer's quantity is now 9 on Mirakl.
        await harness.publish(availability(harness, integration_id, "LAMP-2", "LAMP-2", 9))
        await wait_value(harness, 9, "SELECT quantity FROM inventory_lines WHERE channel_sku = 'LAMP-2'")
        await run(harness, integration_id, "inventory_push")
        await track_until_final(harness, integration_id, "inventory_imports", "stock_imports")
        restocked = await sandbox_offer(sandbox, "LAMP-2")

        await publish_master(harness, integration_id, "LAMP-2", gtin="4006381333948", price="12.50")
        await wait_value(harness, Decimal("12.50"), "SELECT price FROM offer_pushes WHERE master_sku = 'LAMP-2'")
        second_counts = await run(harness, integration_id, "offers_push")
        await track_until_final(harness, integration_id, "offers_push_imports", "offer_imports")
        repriced = await sandbox_offer(sandbox, "LAMP-2")
        uploads = await sandbox.requests("OF24")
        product_uploads = await sandbox.requests("P41")
        unchanged = await run(harness, integration_id, "offers_push")

    assert first_counts == {"offers_sent": 1, "offers_rejected": 0}
    assert created["quantity"] == 4
    assert restocked["quantity"] == 9
    assert second_counts == {"offers_sent": 1, "offers_rejected": 0}
    assert Decimal(str(repriced["price"])) == Decimal("12.50")
    assert repriced["quantity"] == 9
    assert len(uploads) == 2
    assert '"quantity":9' in uploads[1]["body"]
    assert '"price":12.50' in uploads[1]["body"]
    assert len(product_uploads) == 1
    assert unchanged == {"offers_sent": 0, "offers_rejected": 0}


async def test_rejected_offer_reported_per_sku(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox, products="push", syncOrders=False)
        integration_id = view["integration_id"]
        await publish_master(harness, integration_id, "GOOD-1", gtin="4006381333955", price="5.00")
        # MUG-WHITE is a seeded offer on another product, so Mirakl rejects linking it to this new product.
        await publish_master(
            harness, integration_id, "HUB-MUG", gtin="4006381333962", price="6.00", channel_sku="MUG-WHITE"
        )
        await publish_master(harness, integration_id, "NO-PRICE", gtin="4006381333979", price=None)
        await wait_value(harness, 3, "SELECT count(*) FROM offer_pushes")
        counts = await push_products_and_offers(harness, integration_id)
        rejected = await harness.wait_for_event(
            "product.push_result", lambda e: e.payload.sku == "HUB-MUG" and e.payload.status == "failed"
        )
        no_price = await harness.wait_for_event(
            "product.push_result", lambda e: e.payload.sku == "NO-PRICE" and e.payload.status == "failed"
        )
        statuses = dict(await fetch(harness, "SELECT master_sku, status FROM offer_pushes"))
        response = await harness.client.get(f"/v1/integrations/{integration_id}/status", headers=harness.auth())
        mug = await sandbox_offer(sandbox, "MUG-WHITE")

    errors = {(item["master_sku"], item["stage"]): item for item in response.json()["product_errors"]}
    assert counts == {"offers_sent": 2, "offers_rejected": 1}
    assert statuses == {"GOOD-1": "succeeded", "HUB-MUG": "failed", "NO-PRICE": "failed"}
    assert "'MUG-WHITE'" in rejected.payload.message
    assert "different from the product" in rejected.payload.message
    assert rejected.payload.import_id is not None
    assert "no price" in no_price.payload.message
    assert errors[("HUB-MUG", "offer")]["channel_sku"] == "MUG-WHITE"
    assert "no price" in errors[("NO-PRICE", "offer")]["message"]
    assert ("GOOD-1", "offer") not in errors
    assert {"reference_type": "EAN", "reference": "4006381333962"} not in mug["product_references"]


async def test_sync_off_deletes_offer(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox, products="push", syncOrders=False)
        integration_id = view["integration_id"]
        await publish_master(harness, integration_id, "LAMP-3", gtin="4006381333986", price="8.00", channel_sku="MK-3")
        await wait_value(harness, 1, "SELECT count(*) FROM offer_pushes")
        await push_products_and_offers(harness, integration_id)
        before = await sandbox_offer(sandbox, "MK-3")

        await publish_master(
            harness, integration_id, "LAMP-3", gtin="4006381333986", price="8.00", channel_sku="MK-3", sync=False
        )
        await wait_value(harness, "delete", "SELECT action FROM offer_pushes WHERE master_sku = 'LAMP-3'")
        counts = await run(harness, integration_id, "offers_push")
        await track_until_final(harness, integration_id, "offers_push_imports", "offer_imports")
        after = await sandbox_offer(sandbox, "MK-3")
        uploads = await sandbox.requests("OF24")
        on_mirakl = await fetchval(harness, "SELECT on_mirakl FROM offer_pushes WHERE master_sku = 'LAMP-3'")

    assert before is not None
    assert counts == {"offers_sent": 1, "offers_rejected": 0}
    assert '"update_delete":"delete"' in uploads[-1]["body"]
    assert after is None
    assert on_mirakl is False


async def test_products_pull_creates_no_offers(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox, products="pull", syncOrders=False)
        integration_id = view["integration_id"]
        await publish_master(harness, integration_id, "LAMP-4", gtin="4006381333993", price="9.00", channel_sku="MK-4")
        await wait_value(harness, 1, "SELECT count(*) FROM sku_mappings WHERE master_sku = 'LAMP-4'")
        await run(harness, integration_id, "products")
        async with harness.runtime.pool.acquire() as connection:
            integration = await repository.load_integration(connection, integration_id)
        jobs = [job for job, _work, _interval in job_plan(harness.runtime, integration)]
        offer_rows = await fetchval(harness, "SELECT count(*) FROM offer_pushes")
        uploads = await sandbox.requests("OF24")

    assert "offers_push" not in jobs
    assert "offers_push_imports" not in jobs
    assert offer_rows == 0
    assert uploads == []


async def test_switch_to_push_queues_known_masters(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox, syncOrders=False)
        integration_id = view["integration_id"]
        await publish_master(harness, integration_id, "LAMP-5", gtin="4006381333948", price="12.00", channel_sku="MK-5")
        await publish_master(harness, integration_id, "LAMP-6", gtin="4006381333955", price="8.00", sync=False)
        await wait_value(harness, 2, "SELECT count(*) FROM sku_mappings WHERE product IS NOT NULL")
        before = await fetchval(harness, "SELECT count(*) FROM product_pushes")

        response = await harness.client.patch(
            f"/v1/integrations/{integration_id}/settings", json={"products": "push"}, headers=harness.auth()
        )
        products = await fetch(harness, "SELECT master_sku, channel_sku, gtin, dirty FROM product_pushes")
        offers = await fetch(harness, "SELECT master_sku, channel_sku, price, dirty FROM offer_pushes")
        sent = await run(harness, integration_id, "products_push")

        # An integration created after the masters were published learns them from the account's other rows.
        later = await create_integration(harness, sandbox.url)
        later_response = await harness.client.patch(
            f"/v1/integrations/{later['integration_id']}/settings", json={"products": "push"}, headers=harness.auth()
        )
        later_products = await fetch(
            harness,
            "SELECT master_sku, channel_sku FROM product_pushes WHERE integration_id = $1 ORDER BY master_sku",
            later["integration_id"],
        )

    assert response.status_code == 200, response.text
    assert before == 0
    assert [tuple(row) for row in products] == [("LAMP-5", "MK-5", "4006381333948", True)]
    assert [tuple(row) for row in offers] == [("LAMP-5", "MK-5", Decimal("12.00"), True)]
    assert sent["products_pushed"] == 1
    assert later_response.status_code == 200, later_response.text
    assert [tuple(row) for row in later_products] == [("LAMP-5", "LAMP-5"), ("LAMP-6", "LAMP-6")]
