"""Benchmark of the inventory service's stock path and availability coalescing.

Applies N stock changes, random deltas at random SKUs and locations, one
transaction each as the stock adjust API does. The availability publisher runs
beside them every `--flush-seconds`. The script prints changes per second and
how many availability events were queued for those changes.

It needs only PostgreSQL: the script creates a scratch database, runs the
service code against it without Kafka (events stay in the outbox table, which is
exactly what the relay would publish), and drops the database afterwards.

    .venv/bin/python bench/inventory.py                      # 100,000 changes over 10,000 SKUs
    .venv/bin/python bench/inventory.py --changes 10000 --skus 1000
"""

import argparse
import asyncio
import os
import random
import time
import uuid

import asyncpg
from crossdock_common.db.migrations import apply_migrations
from crossdock_common.db.pool import create_pool
from crossdock_common.service import ServiceRuntime
from crossdock_inventory.main import MIGRATIONS, definition
from crossdock_inventory.publisher import AvailabilityPublisher
from crossdock_inventory.service_layer.stock import move_stock
from crossdock_inventory.settings import InventorySettings

ACCOUNT = "bench"
DEFAULT_DSN = "postgresql://crossdock:crossdock@127.0.0.1:55432/crossdock"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=100_000, help="stock changes to apply (default 100000)")
    parser.add_argument(
        "--skus", type=int, default=10_000, help="distinct SKUs the changes spread over (default 10000)"
    )
    parser.add_argument(
        "--batch", type=int, default=1, help="changes per transaction: 1 as the adjust API, more as a CSV import"
    )
    parser.add_argument("--locations", type=int, default=4, help="locations holding stock (default 4)")
    parser.add_argument("--workers", type=int, default=4, help="concurrent transactions (default 4)")
    parser.add_argument(
        "--flush-seconds", type=float, default=1.0, help="seconds between availability publisher runs (default 1.0)"
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed, so runs are comparable (default 7)")
    parser.add_argument("--dsn", default=os.environ.get("DATABASE_URL", DEFAULT_DSN), help="PostgreSQL server DSN")
    return parser.parse_args()


async def prepare(runtime: ServiceRuntime, *, skus: list[str], locations: list[str]) -> None:
    """Create one Mirakl and one TikTok integration, the products and the locations."""
    async with runtime.pool.acquire() as connection, connection.transaction():
        for integration_id, kind in (("mirakl-1", "mirakl"), ("tiktok-1", "tiktok")):
            await connection.execute(
                "INSERT INTO integrations (account_id, integration_id, type, name, status) "
                "VALUES ($1, $2, $3, $2, 'connected')",
                ACCOUNT,
                integration_id,
                kind,
            )
        await connection.executemany(
            "INSERT INTO products (account_id, sku, status) VALUES ($1, $2, 'active')",
            [(ACCOUNT, sku) for sku in skus],
        )
        await connection.executemany(
            "INSERT INTO locations (location_id, account_id, name) VALUES ($1, $2, $1)",
            [(location_id, ACCOUNT) for location_id in locations],
        )


async def apply_changes(runtime: ServiceRuntime, changes: list[tuple[str, str, int]], batch: int) -> None:
    for start in range(0, len(changes), batch):
        async with runtime.pool.acquire() as connection, connection.transaction():
            for sku, location_id, delta in sorted(changes[start : start + batch]):
                await move_stock(
                    connection,
                    runtime,
                    account_id=ACCOUNT,
                    sku=sku,
                    location_id=location_id,
                    on_hand_delta=delta,
                    cause="adjustment",
                    reference=None,
                    detail="benchmark",
                )


async def run(args: argparse.Namespace) -> None:
    database = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(args.dsn)
    await admin.execute(f'CREATE DATABASE "{database}"')
    dsn = args.dsn.rsplit("/", 1)[0] + f"/{database}"
    try:
        settings = InventorySettings(
            database_url=dsn, availability_flush_seconds=args.flush_seconds, availability_flush_batch=500
        )
        runtime = ServiceRuntime(definition=definition(), settings=settings)
        runtime.pool = await create_pool(dsn, schema="inventory", max_size=args.workers + 2)
        await apply_migrations(runtime.pool, schema="inventory", directory=MIGRATIONS)
        await measure(runtime, args)
        await runtime.pool.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()


async def measure(runtime: ServiceRuntime, args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    skus = [f"SKU-{number:06d}" for number in range(args.skus)]
    locations = [f"loc-{number}" for number in range(args.locations)]
    await prepare(runtime, skus=skus, locations=locations)
    publisher = AvailabilityPublisher(runtime)
    await publisher.drain()  # Publishes the initial zeros, which are not counted below.
    events_before = await count_events(runtime)

    changes = [(rng.choice(skus), rng.choice(locations), rng.randint(-2, 5)) for _ in range(args.changes)]
    shares = [changes[index :: args.workers] for index in range(args.workers)]

    await publisher.start()
    started = time.perf_counter()
    try:
        await asyncio.gather(*(apply_changes(runtime, share, args.batch) for share in shares))
        applied_seconds = time.perf_counter() - started
    finally:
        await publisher.stop()
    await publisher.drain()
    total_seconds = time.perf_counter() - started

    events = await count_events(runtime) - events_before
    print(f"stock changes:            {args.changes} over {args.skus} SKUs, {args.locations} locations")
    print(f"workers:                  {args.workers}, {args.batch} changes per transaction")
    print(f"publisher:                every {args.flush_seconds} s")
    print(f"changes applied in:       {applied_seconds:.1f} s ({args.changes / applied_seconds:.0f} changes/s)")
    print(f"published (all drained):  {total_seconds:.1f} s")
    print(f"availability events:      {events} for 2 integrations")
    print(f"events per change:        {events / args.changes:.3f} (without coalescing: 2.000)")


async def count_events(runtime: ServiceRuntime) -> int:
    async with runtime.pool.acquire() as connection:
        return await connection.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'availability.changed'")


if __name__ == "__main__":
    asyncio.run(run(parse_args()))
