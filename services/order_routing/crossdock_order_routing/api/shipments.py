"""3PL → hub shipment intake, authenticated by the integration's shared secret instead of a bearer token."""

import json
import logging
from decimal import Decimal
from typing import Annotated, Any

from crossdock_common.auth.signatures import SIGNATURE_HEADER, verify_body_signature
from crossdock_common.service import ProblemError
from fastapi import APIRouter, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from crossdock_order_routing.api.deps import Runtime
from crossdock_order_routing.service_layer.fulfillments import (
    QuantityExceedsRemaining,
    ReportedShipment,
    ShippingRequestNotFound,
    record_shipment,
)

logger = logging.getLogger(__name__)

router = APIRouter(tags=["HTTP-3PL"])

PROBLEM = "urn:crossdock:problem:"


class ShipmentLineBody(BaseModel):
    """Units of one request line in the package."""

    model_config = ConfigDict(extra="ignore")

    line_id: Annotated[str, Field(min_length=1, max_length=128)]
    quantity: Annotated[int, Field(strict=True, gt=0)]


class ShipmentBody(BaseModel):
    """Body of a shipment post: one package of a shipping request."""

    model_config = ConfigDict(extra="ignore")

    request_id: Annotated[str, Field(min_length=1, max_length=128)]
    shipment_id: Annotated[str, Field(min_length=1, max_length=128)]
    lines: list[ShipmentLineBody] = Field(min_length=1)
    carrier: Annotated[str, Field(min_length=1, max_length=255)]
    tracking_number: Annotated[str, Field(min_length=1, max_length=128)]
    tracking_url: Annotated[str, Field(pattern=r"^https?://")] | None
    shipped_at: AwareDatetime


class ShipmentAnswer(BaseModel):
    """Response body for a recorded shipment and for a repeat of its `shipment_id`."""

    shipment_id: str
    fulfillment_id: str
    result: str = Field(description="`recorded`, or `duplicate` for a repeat that changed nothing")
    order_status: str


@router.post(
    "/v1/3pl/{integration_id}/shipments",
    response_model=ShipmentAnswer,
    responses={
        401: {"description": "missing or invalid X-Crossdock-Signature"},
        404: {"description": "unknown integration or request_id"},
        422: {"description": "invalid body, or a quantity exceeds what is left to ship"},
    },
)
async def post_shipment(integration_id: str, request: Request, runtime: Runtime) -> ShipmentAnswer:
    """Record one shipped package reported by a 3PL; a repeat of its `shipment_id` changes nothing."""
    raw = await request.body()
    secret = await _integration_secret(runtime, integration_id)
    if not verify_body_signature(raw, secret, request.headers.get(SIGNATURE_HEADER)):
        raise ProblemError(
            status=401,
            title="Invalid signature",
            type=PROBLEM + "invalid-signature",
            detail=f"{SIGNATURE_HEADER} is missing or does not match the body; sign the raw body with the "
            "integration's shared secret as sha256=<hex HMAC-SHA256>",
        )
    body = _parse(raw)
    shipment = ReportedShipment(
        request_id=body.request_id,
        shipment_id=body.shipment_id,
        lines=[(line.line_id, line.quantity) for line in body.lines],
        carrier=body.carrier,
        tracking_number=body.tracking_number,
        tracking_url=body.tracking_url,
        shipped_at=body.shipped_at,
    )
    try:
        async with runtime.pool.acquire() as connection, connection.transaction():
            outcome = await record_shipment(runtime, connection, integration_id=integration_id, shipment=shipment)
    except ShippingRequestNotFound:
        raise ProblemError(
            status=404,
            title="Shipping request not found",
            type=PROBLEM + "shipping-request-not-found",
            detail=f"integration {integration_id!r} has no shipping request {body.request_id!r}; "
            "check the request_id of the shipping request this package belongs to",
        ) from None
    except QuantityExceedsRemaining as error:
        raise ProblemError(
            status=422,
            title="Quantity exceeds what is left to ship",
            type=PROBLEM + "quantity-exceeds-remaining",
            detail=str(error),
            errors=[
                {
                    "pointer": f"#/lines/{problem.index}/quantity",
                    "field": f"lines[{problem.index}].quantity",
                    "line_id": problem.line_id,
                    "detail": problem.detail,
                }
                for problem in error.problems
            ],
        ) from None
    logger.info(
        "shipment %s %s",
        body.shipment_id,
        outcome.result,
        extra={"integration_id": integration_id, "request_id": body.request_id},
    )
    return ShipmentAnswer(
        shipment_id=body.shipment_id,
        fulfillment_id=outcome.fulfillment_id,
        result=outcome.result,
        order_status=outcome.order_status,
    )


async def _integration_secret(runtime: Runtime, integration_id: str) -> str:
    async with runtime.pool.acquire() as connection:
        encrypted = await connection.fetchval(
            "SELECT secret_encrypted FROM threepl_integrations WHERE integration_id = $1", integration_id
        )
    if encrypted is None:
        raise ProblemError(
            status=404,
            title="Integration not found",
            type=PROBLEM + "integration-not-found",
            detail=f"no HTTP-3PL integration {integration_id!r}; check the hub URL configured at the 3PL",
        )
    return runtime.secret_box.decrypt(encrypted)


def _parse(raw: bytes) -> ShipmentBody:
    try:
        data: Any = json.loads(raw, parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _invalid_body(
            f"body is not valid JSON: {error}", [{"pointer": "#", "field": "(body)", "detail": str(error)}]
        ) from None
    try:
        return ShipmentBody.model_validate(data)
    except ValidationError as error:
        errors = [
            {"pointer": _pointer(item["loc"]), "field": _dotted(item["loc"]), "detail": item["msg"]}
            for item in error.errors()
        ]
        raise _invalid_body("; ".join(f"{e['field']}: {e['detail']}" for e in errors), errors) from None


def _invalid_body(detail: str, errors: list[dict[str, str]]) -> ProblemError:
    return ProblemError(
        status=422, title="Invalid request body", type=PROBLEM + "invalid-body", detail=detail, errors=errors
    )


def _pointer(location: tuple) -> str:
    return "#" + "".join(f"/{part}" for part in location) if location else "#"


def _dotted(location: tuple) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif text:
            text += f".{part}"
        else:
            text = str(part)
    return text or "(body)"
