"""In-memory state of the 3PL sandbox: accounts, shipping requests and shipments.

Everything runs on one event loop, and no method here awaits, so each method
is atomic with respect to the handlers and the shipper. That is what makes
"cancel before ship" and "ship" exclude each other without a lock.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from crossdock_sandbox.threepl.admin_models import FaultPlan, ShippingPlan
from crossdock_sandbox.threepl.models import Acknowledgement, CancellationResult, Shipment, ShippingRequest
from crossdock_sandbox.threepl.problems import AccountNotFound, ShipmentNotFound, ShippingRequestNotFound

DeliveryStatus = Literal["pending", "delivered", "rejected", "failed"]
RequestStatus = Literal["accepted", "partially_shipped", "shipped", "cancelled"]


@dataclass(kw_only=True)
class Account:
    """One 3PL account: its shared secret, the hub integration it reports to, and how it ships."""

    account_id: str
    secret: str
    hub_url: str
    integration_id: str
    carrier: str
    tracking_url_template: str
    plan: ShippingPlan
    faults: FaultPlan = field(default_factory=FaultPlan)
    request_plans: dict[str, ShippingPlan] = field(default_factory=dict)
    order_plans: dict[str, ShippingPlan] = field(default_factory=dict)

    @property
    def shipments_url(self) -> str:
        """The hub endpoint that receives this account's shipments."""
        return f"{self.hub_url.rstrip('/')}/v1/3pl/{self.integration_id}/shipments"

    def plan_for(self, request: ShippingRequest) -> ShippingPlan:
        """Pick the plan for a new request: by request_id, then by channel order id, then the account's."""
        if request.request_id in self.request_plans:
            return self.request_plans[request.request_id]
        return self.order_plans.get(request.order_ref.external_order_id, self.plan)

    def take_fault(self) -> str | None:
        """Consume one injected fault and return its mode, or None when no fault is due."""
        if self.faults.mode is None or self.faults.count == 0:
            return None
        self.faults = self.faults.model_copy(update={"count": self.faults.count - 1})
        return self.faults.mode


@dataclass(kw_only=True)
class DeliveryAttempt:
    """One POST of a shipment to the hub and what came back."""

    attempt: int
    at: datetime
    status_code: int | None
    response_body: object | None
    error: str | None
    retry_after: str | None = None


@dataclass(kw_only=True)
class ShipmentRecord:
    """One package that left the warehouse, and every attempt to report it to the hub."""

    account_id: str
    body: Shipment
    delivery: DeliveryStatus = "pending"
    attempts: list[DeliveryAttempt] = field(default_factory=list)


@dataclass(kw_only=True)
class ShippingRequestRecord:
    """A shipping request as received, with its plan, cancellation and shipments."""

    account_id: str
    request: ShippingRequest
    acknowledgement: Acknowledgement
    plan: ShippingPlan
    cancellation: CancellationResult | None = None
    cancel_reason: str | None = None
    shipments: list[ShipmentRecord] = field(default_factory=list)

    @property
    def request_id(self) -> str:
        return self.request.request_id

    @property
    def status(self) -> RequestStatus:
        """Progress of the request. A request with shipments cannot be cancelled, so `cancelled` excludes the others."""
        if self.cancellation is not None:
            return "cancelled"
        if not self.shipments:
            return "accepted"
        if any(remaining > 0 for remaining in self.remaining_quantities().values()):
            return "partially_shipped"
        return "shipped"

    def shipped_quantities(self) -> dict[str, int]:
        """Units shipped so far per line_id, over every package."""
        shipped = {line.line_id: 0 for line in self.request.lines}
        for shipment in self.shipments:
            for line in shipment.body.lines:
                shipped[line.line_id] = shipped.get(line.line_id, 0) + line.quantity
        return shipped

    def remaining_quantities(self) -> dict[str, int]:
        """Units left to ship per line_id, never below 0 even after a deliberate over-shipment."""
        shipped = self.shipped_quantities()
        return {line.line_id: max(line.quantity - shipped[line.line_id], 0) for line in self.request.lines}


class SandboxStore:
    """Accounts, shipping requests by (account_id, request_id), and shipments by shipment_id."""

    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.requests: dict[tuple[str, str], ShippingRequestRecord] = {}
        self.shipments: dict[str, ShipmentRecord] = {}

    def account(self, account_id: str) -> Account:
        """Return the account or raise AccountNotFound."""
        account = self.accounts.get(account_id)
        if account is None:
            raise AccountNotFound(
                f"account {account_id!r} is not registered; register it with PUT /_sandbox/accounts/{account_id}"
            )
        return account

    def shipping_request(self, account_id: str, request_id: str) -> ShippingRequestRecord:
        """Return the request or raise ShippingRequestNotFound."""
        record = self.requests.get((account_id, request_id))
        if record is None:
            raise ShippingRequestNotFound(f"account {account_id!r} has no shipping request {request_id!r}")
        return record

    def shipment(self, shipment_id: str) -> ShipmentRecord:
        """Return the shipment or raise ShipmentNotFound."""
        record = self.shipments.get(shipment_id)
        if record is None:
            raise ShipmentNotFound(f"no shipment {shipment_id!r}")
        return record

    def add_request(self, record: ShippingRequestRecord) -> None:
        self.requests[(record.account_id, record.request_id)] = record

    def add_shipment(self, request: ShippingRequestRecord, shipment: ShipmentRecord) -> None:
        request.shipments.append(shipment)
        self.shipments[shipment.body.shipment_id] = shipment

    def clear(self) -> None:
        """Forget every account, request and shipment."""
        self.accounts.clear()
        self.requests.clear()
        self.shipments.clear()
