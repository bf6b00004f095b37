"""Helpers that drive the connector's jobs one run at a time and read its tables."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import httpx
from crossdock_mirakl_connector.adapters import repository
from crossdock_mirakl_connector.service_layer import fulfillments, inventory, offer_push, product_push, products
from crossdock_mirakl_connector.service_layer.worker import process_commands, pull_orders, run_job

JOBS = {
    "orders": pull_orders,
    "commands": process_commands,
    "fulfillments": fulfillments.push_due,
    "inventory_push": inventory.push,
    "inventory_imports": inventory.track,
    "products": products.pull,
    "products_push": product_push.push,
    "products_push_imports": product_push.track,
    "offers_push": offer_push.push,
    "offers_push_imports": offer_push.track,
}


async def run(harness, integration_id: str, job: str):
    """Run one job of one integration now and return its counts (None when it failed)."""
    async with harness.runtime.pool.acquire() as connection:
        integration = await repository.load_integration(connection, integration_id)
    return await run_job(harness.runtime, integration, job, JOBS[job])


async def fetch(harness, query: str, *args):
    async with harness.runtime.pool.acquire() as connection:
        return await connection.fetch(query, *args)


async def fetchval(harness, query: str, *args):
    async with harness.runtime.pool.acquire() as connection:
        return await connection.fetchval(query, *args)


async def sandbox_orders(sandbox) -> dict[str, str]:
    """Return {order_id: state} of shop 2001 in the sandbox."""
    return (await sandbox.state())["orders"]["2001"]


def fixture_order(shared_dir: Path, name: str = "order-with-taxes.json", **changes) -> dict:
    """Return a public Mirakl order example with fields replaced, as JSON-ready data."""
    order = json.loads((shared_dir / "fixtures" / "mirakl" / "orders" / name).read_text())
    order = copy.deepcopy(order)
    order.update(changes)
    return order


class CrashOnce(httpx.AsyncBaseTransport):
    """Forwards requests to the network, but raises once on the first request `crash_when` matches."""

    def __init__(self, crash_when) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.crash_when = crash_when
        self.crashed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.crashed and self.crash_when(request):
            self.crashed = True
            raise RuntimeError("worker killed in the middle of a page walk")
        return await self.inner.handle_async_request(request)


class RepeatFirstPage(httpx.AsyncBaseTransport):
    """Return the first page's body for every later page of an OR11 walk, as a broken server would."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.first_page: bytes | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        walk = request.url.path == "/api/orders" and "order_ids" not in params and "start_update_date" not in params
        if walk and params.get("offset") != "0" and self.first_page is not None:
            return httpx.Response(200, content=self.first_page, headers={"content-type": "application/json"})
        response = await self.inner.handle_async_request(request)
        if walk and params.get("offset") == "0" and self.first_page is None and "WAITING_ACCEPTANCE" in str(params):
            body = await response.aread()
            self.first_page = body
            return httpx.Response(response.status_code, content=body, headers={"content-type": "application/json"})
        return response


def decimal(value) -> Decimal:
    return Decimal(str(value))


class SuspendedShop(httpx.AsyncBaseTransport):
    """Forwards requests, but shows the shop as suspended in the A01 response, as an operator would set it."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path != "/api/account":
            return response
        account = json.loads(await response.aread())
        account["shop_state"] = "SUSPENDED"
        account["suspension_type"] = "COMMERCIAL"
        return httpx.Response(200, json=account)
