"""Event API: per-shop webhook subscriptions.

Real TikTok accepts only https addresses on a domain. The sandbox also accepts
http on loopback hosts, so tests can receive webhooks locally.
"""

from urllib.parse import urlsplit

from fastapi import APIRouter

from crossdock_sandbox.tiktok import errors
from crossdock_sandbox.tiktok.gateway import ShopCall
from crossdock_sandbox.tiktok.store import WebhookSubscription
from crossdock_sandbox.tiktok.webhooks import EVENT_TYPE_NUMBERS

router = APIRouter(tags=["event"])

ADDRESS_MAX_LENGTH = 255
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@router.get("/event/202309/webhooks")
async def get_shop_webhooks(call: ShopCall) -> dict:
    """List this app's webhook subscriptions for the shop."""
    shop = call.require_shop()
    subscriptions = [
        s for s in call.runtime.store.webhooks.values() if s.shop_id == shop.id and s.app_key == call.app.app_key
    ]
    webhooks = [
        {"event_type": s.event_type, "address": s.address, "create_time": s.create_time, "update_time": s.update_time}
        for s in subscriptions
    ]
    return errors.envelope({"webhooks": webhooks, "total_count": len(webhooks)})


@router.put("/event/202309/webhooks")
async def update_shop_webhook(call: ShopCall) -> dict:
    """Set the address that receives one event type for the shop."""
    body = call.json_body()
    event_type = _event_type(body)
    address = body.get("address")
    _check_address(address)

    shop = call.require_shop()
    key = (call.app.app_key, shop.id, event_type)
    existing = call.runtime.store.webhooks.get(key)
    created = existing.create_time if existing else call.now
    call.runtime.store.webhooks[key] = WebhookSubscription(
        app_key=call.app.app_key,
        shop_id=shop.id,
        event_type=event_type,
        address=address,
        create_time=created,
        update_time=call.now,
    )
    return errors.envelope({})


@router.delete("/event/202309/webhooks")
async def delete_shop_webhook(call: ShopCall) -> dict:
    """Remove the subscription of one event type for the shop."""
    event_type = _event_type(call.json_body())
    call.runtime.store.webhooks.pop((call.app.app_key, call.require_shop().id, event_type), None)
    return errors.envelope({})


def _event_type(body: dict) -> str:
    event_type = body.get("event_type")
    if event_type not in EVENT_TYPE_NUMBERS:
        raise errors.TikTokApiError(errors.INVALID_COMMON_PARAMETER, f"Invalid event_type {event_type!r}")
    return event_type


def _check_address(address) -> None:
    if not isinstance(address, str) or not address or len(address) > ADDRESS_MAX_LENGTH:
        raise errors.TikTokApiError(
            errors.INVALID_COMMON_PARAMETER, f"The address must be a URL of at most {ADDRESS_MAX_LENGTH} characters"
        )
    parts = urlsplit(address)
    loopback = parts.hostname in LOOPBACK_HOSTS
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and loopback:
        return
    raise errors.TikTokApiError(
        errors.INVALID_COMMON_PARAMETER,
        f"The address {address!r} must use https (plain http is accepted only on loopback hosts)",
    )
