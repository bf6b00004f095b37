"""Fixtures for catalog integration tests: a started catalog service and helpers that act as the connectors."""

import pytest
from crossdock_catalog.main import build_app
from crossdock_catalog.settings import CatalogSettings
from crossdock_common.testing.service import ServiceHarness, settings_for_test


class CatalogDriver:
    """The catalog harness plus shortcuts for the events connectors publish and the API calls operators make."""

    def __init__(self, harness: ServiceHarness) -> None:
        self.harness = harness
        self.client = harness.client
        self.headers = harness.auth("acme")

    async def integration(self, integration_id: str, type: str, *, account_id: str = "acme") -> None:
        """Publish an integration event and wait until catalog lists the integration."""
        event = self.harness.event(
            type="integration.upserted",
            payload={
                "integration_id": integration_id,
                "type": type,
                "name": f"{type} test shop",
                "status": "connected",
                "supports_channel_sku": type == "mirakl",
                "settings": {"products": "pull"},
            },
            account_id=account_id,
            key=integration_id,
            service=f"{type}_connector",
            integration_id=integration_id,
        )
        await self.harness.publish(event)

        async def known() -> bool:
            response = await self.client.get("/v1/integrations", headers=self.harness.auth(account_id))
            return any(item["integration_id"] == integration_id for item in response.json())

        await self.harness.wait_until(known, timeout=20, message=f"integration {integration_id} never appeared")

    async def channel_product(self, integration_id: str, channel_sku: str, **fields) -> dict:
        """Publish a channel product as a connector would and wait until catalog stored that version."""
        channel = "mirakl" if integration_id.startswith("mirakl") else "tiktok"
        product_id = fields.pop("channel_product_id", f"{integration_id}:{channel_sku}")
        payload = {
            "integration_id": integration_id,
            "channel": channel,
            "channel_product_id": product_id,
            "channel_sku": channel_sku,
            "title": fields.pop("title", f"Product {channel_sku.strip()}"),
            **fields,
        }
        event = self.harness.event(
            type="channel_product.upserted",
            payload=payload,
            key=f"{integration_id}:{product_id}",
            service=f"{channel}_connector",
            integration_id=integration_id,
        )
        await self.harness.publish(event)

        async def stored() -> bool:
            return await self.harness.runtime.pool.fetchval(
                "SELECT EXISTS (SELECT 1 FROM processed_events WHERE event_id = $1)", event.event_id
            )

        await self.harness.wait_until(stored, timeout=20, message=f"channel product {channel_sku!r} never applied")
        return await self.channel_product_state(integration_id, product_id)

    async def channel_product_state(self, integration_id: str, channel_product_id: str) -> dict:
        response = await self.client.get(
            "/v1/channel-products", params={"integration_id": integration_id, "limit": 500}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        return next(item for item in response.json()["items"] if item["channel_product_id"] == channel_product_id)

    async def set_source(self, source: str, *, force: bool = False):
        return await self.client.put(
            "/v1/catalog/settings",
            params={"force": "true"} if force else {},
            json={"catalog_source": source},
            headers=self.headers,
        )

    async def create(self, sku: str, **fields):
        return await self.client.post("/v1/products", json={"sku": sku, **fields}, headers=self.headers)


@pytest.fixture
async def catalog(database_dsn, kafka_bootstrap):
    settings = settings_for_test(CatalogSettings, database_dsn=database_dsn, kafka_bootstrap=kafka_bootstrap)
    app = build_app(settings)
    async with ServiceHarness(app=app, settings=settings) as harness:
        yield CatalogDriver(harness)
