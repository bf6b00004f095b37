"""The event registry, the example catalogue, and upcasting of old versions."""

import json
import uuid
from pathlib import Path

import crossdock_common.events as events
import pytest
from crossdock_common.events import REGISTRY, EventRegistry, EventSource
from crossdock_common.events.codec import MalformedEventError
from crossdock_common.events.registry import InvalidEventError, UnknownEventTypeError, UnsupportedEventVersionError
from pydantic import BaseModel

CATALOGUE = Path(events.__file__).parent / "catalogue"


def catalogue_files():
    return sorted(CATALOGUE.glob("*.json"))


def test_catalogue_has_one_example_per_type():
    names = {path.stem for path in catalogue_files()}

    assert names == {event_type.name for event_type in REGISTRY.types()}


@pytest.mark.parametrize("path", catalogue_files(), ids=lambda path: path.stem)
def test_catalogue_example_validates(path):
    event = REGISTRY.parse(path.read_bytes())

    assert event.type == path.stem
    assert event.key.startswith(f"{event.account_id}:")


@pytest.mark.parametrize("path", catalogue_files(), ids=lambda path: path.stem)
def test_catalogue_example_round_trips(path):
    event = REGISTRY.parse(path.read_bytes())

    again = REGISTRY.parse(event.to_json_bytes())

    assert again == event


def test_event_json_is_readable_text():
    event = REGISTRY.parse((CATALOGUE / "order.updated.json").read_bytes())

    text = event.to_json_bytes().decode()

    assert '"type":"order.updated"' in text
    assert '"unit_price":"19.90"' in text
    assert "Zoë Ñandú" in text


def test_registry_rejects_unknown_type_naming_it():
    raw = json.loads((CATALOGUE / "order.updated.json").read_text())
    raw["type"] = "order.teleported"

    with pytest.raises(UnknownEventTypeError) as raised:
        REGISTRY.parse(json.dumps(raw))

    assert "order.teleported" in str(raised.value)


def test_registry_rejects_newer_version_naming_it():
    raw = json.loads((CATALOGUE / "order.updated.json").read_text())
    raw["version"] = 7

    with pytest.raises(UnsupportedEventVersionError) as raised:
        REGISTRY.parse(json.dumps(raw))

    assert "version 7" in str(raised.value)
    assert "order.updated" in str(raised.value)


def test_registry_rejects_invalid_payload_naming_field():
    raw = json.loads((CATALOGUE / "order.updated.json").read_text())
    raw["payload"]["lines"] = "oops"

    with pytest.raises(InvalidEventError) as raised:
        REGISTRY.parse(json.dumps(raw))

    assert "lines" in str(raised.value)


@pytest.mark.parametrize("raw", [b"\xff\xfe", b"not json", b"[1, 2]"])
def test_registry_rejects_malformed_bytes(raw):
    with pytest.raises(MalformedEventError):
        REGISTRY.parse(raw)


class ParcelV2(BaseModel):
    weight_grams: int
    carrier: str


def test_registry_upcasts_old_versions_step_by_step():
    registry = EventRegistry()
    registry.register(name="parcel.weighed", topic="test.parcels", version=3, model=ParcelV2, description="test")
    registry.register_upcaster(
        name="parcel.weighed", from_version=1, upcast=lambda p: {"weight_kg": p["kg"], "carrier": "unknown"}
    )
    registry.register_upcaster(
        name="parcel.weighed",
        from_version=2,
        upcast=lambda p: {"weight_grams": int(p["weight_kg"] * 1000), "carrier": p["carrier"]},
    )
    old = {
        "event_id": str(uuid.uuid4()),
        "type": "parcel.weighed",
        "version": 1,
        "occurred_at": "2026-01-01T00:00:00Z",
        "account_id": "acme",
        "source": {"service": "test"},
        "key": "acme:parcel-1",
        "payload": {"kg": 2},
    }

    event = registry.parse(json.dumps(old))

    assert event.version == 3
    assert event.payload == ParcelV2(weight_grams=2000, carrier="unknown")


def test_registry_build_validates_payload():
    with pytest.raises(InvalidEventError):
        REGISTRY.build(
            type="stock.changed",
            payload={"sku": "A", "location_id": "l", "on_hand": 5, "committed": 2, "available": 5},
            account_id="acme",
            key="acme:A",
            source=EventSource(service="test"),
        )


def test_order_pending_needs_known_reason():
    raw = json.loads((CATALOGUE / "order.updated.json").read_text())
    raw["payload"]["status_reason"] = "because"

    with pytest.raises(InvalidEventError) as raised:
        REGISTRY.parse(json.dumps(raw))

    assert "awaiting_acceptance" in str(raised.value)
