"""Order operations: OR11 list, OR21 accept or refuse, OR23 tracking, OR24 ship, OR29 and OR30 cancel."""

from collections.abc import Callable
from datetime import timedelta

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict

from crossdock_sandbox.mirakl.api.deps import Store, caller, parse_bool, parse_int
from crossdock_sandbox.mirakl.clock import format_datetime, parse_datetime
from crossdock_sandbox.mirakl.errors import bad_request, not_found
from crossdock_sandbox.mirakl.order_factory import money
from crossdock_sandbox.mirakl.orders import ORDER_STATES, OrderRecord, line_cancelation, state_error

router = APIRouter(prefix="/api")

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 10
MAX_LIST_VALUES = 100


class LenientModel(BaseModel):
    # Mirakl's own examples send numbers as strings and codes as numbers.
    model_config = ConfigDict(coerce_numbers_to_str=True, extra="allow")


def _comma_list(request: Request, name: str) -> list[str]:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return []
    values = [value.strip() for value in raw.split(",") if value.strip()]
    if len(values) > MAX_LIST_VALUES:
        raise bad_request(f"The limit of {MAX_LIST_VALUES} is exceeded for the parameter : {name}")
    return values


def _date_param(request: Request, name: str):
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_datetime(raw)
    except ValueError:
        raise bad_request(f"The parameter {name} must be an ISO 8601 date-time, got '{raw}'.") from None


def _filter_checks(filters: dict) -> list[Callable[[OrderRecord], bool]]:
    """Turn the OR11 filters into one check per filter that is set, so unset filters cost nothing per order."""
    checks: list[Callable[[OrderRecord], bool]] = []
    if filters["ids"]:
        checks.append(lambda record: record.order_id in filters["ids"])
    if filters["states"]:
        checks.append(lambda record: record.state in filters["states"])
    if filters["customer_refs"]:
        checks.append(lambda record: _reference(record, "order_reference_for_customer") in filters["customer_refs"])
    if filters["seller_refs"]:
        checks.append(lambda record: _reference(record, "order_reference_for_seller") in filters["seller_refs"])
    if filters["only_null_channel"]:
        checks.append(lambda record: _channel_code(record) is None)
    elif filters["channels"]:
        checks.append(lambda record: _channel_code(record) in filters["channels"])
    if filters["centers"]:
        checks.append(lambda record: _center_code(record) in filters["centers"])
    if filters["payment_workflow"]:
        checks.append(lambda record: record.payload.get("payment_workflow") == filters["payment_workflow"])
    if filters["customer_debited"] is not None:
        checks.append(lambda record: bool(record.payload.get("customer_debited_date")) == filters["customer_debited"])
    if filters["has_incident"] is not None:
        checks.append(lambda record: bool(record.payload.get("has_incident")) == filters["has_incident"])
    if filters["start_date"]:
        checks.append(lambda record: record.created_at >= filters["start_date"])
    if filters["end_date"]:
        checks.append(lambda record: record.created_at <= filters["end_date"])
    if filters["start_update_date"]:
        checks.append(lambda record: record.updated_at >= filters["start_update_date"])
    if filters["end_update_date"]:
        checks.append(lambda record: record.updated_at <= filters["end_update_date"])
    return checks


def _passes(record: OrderRecord, checks: list[Callable[[OrderRecord], bool]]) -> bool:
    # A plain loop: OR11 calls this for every order of the shop on every page, and all() over a generator is slower.
    for check in checks:
        if not check(record):
            return False
    return True


def _reference(record: OrderRecord, name: str) -> str | None:
    return (record.payload.get("references") or {}).get(name)


def _channel_code(record: OrderRecord) -> str | None:
    return (record.payload.get("channel") or {}).get("code")


def _center_code(record: OrderRecord) -> str | None:
    return ((record.payload.get("fulfillment") or {}).get("center") or {}).get("code")


