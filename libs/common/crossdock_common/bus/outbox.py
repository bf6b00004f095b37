"""Transactional outbox: events are written with the state they describe and published afterwards.

`Outbox.add` inserts the serialized event in the caller's transaction, so the
event exists if and only if the state change committed. `OutboxRelay` publishes
unpublished rows in insertion order and marks them published. Only one replica
relays at a time (a session advisory lock held on a dedicated connection), which
keeps each key's events in order. When that replica dies, its connection
closes, the lock is released and another replica takes over.

Delivery is at least once: a relay that dies after Kafka acknowledged a batch
but before marking it publishes that batch again, and consumers drop the
duplicates by event id.
"""

import asyncio
import contextlib
import logging
from datetime import timedelta

import asyncpg
from aiokafka import AIOKafkaProducer

from crossdock_common.db.pool import validate_schema_name
from crossdock_common.events.envelope import EventEnvelope
from crossdock_common.events.registry import EventRegistry
from crossdock_common.metrics import EVENTS_PUBLISHED, OUTBOX_LAG

logger = logging.getLogger(__name__)


def notify_channel(schema: str) -> str:
    return f"crossdock_outbox_{schema}"


class Outbox:
    """Writes events into a service's outbox table inside the caller's transaction."""

    def __init__(self, *, schema: str, registry: EventRegistry, topic_prefix: str = "") -> None:
        self.schema = validate_schema_name(schema)
        self.registry = registry
        self.topic_prefix = topic_prefix

    def topic_of(self, event: EventEnvelope) -> str:
        return self.topic_prefix + self.registry.topic_of(event.type)

    async def add(self, connection: asyncpg.Connection, event: EventEnvelope) -> None:
        """Queue `event` for publishing; call inside the transaction that makes the change it reports."""
        if not connection.is_in_transaction():
            raise RuntimeError("Outbox.add must run inside a transaction, together with the state change it reports")
        topic = self.topic_of(event)
        await connection.execute(
            "INSERT INTO outbox (event_id, topic, key, event_type, value) VALUES ($1, $2, $3, $4, $5)",
            event.event_id,
            topic,
            event.key,
            event.type,
            event.to_json_bytes(),
        )
        # Delivered at commit only, so the relay wakes up when the row is visible.
        await connection.execute("SELECT pg_notify($1, '')", notify_channel(self.schema))

    async def add_many(self, connection: asyncpg.Connection, events: list[EventEnvelope]) -> None:
        """Queue several events in one statement, in list order."""
        if not events:
            return
        if not connection.is_in_transaction():
            raise RuntimeError(
                "Outbox.add_many must run inside a transaction, together with the state change it reports"
            )
        await connection.executemany(
            "INSERT INTO outbox (event_id, topic, key, event_type, value) VALUES ($1, $2, $3, $4, $5)",
            [
                (event.event_id, self.topic_of(event), event.key, event.type, event.to_json_bytes())
                for event in events
            ],
        )
        await connection.execute("SELECT pg_notify($1, '')", notify_channel(self.schema))


class OutboxRelay:
    """Publishes a schema's outbox to Kafka; run one per service process."""

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        dsn: str,
        producer: AIOKafkaProducer,
        schema: str,
        batch_size: int = 1000,
        idle_poll_seconds: float = 1.0,
        retention: timedelta = timedelta(days=7),
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.pool = pool
        self.dsn = dsn
        self.producer = producer
        self.schema = validate_schema_name(schema)
        self.batch_size = batch_size
        self.idle_poll_seconds = idle_poll_seconds
        self.retention = retention
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.is_leader = False

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self.schema}")

    async def stop(self) -> None:
        """Stop relaying; a leader first publishes what is already in the outbox."""
        self._stopping.set()
        self._wakeup.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._lead_while_possible()
            except Exception:
                logger.exception("outbox relay failed; retrying", extra={"schema": self.schema})
                await self._sleep(2.0)

    async def _lead_while_possible(self) -> None:
        # A dedicated connection: the session lock lives exactly as long as it does.
        connection = await asyncpg.connect(self.dsn, server_settings={"search_path": self.schema})
        try:
            lock_key = f"crossdock.outbox.{self.schema}"
            while not self._stopping.is_set():
                if await connection.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", lock_key):
                    break
                await self._sleep(self.idle_poll_seconds)
            else:
                return

            self.is_leader = True
            await connection.add_listener(notify_channel(self.schema), self._on_notify)
            logger.info("outbox relay is leading", extra={"schema": self.schema})
            await self._relay_loop()
        finally:
            self.is_leader = False
            await connection.close()

    async def _relay_loop(self) -> None:
        cleanup_every = 300
        rounds = 0
        while True:
            # Cleared before reading, so a NOTIFY or stop() during the read is not lost.
            self._wakeup.clear()
            published = await self.publish_pending()
            if published >= self.batch_size:
                continue
            if self._stopping.is_set():
                if published == 0:
                    return
                continue
            rounds += 1
            if rounds % cleanup_every == 0:
                await self._delete_old_rows()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self.idle_poll_seconds)

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished rows in id order; return how many were published."""
        async with self.pool.acquire() as connection:
            rows = await connection.fetch(
                "SELECT id, topic, key, value FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1",
                self.batch_size,
            )
            # Rows waiting at this moment, capped at one batch: cheap enough for every round.
            OUTBOX_LAG.labels(self.schema).set(len(rows))
            if not rows:
                return 0

            deliveries = [
                await self.producer.send(row["topic"], value=bytes(row["value"]), key=row["key"].encode())
                for row in rows
            ]
            await asyncio.gather(*deliveries)

            ids = [row["id"] for row in rows]
            await connection.execute("UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])", ids)

        for row in rows:
            EVENTS_PUBLISHED.labels(row["topic"]).inc()
        return len(rows)

    async def _delete_old_rows(self) -> None:
        async with self.pool.acquire() as connection:
            await connection.execute("DELETE FROM outbox WHERE published_at < now() - $1::interval", self.retention)

    def _on_notify(self, *_args: object) -> None:
        self._wakeup.set()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
