"""Idempotent Kafka consumers with retries and a dead-letter topic.

Each event is applied inside a database transaction that also records its id
in `processed_events`; a redelivered event finds its id there and is skipped.
Offsets are committed only after that transaction commits, so a crash between
the two replays events that are then skipped, and nothing is lost.

Messages are decoded and validated inside the loop, never in a Kafka value
deserializer: a record that cannot be parsed goes to the dead-letter topic with
its original bytes, and the partition moves on. A handler that raises is retried
with backoff; after `max_attempts` the message goes to the dead-letter topic
with the error, and consumption continues. Exceptions with
`counts_as_attempt = False` (rate limits) wait and retry without using up an
attempt, honouring a `retry_after` attribute.

While a batch is being applied, all assigned partitions are paused and the loop
keeps calling `getmany`, so a slow handler does not exceed
`max_poll_interval_ms` and trigger a rebalance that redelivers the same batch
forever.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception

from crossdock_common.events.envelope import EventEnvelope
from crossdock_common.events.registry import EventRegistry, EventSchemaError
from crossdock_common.events.topics import dead_letter_topic
from crossdock_common.logging import log_context
from crossdock_common.metrics import (
    EVENTS_CONSUMED,
    EVENTS_DEAD_LETTERED,
    EVENTS_DUPLICATE,
    EVENTS_FAILED,
    HANDLER_SECONDS,
)

logger = logging.getLogger(__name__)

Handler = Callable[[asyncpg.Connection, EventEnvelope], Awaitable[None]]
BatchHandler = Callable[[asyncpg.Connection, list[EventEnvelope]], Awaitable[None]]


def is_retriable(error: BaseException) -> bool:
    """Return False for errors marked `retriable = False`, such as invalid input, and True otherwise."""
    return bool(getattr(error, "retriable", True))


class IdempotentConsumer:
    """Consumes topics for one consumer group and applies each event once."""

    def __init__(
        self,
        *,
        bootstrap_servers: str,
        group_id: str,
        topics: list[str],
        pool: asyncpg.Pool,
        handler: Handler | None = None,
        batch_handler: BatchHandler | None = None,
        registry: EventRegistry,
        dead_letter_producer: AIOKafkaProducer,
        wants: Callable[[str], bool] | None = None,
        max_attempts: int = 5,
        retry_initial_seconds: float = 0.2,
        retry_max_seconds: float = 10.0,
        max_poll_interval_ms: int = 300_000,
        dead_letter: str | None = None,
        max_records: int = 500,
        linger_ms: int = 20,
        session_timeout_ms: int = 10_000,
        heartbeat_interval_ms: int = 3_000,
        auto_offset_reset: str = "earliest",
    ) -> None:
        if (handler is None) == (batch_handler is None):
            raise ValueError("give exactly one of handler (one event at a time) or batch_handler (a list of events)")
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
        if not topics:
            raise ValueError("topics must name at least one topic")
        self.group_id = group_id
        self.topics = topics
        self.pool = pool
        # A batch handler applies many events with few statements (executemany),
        # which matters for high-volume streams; a plain handler is simpler.
        self.batch_handler: BatchHandler = batch_handler or self._one_by_one(handler)
        self.registry = registry
        self.dead_letter_producer = dead_letter_producer
        self.dead_letter_topic = dead_letter or dead_letter_topic(group_id)
        self.wants = wants or (lambda _event_type: True)
        self.max_attempts = max_attempts
        self.retry_initial_seconds = retry_initial_seconds
        self.retry_max_seconds = retry_max_seconds
        self.max_records = max_records
        self.linger_ms = linger_ms
        self._consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset=auto_offset_reset,
            max_poll_interval_ms=max_poll_interval_ms,
            session_timeout_ms=session_timeout_ms,
            heartbeat_interval_ms=heartbeat_interval_ms,
            isolation_level="read_committed",
        )
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        await self._consumer.start()
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self.group_id}")

    async def stop(self) -> None:
        """Finish the batch in flight, commit its offsets, and leave the group."""
        self._stopping.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._consumer.stop()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                batches = await self._consumer.getmany(timeout_ms=500, max_records=self.max_records)
            except KafkaError:
                logger.exception("fetching from Kafka failed; retrying", extra={"group": self.group_id})
                await asyncio.sleep(1.0)
                continue
            if not batches:
                continue
            await self._linger(batches)
            try:
                await self._apply_while_polling(batches)
            except Exception:
                # E.g. the database or the dead-letter topic is unreachable. Nothing
                # was committed, so rewind and try the same records again.
                logger.exception("applying a batch failed; retrying it", extra={"group": self.group_id})
                for partition, records in batches.items():
                    if partition in self._consumer.assignment():
                        self._consumer.seek(partition, records[0].offset)
                await asyncio.sleep(1.0)

    @staticmethod
    def _one_by_one(handler: Handler) -> BatchHandler:
        async def apply_each(connection: asyncpg.Connection, events: list[EventEnvelope]) -> None:
            for event in events:
                with log_context(event_id=str(event.event_id), account_id=event.account_id):
                    await handler(connection, event)

        return apply_each

    async def _linger(self, batches: dict[TopicPartition, list[ConsumerRecord]]) -> None:
        """Wait up to `linger_ms` for more records, so events are applied in batches rather than one by one.

        Each batch costs a transaction and an offset commit, so applying events
        one at a time as they trickle in caps throughput. A short linger trades
        a few milliseconds of latency for batches.
        """
        total = sum(len(records) for records in batches.values())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.linger_ms / 1000
        while total < self.max_records:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            more = await self._consumer.getmany(timeout_ms=int(remaining * 1000), max_records=self.max_records - total)
            if not more:
                return
            for partition, records in more.items():
                batches.setdefault(partition, []).extend(records)
                total += len(records)

    async def _apply_while_polling(self, batches: dict[TopicPartition, list[ConsumerRecord]]) -> None:
        work = asyncio.create_task(self._apply_batches(batches))
        paused = self._consumer.assignment()
        self._consumer.pause(*paused)
        try:
            while not work.done():
                await asyncio.wait({work}, timeout=1.0)
                if work.done():
                    break
                # Keep the poll interval fresh. Partitions assigned by a rebalance in
                # the meantime are not paused yet: rewind whatever they return.
                newly_assigned = self._consumer.assignment() - paused
                if newly_assigned:
                    self._consumer.pause(*newly_assigned)
                    paused |= newly_assigned
                stray = await self._consumer.getmany(timeout_ms=0)
                for partition, records in stray.items():
                    self._consumer.seek(partition, records[0].offset)
            committed = work.result()
        finally:
            self._consumer.resume(*(paused & self._consumer.assignment()))
        await self._commit(committed)

    async def _apply_batches(self, batches: dict[TopicPartition, list[ConsumerRecord]]) -> dict[TopicPartition, int]:
        # One transaction for every partition of the poll: records keep their
        # order within each partition, which is the only order Kafka defines.
        records = [record for partition_records in batches.values() for record in partition_records]
        await self._apply_partition_batch(records)
        return {partition: partition_records[-1].offset + 1 for partition, partition_records in batches.items()}

    async def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        if not offsets:
            return
        try:
            await self._consumer.commit(offsets)
        except (CommitFailedError, KafkaError) as error:
            # The partitions moved to another member; it replays these events and
            # skips them as already processed.
            logger.warning("offset commit failed: %s", error, extra={"group": self.group_id})

    async def _apply_partition_batch(self, records: list[ConsumerRecord]) -> None:
        """Apply a batch in one transaction; on any failure fall back to one event at a time."""
        started = time.perf_counter()
        parsed: list[tuple[ConsumerRecord, EventEnvelope]] = []
        for record in records:
            try:
                event = self.registry.parse(record.value)
            except EventSchemaError as error:
                await self._dead_letter(record, error, attempts=1)
                continue
            if self.wants(event.type):
                parsed.append((record, event))

        if not parsed:
            return
        try:
            await self._apply_together(parsed)
        except Exception:
            logger.info("batch failed; applying its events one at a time", extra={"group": self.group_id})
            for record, event in parsed:
                await self._apply_with_retries(record, event)
        HANDLER_SECONDS.labels(self.group_id).observe(time.perf_counter() - started)

    async def _apply_together(self, parsed: list[tuple[ConsumerRecord, EventEnvelope]]) -> None:
        async with self.pool.acquire() as connection, connection.transaction():
            new_ids = {
                row["event_id"]
                for row in await connection.fetch(
                    "INSERT INTO processed_events (consumer_group, event_id, topic) "
                    "SELECT $1, event_id, topic FROM unnest($2::uuid[], $3::text[]) AS t(event_id, topic) "
                    "ON CONFLICT DO NOTHING RETURNING event_id",
                    self.group_id,
                    [event.event_id for _, event in parsed],
                    [record.topic for record, _ in parsed],
                )
            }
            fresh: list[EventEnvelope] = []
            for _record, event in parsed:
                if event.event_id not in new_ids:
                    EVENTS_DUPLICATE.labels(self.group_id).inc()
                    continue
                new_ids.discard(event.event_id)  # A second copy in the same batch is a duplicate too.
                fresh.append(event)
            if fresh:
                await self.batch_handler(connection, fresh)
        for _record, event in parsed:
            EVENTS_CONSUMED.labels(self.group_id, event.type).inc()

    async def _apply_once(self, event: EventEnvelope, record: ConsumerRecord) -> None:
        async with self.pool.acquire() as connection, connection.transaction():
            inserted = await connection.fetchval(
                "INSERT INTO processed_events (consumer_group, event_id, topic) VALUES ($1, $2, $3) "
                "ON CONFLICT DO NOTHING RETURNING 1",
                self.group_id,
                event.event_id,
                record.topic,
            )
            if inserted is None:
                EVENTS_DUPLICATE.labels(self.group_id).inc()
                return
            await self.batch_handler(connection, [event])
        EVENTS_CONSUMED.labels(self.group_id, event.type).inc()

    async def _apply_with_retries(self, record: ConsumerRecord, event: EventEnvelope) -> None:
        counted_attempts = 0

        # tenacity evaluates `retry`, then `wait`, then `stop` after each failed
        # attempt, so the counting happens in `retry` and the others read it.
        def should_retry(error: BaseException) -> bool:
            nonlocal counted_attempts
            if getattr(error, "counts_as_attempt", True):
                counted_attempts += 1
            return is_retriable(error)

        def stop(_state: RetryCallState) -> bool:
            return counted_attempts >= self.max_attempts

        def wait_seconds(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            retry_after = getattr(error, "retry_after", None)
            if isinstance(retry_after, int | float) and retry_after > 0:
                return float(retry_after)
            return min(self.retry_initial_seconds * 2 ** max(counted_attempts - 1, 0), self.retry_max_seconds)

        def log_failure(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            EVENTS_FAILED.labels(self.group_id, event.type).inc()
            logger.warning(
                "handler failed (attempt %s of %s): %s",
                counted_attempts,
                self.max_attempts,
                error,
                extra={"group": self.group_id, "event_id": str(event.event_id), "event_type": event.type},
            )

        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(should_retry),
                stop=stop,
                wait=wait_seconds,
                before_sleep=log_failure,
                reraise=True,
            ):
                with attempt:
                    await self._apply_once(event, record)
        except Exception as error:
            EVENTS_FAILED.labels(self.group_id, event.type).inc()
            await self._dead_letter(record, error, attempts=max(counted_attempts, 1))

    async def _dead_letter(self, record: ConsumerRecord, error: BaseException, *, attempts: int) -> None:
        headers = [
            ("error_type", type(error).__name__.encode()),
            ("error_message", str(error)[:4000].encode()),
            ("attempts", str(attempts).encode()),
            ("original_topic", record.topic.encode()),
            ("original_partition", str(record.partition).encode()),
            ("original_offset", str(record.offset).encode()),
            ("consumer_group", self.group_id.encode()),
            ("failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        await self.dead_letter_producer.send_and_wait(
            self.dead_letter_topic, value=record.value, key=record.key, headers=headers
        )
        EVENTS_DEAD_LETTERED.labels(self.group_id).inc()
        logger.error(
            "message sent to dead-letter topic: %s: %s",
            type(error).__name__,
            error,
            extra={
                "group": self.group_id,
                "dead_letter_topic": self.dead_letter_topic,
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "attempts": attempts,
            },
        )
