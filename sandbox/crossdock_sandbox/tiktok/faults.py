"""Injected faults and the per-API rate limit."""

import collections
from dataclasses import dataclass

FAULT_KINDS = ("rate_limit", "server_error", "timeout")


@dataclass
class Fault:
    """The next `remaining` calls whose path starts with `path_prefix` fail with `kind`."""

    kind: str
    remaining: int
    path_prefix: str = "/"


class FaultPlan:
    """Faults queued through the admin API, plus a fixed latency added to every API call."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.latency_seconds = 0.0

    def add(self, *, kind: str, count: int, path_prefix: str = "/") -> Fault:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {', '.join(FAULT_KINDS)}")
        if count < 1:
            raise ValueError(f"fault count must be at least 1, got {count}")
        fault = Fault(kind=kind, remaining=count, path_prefix=path_prefix)
        self.faults.append(fault)
        return fault

    def take(self, path: str) -> str | None:
        """Consume one matching fault and return its kind, or None when the call should run normally."""
        for fault in self.faults:
            if path.startswith(fault.path_prefix) and fault.remaining > 0:
                fault.remaining -= 1
                kind = fault.kind
                self.faults = [queued for queued in self.faults if queued.remaining > 0]
                return kind
        return None

    def clear(self) -> None:
        self.faults.clear()
        self.latency_seconds = 0.0


class RateLimiter:
    """A sliding-window limit of `limit` calls per window for each (app, shop, API) key.

    TikTok allows 50 requests per second per API, counted per app and shop; the window
    is one second multiplied by the marketplace time scale.
    """

    def __init__(self, *, limit: int, window_seconds: float) -> None:
        if limit < 1:
            raise ValueError(f"rate limit must be at least 1 call, got {limit}")
        if window_seconds <= 0:
            raise ValueError(f"rate-limit window must be positive, got {window_seconds}")
        self.limit = limit
        self.window_seconds = window_seconds
        self._calls: dict[tuple, collections.deque[float]] = collections.defaultdict(collections.deque)

    def check(self, key: tuple, now: float) -> float | None:
        """Record a call and return None, or return the seconds to wait when the key is over its limit."""
        calls = self._calls[key]
        while calls and calls[0] <= now - self.window_seconds:
            calls.popleft()

        if len(calls) >= self.limit:
            return max(calls[0] + self.window_seconds - now, 0.0)
        calls.append(now)
        return None
