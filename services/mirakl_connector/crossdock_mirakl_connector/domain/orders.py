"""Map Mirakl OR11 orders to canonical order payloads.

Amounts must arrive as `Decimal` (decode Mirakl JSON with `parse_float=Decimal`),
dates are ISO 8601 with an offset and become UTC, and Mirakl's ISO 3166-1
alpha-3 countries become alpha-2.
"""

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pycountry
from crossdock_common.events.payloads.order import OrderPayload

logger = logging.getLogger(__name__)

# States after which Mirakl never changes an order in a way the hub acts on.
FINAL_STATES = frozenset({"CLOSED", "REFUSED", "CANCELED"})
FULFILLED_STATES = frozenset({"SHIPPED", "TO_COLLECT", "RECEIVED", "CLOSED"})
AWAITING_ACCEPTANCE_STATES = frozenset({"STAGING", "WAITING_ACCEPTANCE"})
AWAITING_PAYMENT_STATES = frozenset({"WAITING_DEBIT", "WAITING_DEBIT_PAYMENT"})


class OrderMappingError(ValueError):
    """A Mirakl order cannot become a canonical order (missing lines, invalid currency, ...)."""


def canonical_status(state: str) -> tuple[str, str | None]:
    """Return the canonical (status, status_reason) of a Mirakl order state."""
    if state in AWAITING_ACCEPTANCE_STATES:
        return "pending", "awaiting_acceptance"
    if state in AWAITING_PAYMENT_STATES:
        return "pending", "awaiting_payment"
    if state == "SHIPPING":
        return "pending", None
    if state in FULFILLED_STATES:
        return "fulfilled", None
    if state == "REFUSED":
        return "refused", None
    if state == "CANCELED":
        return "cancelled", None
    # Mirakl may add states (its API keeps the right to extend enumerations);
    # an unknown state is held rather than routed.
    logger.warning("unknown Mirakl order state %s; holding the order as pending", state)
    return "pending", "on_hold"


def parse_mirakl_datetime(value: str) -> datetime:
    """Parse a Mirakl date-time (`2024-03-01T10:05:00Z`, with or without milliseconds)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def format_mirakl_datetime(value: datetime) -> str:
    """Format a UTC datetime the way Mirakl documents it, with a trailing `Z`."""
    return value.strftime("%Y-%m-%dT%H:%M:%S") + f".{value.microsecond // 1000:03d}Z"


def alpha2_country(address: dict[str, Any]) -> str | None:
    """Return the ISO alpha-2 code of a Mirakl address (which carries alpha-3), or None when unknown."""
    code = (address.get("country_iso_code") or "").strip().upper()
    if len(code) == 3:
        country = pycountry.countries.get(alpha_3=code)
        return country.alpha_2 if country else None
    if len(code) == 2 and pycountry.countries.get(alpha_2=code):
        return code
    return None


def _address(raw: dict[str, Any] | None, email: str | None) -> dict[str, Any] | None:
    if not raw:
        return None
    country = alpha2_country(raw)
    if country is None:
        logger.warning("shipping address without a known ISO country code: %r", raw.get("country_iso_code"))
        return None
    name = " ".join(part for part in (raw.get("firstname"), raw.get("lastname")) if part)
    lines = [raw[key] for key in ("street_1", "street_2") if raw.get(key)]
    return {
        "name": name,
        "lines": lines,
        "city": raw.get("city") or "",
        "postal_code": raw.get("zip_code") or "",
        "state": raw.get("state"),
        "country": country,
        "phone": raw.get("phone"),
        "email": email,
    }


def _money(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):
        # Defensive: a caller decoded JSON without parse_float=Decimal.
        return Decimal(repr(value))
    return Decimal(str(value)) if not isinstance(value, Decimal) else value


def _line(raw: dict[str, Any], resolve: Callable[[str], str | None]) -> dict[str, Any]:
    channel_sku = str(raw["offer_sku"])
    quantity = int(raw.get("quantity") or 0)
    cancelled = sum(int(item.get("quantity") or 0) for item in raw.get("cancelations") or [])
    warehouse = ((raw.get("shipping_from") or {}).get("warehouse") or {}).get("code")
    return {
        "line_id": str(raw["order_line_id"]),
        "channel_sku": channel_sku,
        "master_sku": resolve(channel_sku),
        "quantity": max(quantity, 1),
        "cancelled_quantity": min(cancelled, max(quantity, 1)),
        "unit_price": _money(raw.get("price_unit")),
        "taxes": [
            {"code": str(tax.get("code") or ""), "amount": _money(tax.get("amount")), "rate": _money(tax.get("rate"))}
            for tax in raw.get("taxes") or []
            if tax.get("amount") is not None
        ],
        "title": raw.get("product_title"),
        "channel_warehouse_id": warehouse,
        "channel_status": raw.get("order_line_state"),
    }


def to_canonical(
    order: dict[str, Any],
    *,
    integration_id: str,
    resolve: Callable[[str], str | None],
    acceptance_deadline_hours: float,
) -> OrderPayload:
    """Build the canonical order of one OR11 order; `resolve` maps an offer SKU to a master SKU or None."""
    lines = order.get("order_lines") or []
    if not lines:
        raise OrderMappingError(f"Mirakl order {order.get('order_id')!r} has no order_lines")
    state = order["order_state"]
    status, reason = canonical_status(state)
    customer = order.get("customer") or {}
    created = parse_mirakl_datetime(order["created_date"])
    deadline = None
    if state in AWAITING_ACCEPTANCE_STATES:
        # NOTE: OR11 carries no acceptance deadline; the operator sets the delay
        # (3 to 5 days are common), so it comes from the integration settings.
        deadline = created + timedelta(hours=acceptance_deadline_hours)
    warehouses = {line["channel_warehouse_id"] for line in map(lambda raw: _line(raw, resolve), lines)}
    try:
        return OrderPayload(
            integration_id=integration_id,
            channel="mirakl",
            external_id=str(order["order_id"]),
            channel_status=state,
            status=status,
            status_reason=reason,
            currency=order["currency_iso_code"],
            total=_money(order.get("total_price")),
            lines=[_line(raw, resolve) for raw in lines],
            ship_to=_address(customer.get("shipping_address"), order.get("customer_notification_email")),
            created_at=created,
            updated_at=parse_mirakl_datetime(order["last_updated_date"]),
            acceptance_deadline=deadline,
            channel_warehouse_id=warehouses.pop() if len(warehouses) == 1 else None,
        )
    except (KeyError, ValueError) as error:
        raise OrderMappingError(f"Mirakl order {order.get('order_id')!r} is invalid: {error}") from error


def content_hash(payload: OrderPayload) -> str:
    """Return a hash of what the hub publishes about an order, to skip republishing unchanged orders."""
    document = payload.model_dump(mode="json")
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