def _read_filters(request: Request, store) -> dict:
    states = _comma_list(request, "order_state_codes")
    unknown = [state for state in states if state not in ORDER_STATES]
    if unknown:
        raise bad_request(
            f"The order_state_codes value(s) {', '.join(unknown)} are invalid; use {', '.join(ORDER_STATES)}."
        )

    start_update = _date_param(request, "start_update_date")
    if start_update is not None:
        # Mirakl moves the start back to cover latency, so pages overlap.
        start_update -= timedelta(seconds=store.settings.update_date_overlap_seconds)
    return {
        "ids": set(_comma_list(request, "order_ids")),
        "states": set(states),
        "customer_refs": set(_comma_list(request, "order_references_for_customer")),
        "seller_refs": set(_comma_list(request, "order_references_for_seller")),
        "channels": set(_comma_list(request, "channel_codes")),
        "only_null_channel": bool(parse_bool(request.query_params.get("only_null_channel"), name="only_null_channel")),
        "centers": set(request.query_params.getlist("fulfillment_center_code")),
        "payment_workflow": request.query_params.get("payment_workflow"),
        "customer_debited": parse_bool(request.query_params.get("customer_debited"), name="customer_debited"),
        "has_incident": parse_bool(request.query_params.get("has_incident"), name="has_incident"),
        "start_date": _date_param(request, "start_date"),
        "end_date": _date_param(request, "end_date"),
        "start_update_date": start_update,
        "end_update_date": _date_param(request, "end_update_date"),
    }


@router.get("/orders", tags=["OR11"])
async def list_orders(request: Request, context: caller("OR11"), store: Store) -> dict:
    """OR11: list the shop's orders with filters and offset pagination (max 100 per page)."""
    filters = _read_filters(request, store)
    sort = request.query_params.get("sort") or "dateCreated"
    if sort != "dateCreated":
        raise bad_request(f"The sort value '{sort}' is invalid; OR11 sorts only by dateCreated.")
    direction = (request.query_params.get("order") or "asc").lower()
    if direction not in ("asc", "desc"):
        raise bad_request(f"The order value '{direction}' is invalid; use asc or desc.")
    paginate = parse_bool(request.query_params.get("paginate"), name="paginate")
    page_size = parse_int(
        request.query_params.get("max"), name="max", default=DEFAULT_PAGE_SIZE, minimum=1, maximum=MAX_PAGE_SIZE
    )
    offset = parse_int(request.query_params.get("offset"), name="offset", default=0)

    ordered = store.orders_by_creation(context.shop_id)
    checks = _filter_checks(filters)
    matches = [record for record in ordered if _passes(record, checks)] if checks else ordered
    if direction == "desc":
        matches = matches[::-1]
    page = matches if paginate is False else matches[offset : offset + page_size]

    show = store.platform.shipping_and_billing_details_before_acceptance
    return {
        "orders": [record.to_payload(show_addresses_before_acceptance=show) for record in page],
        "total_count": len(matches),
    }


class AcceptanceDecision(LenientModel):
    id: str | None = None
    accepted: bool | None = None


class AcceptanceRequest(LenientModel):
    order_lines: list[AcceptanceDecision | None]


def _load_order(store, shop_id: int, order_id: str) -> OrderRecord:
    record = store.find_order(shop_id, order_id)
    if record is None:
        raise not_found(f"The order {order_id} does not exist.", code="ORDER_NOT_FOUND")
    return record


