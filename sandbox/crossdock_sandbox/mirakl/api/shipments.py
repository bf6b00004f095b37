"""Multi-shipment operations ST01, ST11, ST23 and ST24, open when PC01 `multi_shipment` is on."""

import base64
import json

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from crossdock_sandbox.mirakl.api.deps import Store, caller, parse_int
from crossdock_sandbox.mirakl.clock import format_datetime, parse_datetime
from crossdock_sandbox.mirakl.errors import bad_request
from crossdock_sandbox.mirakl.models import Shipment

router = APIRouter(prefix="/api")

MAX_SHIPMENTS_PER_CALL = 1000


class ShipmentModel(BaseModel):
    model_config = ConfigDict(coerce_numbers_to_str=True, extra="allow")


class ShipmentLineInput(ShipmentModel):
    order_line_id: str | None = None
    offer_sku: str | None = None
    quantity: int
    package_reference: str | None = None


class ShipmentInput(ShipmentModel):
    order_id: str
    shipment_lines: list[ShipmentLineInput]
    tracking: dict | None = None
    shipping_from: dict | None = None
    shipped: bool = False
    invoice_reference: str | None = None
    shipment_additional_information: list[dict] | None = None


class CreateShipmentsRequest(ShipmentModel):
    shipments: list[ShipmentInput]


class ShipmentTracking(ShipmentModel):
    id: str
    tracking: dict


class TrackingUpdateRequest(ShipmentModel):
    shipments: list[ShipmentTracking]


class ShipmentReference(ShipmentModel):
    id: str


class ShipShipmentsRequest(ShipmentModel):
    shipments: list[ShipmentReference]


def _require_multi_shipment(store) -> None:
    # NOTE: Mirakl does not document the response when the feature is off, so the
    # sandbox returns 400 and a connector notices it used the wrong API.
    if not store.platform.multi_shipment:
        raise bad_request(
            "Multiple shipments are disabled on this platform "
            "(PC01 features.shipment.multi_shipment is false); use OR23 and OR24."
        )


def _check_batch(count: int) -> None:
    if count > MAX_SHIPMENTS_PER_CALL:
        raise bad_request(f"At most {MAX_SHIPMENTS_PER_CALL} shipments may be sent per call, got {count}.")


def shipment_view(shipment: Shipment) -> dict:
    view = {
        "id": shipment.shipment_id,
        "order_id": shipment.order_id,
        "status": shipment.status,
        "status_customer_debit": "NO_DEBIT",
        "created_date": format_datetime(shipment.created_date),
        "last_updated_date": format_datetime(shipment.last_updated_date),
        "shipment_lines": shipment.lines,
    }
    if shipment.tracking:
        view["tracking"] = shipment.tracking
    if shipment.warehouse_code:
        view["shipping_from"] = {"warehouse": {"code": shipment.warehouse_code}}
    if shipment.invoice_reference:
        view["invoice_reference"] = shipment.invoice_reference
    if shipment.additional_information:
        view["shipment_additional_information"] = [
            {"code": item.get("code"), "type": item.get("type")} for item in shipment.additional_information
        ]
    if shipment.shipped_date:
        view["shipped_date"] = format_datetime(shipment.shipped_date)
    return view


def _shipped_quantities(store, shop_id: int, order_id: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    for shipment in store.shipments.values():
        if shipment.shop_id == shop_id and shipment.order_id == order_id and shipment.status != "CANCELED":
            for line in shipment.lines:
                totals[line["order_line_id"]] = totals.get(line["order_line_id"], 0) + line["quantity"]
    return totals


def _build_lines(record, item: ShipmentInput, already: dict[str, int]) -> list[dict] | str:
    """Resolve shipment lines to order lines, or return the error message for the whole shipment."""
    lines = []
    requested: dict[str, int] = {}
    for entry in item.shipment_lines:
        line = (
            record.line(entry.order_line_id)
            if entry.order_line_id
            else next((candidate for candidate in record.lines if candidate.get("offer_sku") == entry.offer_sku), None)
        )
        if line is None:
            return f"Order line '{entry.order_line_id or entry.offer_sku}' not found in order {item.order_id}."
        line_id = str(line["order_line_id"])
        requested[line_id] = requested.get(line_id, 0) + entry.quantity
        if entry.quantity < 1 or already.get(line_id, 0) + requested[line_id] > line["quantity"]:
            return "Shipment quantity is invalid."
        lines.append(
            {
                "order_line_id": line_id,
                "offer_sku": line.get("offer_sku"),
                "quantity": entry.quantity,
                **({"package_reference": entry.package_reference} if entry.package_reference else {}),
            }
        )
    return lines


def _ship_order_when_complete(store, shop_id: int, order_id: str) -> None:
    record = store.find_order(shop_id, order_id)
    shipped: dict[str, int] = {}
    for shipment in store.shipments.values():
        if shipment.shop_id == shop_id and shipment.order_id == order_id and shipment.status == "SHIPPED":
            for line in shipment.lines:
                shipped[line["order_line_id"]] = shipped.get(line["order_line_id"], 0) + line["quantity"]
    open_lines = [line for line in record.lines if line.get("order_line_state") == "SHIPPING"]
    if (
        record.state == "SHIPPING"
        and open_lines
        and all(shipped.get(str(line["order_line_id"]), 0) >= line["quantity"] for line in open_lines)
    ):
        record.move_to("SHIPPED", now=store.clock.now(), monotonic=store.clock.monotonic())


@router.post("/shipments", status_code=201, tags=["ST01"])
async def create_shipments(body: CreateShipmentsRequest, context: caller("ST01"), store: Store) -> dict:
    """ST01: create shipments for orders in SHIPPING; per-shipment failures are listed in the body."""
    _require_multi_shipment(store)
    _check_batch(len(body.shipments))

    successes, errors = [], []
    now = store.clock.now()
    for item in body.shipments:
        record = store.find_order(context.shop_id, item.order_id)
        if record is None:
            errors.append({"order_id": item.order_id, "message": f"The order {item.order_id} does not exist."})
            continue
        if record.state != "SHIPPING":
            errors.append(
                {
                    "order_id": item.order_id,
                    "message": f"The order status must be 'SHIPPING' but it is '{record.state}'.",
                }
            )
            continue
        lines = _build_lines(record, item, _shipped_quantities(store, context.shop_id, item.order_id))
        if isinstance(lines, str):
            errors.append({"order_id": item.order_id, "message": lines})
            continue

        shipment = Shipment(
            shipment_id=store.new_uuid(),
            shop_id=context.shop_id,
            order_id=item.order_id,
            lines=lines,
            status="SHIPPED" if item.shipped else "SHIPPING",
            tracking={key: value for key, value in (item.tracking or {}).items() if value is not None} or None,
            warehouse_code=((item.shipping_from or {}).get("warehouse") or {}).get("code"),
            invoice_reference=item.invoice_reference,
            additional_information=item.shipment_additional_information,
            created_date=now,
            last_updated_date=now,
            shipped_date=now if item.shipped else None,
        )
        store.shipments[shipment.shipment_id] = shipment
        successes.append(shipment_view(shipment))
        if item.shipped:
            _ship_order_when_complete(store, context.shop_id, item.order_id)
    return {"shipment_success": successes, "shipment_errors": errors}


def _encode_token(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, sort_keys=True).encode()).decode().rstrip("=")


