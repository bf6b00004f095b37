"""The transactional outbox and its relay against real PostgreSQL and Kafka."""

import asyncio
import os
import signal
import subprocess
import sys
import textwrap

import asyncpg
import pytest
from crossdock_common.bus.outbox import Outbox, OutboxRelay

from .helpers import read_all, registry_on, stock_event

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_outbox_add_needs_a_transaction(pool, make_topic):
    topic = await make_topic()
    outbox = Outbox(schema="svc", registry=registry_on(topic))

    async with pool.acquire() as connection:
        with pytest.raises(RuntimeError):
            await outbox.add(connection, stock_event())


async def test_outbox_rolled_back_event_is_never_published(pool, producer, database_dsn, kafka_bootstrap, make_topic):
    topic = await make_topic()
    registry = registry_on(topic)
    outbox = Outbox(schema="svc", registry=registry)
    kept = stock_event(sku="KEPT")

    async with pool.acquire() as connection:
        with pytest.raises(ZeroDivisionError):
            async with connection.transaction():
                await outbox.add(connection, stock_event(sku="LOST"))
                raise ZeroDivisionError
        async with connection.transaction():
            await outbox.add(connection, kept)
    relay = OutboxRelay(pool=pool, dsn=database_dsn, producer=producer, schema="svc")
    await relay.start()
    records = await read_all(kafka_bootstrap, topic, expected=1)
    await relay.stop()

    assert [registry.parse(record.value).event_id for record in records] == [kept.event_id]


async def test_outbox_killed_after_commit_publishes_once_after_restart(
    pool, producer, database_dsn, kafka_bootstrap, make_topic
):
    topic = await make_topic()
    registry = registry_on(topic)
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        sys.path.insert(0, {os.path.dirname(__file__)!r})
        from crossdock_common.bus.outbox import Outbox
        from crossdock_common.db import create_pool
        from helpers import registry_on, stock_event

        async def main():
            pool = await create_pool({database_dsn!r}, schema="svc")
            event = stock_event(sku="CRASH-1")
            async with pool.acquire() as connection, connection.transaction():
                await connection.execute("INSERT INTO applied (event_id, note) VALUES ($1, 'state')", event.event_id)
                await Outbox(schema="svc", registry=registry_on({topic!r})).add(connection, event)
            print(event.event_id, flush=True)
            await asyncio.sleep(3600)

        asyncio.run(main())
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    event_id = await asyncio.to_thread(child.stdout.readline)
    child.send_signal(signal.SIGKILL)
    child.wait()

    relay = OutboxRelay(pool=pool, dsn=database_dsn, producer=producer, schema="svc")
    await relay.start()
    records = await read_all(kafka_bootstrap, topic, expected=1, settle=2.0)
    await relay.stop()

    assert [str(registry.parse(record.value).event_id) for record in records] == [event_id.strip()]
    async with pool.acquire() as connection:
        assert await connection.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0


async def test_outbox_keeps_per_key_order_with_two_relays(pool, producer, database_dsn, kafka_bootstrap, make_topic):
    topic = await make_topic()
    registry = registry_on(topic)
    outbox = Outbox(schema="svc", registry=registry)
    first = OutboxRelay(pool=pool, dsn=database_dsn, producer=producer, schema="svc", batch_size=50)
    second = OutboxRelay(pool=pool, dsn=database_dsn, producer=producer, schema="svc", batch_size=50)
    await first.start()
    await second.start()

    for start in range(0, 600, 100):
        async with pool.acquire() as connection, connection.transaction():
            for on_hand in range(start, start + 100):
                await outbox.add(connection, stock_event(sku=f"SKU-{on_hand % 3}", on_hand=on_hand))
    records = await read_all(kafka_bootstrap, topic, expected=600)
    leaders = [first.is_leader, second.is_leader]
    await first.stop()
    await second.stop()

    assert len(records) == 600
    assert sorted(leaders) == [False, True]
    by_sku: dict[str, list[int]] = {}
    for record in records:
        payload = registry.parse(record.value).payload
        by_sku.setdefault(payload.sku, []).append(payload.on_hand)
    for sku, values in by_sku.items():
        assert values == sorted(values), f"{sku} out of order"


async def test_outbox_relay_flushes_on_stop(pool, producer, database_dsn, kafka_bootstrap, make_topic):
    topic = await make_topic()
    registry = registry_on(topic)
    relay = OutboxRelay(pool=pool, dsn=database_dsn, producer=producer, schema="svc", idle_poll_seconds=30)
    await relay.start()
    await asyncio.sleep(0.5)

    async with pool.acquire() as connection:
        async with connection.transaction():
            await Outbox(schema="svc", registry=registry).add(connection, stock_event())
    await relay.stop()

    async with pool.acquire() as connection:
        assert await connection.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
    assert len(await read_all(kafka_bootstrap, topic, expected=1, settle=0.2)) == 1


async def test_outbox_naive_datetime_is_rejected(pool):
    from datetime import datetime

    async with pool.acquire() as connection:
        await connection.execute("CREATE TABLE orders (external_id text, created_at timestamptz)")
        with pytest.raises(asyncpg.DataError) as raised:
            await connection.execute("INSERT INTO orders VALUES ($1, $2)", "5001-A", datetime(2024, 3, 1, 10, 2))

    assert "naive datetime" in str(raised.value)


async def test_timestamptz_round_trips_exactly(pool):
    from datetime import UTC, datetime, timedelta, timezone

    moment = datetime(2024, 3, 1, 10, 2, 3, 456789, tzinfo=timezone(timedelta(hours=5, minutes=30)))

    async with pool.acquire() as connection:
        await connection.execute("CREATE TABLE orders (external_id text, created_at timestamptz)")
        await connection.execute("INSERT INTO orders VALUES ($1, $2)", "5001-A", moment)
        stored = await connection.fetchval("SELECT created_at FROM orders")

    assert stored == moment
    assert stored.astimezone(UTC) == datetime(2024, 3, 1, 4, 32, 3, 456789, tzinfo=UTC)


async def test_common_tables_use_timestamptz_only(pool):
    async with pool.acquire() as connection:
        naive = await connection.fetch(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'svc' AND data_type = 'timestamp without time zone'"
        )

    assert [tuple(row) for row in naive] == []


async def test_schema_cannot_see_other_schemas_tables(pool, database_dsn):
    other = await asyncpg.connect(database_dsn)
    try:
        await other.execute("CREATE SCHEMA elsewhere; CREATE TABLE elsewhere.secrets (v text)")
    finally:
        await other.close()

    async with pool.acquire() as connection:
        with pytest.raises(asyncpg.UndefinedTableError):
            await connection.fetch("SELECT * FROM secrets")


async def test_outbox_add_and_add_many_use_topic_prefix(pool, make_topic):
    topic = await make_topic()
    outbox = Outbox(schema="svc", registry=registry_on(topic), topic_prefix="staging.")

    async with pool.acquire() as connection:
        async with connection.transaction():
            await outbox.add(connection, stock_event(sku="ONE"))
            await outbox.add_many(connection, [stock_event(sku="TWO"), stock_event(sku="THREE")])
        topics = [row["topic"] for row in await connection.fetch("SELECT topic FROM outbox ORDER BY id")]

    assert topics == [f"staging.{topic}"] * 3
