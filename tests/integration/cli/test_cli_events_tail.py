"""`crossdock events tail` prints canonical events from a real Kafka topic."""

import asyncio
import uuid
from pathlib import Path

import pytest
from crossdock_cli.main import app
from crossdock_common.bus import create_producer, ensure_topics
from crossdock_common.events import REGISTRY, topics
from crossdock_common.testing.service import delete_topics_with_prefix
from typer.testing import CliRunner

pytestmark = pytest.mark.kafka

CATALOGUE = Path(__file__).resolve().parents[3] / "libs/common/crossdock_common/events/catalogue"


async def publish_examples(bootstrap: str, topic: str) -> None:
    await ensure_topics(bootstrap, [topic], partitions=1)
    producer = create_producer(bootstrap, client_id="test")
    await producer.start()
    for name in ("order.received", "order.updated", "order.status_changed"):
        event = REGISTRY.parse((CATALOGUE / f"{name}.json").read_bytes())
        await producer.send_and_wait(topic, value=event.to_json_bytes(), key=event.key.encode())
    await producer.send_and_wait(topic, value=b"\xff\xfe", key=b"acme:broken")
    await producer.stop()


def test_events_tail_prints_matching_events(kafka_bootstrap, monkeypatch):
    prefix = f"test-{uuid.uuid4().hex[:8]}."
    asyncio.run(publish_examples(kafka_bootstrap, prefix + topics.ORDERS))
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("CROSSDOCK_TOPIC_PREFIX", prefix)

    result = CliRunner().invoke(
        app, ["events", "tail", "--topic", "orders", "--from-beginning", "--type", "order.updated", "--limit", "1"]
    )

    asyncio.run(delete_topics_with_prefix(kafka_bootstrap, prefix))
    assert result.exit_code == 0, result.output
    assert "order.updated v1" in result.output
    assert "order.received" not in result.output
    assert '"unit_price": "19.90"' in result.output
