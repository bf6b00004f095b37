"""Admin endpoints under `/_sandbox/`: accounts, plans, faults, manual shipments, the log and reset.

They take no signature, because only tests and operators call them. Keep the
sandbox off any network that a stranger can reach.
"""

from datetime import datetime

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from crossdock_sandbox.threepl.admin_models import (
    AccountConfig,
    AccountView,
    FaultPlan,
    PlanOverride,
    ShipAction,
    ShippingPlan,
)
from crossdock_sandbox.threepl.dependencies import SandboxDep
from crossdock_sandbox.threepl.journal import Direction, JournalEntry
from crossdock_sandbox.threepl.models import Shipment, ShippingRequest
from crossdock_sandbox.threepl.problems import ShipmentNotFound
from crossdock_sandbox.threepl.store import Account, ShipmentRecord, ShippingRequestRecord

router = APIRouter(prefix="/_sandbox", tags=["sandbox admin"])


class DeliveryAttemptView(BaseModel):
    """One post of a shipment to the hub."""

    attempt: int
    at: datetime
    status_code: int | None
    response_body: object | None
    error: str | None


class ShipmentView(Shipment):
    """A shipment as posted, with its delivery status and every attempt."""

    account_id: str
    delivery: str
    attempts: list[DeliveryAttemptView]


class LineProgress(BaseModel):
    """Ordered, shipped and remaining units of one request line."""

    line_id: str
    sku: str
    quantity: int
    shipped: int
    remaining: int


class ShippingRequestView(BaseModel):
    """A shipping request with its plan, progress and shipments."""

    account_id: str
    request_id: str
    status: str
    received_at: datetime
    cancelled_at: datetime | None
    cancel_reason: str | None
    plan: ShippingPlan
    lines: list[LineProgress]
    request: ShippingRequest
    shipments: list[ShipmentView]


# Accounts


@router.get("/accounts", response_model=list[AccountView])
async def list_accounts(sandbox: SandboxDep) -> list[AccountView]:
    """List the registered accounts, without their secrets."""
    return [account_view(account) for account in sandbox.store.accounts.values()]


@router.put("/accounts/{account_id}", response_model=AccountView)
async def register_account(account_id: str, config: AccountConfig, sandbox: SandboxDep) -> AccountView:
    """Create or replace an account: its shared secret, hub URL, integration id, carrier and plan."""
    return account_view(sandbox.register_account(account_id, config))


@router.get("/accounts/{account_id}", response_model=AccountView)
async def get_account(account_id: str, sandbox: SandboxDep) -> AccountView:
    """Show one account, without its secret."""
    return account_view(sandbox.store.account(account_id))


