"""Drive one service in tests: its HTTP API, the events it publishes, and events it consumes.

`ServiceHarness` starts a service app in-process (lifespan included) on a fresh
database and a unique topic prefix, so concurrent test runs on one Kafka
cluster never see each other's events. Tests call the API through `client`,
publish input events with `publish`, and wait for output events with
`wait_for_event`.
"""

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import FastAPI

from crossdock_common.auth.tokens import issue_token
from crossdock_common.bus.admin import ensure_topics
from crossdock_common.bus.producer import create_producer
from crossdock_common.events import REGISTRY, EventEnvelope, EventSource, topics
from crossdock_common.settings import ServiceSettings

TEST_JWT_SECRET = "crossdock-test-jwt-secret-0123456789abcdef"
TEST_ENCRYPTION_KEY = "dGVzdC1vbmx5LWNyb3NzZG9jay1mZXJuZXQta2V5ISE="


def settings_for_test(
    settings_class: type[ServiceSettings], *, database_dsn: str, kafka_bootstrap: str, **overrides: Any
) -> ServiceSettings:
    """Settings for a service under test: given servers, a unique topic prefix, test keys, text logs."""
    values: dict[str, Any] = {
        "database_url": database_dsn,
        "kafka_bootstrap_servers": kafka_bootstrap,
        "topic_prefix": f"test-{uuid.uuid4().hex[:10]}.",
        "jwt_secret": TEST_JWT_SECRET,
        "encryption_key": TEST_ENCRYPTION_KEY,
        "log_format": "text",
        # One partition per topic: a test suite creates hundreds of prefixed
        # topics, and every partition costs broker heap.
        "topic_partitions": 1,
        "consumer_max_attempts": 3,
    }
    values.update(overrides)
    return settings_class(**values)


async def delete_topics_with_prefix(bootstrap_servers: str, prefix: str) -> None:
    """Delete every topic whose name starts with `prefix`, so test runs do not pile up partitions on the broker."""
    if not prefix:
        raise ValueError("refusing to delete topics without a prefix")
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        names = [name for name in await admin.list_topics() if name.startswith(prefix)]
        if names:
            await admin.delete_topics(names)
    finally:
        await admin.close()


class ServiceHarness:
    """A started service plus a client for its API and a view of its topics."""

    def __init__(self, *, app: FastAPI, settings: ServiceSettings) -> None:
        self.app = app
        self.settings = settings
        self.prefix = settings.topic_prefix
        self.collected: list[EventEnvelope] = []
        self._lifespan = None
        self._producer = None
        self._collector: AIOKafkaConsumer | None = None
        self._collector_task: asyncio.Task | None = None
        self.client: httpx.AsyncClient | None = None

    @property
    def runtime(self):
        return self.app.state.runtime

    async def __aenter__(self) -> "ServiceHarness":
        stream_topics = [topics.qualified(topic, self.prefix) for topic in topics.ALL]
        await ensure_topics(
            self.settings.kafka_bootstrap_servers, stream_topics, partitions=self.settings.topic_partitions
        )
        self._collector = AIOKafkaConsumer(
            *stream_topics,
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            group_id=f"{self.prefix}harness-{uuid.uuid4().hex[:6]}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await self._collector.start()
        self._collector_task = asyncio.create_task(self._collect())

        self._producer = create_producer(self.settings.kafka_bootstrap_servers, client_id="harness")
        await self._producer.start()

        self._lifespan = self.app.router.lifespan_context(self.app)
        await self._lifespan.__aenter__()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://service.test")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self.client is not None:
            await self.client.aclose()
        if self._lifespan is not None:
            await self._lifespan.__aexit__(None, None, None)
        if self._producer is not None:
            await self._producer.stop()
        if self._collector_task is not None:
            self._collector_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._collector_task
        if self._collector is not None:
            await self._collector.stop()
        await delete_topics_with_prefix(self.settings.kafka_bootstrap_servers, self.prefix)

    def auth(self, account_id: str = "acme", scopes: tuple[str, ...] = ("read", "write")) -> dict[str, str]:
        """Authorization header with a token for `account_id`."""
        token = issue_token(secret=TEST_JWT_SECRET, account_id=account_id, scopes=list(scopes))
        return {"Authorization": f"Bearer {token}"}

    def event(
        self,
        *,
        type: str,
        payload: Any,
        account_id: str = "acme",
        key: str,
        service: str = "test",
        integration_id: str | None = None,
    ) -> EventEnvelope:
        """Build a valid event as another service would publish it."""
        return REGISTRY.build(
            type=type,
            payload=payload,
            account_id=account_id,
            key=key if key.startswith(f"{account_id}:") else f"{account_id}:{key}",
            source=EventSource(service=service, integration_id=integration_id),
        )

    async def publish(self, event: EventEnvelope) -> EventEnvelope:
        """Send `event` to its topic, as another service's outbox relay would."""
        topic = topics.qualified(REGISTRY.topic_of(event.type), self.prefix)
        await self._producer.send_and_wait(topic, value=event.to_json_bytes(), key=event.key.encode())
        return event

    async def publish_raw(self, topic: str, value: bytes, key: bytes = b"acme:raw") -> None:
        """Send raw bytes (e.g. a malformed record) to an unprefixed topic name."""
        await self._producer.send_and_wait(topics.qualified(topic, self.prefix), value=value, key=key)

    def events(
        self, type: str | None = None, predicate: Callable[[EventEnvelope], bool] | None = None
    ) -> list[EventEnvelope]:
        """Events seen on the service's topics so far (published by anyone), oldest first."""
        return [
            event
            for event in self.collected
            if (type is None or event.type == type) and (predicate is None or predicate(event))
        ]

    async def wait_for_event(
        self, type: str, predicate: Callable[[EventEnvelope], bool] | None = None, *, timeout: float = 20.0
    ) -> EventEnvelope:
        """Return the first matching event, waiting up to `timeout` seconds; fail naming what was seen."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            found = self.events(type, predicate)
            if found:
                return found[0]
            await asyncio.sleep(0.05)
        seen = sorted({event.type for event in self.collected})
        raise AssertionError(f"no {type!r} event matching within {timeout} s; types seen: {seen}")

    async def wait_until(
        self, condition: Callable[[], Awaitable[bool]], *, timeout: float = 20.0, message: str = ""
    ) -> None:
        """Poll an async condition until it is true, or fail after `timeout` seconds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if await condition():
                return
            await asyncio.sleep(0.05)
        raise AssertionError(message or f"condition not met within {timeout} s")

    async def _collect(self) -> None:
        while True:
            batches = await self._collector.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    try:
                        self.collected.append(REGISTRY.parse(record.value))
                    except Exception:  # noqa: BLE001 - tests publish malformed records on purpose
                        continue
