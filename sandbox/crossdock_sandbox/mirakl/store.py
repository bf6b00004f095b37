"""In-memory state of one sandbox instance and the timers that move it on."""

import logging
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from crossdock_sandbox.mirakl.clock import SandboxClock
from crossdock_sandbox.mirakl.imports import apply_import
from crossdock_sandbox.mirakl.models import ApiKey, ImportJob, Offer, Product, Shipment, Shop
from crossdock_sandbox.mirakl.orders import OrderRecord
from crossdock_sandbox.mirakl.ratelimits import RateLimiter
from crossdock_sandbox.mirakl.settings import SandboxSettings

logger = logging.getLogger(__name__)

ORDER_ACCEPTANCE_MODES = ("AUTOMATIC", "NOT_AUTOMATIC", "BOTH")


@dataclass(kw_only=True)
class PlatformFlags:
    """The PC01 switches that change how the sandbox behaves."""

    order_acceptance: str = "NOT_AUTOMATIC"
    multi_shipment: bool = False
    multi_part_item_shipment: bool = False
    shipping_and_billing_details_before_acceptance: bool = False
    order_tax_mode: str = "TAX_EXCLUDED"
    offer_prices_decimals: str = "2"
    operator_csv_delimiter: str = "SEMICOLON"


@dataclass(kw_only=True)
class FaultPlan:
    """Injected failures: the next `count` matching API calls fail with `kind`."""

    kind: str  # "429", "500" or "timeout"
    count: int
    path_prefix: str = "/api/"
    method: str | None = None
    retry_after_seconds: int = 1


@dataclass
class RequestLogEntry:
    sequence: int
    at: str
    method: str
    path: str
    query: dict[str, list[str]]
    body: str
    status: int
    operation: str | None = None
    shop_id: int | None = None


@dataclass
class FaultState:
    plans: list[FaultPlan] = field(default_factory=list)
    latency_seconds: float = 0.0


