"""Topic creation at service startup."""

import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

logger = logging.getLogger(__name__)


async def ensure_topics(
    bootstrap_servers: str, topics: list[str], *, partitions: int, replication_factor: int = 1
) -> None:
    """Create each missing topic with `partitions` partitions; existing topics are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [topic for topic in dict.fromkeys(topics) if topic not in existing]
        if not missing:
            return
        new_topics = [
            NewTopic(topic, num_partitions=partitions, replication_factor=replication_factor) for topic in missing
        ]
        try:
            await admin.create_topics(new_topics)
        except TopicAlreadyExistsError:
            pass  # Another service created it between our list and create calls.
        logger.info("created topics", extra={"topics": missing, "partitions": partitions})
    finally:
        await admin.close()
