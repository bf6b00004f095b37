"""Sandbox time: the wall clock plus an offset that the admin API can advance."""

import time
from datetime import UTC, datetime, timedelta


class SandboxClock:
    """One time source for order dates, deadlines, import jobs and rate-limit windows.

    Advancing it (time travel) moves all of them together, so a test can pass an
    acceptance deadline or a once-a-day limit without waiting.
    """

    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> datetime:
        """Return the current sandbox time as an aware UTC datetime."""
        return datetime.now(UTC) + timedelta(seconds=self._offset)

    def monotonic(self) -> float:
        """Return monotonic seconds that include the time-travel offset."""
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"seconds={seconds!r}: sandbox time only moves forward")
        self._offset += seconds

    @property
    def offset_seconds(self) -> float:
        return self._offset


def format_datetime(value: datetime) -> str:
    """Format a datetime as Mirakl does: UTC, milliseconds, trailing `Z`."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_datetime(raw: str) -> datetime:
    """Parse an ISO 8601 date-time; a value without an offset is taken as UTC."""
    value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00").replace(" ", "+"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value
