"""Fixtures for the bus tests: a service schema with the common tables, unique topics, a producer."""

import uuid

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from crossdock_common.bus.producer import create_producer
from crossdock_common.testing.service import delete_topics_with_prefix
from crossdock_common.db import apply_migrations, create_pool

SCHEMA = "svc"


@pytest.fixture
async def pool(database_dsn):
    pool = await create_pool(database_dsn, schema=SCHEMA, max_size=8)
    await apply_migrations(pool, schema=SCHEMA, directory=None)
    async with pool.acquire() as connection:
        await connection.execute("CREATE TABLE applied (event_id uuid, account_id text, seq int, note text)")
    yield pool
    await pool.close()


@pytest.fixture
async def make_topic(kafka_bootstrap):
    run_prefix = f"test-{uuid.uuid4().hex[:10]}."

    async def make(prefix: str = "test", partitions: int = 3) -> str:
        name = f"{run_prefix}{prefix}.{uuid.uuid4().hex[:6]}"
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
        finally:
            await admin.close()
        return name

    yield make
    await delete_topics_with_prefix(kafka_bootstrap, run_prefix)


@pytest.fixture
async def producer(kafka_bootstrap):
    producer = create_producer(kafka_bootstrap, client_id="test")
    await producer.start()
    yield producer
    await producer.stop()
