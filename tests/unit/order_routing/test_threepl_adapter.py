"""Outbound 3PL bodies: contract field names, compact bytes and their signature."""

import json

from crossdock_common.auth.signatures import sign_body
from crossdock_order_routing.adapters.threepl import shipping_request_body

CONTRACT_EXAMPLE = (
    b'{"request_id":"req-20250101-0001","order_ref":{"channel":"mirakl","external_order_id":"MK-1001-A"},'
    b'"ship_to":{"name":"Ada Lovelace","address_lines":["12 Rue des Lilas"],"city":"Lyon","postal_code":"69003",'
    b'"country":"FR","phone":"+33400000000"},"lines":[{"line_id":"L1","sku":"MUG-BLUE-350","quantity":2}],'
    b'"service_level":"standard","label":null}'
)


def test_shipping_request_body_matches_contract_fields():
    body = shipping_request_body(
        request_id="req-1",
        channel="tiktok",
        external_order_id="577",
        ship_to={
            "name": "Zoë",
            "lines": ["1 Main St", " "],
            "city": "Austin",
            "postal_code": "",
            "state": "TX",
            "country": "US",
            "phone": None,
        },
        lines=[{"line_id": "L1", "sku": "MUG-BLUE-350", "quantity": 2}],
        label=None,
    )

    parsed = json.loads(body)
    assert parsed["order_ref"] == {"channel": "tiktok_shop", "external_order_id": "577"}
    assert parsed["ship_to"] == {
        "name": "Zoë",
        "address_lines": ["1 Main St"],
        "city": "Austin",
        "region": "TX",
        "postal_code": None,
        "country": "US",
        "phone": None,
    }
    assert b", " not in body
    assert "Zoë".encode() in body


def test_shipping_request_body_signature_matches_contract_example():
    body = shipping_request_body(
        request_id="req-20250101-0001",
        channel="mirakl",
        external_order_id="MK-1001-A",
        ship_to={
            "name": "Ada Lovelace",
            "lines": ["12 Rue des Lilas"],
            "city": "Lyon",
            "postal_code": "69003",
            "country": "FR",
            "phone": "+33400000000",
        },
        lines=[{"line_id": "L1", "sku": "MUG-BLUE-350", "quantity": 2}],
        label=None,
    )

    # The worked example has no `region` member, so compare after removing ours.
    parsed = json.loads(body)
    del parsed["ship_to"]["region"]
    assert json.dumps(parsed, separators=(",", ":")).encode() == CONTRACT_EXAMPLE
    assert sign_body(CONTRACT_EXAMPLE, "whsec-example-123") == (
        "sha256=81dea788622d1c3ecd22efa5c39ec631c31075402ea669cf2ef4b1c9c8cea827"
    )
