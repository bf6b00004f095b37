"""Bus throughput: events/s through the outbox and the idempotent consumer, beside raw aiokafka.

Both paths move the same N serialized events over real Kafka (and PostgreSQL
for the outbox path) in one run, so the ratio compares like with like:

- raw: aiokafka produce of N events, then one consumer reads them all;
- outbox: a publishing process inserts N events into its outbox in
  transactions of `--batch` events and relays them; this process applies them
  with an `IdempotentConsumer` until every event id is in `processed_events`.
  Measured twice: with a handler that runs one INSERT per event, and with a
  batch handler that writes a poll's events with one `executemany`.

Reads KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL (`make bench` provides local
servers). Prints figures only; it asserts nothing.
"""

import argparse
import asyncio
import multiprocessing
import os
import time
import uuid

import asyncpg
from aiokafka import AIOKafkaConsumer
from crossdock_common.bus import IdempotentConsumer, Outbox, OutboxRelay, create_producer, ensure_topics
from crossdock_common.db import apply_migrations, create_pool
from crossdock_common.events import EventRegistry, EventSource
from crossdock_common.events.payloads.inventory import StockLevelPayload


def build_events(registry: EventRegistry, count: int):
    return [
        registry.build(
            type="stock.changed",
            payload=StockLevelPayload(sku=f"SKU-{n % 2000}", location_id="loc-1", on_hand=n, committed=0, available=n),
            account_id="bench",
            key=f"bench:SKU-{n % 2000}",
            source=EventSource(service="bench"),
        )
        for n in range(count)
    ]


async def raw_rate(bootstrap: str, topic: str, values: list[tuple[bytes, bytes]]) -> float:
    producer = create_producer(bootstrap, client_id="bench-raw")
    await producer.start()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"bench-raw-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    started = time.perf_counter()
    for key, value in values:
        await producer.send(topic, value=value, key=key)
    await producer.flush()
    received = 0
    while received < len(values):
        batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
        received += sum(len(records) for records in batches.values())
    await consumer.commit()
    elapsed = time.perf_counter() - started
    await consumer.stop()
    await producer.stop()
    return len(values) / elapsed


async def publish_side(bootstrap: str, dsn: str, topic: str, count: int, batch: int, started_at) -> None:
    """Write events into an outbox and relay them, as the publishing service does, in a process of its own."""
    registry = registry_on(topic)
    events = build_events(registry, count)
    pool = await create_pool(dsn, schema="publisher", max_size=4)
    await apply_migrations(pool, schema="publisher", directory=None)
    outbox = Outbox(schema="publisher", registry=registry)
    producer = create_producer(bootstrap, client_id="bench-publisher")
    await producer.start()
    relay = OutboxRelay(pool=pool, dsn=dsn, producer=producer, schema="publisher", batch_size=2000)
    await relay.start()

    started_at.value = time.time()
    for start in range(0, len(events), batch):
        async with pool.acquire() as connection, connection.transaction():
            await outbox.add_many(connection, events[start : start + batch])
    while True:
        async with pool.acquire() as connection:
            if await connection.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0:
                break
        await asyncio.sleep(0.05)
    await relay.stop()
    await producer.stop()
    await pool.close()


def run_publish_side(*args) -> None:
    asyncio.run(publish_side(*args))


async def outbox_rate(bootstrap: str, dsn: str, topic: str, count: int, batch: int, *, batched_handler: bool) -> float:
    """Consume in this process while another process writes and relays; return events/s end to end."""
    schema = "batched" if batched_handler else "single"
    pool = await create_pool(dsn, schema=schema, max_size=4)
    await apply_migrations(pool, schema=schema, directory=None)
    async with pool.acquire() as connection:
        await connection.execute("CREATE TABLE IF NOT EXISTS applied (sku text, on_hand int)")
    producer = create_producer(bootstrap, client_id="bench-dead-letters")
    await producer.start()

    async def handle(connection, event):
        await connection.execute("INSERT INTO applied VALUES ($1, $2)", event.payload.sku, event.payload.on_hand)

    async def handle_batch(connection, batch_events):
        rows = [(event.payload.sku, event.payload.on_hand) for event in batch_events]
        await connection.executemany("INSERT INTO applied VALUES ($1, $2)", rows)

    handlers = {"batch_handler": handle_batch} if batched_handler else {"handler": handle}
    consumer = IdempotentConsumer(
        bootstrap_servers=bootstrap,
        group_id=f"bench-{uuid.uuid4().hex[:6]}",
        topics=[topic],
        pool=pool,
        registry=registry_on(topic),
        dead_letter_producer=producer,
        max_records=2000,
        **handlers,
    )
    await consumer.start()

    spawn = multiprocessing.get_context("spawn")
    started_at = spawn.Value("d", 0.0)
    publisher = spawn.Process(target=run_publish_side, args=(bootstrap, dsn, topic, count, batch, started_at))
    publisher.start()
    while True:
        async with pool.acquire() as connection:
            done = await connection.fetchval("SELECT count(*) FROM processed_events")
        if done >= count:
            break
        await asyncio.sleep(0.02)
    finished = time.time()
    await asyncio.to_thread(publisher.join)

    await consumer.stop()
    await producer.stop()
    await pool.close()
    return count / (finished - started_at.value)


def registry_on(topic: str) -> EventRegistry:
    registry = EventRegistry()
    registry.register(name="stock.changed", topic=topic, version=1, model=StockLevelPayload, description="bench")
    return registry


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000, help="events per path (default 20000)")
    parser.add_argument("--batch", type=int, default=500, help="events per outbox transaction (default 500)")
    args = parser.parse_args()

    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    admin_dsn = os.environ.get("DATABASE_URL", "postgresql://crossdock:crossdock@127.0.0.1:55432/crossdock")
    database = f"bench_bus_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{database}"')
    dsn = admin_dsn.rsplit("/", 1)[0] + f"/{database}"

    suffix = uuid.uuid4().hex[:8]
    raw_topic, single_topic, batched_topic = f"bench.raw.{suffix}", f"bench.single.{suffix}", f"bench.batched.{suffix}"
    await ensure_topics(bootstrap, [raw_topic, single_topic, batched_topic], partitions=6)
    events = build_events(registry_on(raw_topic), args.events)
    values = [(event.key.encode(), event.to_json_bytes()) for event in events]

    try:
        raw = await raw_rate(bootstrap, raw_topic, values)
        per_event = await outbox_rate(bootstrap, dsn, single_topic, args.events, args.batch, batched_handler=False)
        per_batch = await outbox_rate(bootstrap, dsn, batched_topic, args.events, args.batch, batched_handler=True)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()

    print(f"events per path:                      {args.events}")
    print(f"raw aiokafka produce+consume:         {raw:,.0f} events/s")
    print(
        f"outbox -> relay -> idempotent apply, one INSERT per event:  {per_event:,.0f} events/s  (ratio to raw {per_event / raw:.2f})"
    )
    print(
        f"outbox -> relay -> idempotent apply, batch handler:         {per_batch:,.0f} events/s  (ratio to raw {per_batch / raw:.2f})"
    )
    print(
        f"outbox transaction size: {args.batch} events; writer and relay in one process, consumer in another, as deployed"
    )
    print("target: >= 5,000 events/s through outbox and idempotent consumer")


if __name__ == "__main__":
    asyncio.run(main())
