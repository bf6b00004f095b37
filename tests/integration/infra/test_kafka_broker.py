"""The Kafka broker the tests run against is real: produce and consume through aiokafka."""

import uuid
from collections import defaultdict

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic


async def test_kafka_thousand_messages_keep_per_key_order(kafka_bootstrap):
    topic = f"test.order-per-key.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    finally:
        await admin.close()

    keys = [f"order-{n}" for n in range(10)]
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for sequence in range(1000):
            key = keys[sequence % len(keys)]
            await producer.send(topic, key=key.encode(), value=str(sequence).encode())
        await producer.flush()
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"test-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    received: dict[str, list[int]] = defaultdict(list)
    partitions_seen: set[int] = set()
    try:
        total = 0
        while total < 1000:
            batches = await consumer.getmany(timeout_ms=10_000)
            assert batches, f"no message within 10 s after {total} of 1000"
            for partition, messages in batches.items():
                partitions_seen.add(partition.partition)
                for message in messages:
                    received[message.key.decode()].append(int(message.value))
                    total += 1
    finally:
        await consumer.stop()
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
        await admin.start()
        await admin.delete_topics([topic])
        await admin.close()

    assert sum(len(values) for values in received.values()) == 1000
    assert len(partitions_seen) > 1
    for key, values in received.items():
        assert values == sorted(values), f"messages of {key} arrived out of order"
