"""The idempotent consumer against real Kafka and PostgreSQL."""

import asyncio
import uuid

import pytest
from crossdock_common.bus.consumer import IdempotentConsumer
from crossdock_common.events.topics import dead_letter_topic
from crossdock_common.http.errors import RateLimitedError

from .helpers import read_all, registry_on, stock_event, wait_for

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


class PermanentError(Exception):
    retriable = True


async def count_applied(pool, **where):
    clauses = " AND ".join(f"{column} = ${index}" for index, column in enumerate(where, start=1)) or "true"
    async with pool.acquire() as connection:
        return await connection.fetchval(f"SELECT count(*) FROM applied WHERE {clauses}", *where.values())


def record_handler(delay_for: dict[str, float] | None = None, failures: dict[str, list[Exception]] | None = None):
    delay_for = delay_for or {}
    failures = failures or {}

    async def handle(connection, event):
        sku = event.payload.sku
        if failures.get(sku):
            raise failures[sku].pop(0)
        if sku in delay_for:
            await asyncio.sleep(delay_for[sku])
        await connection.execute(
            "INSERT INTO applied (event_id, account_id, seq, note) VALUES ($1, $2, $3, $4)",
            event.event_id,
            event.account_id,
            event.payload.on_hand,
            sku,
        )

    return handle


@pytest.fixture
async def start_consumer(kafka_bootstrap, pool, producer):
    started: list[IdempotentConsumer] = []

    async def start(topic, handler, *, group=None, **options):
        consumer = IdempotentConsumer(
            bootstrap_servers=kafka_bootstrap,
            group_id=group or f"group-{uuid.uuid4().hex[:8]}",
            topics=[topic],
            pool=pool,
            handler=handler,
            registry=registry_on(topic),
            dead_letter_producer=producer,
            retry_initial_seconds=0.05,
            **options,
        )
        await consumer.start()
        started.append(consumer)
        return consumer

    yield start
    for consumer in started:
        await consumer.stop()


async def publish(producer, topic, *values, key=b"acme:SKU-1"):
    for value in values:
        await producer.send_and_wait(topic, value=value, key=key)


async def test_consumer_applies_duplicate_delivery_once(producer, pool, make_topic, start_consumer):
    topic = await make_topic()
    event = stock_event(sku="5770000000000000001")
    marker = stock_event(sku="MARKER")

    await publish(producer, topic, event.to_json_bytes(), event.to_json_bytes(), marker.to_json_bytes())
    await start_consumer(topic, record_handler())

    assert await wait_for(lambda: _applied(pool, "MARKER"))
    assert await count_applied(pool, event_id=event.event_id) == 1


async def test_consumer_concurrent_duplicates_apply_once(producer, pool, make_topic, start_consumer):
    topic = await make_topic()
    consumer = await start_consumer(topic, record_handler())
    event = stock_event(sku="5770000000000000001")

    class Record:
        topic = "orders"

    await asyncio.gather(consumer._apply_once(event, Record()), consumer._apply_once(event, Record()))

    assert await count_applied(pool, event_id=event.event_id) == 1


async def test_consumer_poison_messages_go_to_dead_letter(kafka_bootstrap, producer, pool, make_topic, start_consumer):
    topic = await make_topic()
    group = f"group-{uuid.uuid4().hex[:8]}"
    await make_dead_letter_topic(kafka_bootstrap, group)
    valid = stock_event(sku="VALID-1")
    poison = [b'{"order_id": 123, "lines": "oops"}', b"\xff\xfe"]

    await publish(producer, topic, *poison, valid.to_json_bytes())
    await start_consumer(topic, record_handler(), group=group)

    assert await wait_for(lambda: _applied(pool, "VALID-1"))
    dead = await read_all(kafka_bootstrap, dead_letter_topic(group), expected=2, settle=0.5)
    assert [record.value for record in dead] == poison
    headers = dict(dead[1].headers)
    assert headers["original_topic"] == topic.encode()
    assert headers["original_offset"] == b"1"
    assert headers["error_type"] == b"MalformedEventError"
    assert b"UTF-8" in headers["error_message"]


async def test_consumer_retries_transient_failures(producer, pool, make_topic, start_consumer):
    topic = await make_topic()
    event = stock_event(sku="FLAKY-1")
    failures = {"FLAKY-1": [ConnectionError("db blip"), ConnectionError("db blip")]}

    await publish(producer, topic, event.to_json_bytes())
    await start_consumer(topic, record_handler(failures=failures), max_attempts=5)

    assert await wait_for(lambda: _applied(pool, "FLAKY-1"))
    assert await count_applied(pool, event_id=event.event_id) == 1


async def test_consumer_dead_letters_after_max_attempts(kafka_bootstrap, producer, pool, make_topic, start_consumer):
    topic = await make_topic()
    group = f"group-{uuid.uuid4().hex[:8]}"
    await make_dead_letter_topic(kafka_bootstrap, group)
    broken = stock_event(sku="BROKEN-1")
    following = stock_event(sku="NEXT-1")
    failures = {"BROKEN-1": [PermanentError("mapping table missing")] * 10}

    await publish(producer, topic, broken.to_json_bytes(), following.to_json_bytes())
    await start_consumer(topic, record_handler(failures=failures), group=group, max_attempts=3)

    assert await wait_for(lambda: _applied(pool, "NEXT-1"))
    dead = await read_all(kafka_bootstrap, dead_letter_topic(group), expected=1, settle=0.5)
    assert len(dead) == 1
    headers = dict(dead[0].headers)
    assert headers["attempts"] == b"3"
    assert headers["error_message"] == b"mapping table missing"
    assert await count_applied(pool, note="BROKEN-1") == 0


