"""Mirakl client: raw-key header, base URL handling, error mapping and 429 waits."""

import httpx
import pytest
from crossdock_mirakl_connector.adapters.mirakl import orders as orders_api
from crossdock_mirakl_connector.adapters.mirakl.client import MiraklClient, normalize_base_url
from crossdock_mirakl_connector.adapters.mirakl.errors import (
    AuthenticationError,
    MiraklApiError,
    NotFoundError,
    UnexpectedResponseError,
)
from crossdock_mirakl_connector.adapters.mirakl.offers import parse_error_report, stock_csv


def client_for(handler, **options) -> MiraklClient:
    return MiraklClient(
        url="https://marketplace.example.com/api/",
        api_key="KEY-123",
        integration_id="mirakl-1",
        shop_id=2001,
        transport=httpx.MockTransport(handler),
        backoff_initial=0.001,
        **options,
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://m.example.com", "https://m.example.com"),
        ("https://m.example.com/", "https://m.example.com"),
        ("https://m.example.com/api", "https://m.example.com"),
        (" https://marketplace.bestbuy.ca/api/ ", "https://marketplace.bestbuy.ca"),
    ],
)
def test_normalize_base_url_strips_api(url, expected):
    assert normalize_base_url(url) == expected


async def test_client_sends_raw_key_and_shop_id():
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, json={"orders": [], "total_count": 0})

    async with client_for(handler) as client:
        await orders_api.list_orders_page(client, offset=0, max_results=10, states=["SHIPPING"])

    assert seen[0].headers["Authorization"] == "KEY-123"
    assert seen[0].url.path == "/api/orders"
    assert seen[0].url.params["shop_id"] == "2001"
    assert seen[0].url.params["order_state_codes"] == "SHIPPING"
    assert seen[0].url.params["max"] == "10"


async def test_client_decodes_amounts_as_decimal():
    def handler(request):
        return httpx.Response(200, text='{"orders": [{"total_price": 19.90}], "total_count": 1}')

    async with client_for(handler) as client:
        page = await orders_api.list_orders_page(client, offset=0, max_results=10)

    assert str(page["orders"][0]["total_price"]) == "19.90"


@pytest.mark.parametrize(
    ("status", "error_class"), [(401, AuthenticationError), (404, NotFoundError), (400, MiraklApiError)]
)
async def test_client_maps_error_status(status, error_class):
    def handler(request):
        return httpx.Response(status, json={"message": "nope", "status": status, "code": "ORDER_INVALID_STATE"})

    async with client_for(handler) as client:
        with pytest.raises(error_class) as raised:
            await orders_api.ship_order(client, "O-1")

    assert raised.value.status_code == status
    assert "nope" in str(raised.value)
    assert raised.value.mirakl_code == "ORDER_INVALID_STATE"


async def test_client_waits_on_429_without_using_attempts():
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) <= 3:
            return httpx.Response(429, headers={"Retry-After": "7"}, json={"retry_after_seconds": 0.001})
        return httpx.Response(204)

    async with client_for(handler, max_attempts=1) as client:
        await orders_api.ship_order(client, "O-1")

    assert len(calls) == 4


async def test_list_orders_rejects_too_many_ids():
    async with client_for(lambda request: httpx.Response(200, json={})) as client:
        with pytest.raises(ValueError, match="limit of 100"):
            await orders_api.list_orders_page(client, offset=0, max_results=100, order_ids=[str(i) for i in range(101)])


def test_stock_csv_has_mirakl_columns():
    text = stock_csv([("SKU;1", 5, ""), ("SKU-2", 0, "WH-PARIS")])

    assert text.splitlines() == [
        '"offer-sku";"quantity";"warehouse-code";"update-delete"',
        '"SKU;1";"5";"";"update"',
        '"SKU-2";"0";"WH-PARIS";"update"',
    ]


def test_parse_error_report_maps_line_numbers():
    report = '"line";"error";"offer-sku"\n"3";"Offer not found";"SKU-2"\n'

    assert parse_error_report(report) == {3: "Offer not found"}


@pytest.mark.parametrize(
    "body",
    [
        {"orders": None, "total_count": 0},
        {"message": "Unexpected error", "status": 400},
        {"orders": []},
        None,
    ],
)
async def test_list_orders_rejects_200_without_orders(body):
    def handler(request):
        return httpx.Response(200, json=body)

    async with client_for(handler, max_attempts=1) as client:
        with pytest.raises(UnexpectedResponseError) as raised:
            await orders_api.list_orders_page(client, offset=0, max_results=10)

    assert "OR11 returned 200 without the 'orders' list" in str(raised.value)
    assert raised.value.retriable is True
