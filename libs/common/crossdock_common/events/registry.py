"""Which payload model each event type and version has, and how old versions are upcast.

Consumers may lag behind producers during a rollout, and a topic keeps old
events for days, so a reader must accept every version it ever knew. Each
registered type has a current version. An event with an older version is
upcast one step at a time (v1 → v2 → v3) by functions on the raw payload dict,
then validated by the current model.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from crossdock_common.events.codec import EventSchemaError, decode_json
from crossdock_common.events.envelope import EventEnvelope

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownEventTypeError(EventSchemaError):
    """The event's `type` is not registered."""


class UnsupportedEventVersionError(EventSchemaError):
    """The event's `version` is newer than this reader supports, or has no upcast path."""


class InvalidEventError(EventSchemaError):
    """The envelope or payload failed validation."""


@dataclass
class EventType:
    """A registered type: its topic, its current model and the upcasters from older versions."""

    name: str
    topic: str
    version: int
    model: type[BaseModel]
    description: str
    upcasters: dict[int, Upcaster] = field(default_factory=dict)


class EventRegistry:
    """Maps event types to topics and payload models."""

    def __init__(self) -> None:
        self._types: dict[str, EventType] = {}

    def register(self, *, name: str, topic: str, version: int, model: type[BaseModel], description: str) -> None:
        if name in self._types:
            raise ValueError(f"event type {name!r} is registered twice")
        self._types[name] = EventType(name=name, topic=topic, version=version, model=model, description=description)

    def register_upcaster(self, *, name: str, from_version: int, upcast: Upcaster) -> None:
        """Register the step that turns a `from_version` payload into a `from_version + 1` payload."""
        self.get(name).upcasters[from_version] = upcast

    def get(self, name: str) -> EventType:
        try:
            return self._types[name]
        except KeyError:
            known = ", ".join(sorted(self._types))
            raise UnknownEventTypeError(f"unknown event type {name!r}; known types: {known}") from None

    def types(self) -> list[EventType]:
        return sorted(self._types.values(), key=lambda event_type: event_type.name)

    def topic_of(self, name: str) -> str:
        return self.get(name).topic

    def parse(self, raw: bytes | str | dict[str, Any]) -> EventEnvelope:
        """Decode, upcast and validate one event; raise an `EventSchemaError` naming what is wrong."""
        data = dict(raw) if isinstance(raw, dict) else decode_json(raw)

        name = data.get("type")
        if not isinstance(name, str):
            raise InvalidEventError(f"event has no string 'type' field (got {name!r})")
        event_type = self.get(name)

        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise InvalidEventError(f"event {name!r} has no integer 'version' field (got {version!r})")
        if version > event_type.version:
            raise UnsupportedEventVersionError(
                f"event {name!r} version {version} is newer than the supported version {event_type.version}; "
                "upgrade this service"
            )
        if version < 1:
            raise UnsupportedEventVersionError(f"event {name!r} has invalid version {version}")

        payload = data.get("payload")
        if not isinstance(payload, dict):
            raise InvalidEventError(f"event {name!r} payload must be a JSON object")
        while version < event_type.version:
            upcast = event_type.upcasters.get(version)
            if upcast is None:
                raise UnsupportedEventVersionError(
                    f"event {name!r} version {version} cannot be read: no upcaster to version {version + 1}"
                )
            payload = upcast(payload)
            version += 1

        try:
            model = event_type.model.model_validate(payload)
            return EventEnvelope.model_validate({**data, "version": version, "payload": model})
        except ValidationError as error:
            raise InvalidEventError(f"invalid {name!r} v{data.get('version')} event: {error}") from None

    def build(self, *, type: str, payload: BaseModel | dict[str, Any], **envelope: Any) -> EventEnvelope:
        """Create an event of the current version of `type`, validating the payload against its model."""
        event_type = self.get(type)
        try:
            if isinstance(payload, event_type.model):
                model = payload
            else:
                raw = payload.model_dump() if isinstance(payload, BaseModel) else payload
                model = event_type.model.model_validate(raw)
        except ValidationError as error:
            raise InvalidEventError(f"invalid {type!r} payload: {error}") from None
        return EventEnvelope(type=type, version=event_type.version, payload=model, **envelope)
