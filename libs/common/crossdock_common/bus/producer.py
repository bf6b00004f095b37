"""The Kafka producer every service uses: idempotent, `acks=all`."""

from aiokafka import AIOKafkaProducer


def create_producer(bootstrap_servers: str, *, client_id: str) -> AIOKafkaProducer:
    """Build (not start) an idempotent producer, so broker retries never duplicate or reorder a partition."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        max_batch_size=256 * 1024,
        request_timeout_ms=30_000,
    )
