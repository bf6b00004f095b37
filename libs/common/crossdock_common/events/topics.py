"""Kafka topic names. One stream per entity plus one for commands, versioned in the name.

A breaking change to a topic's keying or partitioning gets a new name (`.v2`)
so consumers of the old stream keep working during a migration.
"""

INTEGRATIONS = "crossdock.integrations.v1"
PRODUCTS = "crossdock.products.v1"
CHANNEL_PRODUCTS = "crossdock.channel-products.v1"
LOCATIONS = "crossdock.locations.v1"
INVENTORY = "crossdock.inventory.v1"
ORDERS = "crossdock.orders.v1"
FULFILLMENTS = "crossdock.fulfillments.v1"
COMMANDS = "crossdock.commands.v1"

ALL = [INTEGRATIONS, PRODUCTS, CHANNEL_PRODUCTS, LOCATIONS, INVENTORY, ORDERS, FULFILLMENTS, COMMANDS]


def dead_letter_topic(consumer_group: str, prefix: str = "") -> str:
    """Return the dead-letter topic of one consumer group."""
    return f"{prefix}crossdock.dlq.{consumer_group}"


def qualified(topic: str, prefix: str) -> str:
    """Return `topic` with the deployment's prefix (`CROSSDOCK_TOPIC_PREFIX`), e.g. `staging.crossdock.orders.v1`.

    A prefix lets several environments, or parallel test runs, share one Kafka
    cluster without reading each other's events.
    """
    return f"{prefix}{topic}"
