"""The sandbox log: every hub call received and every shipment post sent, in order.

Tests assert on it, so entries keep the bodies as JSON values (or the raw text
when a body is not JSON) and are never trimmed while the process runs. Reset
clears it.
"""

import json
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel

Direction = Literal["received", "sent"]


class JournalEntry(BaseModel):
    """One HTTP exchange between the hub and the sandbox."""

    seq: int
    at: datetime
    direction: Direction
    account_id: str | None
    method: str
    url: str
    request_id: str | None = None
    shipment_id: str | None = None
    attempt: int | None = None
    signature: str | None = None
    request_body: object | None = None
    status_code: int | None = None
    response_body: object | None = None
    error: str | None = None
    fault: str | None = None


class Journal:
    """An append-only list of JournalEntry with filters."""

    def __init__(self) -> None:
        self._entries: list[JournalEntry] = []

    def record(self, **fields: object) -> JournalEntry:
        """Append an entry, numbering it and stamping the current UTC time."""
        entry = JournalEntry(seq=len(self._entries) + 1, at=datetime.now(UTC), **fields)
        self._entries.append(entry)
        return entry

    def entries(
        self,
        *,
        direction: Direction | None = None,
        account_id: str | None = None,
        request_id: str | None = None,
        shipment_id: str | None = None,
        after_seq: int = 0,
    ) -> list[JournalEntry]:
        """Return the entries that match every given filter, oldest first."""
        return [
            entry
            for entry in self._entries
            if entry.seq > after_seq
            and (direction is None or entry.direction == direction)
            and (account_id is None or entry.account_id == account_id)
            and (request_id is None or entry.request_id == request_id)
            and (shipment_id is None or entry.shipment_id == shipment_id)
        ]

    def clear(self) -> None:
        self._entries.clear()


def decode_body(raw: bytes) -> object | None:
    """Return a body as JSON when it parses, else as text, and None when empty."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", errors="replace")
