"""Body validation of shipping requests and cancellations: 422 problem details naming the field."""

import pytest

CASES = [
    ("country in lower case", lambda b: b["ship_to"].update(country="fr"), "ship_to.country"),
    ("country not ISO", lambda b: b["ship_to"].update(country="UK"), "ship_to.country"),
    ("quantity zero", lambda b: b["lines"][0].update(quantity=0), "lines[0].quantity"),
    ("quantity as string", lambda b: b["lines"][1].update(quantity="2"), "lines[1].quantity"),
    ("quantity as float", lambda b: b["lines"][0].update(quantity=1.5), "lines[0].quantity"),
    ("sku missing", lambda b: b["lines"][0].pop("sku"), "lines[0].sku"),
    ("lines empty", lambda b: b.update(lines=[]), "lines"),
    ("line_id repeated", lambda b: b["lines"][1].update(line_id="L1"), "lines"),
    ("service level unknown", lambda b: b.update(service_level="overnight"), "service_level"),
    ("label key missing", lambda b: b.pop("label"), "label"),
    ("label without url", lambda b: b.update(label={"format": "pdf"}), "label.document_url"),
    ("request_id with slash", lambda b: b.update(request_id="a/b"), "request_id"),
    ("name blank", lambda b: b["ship_to"].update(name="   "), "ship_to.name"),
    ("address lines empty", lambda b: b["ship_to"].update(address_lines=[]), "ship_to.address_lines"),
    ("channel missing", lambda b: b["order_ref"].pop("channel"), "order_ref.channel"),
]


@pytest.mark.parametrize(("case", "change", "field"), CASES, ids=[case[0] for case in CASES])
async def test_shipping_request_invalid_field_is_named(post_signed, sample_body, case, change, field):
    body = sample_body()
    change(body)

    response = await post_signed("/shipping-requests", body)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:crossdock:problem:invalid-body"
    assert problem["status"] == 422
    assert field in [error["field"] for error in problem["errors"]]
    assert field in problem["detail"]


async def test_shipping_request_error_has_json_pointer(post_signed, sample_body):
    body = sample_body()
    body["lines"][0]["quantity"] = -1

    response = await post_signed("/shipping-requests", body)

    assert response.json()["errors"][0]["pointer"] == "#/lines/0/quantity"


async def test_shipping_request_invalid_json_is_422(post_signed):
    response = await post_signed("/shipping-requests", b"{not json")

    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#"


async def test_shipping_request_nullable_fields_accept_null(post_signed, sample_body):
    body = sample_body()
    body["ship_to"].update(postal_code=None, phone=None)
    body["label"] = {"document_url": "https://docs.example/label.pdf", "format": "pdf", "tracking_number": "1Z999"}

    response = await post_signed("/shipping-requests", body)

    assert response.status_code == 202


async def test_shipping_request_unknown_field_is_ignored(post_signed, sample_body):
    response = await post_signed("/shipping-requests", sample_body(gift_message="Happy birthday"))

    assert response.status_code == 202


async def test_cancel_invalid_reason_is_422(post_signed, sample_body):
    await post_signed("/shipping-requests", sample_body())

    response = await post_signed("/shipping-requests/req-1/cancel", {"reason": 42})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"


async def test_admin_invalid_fault_plan_is_problem(client):
    response = await client.put("/_sandbox/accounts/default/faults", json={"mode": "error", "count": -1})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "count"
