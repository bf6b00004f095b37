"""The Kafka bus: topics, the transactional outbox and its relay, idempotent consumers."""

from crossdock_common.bus.admin import ensure_topics
from crossdock_common.bus.consumer import IdempotentConsumer
from crossdock_common.bus.outbox import Outbox, OutboxRelay
from crossdock_common.bus.producer import create_producer

__all__ = ["IdempotentConsumer", "Outbox", "OutboxRelay", "create_producer", "ensure_topics"]
