"""Release rules: when Mirakl and TikTok orders become routable."""

from datetime import UTC, datetime, timedelta

import pytest
from crossdock_order_routing.domain.release import InvalidChannelStatusError, decide_release

CREATED = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def release(**overrides):
    values = {
        "channel": "tiktok",
        "channel_status": "AWAITING_SHIPMENT",
        "connector_status": "pending",
        "connector_reason": None,
        "fulfillment_type": "seller",
        "created_at": CREATED,
        "hold_minutes": 60,
        "now": CREATED + timedelta(minutes=61),
    }
    return decide_release(**{**values, **overrides})


def test_release_fbt_order_is_fulfilled_and_never_routed():
    result = release(fulfillment_type="channel", connector_status="fulfilled")

    assert result.status == "fulfilled"
    assert not result.routable


def test_release_tiktok_waits_for_hold_window():
    waiting = release(now=CREATED + timedelta(minutes=59))
    ready = release()

    assert (waiting.status, waiting.reason) == ("pending", "hold_window")
    assert waiting.routable_after == CREATED + timedelta(minutes=60)
    assert ready.routable


@pytest.mark.parametrize(
    ("channel_status", "reason"),
    [
        ("WAITING_ACCEPTANCE", "awaiting_acceptance"),
        ("STAGING", "awaiting_acceptance"),
        ("WAITING_DEBIT_PAYMENT", "awaiting_payment"),
    ],
)
def test_release_mirakl_needs_shipping_state(channel_status, reason):
    result = release(channel="mirakl", channel_status=channel_status)

    assert (result.status, result.reason) == ("pending", reason)


def test_release_mirakl_shipping_is_routable_without_hold():
    result = release(channel="mirakl", channel_status="SHIPPING", now=CREATED)

    assert result.routable


def test_release_connector_reason_and_terminal_status_win():
    pending = release(connector_reason="on_hold", channel_status="ON_HOLD")
    cancelled = release(connector_status="cancelled", channel_status="CANCELLED")

    assert (pending.status, pending.reason) == ("pending", "on_hold")
    assert cancelled.status == "cancelled"


def test_release_rejects_status_connectors_never_set():
    with pytest.raises(InvalidChannelStatusError, match="'routed'"):
        release(connector_status="routed")
