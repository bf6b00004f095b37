"""`crossdock events tail`: read canonical events from a topic and print them for a person."""

import asyncio
import json
import uuid

from aiokafka import AIOKafkaConsumer
from crossdock_common.events import REGISTRY, EventSchemaError, topics
from rich.console import Console
from rich.syntax import Syntax

TOPIC_ALIASES = {topic.split(".")[1]: topic for topic in topics.ALL}


def resolve_topic(name: str, prefix: str = "") -> str:
    """Accept a short name (`orders`) or a full topic name (`crossdock.orders.v1`)."""
    full = TOPIC_ALIASES.get(name, name)
    return f"{prefix}{full}"


def describe(event) -> str:
    """Return a one-line summary: time, type, account, key and source."""
    source = event.source.service + (f"/{event.source.integration_id}" if event.source.integration_id else "")
    return f"{event.occurred_at.isoformat()}  {event.type} v{event.version}  account={event.account_id}  key={event.key}  from={source}"


async def tail(
    *,
    bootstrap_servers: str,
    topic: str,
    from_beginning: bool,
    event_type: str | None,
    account_id: str | None,
    limit: int | None,
    console: Console,
) -> int:
    """Print matching events until `limit` are shown or the user interrupts; return how many were shown."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        group_id=f"crossdock-cli-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=False,
    )
    await consumer.start()
    shown = 0
    try:
        async for record in consumer:
            try:
                event = REGISTRY.parse(record.value)
            except EventSchemaError as error:
                console.print(
                    f"[red]unreadable record at {record.topic}/{record.partition}@{record.offset}: {error}[/red]"
                )
                continue
            if event_type and event.type != event_type:
                continue
            if account_id and event.account_id != account_id:
                continue
            console.print(f"[bold]{describe(event)}[/bold]")
            payload = json.loads(event.model_dump_json())["payload"]
            console.print(Syntax(json.dumps(payload, indent=2, ensure_ascii=False), "json", word_wrap=True))
            shown += 1
            if limit is not None and shown >= limit:
                break
    except asyncio.CancelledError:
        pass
    finally:
        await consumer.stop()
    return shown
