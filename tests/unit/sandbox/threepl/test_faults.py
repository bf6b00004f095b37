"""Fault injection on the hub-facing endpoints, and reset."""

import asyncio
import time


async def set_faults(client, **faults):
    response = await client.put("/_sandbox/accounts/default/faults", json=faults)
    assert response.status_code == 200


async def test_faults_error_answers_500_then_recovers(post_signed, sample_body, client):
    await set_faults(client, mode="error", count=2)

    statuses = [(await post_signed("/shipping-requests", sample_body())).status_code for _ in range(3)]

    assert statuses == [500, 500, 202]


async def test_faults_error_does_not_process_request(post_signed, sample_body, client):
    await set_faults(client, mode="error", count=1)

    response = await post_signed("/shipping-requests", sample_body())
    stored = await client.get("/_sandbox/accounts/default/shipping-requests/req-1")

    assert response.json()["type"] == "urn:crossdock:problem:injected-fault"
    assert stored.status_code == 404


async def test_faults_count_goes_down(post_signed, sample_body, client):
    await set_faults(client, mode="error", count=2)
    await post_signed("/shipping-requests", sample_body())

    faults = (await client.get("/_sandbox/accounts/default/faults")).json()

    assert faults["count"] == 1


async def test_faults_timeout_holds_then_504(post_signed, sample_body, client):
    await set_faults(client, mode="timeout", count=1, hang_seconds=0.2)

    started = time.monotonic()
    response = await post_signed("/shipping-requests", sample_body())
    elapsed = time.monotonic() - started

    assert response.status_code == 504
    assert elapsed >= 0.2


async def test_faults_latency_delays_every_call(post_signed, sample_body, client):
    await set_faults(client, latency_seconds=0.15)

    started = time.monotonic()
    response = await post_signed("/shipping-requests", sample_body())
    elapsed = time.monotonic() - started

    assert response.status_code == 202
    assert elapsed >= 0.15


async def test_faults_skip_admin_endpoints(client):
    await set_faults(client, mode="error", count=5)

    response = await client.get("/_sandbox/accounts/default")

    assert response.status_code == 200


async def test_faults_logged(post_signed, sample_body, client):
    await set_faults(client, mode="error", count=1)
    await post_signed("/shipping-requests", sample_body())

    entry = (await client.get("/_sandbox/log")).json()[0]

    assert entry["fault"] == "error"
    assert entry["status_code"] == 500


async def test_reset_forgets_state_and_restores_default(post_signed, sample_body, client, secret):
    await client.put(
        "/_sandbox/accounts/default", json={"secret": "other", "hub_url": "http://127.0.0.1:9", "integration_id": "x"}
    )
    await post_signed("/shipping-requests", sample_body(), secret="other")

    response = await client.post("/_sandbox/reset")
    accounts = (await client.get("/_sandbox/accounts")).json()
    log = (await client.get("/_sandbox/log")).json()
    requests = (await client.get("/_sandbox/accounts/default/shipping-requests")).json()
    after = await post_signed("/shipping-requests", sample_body(), secret=secret)

    assert response.status_code == 204
    assert [account["integration_id"] for account in accounts] == ["int-3pl-test"]
    assert log == []
    assert requests == []
    assert after.status_code == 202


async def test_reset_stops_pending_shipments(post_signed, sample_body, client, hub):
    await client.put("/_sandbox/accounts/default/plan", json={"ship_delay_seconds": 0.2})
    await post_signed("/shipping-requests", sample_body())
    await client.post("/_sandbox/reset")

    await asyncio.sleep(0.3)

    assert hub.posts == []
