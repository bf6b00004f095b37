"""The sandbox clock: wall time that tests can freeze or move."""

import time


class SandboxClock:
    """Unix time in seconds, optionally frozen or shifted so tests can reach expiry and windows quickly."""

    def __init__(self, *, frozen_at: float | None = None, offset_seconds: float = 0.0) -> None:
        self.frozen_at = frozen_at
        self.offset_seconds = offset_seconds

    def now(self) -> float:
        """Return the current sandbox time as Unix seconds."""
        base = self.frozen_at if self.frozen_at is not None else time.time()
        return base + self.offset_seconds

    def now_int(self) -> int:
        """Return the current sandbox time as whole Unix seconds, the unit of every TikTok time field."""
        return int(self.now())

    def advance(self, seconds: float) -> None:
        """Move the clock forward by `seconds` (negative values move it back)."""
        self.offset_seconds += seconds

    def freeze(self, at: float | None) -> None:
        """Stop the clock at `at`, or let it run again when `at` is None."""
        self.frozen_at = at
