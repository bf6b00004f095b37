"""The event envelope: identity, type and version, tenancy, causality and the payload.

Every canonical event is one JSON object with the envelope fields below and a
`payload` whose model is chosen by `type` and `version` from the registry. The
JSON is meant to be read by a person tapping a topic with a console consumer.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from crossdock_common.events.types import UtcDatetime


class EventSource(BaseModel):
    """The service that published an event and, when one is involved, the integration."""

    model_config = ConfigDict(extra="forbid")

    service: str = Field(min_length=1)
    integration_id: str | None = None


class EventEnvelope(BaseModel):
    """One canonical event. `payload` is a validated payload model once the registry has parsed it."""

    model_config = ConfigDict(extra="forbid")

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str = Field(min_length=1)
    version: int = Field(ge=1)
    occurred_at: UtcDatetime = Field(default_factory=lambda: datetime.now(UTC))
    account_id: str = Field(min_length=1)
    source: EventSource
    correlation_id: uuid.UUID | None = None
    causation_id: uuid.UUID | None = None
    key: str = Field(
        min_length=1, description="Kafka key: account id and entity id, so one entity's events stay in order"
    )
    payload: Any

    def to_json_bytes(self) -> bytes:
        """Serialize the event as UTF-8 JSON: amounts as strings, datetimes as ISO 8601 with offset."""
        return self.model_dump_json().encode("utf-8")

    def caused(self, **fields: Any) -> dict[str, Any]:
        """Return envelope fields for an event caused by this one: same correlation, this event as cause."""
        return {
            "account_id": self.account_id,
            "correlation_id": self.correlation_id or self.event_id,
            "causation_id": self.event_id,
            **fields,
        }


def entity_key(account_id: str, entity_id: str) -> str:
    """Build the Kafka key of an entity: `<account>:<entity>`."""
    return f"{account_id}:{entity_id}"