def _decode_token(token: str) -> dict:
    try:
        return json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except ValueError:
        raise bad_request(f"The page_token '{token}' is invalid; pass a token from a previous ST11 page.") from None


@router.get("/shipments", tags=["ST11"])
async def list_shipments(request: Request, context: caller("ST11"), store: Store) -> dict:
    """ST11: list shipments with seek pagination; a page_token replaces every other parameter."""
    _require_multi_shipment(store)
    params = request.query_params
    if params.get("page_token"):
        query = _decode_token(params["page_token"])
    else:
        query = {
            "order_ids": params.getlist("order_id"),
            "states": params.getlist("shipment_state_code"),
            "from": params.get("last_updated_from"),
            "to": params.get("last_updated_to"),
            "limit": parse_int(params.get("limit"), name="limit", default=10, minimum=1, maximum=100),
            "offset": 0,
        }

    try:
        start = parse_datetime(query["from"]) if query["from"] else None
        end = parse_datetime(query["to"]) if query["to"] else None
    except ValueError:
        raise bad_request("last_updated_from and last_updated_to must be ISO 8601 date-times.") from None

    rows = [
        shipment
        for shipment in store.shipments.values()
        if shipment.shop_id == context.shop_id
        and (not query["order_ids"] or shipment.order_id in query["order_ids"])
        and (not query["states"] or shipment.status in query["states"])
        and (start is None or shipment.last_updated_date >= start)
        and (end is None or shipment.last_updated_date <= end)
    ]
    rows.sort(key=lambda shipment: (shipment.created_date, shipment.shipment_id))
    offset, limit = query["offset"], query["limit"]
    result = {"data": [shipment_view(shipment) for shipment in rows[offset : offset + limit]]}
    if offset + limit < len(rows):
        result["next_page_token"] = _encode_token({**query, "offset": offset + limit})
    if offset > 0:
        result["previous_page_token"] = _encode_token({**query, "offset": max(0, offset - limit)})
    return result


@router.post("/shipments/tracking", tags=["ST23"])
async def update_shipment_tracking(body: TrackingUpdateRequest, context: caller("ST23"), store: Store) -> dict:
    """ST23: set tracking on existing shipments."""
    _require_multi_shipment(store)
    _check_batch(len(body.shipments))

    successes, errors = [], []
    for item in body.shipments:
        shipment = store.shipments.get(item.id)
        if shipment is None or shipment.shop_id != context.shop_id:
            errors.append({"id": item.id, "message": f"No shipment with id '{item.id}'."})
            continue
        shipment.tracking = {key: value for key, value in item.tracking.items() if value is not None}
        shipment.last_updated_date = store.clock.now()
        successes.append({"id": item.id})
    return {"shipment_success": successes, "shipment_errors": errors}


@router.put("/shipments/ship", tags=["ST24"])
async def ship_shipments(body: ShipShipmentsRequest, context: caller("ST24"), store: Store) -> dict:
    """ST24: mark shipments as shipped; the order becomes SHIPPED once every line is shipped."""
    _require_multi_shipment(store)
    _check_batch(len(body.shipments))

    successes, errors = [], []
    now = store.clock.now()
    for item in body.shipments:
        shipment = store.shipments.get(item.id)
        if shipment is None or shipment.shop_id != context.shop_id:
            errors.append({"id": item.id, "message": f"No shipment with id '{item.id}'."})
            continue
        if shipment.status != "SHIPPING":
            errors.append(
                {"id": item.id, "message": f"The shipment status must be 'SHIPPING' but it is '{shipment.status}'."}
            )
            continue
        shipment.status = "SHIPPED"
        shipment.shipped_date = now
        shipment.last_updated_date = now
        successes.append({"id": item.id})
        _ship_order_when_complete(store, context.shop_id, shipment.order_id)
    return {"shipment_success": successes, "shipment_errors": errors}
