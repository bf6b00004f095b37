"""Helpers shared by the bus integration tests."""

import asyncio
import uuid

from aiokafka import AIOKafkaConsumer
from crossdock_common.events import REGISTRY, EventEnvelope, EventRegistry, EventSource
from crossdock_common.events.payloads.inventory import StockLevelPayload


def stock_event(
    *, sku: str = "SKU-1", on_hand: int = 5, account_id: str = "acme", registry: EventRegistry = REGISTRY
) -> EventEnvelope:
    return registry.build(
        type="stock.changed",
        payload=StockLevelPayload(
            sku=sku, location_id="loc-1", on_hand=on_hand, committed=0, available=max(on_hand, 0)
        ),
        account_id=account_id,
        key=f"{account_id}:{sku}",
        source=EventSource(service="test"),
    )


def registry_on(topic: str) -> EventRegistry:
    """A registry whose stock.changed events go to `topic`, so tests never share a stream."""
    registry = EventRegistry()
    registry.register(name="stock.changed", topic=topic, version=1, model=StockLevelPayload, description="test")
    return registry


async def read_all(bootstrap: str, topic: str, *, expected: int, timeout: float = 20.0, settle: float = 1.0):
    """Read a topic from the beginning until `expected` records arrived, then `settle` seconds more."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"reader-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(records) < expected and loop.time() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for batch in batches.values():
                records.extend(batch)
        settle_until = loop.time() + settle
        while loop.time() < settle_until:
            batches = await consumer.getmany(timeout_ms=200)
            for batch in batches.values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def wait_for(predicate, *, timeout: float = 20.0, interval: float = 0.1):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(interval)
    return False
