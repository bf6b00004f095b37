"""Webhook delivery: signed POSTs to the subscribed address, retried until the response is HTTP 200.

TikTok signs each delivery with the `Authorization` header, the lower-case hex
HMAC-SHA256 of app key + raw body keyed with the app secret, and retries a delivery
that did not get HTTP 200 after 2 minutes, 30 minutes, 3 hours and 12 hours, then
gives up. The sandbox keeps that schedule multiplied by the marketplace time scale.
"""

import asyncio
import json
import logging
import secrets
from dataclasses import asdict, dataclass, field

import httpx

from crossdock_sandbox.tiktok.clock import SandboxClock
from crossdock_sandbox.tiktok.signing import webhook_signature
from crossdock_sandbox.tiktok.store import SandboxStore

logger = logging.getLogger(__name__)

RETRY_DELAYS_SECONDS = (120.0, 1800.0, 10800.0, 43200.0)
ATTEMPT_TIMEOUT_SECONDS = 3.0

# Numeric `type` of each topic, from the numbers of TikTok's webhook topic pages.
# NEW_MESSAGE_LISTENER has no published number, so it is sent with type 0.
EVENT_TYPE_NUMBERS = {
    "ORDER_STATUS_CHANGE": 1,
    "REVERSE_STATUS_UPDATE": 2,
    "RECIPIENT_ADDRESS_UPDATE": 3,
    "PACKAGE_UPDATE": 4,
    "PRODUCT_STATUS_CHANGE": 5,
    "SELLER_DEAUTHORIZATION": 6,
    "UPCOMING_AUTHORIZATION_EXPIRATION": 7,
    "CANCELLATION_STATUS_CHANGE": 11,
    "RETURN_STATUS_CHANGE": 12,
    "NEW_CONVERSATION": 13,
    "NEW_MESSAGE": 14,
    "PRODUCT_INFORMATION_CHANGE": 15,
    "PRODUCT_CREATION": 16,
    "PRODUCT_CATEGORY_CHANGE": 18,
    "INVOICE_STATUS_CHANGE": 36,
    "PRODUCT_AUDIT_STATUS_CHANGE": 37,
    "NEW_MESSAGE_LISTENER": 0,
}


@dataclass
class Delivery:
    """One event sent to one address, with the HTTP status of every attempt."""

    id: str
    app_key: str
    shop_id: str
    event_type: str
    address: str
    body: str
    signature: str
    attempts: list[int | str] = field(default_factory=list)
    state: str = "pending"

    def as_dict(self) -> dict:
        return asdict(self)


class WebhookDispatcher:
    def __init__(
        self,
        *,
        store: SandboxStore,
        clock: SandboxClock,
        time_scale: float,
        attempt_timeout: float = ATTEMPT_TIMEOUT_SECONDS,
    ) -> None:
        self.store = store
        self.clock = clock
        self.retry_delays = tuple(delay * time_scale for delay in RETRY_DELAYS_SECONDS)
        self.attempt_timeout = attempt_timeout
        self.deliveries: list[Delivery] = []
        self._tasks: set[asyncio.Task] = set()

    def emit(self, *, shop_id: str, event_type: str, data: dict) -> list[Delivery]:
        """Send an event to every app subscribed to `event_type` for the shop; return the deliveries started."""
        started = []
        for subscription in list(self.store.webhooks.values()):
            if subscription.shop_id != shop_id or subscription.event_type != event_type:
                continue
            app = self.store.apps.get(subscription.app_key)
            if app is None:
                continue

            payload = {
                "type": EVENT_TYPE_NUMBERS.get(event_type, 0),
                "tts_notification_id": str(secrets.randbelow(9 * 10**18) + 10**18),
                "shop_id": shop_id,
                "timestamp": self.clock.now_int(),
                "data": data,
            }
            raw_body = json.dumps(payload, separators=(",", ":"))
            signature = webhook_signature(app_key=app.app_key, app_secret=app.app_secret, raw_body=raw_body.encode())
            delivery = Delivery(
                id=payload["tts_notification_id"],
                app_key=app.app_key,
                shop_id=shop_id,
                event_type=event_type,
                address=subscription.address,
                body=raw_body,
                signature=signature,
            )
            self.deliveries.append(delivery)
            started.append(delivery)
            self._start(delivery)
        return started

    async def wait_idle(self, timeout: float = 5.0) -> None:
        """Wait until no delivery is in flight; tests call it before asserting on receipts."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    async def aclose(self) -> None:
        """Cancel deliveries still waiting for a retry."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _start(self, delivery: Delivery) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            logger.warning(
                "webhook %s for shop %s not sent: no running event loop", delivery.event_type, delivery.shop_id
            )
            delivery.state = "not_sent"
            return
        task = loop.create_task(self._deliver(delivery))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, delivery: Delivery) -> None:
        headers = {"Authorization": delivery.signature, "Content-Type": "application/json"}
        async with httpx.AsyncClient(timeout=self.attempt_timeout) as client:
            for attempt, delay in enumerate((0.0, *self.retry_delays)):
                if delay:
                    await asyncio.sleep(delay)
                try:
                    response = await client.post(delivery.address, content=delivery.body.encode(), headers=headers)
                    delivery.attempts.append(response.status_code)
                    if response.status_code == 200:
                        delivery.state = "delivered"
                        return
                except httpx.HTTPError as error:
                    delivery.attempts.append(type(error).__name__)
                logger.info(
                    "webhook %s attempt %d to %s failed: %s",
                    delivery.id,
                    attempt + 1,
                    delivery.address,
                    delivery.attempts[-1],
                )
        delivery.state = "failed"
        logger.warning(
            "webhook %s to %s given up after %d attempts", delivery.id, delivery.address, len(delivery.attempts)
        )
