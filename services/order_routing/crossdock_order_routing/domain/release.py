"""When an order may be routed: the release rules per channel.

Connectors map the channel's state to a canonical status and publish orders in
routable channel states as `pending` without a reason. This module decides
what the hub does with each order: keep it pending (with the reason), route
it, or record it in a terminal status.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

TERMINAL_STATUSES = frozenset({"fulfilled", "cancelled", "refused"})
# Statuses in which routing may still run. Once routed, an order never routes again.
UNROUTED_STATUSES = frozenset({"pending", "stalled"})

MIRAKL_ROUTABLE_STATE = "SHIPPING"
MIRAKL_ACCEPTANCE_STATES = frozenset({"STAGING", "WAITING_ACCEPTANCE"})
TIKTOK_ROUTABLE_STATE = "AWAITING_SHIPMENT"
DEFAULT_HOLD_MINUTES = 60


class InvalidChannelStatusError(ValueError):
    """A connector published an order in a status that connectors never set."""

    retriable = False


@dataclass(frozen=True)
class Release:
    """Outcome of the release rules: `routable`, or a status with its reason."""

    status: str
    reason: str | None = None
    routable_after: datetime | None = None

    @property
    def routable(self) -> bool:
        return self.status == "routable"


def decide_release(
    *,
    channel: str,
    channel_status: str,
    connector_status: str,
    connector_reason: str | None,
    fulfillment_type: str,
    created_at: datetime,
    hold_minutes: int,
    now: datetime,
) -> Release:
    """Decide from the channel's view whether an order is routable now, pending, or finished."""
    if fulfillment_type == "channel":
        # Fulfilled by the channel (TikTok FBT): recorded, never routed.
        return Release(status="fulfilled", reason="fulfilled_by_channel")
    if connector_status in TERMINAL_STATUSES:
        return Release(status=connector_status, reason=connector_reason)
    if connector_status != "pending":
        raise InvalidChannelStatusError(
            f"order status {connector_status!r} from a connector is invalid; "
            "connectors publish pending, cancelled, refused or fulfilled"
        )
    if connector_reason is not None:
        return Release(status="pending", reason=connector_reason)

    if channel == "mirakl":
        if channel_status in MIRAKL_ACCEPTANCE_STATES:
            return Release(status="pending", reason="awaiting_acceptance")
        if channel_status != MIRAKL_ROUTABLE_STATE:
            return Release(status="pending", reason="awaiting_payment")
        return Release(status="routable")

    if channel_status == "UNPAID":
        return Release(status="pending", reason="awaiting_payment")
    if channel_status != TIKTOK_ROUTABLE_STATE:
        return Release(status="pending", reason="on_hold")
    # Buyers may still edit a new TikTok order, so it waits `holdMinutes` after creation.
    routable_after = created_at + timedelta(minutes=max(hold_minutes, 0))
    if now < routable_after:
        return Release(status="pending", reason="hold_window", routable_after=routable_after)
    return Release(status="routable", routable_after=routable_after)
