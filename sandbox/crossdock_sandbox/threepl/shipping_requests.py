"""The 3PL side of the HTTP-3PL contract: receive and cancel shipping requests.

The app mounts this router twice: under `/accounts/{account_id}` for any
registered account, and at the root for the default account. A hub
integration's `url` is therefore `http://<sandbox>/accounts/<account_id>`,
or the bare sandbox address for the default account.
"""

import logging
from datetime import UTC, datetime
from typing import TypeVar

from fastapi import APIRouter, status
from pydantic import BaseModel, ValidationError

from crossdock_sandbox.threepl.dependencies import HubAccountDep, SandboxDep, SignedBody
from crossdock_sandbox.threepl.models import Acknowledgement, Cancellation, CancellationResult, ShippingRequest
from crossdock_sandbox.threepl.problems import AlreadyShipped, InvalidBody, RequestIdConflict, field_errors, summarize
from crossdock_sandbox.threepl.store import ShippingRequestRecord

logger = logging.getLogger(__name__)

router = APIRouter(tags=["HTTP-3PL"])

Body = TypeVar("Body", bound=BaseModel)

PROBLEM_RESPONSES = {
    401: {"description": "Missing or invalid X-Crossdock-Signature (problem details)"},
    404: {"description": "Unknown account or request_id (problem details)"},
    422: {"description": "Body is not valid JSON or breaks the schema; `errors` names each field (problem details)"},
}


@router.post(
    "/shipping-requests",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Acknowledgement,
    responses={**PROBLEM_RESPONSES, 409: {"description": "request_id already used with different content"}},
)
async def receive_shipping_request(body: SignedBody, account: HubAccountDep, sandbox: SandboxDep) -> Acknowledgement:
    """Acknowledge a shipping request and plan its shipment; a repeat gets the first response."""
    shipping_request = parse_body(ShippingRequest, body)
    existing = sandbox.store.requests.get((account.account_id, shipping_request.request_id))
    if existing is not None:
        return repeat_acknowledgement(existing, shipping_request)

    record = ShippingRequestRecord(
        account_id=account.account_id,
        request=shipping_request,
        acknowledgement=Acknowledgement(request_id=shipping_request.request_id, received_at=datetime.now(UTC)),
        plan=account.plan_for(shipping_request),
    )
    sandbox.store.add_request(record)
    sandbox.shipper.schedule(record)
    logger.info(
        "accepted shipping request %s (order %s/%s) for account %s",
        record.request_id,
        shipping_request.order_ref.channel,
        shipping_request.order_ref.external_order_id,
        account.account_id,
    )
    return record.acknowledgement


@router.post(
    "/shipping-requests/{request_id}/cancel",
    response_model=CancellationResult,
    responses={**PROBLEM_RESPONSES, 409: {"description": "At least one package already shipped"}},
)
async def cancel_shipping_request(
    request_id: str, body: SignedBody, account: HubAccountDep, sandbox: SandboxDep
) -> CancellationResult:
    """Cancel a request that has not shipped; a repeat gets the same response, and 409 once a package shipped."""
    cancellation = parse_body(Cancellation, body) if body.strip() else Cancellation()
    record = sandbox.store.shipping_request(account.account_id, request_id)
    if record.shipments:
        shipped = ", ".join(f"{line_id} x{units}" for line_id, units in record.shipped_quantities().items() if units)
        raise AlreadyShipped(
            f"shipping request {request_id!r} already shipped ({shipped}) in {len(record.shipments)} package(s)"
        )

    if record.cancellation is None:
        record.cancellation = CancellationResult(request_id=request_id, cancelled_at=datetime.now(UTC))
        record.cancel_reason = cancellation.reason
        sandbox.shipper.unschedule(record)
        logger.info("cancelled shipping request %s for account %s", request_id, account.account_id)
    return record.cancellation


def parse_body(model: type[Body], body: bytes) -> Body:
    """Parse a JSON body into `model`, raising InvalidBody that names every bad field."""
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        entries = field_errors(error)
        raise InvalidBody(summarize(entries), errors=entries) from None


def repeat_acknowledgement(existing: ShippingRequestRecord, repeat: ShippingRequest) -> Acknowledgement:
    """Return the first response to a repeated request, or raise RequestIdConflict when its content changed."""
    if existing.request != repeat:
        raise RequestIdConflict(
            f"request_id {repeat.request_id!r} was already received with different content; "
            "send a new request_id for a new shipping request"
        )
    return existing.acknowledgement