@router.put("/orders/{order_id}/accept", status_code=204, tags=["OR21"])
async def accept_order(order_id: str, body: AcceptanceRequest, context: caller("OR21"), store: Store) -> Response:
    """OR21: accept or refuse every line of an order in WAITING_ACCEPTANCE."""
    record = _load_order(store, context.shop_id, order_id)
    if record.state != "WAITING_ACCEPTANCE":
        raise state_error("WAITING_ACCEPTANCE", record.state)

    decisions: dict[str, bool] = {}
    for item in body.order_lines:
        if item is None:
            raise bad_request("The order lines list contains a null element.", code="ORDER_LINE_NULL_ELEMENT")
        if item.id is None or item.accepted is None:
            raise bad_request("Each order line needs an id and an accepted flag.", code="VALIDATION_ERROR")
        if item.id in decisions:
            raise bad_request(f"The order line {item.id} appears twice.", code="ORDER_LINE_DUPLICATE_ID")
        if record.line(item.id) is None:
            raise bad_request(
                f"The order line {item.id} does not belong to order {order_id}.", code="ORDER_LINE_NOT_FOUND"
            )
        decisions[item.id] = item.accepted

    missing = [str(line["order_line_id"]) for line in record.lines if str(line["order_line_id"]) not in decisions]
    if missing:
        raise bad_request(
            f"Order lines {', '.join(missing)} are missing from the acceptance decision.",
            code="ORDER_LINE_ACCEPTANCE_DECISION_MISSING",
        )
    if len(set(decisions.values())) > 1 and not store.settings.partial_acceptance_enabled:
        raise bad_request(
            "Partial acceptance is disabled for this shop; accept or refuse all lines.",
            code="ORDER_PARTIAL_ACCEPTANCE_DISABLED",
        )

    record.decide_acceptance(decisions, now=store.clock.now(), monotonic=store.clock.monotonic(), automatic=False)
    return Response(status_code=204)


class TrackingRequest(LenientModel):
    carrier_code: str | None = None
    carrier_name: str | None = None
    carrier_standard_code: str | None = None
    carrier_url: str | None = None
    tracking_number: str | None = None


@router.put("/orders/{order_id}/tracking", status_code=204, tags=["OR23"])
async def update_tracking(order_id: str, body: TrackingRequest, context: caller("OR23"), store: Store) -> Response:
    """OR23: set the carrier and tracking number of an order in SHIPPING or SHIPPED."""
    record = _load_order(store, context.shop_id, order_id)
    if record.state not in ("SHIPPING", "SHIPPED"):
        raise state_error(("SHIPPING", "SHIPPED"), record.state)

    payload = record.payload
    if body.carrier_code:
        carrier = next((item for item in store.carriers if item["code"] == body.carrier_code), None)
        if carrier is None:
            raise bad_request(
                f"The carrier code '{body.carrier_code}' is unknown; "
                "list carriers with SH21 or send carrier_name instead."
            )
        payload["shipping_carrier_code"] = carrier["code"]
        payload["shipping_carrier_standard_code"] = carrier.get("standard_code")
        payload["shipping_company"] = carrier["label"]
        number = body.tracking_number or ""
        payload["shipping_tracking_url"] = carrier["tracking_url"].replace("{trackingId}", number) if number else None
    elif body.carrier_name:
        payload["shipping_carrier_code"] = None
        payload["shipping_company"] = body.carrier_name
        payload["shipping_tracking_url"] = body.carrier_url
    else:
        raise bad_request("Send carrier_code for a registered carrier or carrier_name for another one.")

    payload["shipping_tracking"] = body.tracking_number
    payload["last_updated_date"] = format_datetime(store.clock.now())
    return Response(status_code=204)


@router.put("/orders/{order_id}/ship", status_code=204, tags=["OR24"])
async def ship_order(order_id: str, context: caller("OR24"), store: Store) -> Response:
    """OR24: confirm the shipment of an order in SHIPPING."""
    record = _load_order(store, context.shop_id, order_id)
    if record.state != "SHIPPING":
        raise state_error("SHIPPING", record.state)
    shipping_type = store.shipping_types.get(record.payload.get("shipping_type_code", ""), {})
    if shipping_type.get("mandatory_tracking") and not record.payload.get("shipping_tracking"):
        raise bad_request("Tracking details are mandatory for this shipping method; call OR23 first.")

    record.move_to("SHIPPED", now=store.clock.now(), monotonic=store.clock.monotonic())
    return Response(status_code=204)


@router.put("/orders/{order_id}/cancel", status_code=204, tags=["OR29"])
async def cancel_order(order_id: str, context: caller("OR29"), store: Store) -> Response:
    """OR29: cancel a whole order that the customer has not been debited for."""
    record = _load_order(store, context.shop_id, order_id)
    if not record.payload.get("can_cancel"):
        raise bad_request(
            f"The order {order_id} cannot be canceled in state '{record.state}'.", code="ORDER_INVALID_STATE"
        )

    record.cancel_lines(now=store.clock.now(), monotonic=store.clock.monotonic(), reason_code="SHOP_CANCELED")
    return Response(status_code=204)


