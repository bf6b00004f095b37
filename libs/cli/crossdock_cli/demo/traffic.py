"""Demo data on the sandboxes: the shared demo catalog up front, then a steady stream of orders.

These calls go to the sandboxes' `/_sandbox/` admin APIs, which stand in for
sellers listing products and buyers placing orders. The hub reads the results
only through the marketplace APIs.
"""

import logging
import threading
from collections import Counter
from collections.abc import Callable

import httpx

from crossdock_cli.stack import StackConfig

logger = logging.getLogger(__name__)

MIRAKL_SHOP_ID = 2001
# Seconds Mirakl gives a seller to accept an order; short so the demo shows deadlines moving.
DEMO_ACCEPTANCE_DEADLINE_SECONDS = 900
# Every this many TikTok orders, one is fulfilled by TikTok (FBT): recorded, never routed.
FBT_EVERY = 5


def _check(response: httpx.Response, what: str) -> dict:
    if response.status_code >= 400:
        raise RuntimeError(f"{what}: {response.request.url} responded {response.status_code}: {response.text[:300]}")
    return response.json()


def seed_sandboxes(config: StackConfig, http: httpx.Client, say: Callable[[str], None]) -> None:
    """Load the demo catalog on both marketplaces and set the sandbox timers for a quick demo."""
    mirakl = _check(
        http.post(
            config.url("sandbox_mirakl") + "/_sandbox/catalog", json={"shop_id": MIRAKL_SHOP_ID, "replace": True}
        ),
        "load the demo catalog on the Mirakl sandbox",
    )
    _check(
        http.patch(
            config.url("sandbox_mirakl") + "/_sandbox/settings",
            json={"auto_debit_after_seconds": 1, "acceptance_deadline_seconds": DEMO_ACCEPTANCE_DEADLINE_SECONDS},
        ),
        "set the Mirakl sandbox timers",
    )
    tiktok = _check(
        http.post(config.url("sandbox_tiktok") + "/_sandbox/catalog", json={}),
        "load the demo catalog on the TikTok sandbox",
    )
    say(f"sandboxes seeded: Mirakl {_describe(mirakl)}; TikTok {_describe(tiktok)}")


def _describe(counts: dict) -> str:
    shown = {key: value for key, value in counts.items() if isinstance(value, int)}
    return ", ".join(f"{value} {key}" for key, value in shown.items()) or "done"


class OrderStream(threading.Thread):
    """Place one order on each marketplace every `interval` seconds until stopped.

    A failed placement is logged and counted, never fatal: the demo keeps
    running and the summary shows the count.
    """

    def __init__(
        self, config: StackConfig, *, tiktok_shop_id: str, interval: float, stopping: threading.Event | None = None
    ) -> None:
        super().__init__(name="demo-order-stream", daemon=True)
        self.config = config
        self.tiktok_shop_id = tiktok_shop_id
        self.interval = interval
        self.placed: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self._stop_requested = stopping or threading.Event()

    def stop(self) -> None:
        self._stop_requested.set()

    def run(self) -> None:
        with httpx.Client(timeout=10) as http:
            number = 0
            while not self._stop_requested.is_set():
                number += 1
                self._place(http, "mirakl", self._mirakl_order, number)
                self._place(http, "tiktok", self._tiktok_order, number)
                self._stop_requested.wait(self.interval)

    def _place(self, http: httpx.Client, channel: str, place: Callable[[httpx.Client, int], None], number: int) -> None:
        try:
            place(http, number)
            self.placed[channel] += 1
        except (httpx.HTTPError, RuntimeError) as error:
            if self._stop_requested.is_set():
                return
            self.failures[channel] += 1
            logger.warning("placing a %s demo order failed: %s", channel, error)

    def _mirakl_order(self, http: httpx.Client, number: int) -> None:
        _check(
            http.post(
                self.config.url("sandbox_mirakl") + "/_sandbox/orders/generate",
                json={"shop_id": MIRAKL_SHOP_ID, "count": 1, "state": "WAITING_ACCEPTANCE", "seed": number},
            ),
            "place a Mirakl order",
        )

    def _tiktok_order(self, http: httpx.Client, number: int) -> None:
        fulfillment = "FULFILLMENT_BY_TIKTOK" if number % FBT_EVERY == 0 else "FULFILLMENT_BY_SELLER"
        _check(
            http.post(
                self.config.url("sandbox_tiktok") + "/_sandbox/orders/generate",
                json={
                    "shop_id": self.tiktok_shop_id,
                    "count": 1,
                    "status": "AWAITING_SHIPMENT",
                    "fulfillment_type": fulfillment,
                    "seed": number,
                    "notify": True,
                },
            ),
            "place a TikTok order",
        )