async def test_consumer_rate_limits_do_not_count_as_attempts(
    kafka_bootstrap, producer, pool, make_topic, start_consumer
):
    topic = await make_topic()
    group = f"group-{uuid.uuid4().hex[:8]}"
    await make_dead_letter_topic(kafka_bootstrap, group)
    event = stock_event(sku="LIMITED-1")
    failures = {"LIMITED-1": [RateLimitedError("429", retry_after=0.05) for _ in range(6)]}

    await publish(producer, topic, event.to_json_bytes())
    await start_consumer(topic, record_handler(failures=failures), group=group, max_attempts=2)

    assert await wait_for(lambda: _applied(pool, "LIMITED-1"))
    assert await read_all(kafka_bootstrap, dead_letter_topic(group), expected=0, timeout=0.5, settle=0.5) == []


async def test_consumer_keeps_order_of_one_key(producer, pool, make_topic, start_consumer):
    topic = await make_topic()
    events = [stock_event(sku="ORDERED", on_hand=sequence) for sequence in range(1000)]

    for event in events:
        await producer.send(topic, value=event.to_json_bytes(), key=event.key.encode())
    await producer.flush()
    await start_consumer(topic, record_handler())

    assert await wait_for(lambda: _count_at_least(pool, 1000), timeout=60)
    async with pool.acquire() as connection:
        sequence = [row["seq"] for row in await connection.fetch("SELECT seq FROM applied ORDER BY ctid")]
    assert sequence == list(range(1000))


async def test_consumer_slow_handler_does_not_loop(producer, pool, make_topic, start_consumer):
    topic = await make_topic(partitions=1)
    group = f"group-{uuid.uuid4().hex[:8]}"
    slow = stock_event(sku="O-55")
    after = stock_event(sku="O-56")
    options = {"group": group, "max_poll_interval_ms": 2000, "session_timeout_ms": 6000, "heartbeat_interval_ms": 1000}

    await start_consumer(topic, record_handler(delay_for={"O-55": 3.0}), **options)
    await start_consumer(topic, record_handler(delay_for={"O-55": 3.0}), **options)
    await publish(producer, topic, slow.to_json_bytes(), after.to_json_bytes())

    assert await wait_for(lambda: _applied(pool, "O-56"), timeout=30)
    await asyncio.sleep(4)
    assert await count_applied(pool, note="O-55") == 1
    assert await count_applied(pool, note="O-56") == 1


async def make_dead_letter_topic(bootstrap, group):
    from crossdock_common.bus.admin import ensure_topics

    await ensure_topics(bootstrap, [dead_letter_topic(group)], partitions=1)


async def _applied(pool, sku):
    return await count_applied(pool, note=sku) > 0


async def _count_at_least(pool, expected):
    return await count_applied(pool) >= expected


async def test_consumer_batch_handler_gets_new_events_in_order(producer, pool, make_topic, kafka_bootstrap):
    topic = await make_topic(partitions=1)
    events = [stock_event(sku="BATCH", on_hand=sequence) for sequence in range(50)]
    received: list[int] = []

    async def handle_batch(connection, batch):
        received.extend(event.payload.on_hand for event in batch)
        await connection.executemany(
            "INSERT INTO applied (event_id, seq, note) VALUES ($1, $2, 'BATCH')",
            [(event.event_id, event.payload.on_hand) for event in batch],
        )

    for event in events + events[:10]:
        await producer.send(topic, value=event.to_json_bytes(), key=event.key.encode())
    await producer.flush()
    consumer = IdempotentConsumer(
        bootstrap_servers=kafka_bootstrap,
        group_id=f"group-{uuid.uuid4().hex[:8]}",
        topics=[topic],
        pool=pool,
        batch_handler=handle_batch,
        registry=registry_on(topic),
        dead_letter_producer=producer,
    )
    await consumer.start()
    try:
        assert await wait_for(lambda: _count_at_least(pool, 50))
        await asyncio.sleep(0.5)
    finally:
        await consumer.stop()

    assert received == list(range(50))
    assert await count_applied(pool, note="BATCH") == 50


def test_consumer_needs_exactly_one_handler_kind(pool, producer):
    async def handle(connection, event):
        pass

    async def handle_batch(connection, events):
        pass

    common = {
        "bootstrap_servers": "127.0.0.1:1",
        "group_id": "g",
        "topics": ["t"],
        "pool": pool,
        "registry": registry_on("t"),
        "dead_letter_producer": producer,
    }
    with pytest.raises(ValueError):
        IdempotentConsumer(**common)
    with pytest.raises(ValueError):
        IdempotentConsumer(handler=handle, batch_handler=handle_batch, **common)
