"""Retries, Retry-After and rate-limit handling of the marketplace HTTP client."""

import logging

import httpx
import pytest
from crossdock_common.http import HttpStatusError, MarketplaceHttpClient, RetriesExhaustedError


class ScriptedTransport(httpx.AsyncBaseTransport):
    """Answers requests from a list of (status, headers) in order and records the requests."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request):
        self.requests.append(request)
        status, headers = self.answers.pop(0)
        if status == "network":
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(status, headers=headers, json={"ok": status < 400}, request=request)


class RecordedSleep:
    def __init__(self):
        self.delays: list[float] = []

    async def __call__(self, seconds):
        self.delays.append(seconds)


def make_client(transport, sleep, **options):
    return MarketplaceHttpClient(
        base_url="https://marketplace.test",
        integration_id="int-1",
        transport=transport,
        sleep=sleep,
        jitter=lambda: 0.0,
        **options,
    )


async def test_client_429_retry_after_delays_at_least_that_long():
    transport = ScriptedTransport([(429, {"Retry-After": "2"}), (200, {})])
    sleep = RecordedSleep()

    async with make_client(transport, sleep) as client:
        response = await client.request("GET", "/api/orders")

    assert response.status_code == 200
    assert sleep.delays == [2.0]
    assert len(transport.requests) == 2


async def test_client_429_does_not_use_attempts():
    transport = ScriptedTransport([(429, {"Retry-After": "1"})] * 6 + [(200, {})])
    sleep = RecordedSleep()

    async with make_client(transport, sleep, max_attempts=2) as client:
        response = await client.request("GET", "/api/orders")

    assert response.status_code == 200
    assert len(sleep.delays) == 6


async def test_client_retries_server_errors_with_backoff():
    transport = ScriptedTransport([(503, {}), (500, {}), (200, {})])
    sleep = RecordedSleep()

    async with make_client(transport, sleep, backoff_initial=1.0) as client:
        response = await client.request("GET", "/api/orders")

    assert response.status_code == 200
    assert sleep.delays == [0.5, 1.0]


async def test_client_gives_up_after_max_attempts():
    transport = ScriptedTransport([(500, {})] * 3)
    sleep = RecordedSleep()

    async with make_client(transport, sleep, max_attempts=3) as client:
        with pytest.raises(RetriesExhaustedError) as raised:
            await client.request("GET", "/api/orders")

    assert raised.value.status_code == 500
    assert len(transport.requests) == 3


async def test_client_retries_network_errors():
    transport = ScriptedTransport([("network", {}), (200, {})])
    sleep = RecordedSleep()

    async with make_client(transport, sleep) as client:
        response = await client.request("GET", "/api/orders")

    assert response.status_code == 200


async def test_client_does_not_retry_client_errors():
    transport = ScriptedTransport([(400, {})])
    sleep = RecordedSleep()

    async with make_client(transport, sleep) as client:
        with pytest.raises(HttpStatusError) as raised:
            await client.request("GET", "/api/orders")

    assert raised.value.status_code == 400
    assert sleep.delays == []


async def test_client_builds_request_again_for_each_attempt():
    transport = ScriptedTransport([(500, {}), (200, {})])
    sleep = RecordedSleep()
    built = []

    async with make_client(transport, sleep) as client:

        def build():
            built.append(len(built))
            return client.http.build_request("GET", "/api/orders", params={"timestamp": str(len(built))})

        await client.send(build)

    assert built == [0, 1]
    assert [request.url.params["timestamp"] for request in transport.requests] == ["1", "2"]


async def test_client_logs_no_credentials(caplog):
    transport = ScriptedTransport([(500, {}), (200, {})])
    sleep = RecordedSleep()
    caplog.set_level(logging.WARNING)

    async with make_client(transport, sleep) as client:
        await client.request(
            "GET", "/api/orders", params={"access_token": "tok-SECRET-123"}, headers={"Authorization": "key-SECRET-456"}
        )

    assert "SECRET" not in caplog.text
    assert "/api/orders" in caplog.text