class SandboxStore:
    """All data of one sandbox instance. Each app owns its own store."""

    def __init__(self, *, settings: SandboxSettings, clock: SandboxClock | None = None):
        self.settings = settings
        self.clock = clock or SandboxClock()
        self.limiter = RateLimiter(time_scale=settings.time_scale)
        self.limiter.enabled = settings.rate_limits_enabled
        self.faults = FaultState()
        self.request_log: list[RequestLogEntry] = []
        self.clear()

    def clear(self, *, seed: int = 0) -> None:
        """Drop all data (the request log and faults too) and restart id generation from `seed`."""
        self.seed = seed
        self.random = random.Random(seed)
        self.platform = PlatformFlags()
        self.shops: dict[int, Shop] = {}
        self.api_keys: dict[str, ApiKey] = {}
        self.products: dict[str, Product] = {}
        self.offers: dict[int, dict[str, Offer]] = {}
        self.orders: dict[int, dict[str, OrderRecord]] = {}
        self.shipments: dict[str, Shipment] = {}
        self.imports: dict[str, ImportJob] = {}
        self.carriers: list[dict] = []
        self.reasons: dict[str, list[dict]] = {}
        self.shipping_types: dict[str, dict] = {}
        self.request_log.clear()
        self.faults = FaultState()
        self.limiter.reset()
        self._sequence = 0
        self._offer_id = 2000
        self._import_number = 1000
        self._generated_order_number = 0
        self._orders_by_creation: dict[int, list[OrderRecord]] = {}

    # --- ids ---------------------------------------------------------------

    def next_sequence(self) -> int:
        self._sequence += 1
        return self._sequence

    def next_offer_id(self) -> int:
        self._offer_id += 1
        return self._offer_id

    def next_import_number(self) -> int:
        self._import_number += 1
        return self._import_number

    def next_generated_order_number(self) -> int:
        self._generated_order_number += 1
        return self._generated_order_number

    def new_uuid(self) -> str:
        """Return a UUID drawn from the seeded generator, so ids repeat run after run."""
        return str(uuid.UUID(int=self.random.getrandbits(128), version=4))

    # --- lookups -----------------------------------------------------------

    def shop_orders(self, shop_id: int) -> dict[str, OrderRecord]:
        return self.orders.setdefault(shop_id, {})

    def shop_offers(self, shop_id: int) -> dict[str, Offer]:
        return self.offers.setdefault(shop_id, {})

    def find_order(self, shop_id: int, order_id: str) -> OrderRecord | None:
        return self.shop_orders(shop_id).get(order_id)

    def add_order(self, shop_id: int, payload: dict) -> OrderRecord:
        if shop_id not in self.shops:
            raise ValueError(f"shop_id={shop_id} is not a sandbox shop; seed it first")
        if not payload.get("order_id") or not payload.get("order_state"):
            raise ValueError("an order payload needs order_id and order_state")
        record = OrderRecord(
            shop_id=shop_id, payload=payload, entered_state_at=self.clock.monotonic(), sequence=self.next_sequence()
        )
        orders = self.shop_orders(shop_id)
        replaced = record.order_id in orders
        orders[record.order_id] = record
        self._index_by_creation(shop_id, record, replaced=replaced)
        return record

    def orders_by_creation(self, shop_id: int) -> list[OrderRecord]:
        """Return the shop's orders sorted by creation date, then id; callers must not change the list.

        OR11 reads this on every page, so the sorted list is kept between calls.
        Creation dates never change, and only add_order adds orders.
        """
        ordered = self._orders_by_creation.get(shop_id)
        if ordered is None:
            ordered = sorted(self.shop_orders(shop_id).values(), key=_creation_key)
            self._orders_by_creation[shop_id] = ordered
        return ordered

    def _index_by_creation(self, shop_id: int, record: OrderRecord, *, replaced: bool) -> None:
        ordered = self._orders_by_creation.get(shop_id)
        if ordered is None:
            return
        # New orders usually sort last, so appending keeps the list sorted without a full sort.
        if not replaced and (not ordered or _creation_key(ordered[-1]) <= _creation_key(record)):
            ordered.append(record)
        else:
            del self._orders_by_creation[shop_id]

    # --- timers ------------------------------------------------------------

    def tick(self) -> None:
        """Apply every automatic step that is due: acceptance, refusal, debit and import jobs."""
        now_mono = self.clock.monotonic()
        now = self.clock.now()
        # Every request runs this over every order, so the common case (no timer due) is one comparison.
        waits = self._timer_waits()
        for orders in self.orders.values():
            for record in list(orders.values()):
                wait = waits.get(record.state)
                if wait is not None and now_mono - record.entered_state_at >= wait:
                    self._advance_order(record, now_mono, now)

        for job in self.imports.values():
            if not job.applied and now_mono >= job.done_at:
                apply_import(self, job)

    def _timer_waits(self) -> dict[str, float]:
        """Return, per order state, the shortest time in that state after which _advance_order may move an order."""
        settings = self.settings
        acceptance = settings.acceptance_deadline_seconds
        if self.platform.order_acceptance == "AUTOMATIC":
            acceptance = min(acceptance, settings.auto_accept_after_seconds)
        waits = {"WAITING_ACCEPTANCE": acceptance, "WAITING_DEBIT": settings.debit_request_after_seconds}
        if settings.auto_debit_after_seconds is not None:
            waits["WAITING_DEBIT_PAYMENT"] = settings.auto_debit_after_seconds
        return waits

    def _advance_order(self, record: OrderRecord, now_mono: float, now: datetime) -> None:
        settings = self.settings
        waited = now_mono - record.entered_state_at

        if record.state == "WAITING_ACCEPTANCE":
            if self.platform.order_acceptance == "AUTOMATIC" and waited >= settings.auto_accept_after_seconds:
                decisions = {str(line["order_line_id"]): True for line in record.lines}
                record.decide_acceptance(decisions, now=now, monotonic=now_mono, automatic=True)
                logger.info(
                    "order accepted by the platform", extra={"order_id": record.order_id, "shop_id": record.shop_id}
                )
            elif waited >= settings.acceptance_deadline_seconds:
                decisions = {str(line["order_line_id"]): False for line in record.lines}
                record.decide_acceptance(decisions, now=now, monotonic=now_mono, automatic=True)
                logger.info(
                    "order refused after the acceptance deadline",
                    extra={"order_id": record.order_id, "shop_id": record.shop_id},
                )
        elif record.state == "WAITING_DEBIT" and waited >= settings.debit_request_after_seconds:
            record.move_to("WAITING_DEBIT_PAYMENT", now=now, monotonic=now_mono)
        elif record.state == "WAITING_DEBIT_PAYMENT" and settings.auto_debit_after_seconds is not None:
            if waited >= settings.auto_debit_after_seconds:
                record.move_to("SHIPPING", now=now, monotonic=now_mono)


def _creation_key(record: OrderRecord) -> tuple:
    return (record.created_at, record.order_id)
