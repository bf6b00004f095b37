"""Mirakl OR11 orders to canonical orders: Decimal money, UTC datetimes, countries and statuses."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from crossdock_mirakl_connector.domain.orders import (
    OrderMappingError,
    alpha2_country,
    canonical_status,
    content_hash,
    to_canonical,
)
from crossdock_mirakl_connector.service_layer.orders import chunked


def load(shared_dir, name):
    text = (shared_dir / "fixtures" / "mirakl" / "orders" / name).read_text()
    return json.loads(text, parse_float=Decimal)


def test_fixture_order_with_taxes_becomes_canonical(shared_dir):
    order = load(shared_dir, "order-with-taxes.json")

    canonical = to_canonical(
        order, integration_id="mirakl-1", resolve={"24-MB01": "BAG-1"}.get, acceptance_deadline_hours=72
    )

    assert canonical.external_id == "000000086-A"
    assert canonical.channel_status == "SHIPPING"
    assert canonical.status == "pending"
    assert canonical.status_reason is None
    assert canonical.total == Decimal("94.12")
    assert isinstance(canonical.total, Decimal)
    assert canonical.currency == "EUR"
    assert canonical.created_at == datetime(2021, 8, 4, 15, 12, 50, tzinfo=UTC)
    assert canonical.updated_at.utcoffset().total_seconds() == 0
    assert canonical.ship_to.country == "FR"
    assert canonical.ship_to.lines == ["12 rue de Lübeck", "Étage 2"]
    assert canonical.acceptance_deadline is None
    first, second = canonical.lines
    assert first.line_id == "139"
    assert first.channel_sku == "24-MB01"
    assert first.master_sku == "BAG-1"
    assert first.unit_price == Decimal("7.82")
    assert [tax.amount for tax in first.taxes] == [Decimal("1.03"), Decimal("3.13")]
    assert second.master_sku is None
    assert second.channel_sku == "24-WG09"


def test_fixture_received_order_is_fulfilled(shared_dir):
    order = load(shared_dir, "order-received-state.json")

    canonical = to_canonical(order, integration_id="mirakl-1", resolve=lambda sku: None, acceptance_deadline_hours=72)

    assert canonical.status == "fulfilled"
    assert canonical.lines[0].line_id == "MY-LINE"
    assert canonical.total == Decimal("255.0")
    assert canonical.created_at.tzinfo is not None


def test_canonical_json_keeps_money_as_strings(shared_dir):
    order = load(shared_dir, "order-with-taxes.json")
    canonical = to_canonical(order, integration_id="m", resolve=lambda sku: None, acceptance_deadline_hours=72)

    document = canonical.model_dump(mode="json")

    assert document["total"] == "94.12"
    assert document["lines"][0]["unit_price"] == "7.82"


def test_waiting_order_gets_deadline_and_no_address(shared_dir):
    order = load(shared_dir, "order-with-taxes.json")
    order["order_state"] = "WAITING_ACCEPTANCE"
    del order["customer"]["shipping_address"]

    canonical = to_canonical(order, integration_id="m", resolve=lambda sku: None, acceptance_deadline_hours=24)

    assert canonical.status_reason == "awaiting_acceptance"
    assert canonical.ship_to is None
    assert canonical.acceptance_deadline == datetime(2021, 8, 5, 15, 12, 50, tzinfo=UTC)


def test_order_without_lines_rejected(shared_dir):
    order = load(shared_dir, "order-with-taxes.json")
    order["order_lines"] = []

    with pytest.raises(OrderMappingError, match="000000086-A"):
        to_canonical(order, integration_id="m", resolve=lambda sku: None, acceptance_deadline_hours=72)


def test_content_hash_changes_with_state(shared_dir):
    order = load(shared_dir, "order-with-taxes.json")
    before = to_canonical(order, integration_id="m", resolve=lambda sku: None, acceptance_deadline_hours=72)
    order["order_state"] = "SHIPPED"
    after = to_canonical(order, integration_id="m", resolve=lambda sku: None, acceptance_deadline_hours=72)

    assert content_hash(before) != content_hash(after)
    assert content_hash(before) == content_hash(before.model_copy())


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("STAGING", ("pending", "awaiting_acceptance")),
        ("WAITING_ACCEPTANCE", ("pending", "awaiting_acceptance")),
        ("WAITING_DEBIT", ("pending", "awaiting_payment")),
        ("WAITING_DEBIT_PAYMENT", ("pending", "awaiting_payment")),
        ("SHIPPING", ("pending", None)),
        ("SHIPPED", ("fulfilled", None)),
        ("TO_COLLECT", ("fulfilled", None)),
        ("RECEIVED", ("fulfilled", None)),
        ("CLOSED", ("fulfilled", None)),
        ("REFUSED", ("refused", None)),
        ("CANCELED", ("cancelled", None)),
        ("SOMETHING_NEW", ("pending", "on_hold")),
    ],
)
def test_canonical_status_of_each_state(state, expected):
    assert canonical_status(state) == expected


@pytest.mark.parametrize(("code", "expected"), [("FRA", "FR"), ("usa", "US"), ("DE", "DE"), ("XXX", None), ("", None)])
def test_alpha2_country_from_mirakl(code, expected):
    assert alpha2_country({"country_iso_code": code}) == expected


def test_chunked_splits_ids_at_mirakl_limit():
    ids = [f"O-{index}" for index in range(250)]

    chunks = chunked(ids)

    assert [len(chunk) for chunk in chunks] == [100, 100, 50]
    assert sum(chunks, []) == ids
