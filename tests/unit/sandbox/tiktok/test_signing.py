"""Signature verification: the published vectors and the rejections TikTok's gateway gives."""

import json

import pytest
from crossdock_sandbox.tiktok.signing import compute_sign, webhook_signature

from .conftest import FROZEN_NOW


def _vectors(shared_dir):
    return json.loads((shared_dir / "fixtures/tiktok/signing-vectors.json").read_text())


def test_signing_all_request_vectors_pass(shared_dir):
    vectors = _vectors(shared_dir)["request_signing"]

    assert vectors
    for vector in vectors:
        sign = compute_sign(
            app_secret=vector["app_secret"], path=vector["path"], query=vector["query"], body=vector["body"].encode()
        )
        assert sign == vector["expected"], vector["id"]


def test_signing_ignores_sign_and_access_token_params(shared_dir):
    vector = _vectors(shared_dir)["request_signing"][0]
    query = vector["query"] | {"sign": "whatever", "access_token": "old-style"}

    assert compute_sign(app_secret=vector["app_secret"], path=vector["path"], query=query) == vector["expected"]


def test_signing_multipart_body_not_signed(shared_dir):
    vector = _vectors(shared_dir)["request_signing"][0]

    sign = compute_sign(
        app_secret=vector["app_secret"],
        path=vector["path"],
        query=vector["query"],
        body=b"--boundary data",
        content_type="multipart/form-data; boundary=x",
    )

    assert sign == vector["expected"]


def test_signing_webhook_vector_passes(shared_dir):
    for vector in _vectors(shared_dir)["webhook_signing"]:
        signature = webhook_signature(
            app_key=vector["app_key"], app_secret=vector["app_secret"], raw_body=vector["raw_body"].encode()
        )
        assert signature == vector["expected_authorization_header"], vector["id"]


async def test_gateway_official_vector_verifies_end_to_end(http, runtime, shared_dir):
    """The official GET /authorization/202309/shops vector passes the gateway's signature check."""
    vector = _vectors(shared_dir)["request_signing"][0]
    runtime.clock.freeze(int(vector["query"]["timestamp"]))

    response = await http.get(
        vector["path"],
        params=vector["query"] | {"sign": vector["expected"]},
        headers={"x-tts-access-token": "not-a-token"},
    )

    # The signature passed, so the next check (the access token) is what fails.
    assert response.json()["code"] == 36009004
    assert "access-token" in response.json()["message"]


async def test_gateway_valid_signature_accepted(api):
    response = await api.call("GET", "/authorization/202309/shops", cipher=None)

    assert response.status_code == 200
    assert response.json()["code"] == 0


async def test_gateway_mis_signed_request_rejected(api):
    response = await api.call("GET", "/authorization/202309/shops", cipher=None, sign="0" * 64)

    assert response.status_code == 401
    assert response.json()["code"] == 106001


async def test_gateway_unsigned_request_rejected(http, api):
    response = await http.get(
        "/authorization/202309/shops",
        params={"app_key": api.app_key, "timestamp": str(FROZEN_NOW)},
        headers={"x-tts-access-token": api.access_token},
    )

    assert response.json()["code"] == 36009004
    assert "sign" in response.json()["message"]


async def test_gateway_upper_case_signature_rejected(api):
    """TikTok compares the hex digest as sent, so an upper-case digest is an invalid sign."""
    query = {"app_key": api.app_key, "timestamp": str(FROZEN_NOW)}
    upper = compute_sign(app_secret=api.app_secret, path="/authorization/202309/shops", query=query).upper()

    response = await api.call("GET", "/authorization/202309/shops", cipher=None, sign=upper)

    assert response.json()["code"] == 106001


async def test_gateway_body_change_breaks_signature(api, http):
    body = b'{"order_status":"AWAITING_SHIPMENT"}'
    params = {"app_key": api.app_key, "timestamp": str(FROZEN_NOW), "shop_cipher": api.cipher, "page_size": "10"}
    # Sign the json.dumps form (with spaces) but send compact bytes.
    params["sign"] = compute_sign(
        app_secret=api.app_secret,
        path="/order/202309/orders/search",
        query=params,
        body=b'{"order_status": "AWAITING_SHIPMENT"}',
    )

    response = await http.post(
        "/order/202309/orders/search",
        params=params,
        content=body,
        headers={"x-tts-access-token": api.access_token, "content-type": "application/json"},
    )

    assert response.json()["code"] == 106001


@pytest.mark.parametrize(("offset", "accepted"), [(-300, True), (-301, False), (30, True), (31, False)])
async def test_gateway_timestamp_window(api, offset, accepted):
    response = await api.call("GET", "/authorization/202309/shops", cipher=None, timestamp=FROZEN_NOW + offset)

    if accepted:
        assert response.json()["code"] == 0
    else:
        assert response.status_code == 400
        assert response.json()["code"] == 36009004
        assert "timestamp" in response.json()["message"]


async def test_gateway_page_token_signed_decoded(api):
    """A page token with + and / is percent-encoded on the wire and signed decoded."""
    first = await api.call("POST", "/product/202309/products/search", query={"page_size": "1"}, body={})
    token = first.json()["data"]["next_page_token"]

    second = await api.call(
        "POST", "/product/202309/products/search", query={"page_size": "1", "page_token": token}, body={}
    )

    assert second.json()["code"] == 0
