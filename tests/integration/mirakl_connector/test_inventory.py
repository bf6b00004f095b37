"""Inventory push through STO01 stock imports, import tracking and the forced resync."""

import asyncio

import pytest

from .conftest import connected_integration, publish_product
from .helpers import fetch, fetchval, run

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def availability(harness, integration_id: str, sku: str, quantity: int, **extra):
    return harness.event(
        type="availability.changed",
        payload={"integration_id": integration_id, "sku": sku, "channel_sku": sku, "quantity": quantity, **extra},
        key=f"{integration_id}:{sku}",
        service="inventory",
    )


async def wait_lines(harness, expected: int) -> None:
    async def enough() -> bool:
        return await fetchval(harness, "SELECT count(*) FROM inventory_lines") >= expected

    await harness.wait_until(enough, message=f"fewer than {expected} inventory lines recorded")


async def track_until_final(harness, integration_id: str) -> None:
    for _ in range(40):
        await run(harness, integration_id, "inventory_imports")
        pending = await fetchval(
            harness, "SELECT count(*) FROM stock_imports WHERE status NOT IN ('COMPLETE', 'FAILED')"
        )
        if pending == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("stock import never finished")


async def test_inventory_push_maps_filters_and_tracks_rejections(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(
            harness, sandbox, inventorySKUsExclude=["MUG-GREEN"], inventoryMaxQuantity=999
        )
        integration_id = view["integration_id"]
        offers = (await sandbox.state())["offers"]["2001"]
        shoe = next(sku for sku in offers if sku.startswith("TRAIL-SHOE"))
        await publish_product(harness, integration_id, "HUB-MUG-W", channel_sku="MUG-WHITE")
        await harness.wait_until(lambda: _has_mapping(harness))
        for event in (
            availability(harness, integration_id, "HUB-MUG-W", 1500),
            availability(harness, integration_id, shoe, 3, channel_warehouse_id="WH-PARIS"),
            availability(harness, integration_id, "MUG-GREEN", 5),
            availability(harness, integration_id, "NO-SUCH-OFFER", 2),
        ):
            await harness.publish(event)
        await wait_lines(harness, 3)

        counts = await run(harness, integration_id, "inventory_push")
        uploads = await sandbox.requests("STO01")
        await track_until_final(harness, integration_id)
        status = (await harness.client.get(f"/v1/integrations/{integration_id}/status", headers=harness.auth())).json()
        second = await run(harness, integration_id, "inventory_push")

    body = uploads[0]["body"]
    assert counts == {"inventory_lines_pushed": 3}
    assert len(uploads) == 1
    assert '"MUG-WHITE";"999";"";"update"' in body
    assert f'"{shoe}";"3";"WH-PARIS";"update"' in body
    assert "MUG-GREEN" not in body
    assert "HUB-MUG-W" not in body
    assert [error["channel_sku"] for error in status["inventory_errors"]] == ["NO-SUCH-OFFER"]
    assert "does not exist" in status["inventory_errors"][0]["last_error"]
    assert status["jobs"]["inventory_imports"]["counts"]["inventory_lines_rejected"] == 1
    assert status["jobs"]["inventory_imports"]["counts"]["inventory_lines_accepted"] == 2
    assert status["jobs"]["inventory_push"]["counts"]["inventory_lines_pushed"] == 3
    assert second == {"inventory_lines_pushed": 0}


async def _has_mapping(harness) -> bool:
    return bool(await fetchval(harness, "SELECT count(*) FROM sku_mappings"))


async def test_inventory_resync_pushes_unchanged_snapshot(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox)
        integration_id = view["integration_id"]
        await harness.publish(availability(harness, integration_id, "MUG-WHITE", 4))
        await wait_lines(harness, 1)
        await run(harness, integration_id, "inventory_push")

        await harness.publish(availability(harness, integration_id, "MUG-WHITE", 4))
        await asyncio.sleep(0.5)
        unchanged = await fetch(harness, "SELECT dirty FROM inventory_lines")

        response = await harness.client.post(
            f"/v1/integrations/{integration_id}/inventory/resync", headers=harness.auth()
        )
        command = await harness.wait_for_event("command.inventory.resync")
        await harness.publish(
            availability(harness, integration_id, "MUG-WHITE", 4, snapshot=True, snapshot_id=command.payload.command_id)
        )

        async def dirty_again() -> bool:
            return bool(await fetchval(harness, "SELECT dirty FROM inventory_lines"))

        await harness.wait_until(dirty_again, message="snapshot line was not marked for push")
        counts = await run(harness, integration_id, "inventory_push")
        uploads = await sandbox.requests("STO01")

    assert response.status_code == 202
    assert command.payload.integration_id == integration_id
    assert command.payload.command_id == response.json()["command_id"]
    assert [row["dirty"] for row in unchanged] == [False]
    assert counts == {"inventory_lines_pushed": 1}
    assert len(uploads) == 2


async def test_inventory_line_follows_channel_sku_change(make_connector, sandbox):
    async with make_connector(worker_enabled=False) as harness:
        view = await connected_integration(harness, sandbox)
        integration_id = view["integration_id"]
        # Recorded before the master has a channelSku: the offer SKU is the master SKU.
        await harness.publish(availability(harness, integration_id, "HUB-MUG-W", 4))
        await wait_lines(harness, 1)

        await publish_product(harness, integration_id, "HUB-MUG-W", channel_sku="MUG-WHITE")
        await harness.wait_until(lambda: _has_mapping(harness))
        await harness.publish(availability(harness, integration_id, "HUB-MUG-W", 4))

        async def remapped() -> bool:
            skus = [row["channel_sku"] for row in await fetch(harness, "SELECT channel_sku FROM inventory_lines")]
            return skus == ["MUG-WHITE"]

        await harness.wait_until(remapped, message="the line under the previous offer SKU was kept")
        counts = await run(harness, integration_id, "inventory_push")
        uploads = await sandbox.requests("STO01")

    assert counts == {"inventory_lines_pushed": 1}
    assert '"MUG-WHITE";"4";"";"update"' in uploads[0]["body"]
    assert "HUB-MUG-W" not in uploads[0]["body"]
