"""Two instances of one service on the same Kafka and PostgreSQL share work and never double it."""

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from crossdock_common.events import REGISTRY
from crossdock_common.jobs import PeriodicJob
from crossdock_common.service import ConsumerSpec, ServiceDefinition, create_app
from crossdock_common.settings import ServiceSettings
from crossdock_common.testing.service import ServiceHarness, settings_for_test

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

ORDER_EXAMPLE = (
    Path(__file__).resolve().parents[3] / "libs/common/crossdock_common/events/catalogue/order.received.json"
)


def definition(instance: str, tmp_path: Path) -> ServiceDefinition:
    migrations = tmp_path / "migrations"
    migrations.mkdir(exist_ok=True)
    (migrations / "0001_orders.sql").write_text(
        "CREATE TABLE IF NOT EXISTS handled (order_id text PRIMARY KEY, instance text NOT NULL, times int NOT NULL DEFAULT 1);"
        "CREATE TABLE IF NOT EXISTS polls (instance text, started_at timestamptz, ended_at timestamptz);"
    )

    def handler(runtime):
        async def handle(connection, event):
            await connection.execute(
                "INSERT INTO handled (order_id, instance) VALUES ($1, $2) "
                "ON CONFLICT (order_id) DO UPDATE SET times = handled.times + 1",
                event.payload.external_id,
                instance,
            )

        return handle

    def poller(runtime):
        async def poll_orders():
            started = await runtime.pool.fetchval("SELECT clock_timestamp()")
            await asyncio.sleep(0.05)
            await runtime.pool.execute("INSERT INTO polls VALUES ($1, $2, clock_timestamp())", instance, started)

        return PeriodicJob(
            pool=runtime.pool,
            name="orders-poll",
            work=poll_orders,
            interval=timedelta(milliseconds=20),
            min_interval=timedelta(0),
        )

    return ServiceDefinition(
        name="twin",
        schema="twin",
        migrations=migrations,
        consumers=[ConsumerSpec(group="twin", topics=["crossdock.orders.v1"], handler=handler)],
        background=[poller],
    )


async def test_two_instances_share_orders_and_polls(database_dsn, kafka_bootstrap, tmp_path):
    settings = settings_for_test(
        ServiceSettings, database_dsn=database_dsn, kafka_bootstrap=kafka_bootstrap, topic_partitions=6
    )
    first = ServiceHarness(app=create_app(definition("first", tmp_path), settings=settings), settings=settings)
    second = ServiceHarness(app=create_app(definition("second", tmp_path), settings=settings), settings=settings)

    async with first, second:
        await asyncio.sleep(3)  # Let both members join the group before the orders arrive.
        template = REGISTRY.parse(ORDER_EXAMPLE.read_bytes())
        orders = [
            first.event(
                type="order.received",
                payload=template.payload.model_copy(update={"external_id": f"ORDER-{number}"}),
                key=f"mirakl-1:ORDER-{number}",
            )
            for number in range(200)
        ]
        for order in orders:
            await first.publish(order)
        # Every tenth event delivered again, as after a relay restart.
        for order in orders[::10]:
            await first.publish(order)

        pool = first.runtime.pool

        async def all_handled():
            return await pool.fetchval("SELECT count(*) FROM handled") >= 200

        await first.wait_until(all_handled, timeout=40, message="not every order was handled")
        await asyncio.sleep(1)
        rows = await pool.fetch("SELECT instance, times FROM handled")
        polls = await pool.fetch("SELECT instance, started_at, ended_at FROM polls ORDER BY started_at")

    assert len(rows) == 200
    assert [row["times"] for row in rows if row["times"] != 1] == []
    assert {row["instance"] for row in rows} == {"first", "second"}
    assert len(polls) >= 4
    assert {row["instance"] for row in polls} <= {"first", "second"}
    for earlier, later in zip(polls, polls[1:], strict=False):
        assert earlier["ended_at"] <= later["started_at"], "two polls overlapped"
