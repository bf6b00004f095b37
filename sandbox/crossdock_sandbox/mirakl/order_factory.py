"""Build complete OR11 order payloads for seeded and admin-created orders."""

from datetime import datetime

from crossdock_sandbox.mirakl.clock import format_datetime
from crossdock_sandbox.mirakl.models import Offer, Product
from crossdock_sandbox.mirakl.orders import FINAL_LINE_STATES

COMMISSION_RATE = 0.12
VAT_RATE = 20.0


def money(value: float) -> float:
    return round(value + 0.0, 2)


def build_address(
    *,
    firstname: str,
    lastname: str,
    street: str,
    zip_code: str,
    city: str,
    country: str,
    country_iso_code: str,
    phone: str,
) -> dict:
    return {
        "firstname": firstname,
        "lastname": lastname,
        "street_1": street,
        "street_2": "",
        "zip_code": zip_code,
        "city": city,
        "country": country,
        "country_iso_code": country_iso_code,
        "phone": phone,
    }


def build_line(
    *,
    order_id: str,
    index: int,
    offer: Offer,
    product: Product,
    quantity: int,
    state: str,
    stamp: str,
    shipping_unit: float,
) -> dict:
    price = money(offer.price * quantity)
    shipping = money(shipping_unit * quantity)
    commission = money(price * COMMISSION_RATE)
    commission_vat = money(commission * VAT_RATE / 100)
    return {
        "order_line_id": f"{order_id}-{index}",
        "order_line_index": index,
        "order_line_state": state,
        "offer_id": offer.offer_id,
        "offer_sku": offer.shop_sku,
        "offer_state_code": offer.state_code,
        "product_sku": product.product_sku,
        "product_shop_sku": offer.shop_sku,
        "product_title": product.title,
        "product_medias": [],
        "category_code": product.category_code,
        "category_label": product.category_label,
        "description": product.title,
        "quantity": quantity,
        "price_unit": money(offer.price),
        "price": price,
        "shipping_price": shipping,
        "total_price": money(price + shipping),
        "commission_fee": commission,
        "commission_rate_vat": VAT_RATE,
        "commission_vat": commission_vat,
        "total_commission": money(commission + commission_vat),
        "taxes": [],
        "shipping_taxes": [],
        "cancelations": [],
        "refunds": [],
        "can_refund": False,
        "order_line_additional_fields": [],
        "created_date": stamp,
        "last_updated_date": stamp,
    }


def build_order(
    *,
    order_id: str,
    commercial_id: str,
    created: datetime,
    lines: list[tuple[Offer, Product, int]],
    customer: dict,
    currency_iso_code: str,
    state: str = "WAITING_ACCEPTANCE",
    shipping_type: tuple[str, str] = ("STD", "Standard"),
    shipping_zone: tuple[str, str] = ("FR", "France"),
    channel: dict | None = None,
    leadtime_to_ship: int = 2,
) -> dict:
    """Return an order payload in `state` whose amounts add up like Mirakl's."""
    stamp = format_datetime(created)
    order_lines = [
        build_line(
            order_id=order_id,
            index=index,
            offer=offer,
            product=product,
            quantity=quantity,
            state=state,
            stamp=stamp,
            shipping_unit=2.5,
        )
        for index, (offer, product, quantity) in enumerate(lines, start=1)
    ]
    payload = {
        "order_id": order_id,
        "commercial_id": commercial_id,
        "order_state": state,
        "created_date": stamp,
        "last_updated_date": stamp,
        "currency_iso_code": currency_iso_code,
        "customer": customer,
        "customer_notification_email": f"{commercial_id.lower()}@notification.sandbox.invalid",
        "order_lines": order_lines,
        "order_tax_mode": "TAX_EXCLUDED",
        "order_additional_fields": [],
        "payment_workflow": "PAY_ON_ACCEPTANCE",
        "payment_type": "CREDIT_CARD",
        "paymentType": "CREDIT_CARD",
        "shipping_type_code": shipping_type[0],
        "shipping_type_label": shipping_type[1],
        "shipping_zone_code": shipping_zone[0],
        "shipping_zone_label": shipping_zone[1],
        "fulfillment": {"center": {"code": "DEFAULT"}},
        "leadtime_to_ship": leadtime_to_ship,
        "has_customer_message": False,
        "has_incident": False,
        "has_invoice": False,
        "fully_refunded": False,
        "can_cancel": False,
        "can_shop_ship": state == "SHIPPING",
        "promotions": {"applied_promotions": [], "total_deduced_amount": 0},
        "references": {"order_reference_for_customer": commercial_id},
    }
    if channel is not None:
        payload["channel"] = channel
    recompute_totals(payload)
    return payload


def recompute_totals(payload: dict) -> None:
    """Refresh line and order amounts after quantities changed."""
    price = shipping = commission = 0.0
    for line in payload.get("order_lines", []):
        if line.get("order_line_state") in FINAL_LINE_STATES:
            continue
        line["price"] = money(line["price_unit"] * line["quantity"])
        line["total_price"] = money(line["price"] + line.get("shipping_price", 0))
        price += line["price"]
        shipping += line.get("shipping_price", 0)
        commission += line.get("total_commission", 0)
    payload["price"] = money(price)
    payload["shipping_price"] = money(shipping)
    payload["total_price"] = money(price + shipping)
    payload["total_commission"] = money(commission)
