"""SKU audit through the API and the command line."""

import pytest
from crossdock_catalog import cli

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def _seed(catalog) -> None:
    await catalog.integration("mirakl-1", "mirakl")
    await catalog.integration("tiktok-1", "tiktok")
    for sku, fields in [
        ("ABC-1", {"title": "Blue mug"}),
        ("MUG-7", {"title": "Blue mug", "gtin": "4006381333931"}),
        ("LONELY-1", {"title": "Nobody sells me"}),
        ("X-1", {}),
    ]:
        assert (await catalog.create(sku, **fields)).status_code == 201
    await catalog.channel_product("tiktok-1", "ABC-1 ")
    await catalog.channel_product("tiktok-1", "abc-1")
    await catalog.channel_product("mirakl-1", "MUG-7", title="Blue mug", gtin="4006381333931")
    await catalog.channel_product("tiktok-1", "MUG-7", title="Garden hose 20 m", gtin="0012345678905")
    response = await catalog.client.put(
        "/v1/products/X-1/channel-options/mirakl-1", json={"channelSku": "MK-X"}, headers=catalog.headers
    )
    assert response.status_code == 200
    await catalog.channel_product("mirakl-1", "MK-X", channel_product_id="offer-1")
    await catalog.channel_product("mirakl-1", "MK-X", channel_product_id="offer-2")


async def test_audit_reports_every_check(catalog):
    await _seed(catalog)

    response = await catalog.client.get("/v1/audit/skus", headers=catalog.headers)

    assert response.status_code == 200
    report = response.json()
    near = {(item["sku"], item["similar_sku"]): item["differences"] for item in report["near_misses"]}
    assert near[("ABC-1 ", "ABC-1")] == ["trailing space"]
    assert near[("abc-1", "ABC-1")] == ["letter case"]
    collisions = {item["sku"]: item for item in report["collisions"]}
    assert list(collisions) == ["MUG-7"]
    assert collisions["MUG-7"]["reasons"] == ["GTIN differs"]
    assert {identity["source"] for identity in collisions["MUG-7"]["identities"]} == {"master", "mirakl-1", "tiktok-1"}
    duplicates = [item for item in report["duplicate_channel_skus"] if item["channel_sku"] == "MK-X"]
    assert duplicates[0]["channel_product_ids"] == ["offer-1", "offer-2"]
    unlinked = {item["sku"]: item for item in report["unlinked_masters"]}
    assert unlinked["LONELY-1"]["missing_integrations"] == ["mirakl-1", "tiktok-1"]
    assert unlinked["X-1"]["missing_integrations"] == ["tiktok-1"]
    assert "MUG-7" not in unlinked
    assert report["counts"]["near_misses"] == 2


async def test_audit_cli_prints_findings(catalog, capsys):
    await _seed(catalog)

    exit_code = await _run_cli(["audit", "--account", "acme", "--database-url", catalog.harness.settings.database_url])

    output = capsys.readouterr().out
    assert exit_code == 1
    assert "near-miss on tiktok-1: no master SKU 'ABC-1 '; differs from 'ABC-1' by trailing space" in output
    assert "collision: SKU 'MUG-7' carries different products (GTIN differs)" in output
    assert "no channel link: 'LONELY-1'" in output


async def _run_cli(arguments: list[str]) -> int:
    import asyncio

    return await asyncio.to_thread(cli.main, arguments)