class LineCancelation(LenientModel):
    order_line_id: str
    quantity: int
    amount: float
    shipping_amount: float
    reason_code: str
    currency_iso_code: str | None = None
    taxes: list[dict] | None = None
    shipping_taxes: list[dict] | None = None
    fees: list[dict] | None = None


class CancelationRequest(LenientModel):
    cancelations: list[LineCancelation]
    order_tax_mode: str | None = None


CANCELABLE_LINE_STATES = frozenset({"WAITING_DEBIT", "WAITING_DEBIT_PAYMENT", "SHIPPING"})


@router.put("/orders/cancel", tags=["OR30"])
async def cancel_order_lines(body: CancelationRequest, context: caller("OR30"), store: Store) -> dict:
    """OR30: cancel quantities of order lines; a line with nothing left ends CANCELED."""
    reason_codes = {reason["code"] for reason in store.reasons.get("CANCELATION", [])}
    resolved = [_resolve_cancelation(store, context.shop_id, item, reason_codes) for item in body.cancelations]

    now = store.clock.now()
    created = []
    for record, line, item in resolved:
        created.append(_apply_cancelation(store, record, line, item, now))
    for record in {id(record): record for record, _, _ in resolved}.values():
        _close_if_all_canceled(store, record, now)
    return {"cancelations": created, "order_tax_mode": body.order_tax_mode or store.platform.order_tax_mode}


def _resolve_cancelation(store, shop_id: int, item: LineCancelation, reason_codes: set[str]):
    if item.reason_code not in reason_codes:
        raise bad_request(f"The reason code '{item.reason_code}' is not a CANCELATION reason; list them with RE02.")
    for record in store.shop_orders(shop_id).values():
        line = record.line(item.order_line_id)
        if line is None:
            continue
        if line.get("order_line_state") not in CANCELABLE_LINE_STATES:
            raise bad_request(
                f"The order line {item.order_line_id} cannot be canceled in state '{line.get('order_line_state')}'."
            )
        if item.quantity < 0 or item.quantity > line["quantity"]:
            raise bad_request(
                f"The quantity {item.quantity} to cancel on order line {item.order_line_id} "
                f"exceeds the {line['quantity']} left."
            )
        return record, line, item
    raise not_found(f"The order line {item.order_line_id} does not exist.")


def _apply_cancelation(store, record: OrderRecord, line: dict, item: LineCancelation, now) -> dict:
    stamp = format_datetime(now)
    cancelation = {
        "cancelation_id": str(store.next_sequence()),
        "order_line_id": item.order_line_id,
        "quantity": item.quantity,
        "amount": money(item.amount),
        "shipping_amount": money(item.shipping_amount),
        "reason_code": item.reason_code,
        "currency_iso_code": item.currency_iso_code or record.payload.get("currency_iso_code"),
        "taxes": [{"code": str(tax.get("code")), "amount": float(tax.get("amount", 0))} for tax in item.taxes or []],
        "shipping_taxes": [
            {"code": str(tax.get("code")), "amount": float(tax.get("amount", 0))} for tax in item.shipping_taxes or []
        ],
        "fees": [{"code": str(fee.get("code")), "amount": float(fee.get("amount", 0))} for fee in item.fees or []],
    }
    entry = line_cancelation(
        cancelation_id=cancelation["cancelation_id"],
        amount=cancelation["amount"],
        shipping_amount=cancelation["shipping_amount"],
        quantity=item.quantity,
        reason_code=item.reason_code,
        stamp=stamp,
    )
    line.setdefault("cancelations", []).append(entry)
    line["quantity"] -= item.quantity
    line["last_updated_date"] = stamp
    if line["quantity"] == 0:
        line["order_line_state"] = "CANCELED"
    record.payload["last_updated_date"] = stamp
    return cancelation


def _close_if_all_canceled(store, record: OrderRecord, now) -> None:
    if all(line.get("order_line_state") in ("CANCELED", "REFUSED") for line in record.lines):
        record.move_to("CANCELED", now=now, monotonic=store.clock.monotonic())
