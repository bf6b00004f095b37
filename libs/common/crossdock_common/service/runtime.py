"""The resources of a running service: pool, producer, outbox relay, consumers and background jobs.

`ServiceRuntime.start` brings them up in dependency order: pool and migrations,
topics, producer, relay, consumers, background jobs. `stop` takes them down in
reverse. Consumers finish the batch in flight, background jobs end, and the
relay publishes what is left in the outbox before the producer closes.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import asyncpg
from aiokafka import AIOKafkaProducer
from fastapi import APIRouter

from crossdock_common.bus.admin import ensure_topics
from crossdock_common.bus.consumer import BatchHandler, Handler, IdempotentConsumer
from crossdock_common.bus.outbox import Outbox, OutboxRelay
from crossdock_common.bus.producer import create_producer
from crossdock_common.crypto import SecretBox
from crossdock_common.db.migrations import apply_migrations
from crossdock_common.db.pool import create_pool
from crossdock_common.events import REGISTRY, EventEnvelope, EventRegistry, EventSource, topics
from crossdock_common.settings import ServiceSettings

logger = logging.getLogger(__name__)


class Lifecycle(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass(kw_only=True)
class ConsumerSpec:
    """A consumer group of the service: its topics and a factory that builds its handler."""

    group: str
    topics: list[str]
    handler: Callable[["ServiceRuntime"], Handler] | None = None
    batch_handler: Callable[["ServiceRuntime"], BatchHandler] | None = None
    wants: Callable[[str], bool] | None = None


@dataclass(kw_only=True)
class ServiceDefinition:
    """Everything that makes one service: name, schema, migrations, routes, consumers and jobs."""

    name: str
    schema: str
    description: str = ""
    migrations: Path | None = None
    routers: list[APIRouter] = field(default_factory=list)
    consumers: list[ConsumerSpec] = field(default_factory=list)
    background: list[Callable[["ServiceRuntime"], Lifecycle]] = field(default_factory=list)
    settings_class: type[ServiceSettings] = ServiceSettings
    pool_max_size: int = 10


class ServiceRuntime:
    """The started resources of one service process."""

    def __init__(
        self, *, definition: ServiceDefinition, settings: ServiceSettings, registry: EventRegistry = REGISTRY
    ) -> None:
        self.definition = definition
        self.settings = settings
        self.registry = registry
        self.outbox = Outbox(schema=definition.schema, registry=registry, topic_prefix=settings.topic_prefix)
        self.pool: asyncpg.Pool | None = None
        self.producer: AIOKafkaProducer | None = None
        self.relay: OutboxRelay | None = None
        self.consumers: list[IdempotentConsumer] = []
        self.background: list[Lifecycle] = []
        self.started = False
        self.extras: dict[str, Any] = {}
        self._secret_box: SecretBox | None = None

    @property
    def secret_box(self) -> SecretBox:
        """The encryption of secrets at rest; raises a clear error when no key is configured."""
        if self._secret_box is None:
            key = self.settings.encryption_key.get_secret_value() if self.settings.encryption_key else None
            self._secret_box = SecretBox(key)
        return self._secret_box

    def event(
        self,
        *,
        type: str,
        payload: Any,
        account_id: str,
        key: str,
        integration_id: str | None = None,
        cause: EventEnvelope | None = None,
    ) -> EventEnvelope:
        """Build an event from this service, continuing the correlation of `cause` when given."""
        envelope: dict[str, Any] = {
            "account_id": account_id,
            "key": key,
            "source": EventSource(service=self.definition.name, integration_id=integration_id),
        }
        if cause is not None:
            envelope["correlation_id"] = cause.correlation_id or cause.event_id
            envelope["causation_id"] = cause.event_id
        return self.registry.build(type=type, payload=payload, **envelope)

    async def publish(self, connection: asyncpg.Connection, event: EventEnvelope) -> None:
        """Queue `event` in the outbox within the caller's transaction."""
        await self.outbox.add(connection, event)

    async def start(self) -> None:
        definition = self.definition
        settings = self.settings

        self.pool = await create_pool(
            settings.database_url, schema=definition.schema, max_size=definition.pool_max_size
        )
        await apply_migrations(self.pool, schema=definition.schema, directory=definition.migrations)

        prefix = settings.topic_prefix
        stream_topics = [topics.qualified(topic, prefix) for topic in topics.ALL]
        dead_letter_topics = [topics.dead_letter_topic(spec.group, prefix) for spec in definition.consumers]
        await ensure_topics(
            settings.kafka_bootstrap_servers, stream_topics + dead_letter_topics, partitions=settings.topic_partitions
        )

        self.producer = create_producer(settings.kafka_bootstrap_servers, client_id=f"crossdock-{definition.name}")
        await self.producer.start()

        self.relay = OutboxRelay(
            pool=self.pool, dsn=settings.database_url, producer=self.producer, schema=definition.schema
        )
        await self.relay.start()

        for spec in definition.consumers:
            consumer = IdempotentConsumer(
                bootstrap_servers=settings.kafka_bootstrap_servers,
                group_id=f"{prefix}{spec.group}",
                topics=[topics.qualified(topic, prefix) for topic in spec.topics],
                dead_letter=topics.dead_letter_topic(spec.group, prefix),
                pool=self.pool,
                handler=spec.handler(self) if spec.handler else None,
                batch_handler=spec.batch_handler(self) if spec.batch_handler else None,
                registry=self.registry,
                dead_letter_producer=self.producer,
                wants=spec.wants,
                max_attempts=settings.consumer_max_attempts,
            )
            await consumer.start()
            self.consumers.append(consumer)

        for factory in definition.background:
            job = factory(self)
            await job.start()
            self.background.append(job)

        self.started = True
        logger.info("service started", extra={"service": definition.name, "schema": definition.schema})

    async def stop(self) -> None:
        self.started = False
        for consumer in reversed(self.consumers):
            await _stop_quietly(consumer, "consumer")
        for job in reversed(self.background):
            await _stop_quietly(job, "background job")
        if self.relay is not None:
            await _stop_quietly(self.relay, "outbox relay")
        if self.producer is not None:
            await _stop_quietly(self.producer, "producer")
        if self.pool is not None:
            await self.pool.close()
        logger.info("service stopped", extra={"service": self.definition.name})

    async def check_ready(self) -> dict[str, str]:
        """Return the state of each dependency: 'ok' or the error."""
        checks: dict[str, str] = {}
        if self.pool is None or self.producer is None:
            return {"runtime": "not started"}
        try:
            async with asyncio.timeout(2):
                async with self.pool.acquire() as connection:
                    await connection.fetchval("SELECT 1")
            checks["postgres"] = "ok"
        except Exception as error:  # noqa: BLE001 - report any failure as not ready
            checks["postgres"] = f"{type(error).__name__}: {error}"
        try:
            async with asyncio.timeout(2):
                await self.producer.client.fetch_all_metadata()
            checks["kafka"] = "ok"
        except Exception as error:  # noqa: BLE001
            checks["kafka"] = f"{type(error).__name__}: {error}"
        return checks


async def _stop_quietly(component: Any, what: str) -> None:
    try:
        await component.stop()
    except Exception:
        logger.exception("stopping %s failed", what)
