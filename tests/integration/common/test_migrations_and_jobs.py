"""Schema migrations and exclusive periodic jobs against real PostgreSQL."""

import asyncio
from datetime import timedelta

import pytest
from crossdock_common.db import apply_migrations, create_pool
from crossdock_common.db.migrations import MigrationError
from crossdock_common.jobs import run_exclusive

pytestmark = pytest.mark.postgres


@pytest.fixture
def migrations_dir(tmp_path):
    directory = tmp_path / "migrations"
    directory.mkdir()
    (directory / "0001_create_offers.sql").write_text(
        "CREATE TABLE offers (sku text PRIMARY KEY, updated_at timestamptz);"
    )
    (directory / "0002_add_quantity.sql").write_text("ALTER TABLE offers ADD COLUMN quantity int NOT NULL DEFAULT 0;")
    return directory


async def test_migrations_apply_once_when_replicas_start_together(database_dsn, migrations_dir):
    pools = [await create_pool(database_dsn, schema="mirakl") for _ in range(3)]
    try:
        results = await asyncio.gather(
            *(apply_migrations(pool, schema="mirakl", directory=migrations_dir) for pool in pools)
        )
        async with pools[0].acquire() as connection:
            versions = [
                row["version"]
                for row in await connection.fetch("SELECT version FROM schema_migrations ORDER BY version")
            ]
            columns = await connection.fetchval(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'mirakl' AND table_name = 'offers'"
            )
    finally:
        for pool in pools:
            await pool.close()

    applied_counts = sorted(len(result) for result in results)
    assert applied_counts == [0, 0, 5]
    assert "0002_add_quantity" in versions
    assert columns == 3


async def test_migrations_changed_file_is_rejected(database_dsn, migrations_dir):
    pool = await create_pool(database_dsn, schema="mirakl")
    try:
        await apply_migrations(pool, schema="mirakl", directory=migrations_dir)
        (migrations_dir / "0001_create_offers.sql").write_text("CREATE TABLE offers (sku text);")

        with pytest.raises(MigrationError) as raised:
            await apply_migrations(pool, schema="mirakl", directory=migrations_dir)
    finally:
        await pool.close()

    assert "0001_create_offers" in str(raised.value)


async def test_migrations_failed_file_rolls_back(database_dsn, migrations_dir):
    (migrations_dir / "0003_broken.sql").write_text("CREATE TABLE half (id int); SELECT no_such_function();")
    pool = await create_pool(database_dsn, schema="mirakl")
    try:
        with pytest.raises(MigrationError):
            await apply_migrations(pool, schema="mirakl", directory=migrations_dir)
        async with pool.acquire() as connection:
            half = await connection.fetchval("SELECT to_regclass('mirakl.half')")
    finally:
        await pool.close()

    assert half is None


@pytest.fixture
async def job_pool(database_dsn):
    pool = await create_pool(database_dsn, schema="jobs", max_size=6)
    await apply_migrations(pool, schema="jobs", directory=None)
    yield pool
    await pool.close()


async def test_job_runs_on_one_replica_at_a_time(job_pool):
    running = 0
    max_running = 0
    runs = 0

    async def poll_orders():
        nonlocal running, max_running, runs
        running += 1
        runs += 1
        max_running = max(max_running, running)
        await asyncio.sleep(0.3)
        running -= 1

    results = await asyncio.gather(*(run_exclusive(job_pool, "orders-poll:mirakl-1", poll_orders) for _ in range(4)))

    assert max_running == 1
    assert runs == results.count(True)
    assert results.count(True) >= 1


async def test_job_respects_minimum_interval(job_pool):
    calls = []

    async def poll_orders():
        calls.append(1)

    first = await run_exclusive(job_pool, "orders-poll:mirakl-2", poll_orders, min_interval=timedelta(minutes=1))
    second = await run_exclusive(job_pool, "orders-poll:mirakl-2", poll_orders, min_interval=timedelta(minutes=1))

    assert first is True
    assert second is False
    assert len(calls) == 1


async def test_job_failure_is_recorded(job_pool):
    async def poll_orders():
        raise RuntimeError("OR11 answered 500")

    with pytest.raises(RuntimeError):
        await run_exclusive(job_pool, "orders-poll:mirakl-3", poll_orders)

    async with job_pool.acquire() as connection:
        row = await connection.fetchrow(
            "SELECT last_status, last_error FROM job_runs WHERE job = 'orders-poll:mirakl-3'"
        )
    assert row["last_status"] == "failed"
    assert "OR11 answered 500" in row["last_error"]
