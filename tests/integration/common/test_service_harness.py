"""The service test harness: a harnessed service consumes and publishes on its own prefixed topics only."""

import pytest

from crossdock_common.events.payloads.inventory import StockLevelPayload
from crossdock_common.service import ConsumerSpec, ServiceDefinition, create_app
from crossdock_common.settings import ServiceSettings
from crossdock_common.testing.service import ServiceHarness, settings_for_test

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def echo_definition():
    """A service that publishes an availability event for each stock change."""

    def handler(runtime):
        async def handle(connection, event):
            availability = runtime.event(
                type="availability.changed",
                payload={
                    "integration_id": "mirakl-1",
                    "sku": event.payload.sku,
                    "channel_sku": event.payload.sku,
                    "quantity": event.payload.available,
                },
                account_id=event.account_id,
                key=f"{event.account_id}:mirakl-1:{event.payload.sku}",
                cause=event,
            )
            await runtime.publish(connection, availability)

        return handle

    return ServiceDefinition(
        name="echo",
        schema="echo",
        consumers=[
            ConsumerSpec(
                group="echo", topics=["crossdock.inventory.v1"], handler=handler, wants=lambda t: t == "stock.changed"
            )
        ],
    )


async def test_harness_round_trip_through_outbox(database_dsn, kafka_bootstrap):
    settings = settings_for_test(ServiceSettings, database_dsn=database_dsn, kafka_bootstrap=kafka_bootstrap)
    app = create_app(echo_definition(), settings=settings)

    async with ServiceHarness(app=app, settings=settings) as harness:
        stock = harness.event(
            type="stock.changed",
            payload=StockLevelPayload(sku="MUG-1", location_id="loc-1", on_hand=7, committed=2, available=5),
            key="MUG-1",
        )
        await harness.publish(stock)

        answer = await harness.wait_for_event("availability.changed", lambda e: e.payload.sku == "MUG-1")
        health = await harness.client.get("/readyz")

    assert answer.payload.quantity == 5
    assert answer.causation_id == stock.event_id
    assert answer.correlation_id == stock.event_id
    assert answer.source.service == "echo"
    assert health.status_code == 200