@router.delete("/accounts/{account_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_account(account_id: str, sandbox: SandboxDep) -> None:
    """Remove an account; its hub calls then get 404 until it is registered again."""
    sandbox.store.account(account_id)
    del sandbox.store.accounts[account_id]


@router.put("/accounts/{account_id}/plan", response_model=AccountView)
async def set_plan(account_id: str, plan: ShippingPlan, sandbox: SandboxDep) -> AccountView:
    """Set the shipping plan of requests that arrive from now on."""
    account = sandbox.store.account(account_id)
    account.plan = plan
    return account_view(account)


@router.post("/accounts/{account_id}/plan-overrides", response_model=AccountView)
async def add_plan_override(account_id: str, override: PlanOverride, sandbox: SandboxDep) -> AccountView:
    """Give one future request its own plan, chosen by request_id or by channel order id."""
    account = sandbox.store.account(account_id)
    if override.request_id is not None:
        account.request_plans[override.request_id] = override.plan
    else:
        account.order_plans[override.external_order_id] = override.plan
    return account_view(account)


@router.put("/accounts/{account_id}/faults", response_model=FaultPlan)
async def set_faults(account_id: str, faults: FaultPlan, sandbox: SandboxDep) -> FaultPlan:
    """Replace the fault plan: the next `count` hub calls fail in `mode`, each after `latency_seconds`."""
    account = sandbox.store.account(account_id)
    account.faults = faults
    return account.faults


@router.get("/accounts/{account_id}/faults", response_model=FaultPlan)
async def get_faults(account_id: str, sandbox: SandboxDep) -> FaultPlan:
    """Show the fault plan, with `count` lowered by every fault already served."""
    return sandbox.store.account(account_id).faults


# Shipping requests and shipments


@router.get("/accounts/{account_id}/shipping-requests", response_model=list[ShippingRequestView])
async def list_shipping_requests(account_id: str, sandbox: SandboxDep) -> list[ShippingRequestView]:
    """List the account's shipping requests in arrival order."""
    sandbox.store.account(account_id)
    records = [record for (owner, _), record in sandbox.store.requests.items() if owner == account_id]
    return [request_view(record) for record in records]


@router.get("/accounts/{account_id}/shipping-requests/{request_id}", response_model=ShippingRequestView)
async def get_shipping_request(account_id: str, request_id: str, sandbox: SandboxDep) -> ShippingRequestView:
    """Show one shipping request with its progress and shipments."""
    return request_view(sandbox.store.shipping_request(account_id, request_id))


@router.post("/accounts/{account_id}/shipping-requests/{request_id}/ship", response_model=list[ShipmentView])
async def ship_request(
    account_id: str, request_id: str, sandbox: SandboxDep, action: ShipAction | None = None
) -> list[ShipmentView]:
    """Ship now (no body: every unit left) or partially (`lines`), and respond once the hub has responded."""
    action = action or ShipAction()
    record = sandbox.store.shipping_request(account_id, request_id)

    shipments = await sandbox.shipper.ship_now(
        record, lines=action.lines, packages=action.packages, allow_over_ship=action.allow_over_ship
    )
    return [shipment_view(shipment) for shipment in shipments]


@router.get("/shipments", response_model=list[ShipmentView])
async def list_shipments(
    sandbox: SandboxDep, account_id: str | None = None, request_id: str | None = None
) -> list[ShipmentView]:
    """List shipments in creation order, optionally for one account or request."""
    return [
        shipment_view(shipment)
        for shipment in sandbox.store.shipments.values()
        if (account_id is None or shipment.account_id == account_id)
        and (request_id is None or shipment.body.request_id == request_id)
    ]


@router.post("/shipments/{shipment_id}/resend", response_model=ShipmentView)
async def resend_shipment(shipment_id: str, sandbox: SandboxDep) -> ShipmentView:
    """Post a shipment to the hub again with the same shipment_id, to test the hub's de-duplication."""
    shipment = sandbox.store.shipment(shipment_id)
    await sandbox.shipper.resend(shipment)
    return shipment_view(shipment)


@router.get("/tracking/{tracking_number}", response_model=ShipmentView)
async def track(tracking_number: str, sandbox: SandboxDep) -> ShipmentView:
    """Stand in for a carrier tracking page: the shipment that carries this tracking number."""
    for shipment in sandbox.store.shipments.values():
        if shipment.body.tracking_number == tracking_number:
            return shipment_view(shipment)
    raise ShipmentNotFound(f"no shipment has tracking number {tracking_number!r}")


# Log and reset


@router.get("/log", response_model=list[JournalEntry])
async def read_log(
    sandbox: SandboxDep,
    direction: Direction | None = None,
    account_id: str | None = None,
    request_id: str | None = None,
    shipment_id: str | None = None,
    after_seq: int = Query(0, ge=0, description="Only entries with a larger `seq`, to read the log incrementally."),
) -> list[JournalEntry]:
    """List every hub call received and every shipment post sent, with the responses, oldest first."""
    return sandbox.journal.entries(
        direction=direction, account_id=account_id, request_id=request_id, shipment_id=shipment_id, after_seq=after_seq
    )


@router.post("/reset", status_code=status.HTTP_204_NO_CONTENT)
async def reset(sandbox: SandboxDep) -> None:
    """Stop pending shipments, forget all state and the log, and register the default account again."""
    await sandbox.reset()


def account_view(account: Account) -> AccountView:
    return AccountView(
        account_id=account.account_id,
        hub_url=account.hub_url,
        integration_id=account.integration_id,
        shipments_url=account.shipments_url,
        carrier=account.carrier,
        tracking_url_template=account.tracking_url_template,
        plan=account.plan,
        request_plans=account.request_plans,
        order_plans=account.order_plans,
    )


def shipment_view(shipment: ShipmentRecord) -> ShipmentView:
    attempts = [
        DeliveryAttemptView(
            attempt=attempt.attempt,
            at=attempt.at,
            status_code=attempt.status_code,
            response_body=attempt.response_body,
            error=attempt.error,
        )
        for attempt in shipment.attempts
    ]
    return ShipmentView(
        **shipment.body.model_dump(), account_id=shipment.account_id, delivery=shipment.delivery, attempts=attempts
    )


def request_view(record: ShippingRequestRecord) -> ShippingRequestView:
    shipped = record.shipped_quantities()
    remaining = record.remaining_quantities()
    lines = [
        LineProgress(
            line_id=line.line_id,
            sku=line.sku,
            quantity=line.quantity,
            shipped=shipped[line.line_id],
            remaining=remaining[line.line_id],
        )
        for line in record.request.lines
    ]
    return ShippingRequestView(
        account_id=record.account_id,
        request_id=record.request_id,
        status=record.status,
        received_at=record.acknowledgement.received_at,
        cancelled_at=record.cancellation.cancelled_at if record.cancellation else None,
        cancel_reason=record.cancel_reason,
        plan=record.plan,
        lines=lines,
        request=record.request,
        shipments=[shipment_view(shipment) for shipment in record.shipments],
    )
