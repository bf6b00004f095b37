"""Poll-cycle and per-call limits: 429 with Retry-After, windows scaled by the time scale."""

import asyncio

import pytest
from crossdock_sandbox.mirakl.errors import RateLimited
from crossdock_sandbox.mirakl.ratelimits import PageRequest, RateLimiter
from crossdock_sandbox.mirakl.seed import SECOND_SHOP_API_KEY, SeedRequest, seed_store


async def test_ratelimit_early_cycle_gets_429(client):
    first = await client.get("/api/orders", params={"max": 10})

    second = await client.get("/api/orders", params={"max": 10})

    assert first.status_code == 200
    assert second.status_code == 429
    assert int(second.headers["Retry-After"]) >= 1
    assert 0 < second.json()["retry_after_seconds"] <= 0.6


async def test_ratelimit_cycle_allowed_after_window(client):
    await client.get("/api/orders")
    await asyncio.sleep(0.65)

    response = await client.get("/api/orders")

    assert response.status_code == 200


async def test_ratelimit_follow_up_pages_share_cycle(client, store):
    seed_store(store, SeedRequest(order_count=40))

    statuses = [
        (await client.get("/api/orders", params={"max": 10, "offset": offset})).status_code
        for offset in (0, 10, 20, 30)
    ]

    assert statuses == [200, 200, 200, 200]


async def test_ratelimit_id_chunks_share_cycle(client, store):
    ids = list(store.shop_orders(2001))

    first = await client.get("/api/orders", params={"order_ids": ",".join(ids[:5])})
    second = await client.get("/api/orders", params={"order_ids": ",".join(ids[5:])})
    repeat = await client.get("/api/orders", params={"order_ids": ",".join(ids[:5])})

    assert first.status_code == 200
    assert second.status_code == 200
    assert repeat.status_code == 429


def test_ratelimit_follow_ups_limited_to_ten_per_second():
    limiter = RateLimiter(time_scale=1.0)
    limiter.check_page(shop_id=1, operation="OR11", page=PageRequest(walk_signature=(), is_first_page=True), now=0.0)
    follow_up = PageRequest(walk_signature=(), is_first_page=False)
    for step in range(10):
        limiter.check_page(shop_id=1, operation="OR11", page=follow_up, now=0.01 * (step + 1))

    with pytest.raises(RateLimited) as raised:
        limiter.check_page(shop_id=1, operation="OR11", page=follow_up, now=0.2)

    assert raised.value.status == 429
    assert raised.value.headers["Retry-After"] == "1"
    limiter.check_page(shop_id=1, operation="OR11", page=follow_up, now=1.05)


def test_ratelimit_windows_scale_with_time_scale():
    limiter = RateLimiter(time_scale=0.01)
    limiter.check_call(shop_id=1, operation="A01", now=0.0)

    with pytest.raises(RateLimited) as raised:
        limiter.check_call(shop_id=1, operation="A01", now=100.0)

    assert raised.value.retry_after == pytest.approx(764.0)
    limiter.check_call(shop_id=1, operation="A01", now=865.0)


async def test_ratelimit_a01_once_per_day(client):
    first = await client.get("/api/account")

    second = await client.get("/api/account")

    assert first.status_code == 200
    assert second.status_code == 429
    assert "Retry-After" in second.headers


async def test_ratelimit_clock_travel_resets_window(client):
    await client.get("/api/account")

    await client.post("/_sandbox/clock/advance", json={"seconds": 865})
    response = await client.get("/api/account")

    assert response.status_code == 200


async def test_ratelimit_limits_are_per_shop(client):
    await client.get("/api/orders")

    response = await client.get("/api/orders", headers={"Authorization": SECOND_SHOP_API_KEY})

    assert response.status_code == 200
