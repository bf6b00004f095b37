"""JSON encoding of events on the wire.

Decoding turns every JSON number with a fraction into `Decimal`, because the
standard decoder (and pydantic's JSON mode) passes numbers through `float`,
which loses digits and trailing zeros of amounts such as 19.90.
"""

import json
from decimal import Decimal
from typing import Any


class EventSchemaError(ValueError):
    """An event that cannot be read. Not retriable: the bytes will never change."""

    retriable = False


class MalformedEventError(EventSchemaError):
    """Bytes that are not UTF-8 JSON, or JSON that is not an object."""


def decode_json(raw: bytes | str) -> dict[str, Any]:
    """Decode one event's JSON object, keeping fractional numbers as `Decimal`."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as error:
        raise MalformedEventError(f"event is not valid UTF-8: {error}") from None
    try:
        value = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise MalformedEventError(f"event is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise MalformedEventError(f"event must be a JSON object, got {type(value).__name__}")
    return value
