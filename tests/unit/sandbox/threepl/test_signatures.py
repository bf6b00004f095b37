"""X-Crossdock-Signature checks on the hub-facing endpoints."""

import json

from crossdock_common.auth.signatures import SIGNATURE_HEADER, sign_body

PROBLEM = "application/problem+json"


def encode(body):
    return json.dumps(body, separators=(",", ":")).encode()


async def test_signature_valid_is_accepted(post_signed, sample_body):
    response = await post_signed("/shipping-requests", sample_body())

    assert response.status_code == 202
    assert response.json()["request_id"] == "req-1"


async def test_signature_missing_is_rejected(client, sample_body):
    response = await client.post("/shipping-requests", content=encode(sample_body()))

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:crossdock:problem:invalid-signature"
    assert SIGNATURE_HEADER in response.json()["detail"]


async def test_signature_wrong_secret_is_rejected(post_signed, sample_body):
    response = await post_signed("/shipping-requests", sample_body(), secret="not-the-secret")

    assert response.status_code == 401
    assert response.json()["type"] == "urn:crossdock:problem:invalid-signature"


async def test_signature_tampered_body_is_rejected(client, sample_body, secret):
    signed = encode(sample_body())
    tampered = signed.replace(b'"quantity":3', b'"quantity":30')
    headers = {SIGNATURE_HEADER: sign_body(signed, secret), "Content-Type": "application/json"}

    response = await client.post("/shipping-requests", content=tampered, headers=headers)

    assert tampered != signed
    assert response.status_code == 401


async def test_signature_reformatted_body_is_rejected(client, sample_body, secret):
    compact = encode(sample_body())
    spaced = json.dumps(sample_body()).encode()
    headers = {SIGNATURE_HEADER: sign_body(compact, secret), "Content-Type": "application/json"}

    response = await client.post("/shipping-requests", content=spaced, headers=headers)

    assert response.status_code == 401


async def test_signature_upper_case_hex_is_accepted(client, sample_body, secret):
    raw = encode(sample_body())
    digest = sign_body(raw, secret).removeprefix("sha256=")
    headers = {SIGNATURE_HEADER: "sha256=" + digest.upper(), "Content-Type": "application/json"}

    response = await client.post("/shipping-requests", content=raw, headers=headers)

    assert response.status_code == 202


async def test_signature_without_scheme_is_rejected(client, sample_body, secret):
    raw = encode(sample_body())
    digest = sign_body(raw, secret).removeprefix("sha256=")

    response = await client.post("/shipping-requests", content=raw, headers={SIGNATURE_HEADER: digest})

    assert response.status_code == 401


async def test_signature_checked_before_json_parsing(client):
    response = await client.post("/shipping-requests", content=b"{not json")

    assert response.status_code == 401


async def test_signature_missing_on_cancel_is_rejected(client, post_signed, sample_body):
    await post_signed("/shipping-requests", sample_body())

    response = await client.post("/shipping-requests/req-1/cancel", content=b"{}")

    assert response.status_code == 401


async def test_signature_of_other_account_is_rejected(client, post_signed, sample_body, hub):
    config = {"secret": "warehouse-b-secret", "hub_url": hub.url, "integration_id": "int-b"}
    await client.put("/_sandbox/accounts/warehouse-b", json=config)

    rejected = await post_signed("/accounts/warehouse-b/shipping-requests", sample_body())
    accepted = await post_signed("/accounts/warehouse-b/shipping-requests", sample_body(), secret="warehouse-b-secret")

    assert rejected.status_code == 401
    assert accepted.status_code == 202


async def test_signature_rejection_is_logged(client, sample_body):
    await client.post("/shipping-requests", content=encode(sample_body()))

    entries = (await client.get("/_sandbox/log", params={"direction": "received"})).json()

    assert len(entries) == 1
    assert entries[0]["status_code"] == 401
    assert entries[0]["request_id"] == "req-1"
    assert entries[0]["signature"] is None
