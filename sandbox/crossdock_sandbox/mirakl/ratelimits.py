"""Call-frequency limits of the seller API, enforced per shop with 429 and Retry-After.

The windows are the "Maximum usage" values that Mirakl's seller OpenAPI
publishes per operation. List operations count poll cycles: a cycle starts
with the first page of a walk (offset 0, the first id chunk, or a seek request
without a page token) and the follow-up pages of that cycle count with it. A
cycle that starts before the operation's window has passed gets 429, and
follow-up pages are limited to 10 per second. Every window is multiplied by
the marketplace time scale.
"""

from collections import deque
from dataclasses import dataclass, field

from crossdock_sandbox.mirakl.errors import RateLimited

MINUTE = 60.0
DAY = 86_400.0

# Minimum seconds between two calls (or two cycles, for list operations).
# Operations whose published maximum is "per event" or "per page view" have no
# numeric window and are absent here.
CALL_INTERVALS: dict[str, float] = {
    "A01": DAY,
    "OR11": MINUTE,
    "OF24": MINUTE,
    "STO01": MINUTE,
    "STO02": 15.0,
    "STO03": MINUTE,
    "P41": 15 * MINUTE,
    "P42": MINUTE,
    "SH21": DAY,
}

# List operations counted by poll cycle; OF21 and ST11 publish no numeric
# maximum, so only their follow-up pages are limited.
CYCLE_OPERATIONS = frozenset({"OR11", "OF21", "ST11"})

FOLLOW_UP_LIMIT = 10
FOLLOW_UP_WINDOW = 1.0
# A cycle with no request for this long is over even if its window is not.
CYCLE_IDLE_GAP = 10.0


@dataclass(kw_only=True)
class PageRequest:
    """The parts of one list request that decide its poll cycle."""

    walk_signature: tuple
    is_first_page: bool
    ids: frozenset[str] = frozenset()


@dataclass
class _CycleState:
    started_at: float | None = None
    last_request_at: float = 0.0
    walks: set[tuple] = field(default_factory=set)
    ids_seen: set[str] = field(default_factory=set)
    follow_ups: deque = field(default_factory=deque)


class RateLimiter:
    """Per-(shop, operation) call-frequency bookkeeping."""

    def __init__(self, *, time_scale: float, intervals: dict[str, float] | None = None):
        if time_scale <= 0:
            raise ValueError(f"time_scale={time_scale!r} must be a positive factor")
        self.time_scale = time_scale
        self.intervals = dict(CALL_INTERVALS if intervals is None else intervals)
        self.enabled = True
        self._last_call: dict[tuple[int, str], float] = {}
        self._cycles: dict[tuple[int, str], _CycleState] = {}

    def reset(self) -> None:
        self._last_call.clear()
        self._cycles.clear()

    def scaled(self, seconds: float) -> float:
        return seconds * self.time_scale

    def check_call(self, *, shop_id: int, operation: str, now: float) -> None:
        """Count one call of a non-list operation, raising RateLimited when it comes too early."""
        interval = self.intervals.get(operation)
        if not self.enabled or not interval:
            return

        window = self.scaled(interval)
        key = (shop_id, operation)
        last = self._last_call.get(key)
        if last is not None and now - last < window:
            raise RateLimited(
                operation=operation, retry_after=window - (now - last), reason=f"at most one call every {window:g} s"
            )

        self._last_call[key] = now

    def check_page(self, *, shop_id: int, operation: str, page: PageRequest, now: float) -> None:
        """Count one page of a list operation within its poll cycle."""
        if not self.enabled:
            return

        state = self._cycles.setdefault((shop_id, operation), _CycleState())
        if self._is_follow_up(state, operation, page, now):
            self._count_follow_up(state, operation, now)
            state.walks.add(page.walk_signature)
            state.ids_seen |= page.ids
            state.last_request_at = now
            return

        window = self.scaled(self.intervals.get(operation, 0.0))
        if state.started_at is not None and now - state.started_at < window:
            remaining = window - (now - state.started_at)
            raise RateLimited(
                operation=operation, retry_after=remaining, reason=f"a new poll cycle may start once every {window:g} s"
            )

        state.started_at = now
        state.last_request_at = now
        state.walks = {page.walk_signature}
        state.ids_seen = set(page.ids)
        state.follow_ups.clear()

    def _is_follow_up(self, state: _CycleState, operation: str, page: PageRequest, now: float) -> bool:
        if state.started_at is None:
            return False
        lifetime = max(self.scaled(self.intervals.get(operation, 0.0)), self.scaled(CYCLE_IDLE_GAP))
        if now - state.started_at >= lifetime or now - state.last_request_at > self.scaled(CYCLE_IDLE_GAP):
            return False
        if not page.is_first_page:
            return True
        if page.ids:
            # The next chunk of an id list continues the cycle; asking again
            # for ids already fetched starts a new one.
            return not (page.ids & state.ids_seen)
        # A walk restarted from its first page is a new poll; a first page of
        # a different filter belongs to the same poll.
        return page.walk_signature not in state.walks

    def _count_follow_up(self, state: _CycleState, operation: str, now: float) -> None:
        window = self.scaled(FOLLOW_UP_WINDOW)
        while state.follow_ups and now - state.follow_ups[0] >= window:
            state.follow_ups.popleft()
        if len(state.follow_ups) >= FOLLOW_UP_LIMIT:
            retry_after = window - (now - state.follow_ups[0])
            raise RateLimited(
                operation=operation,
                retry_after=retry_after,
                reason=f"at most {FOLLOW_UP_LIMIT} follow-up pages every {window:g} s",
            )
        state.follow_ups.append(now)
