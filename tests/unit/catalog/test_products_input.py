"""Product input validation and bulk file parsing."""

from decimal import Decimal

import pytest
from crossdock_catalog.domain.products import (
    BulkFileError,
    ProductInput,
    gtin_check_digit_valid,
    parse_csv_rows,
    parse_json_text,
)
from pydantic import ValidationError


def test_product_input_keeps_sku_exactly():
    product = ProductInput(sku=" ABC-1 ")

    assert product.sku == " ABC-1 "
    assert product.warnings()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sku": "V-1", "product_type": "variant"}, "needs parent_sku"),
        ({"sku": "S-1", "parent_sku": "P"}, "cannot have parent_sku"),
        ({"sku": "S-1", "price": "1.00"}, "no currency"),
        ({"sku": "S-1", "price": "-1", "currency": "EUR"}, "negative"),
        ({"sku": "S-1", "gtin": "12345"}, "8, 12, 13 or 14 digits"),
        ({"sku": "S-1", "images": ["ftp://x"]}, "not an http(s) URL"),
        ({"sku": "S-1\u0000"}, "NUL"),
        ({"sku": "\t"}, "only whitespace"),
    ],
)
def test_product_input_rejects_with_reason(fields, message):
    with pytest.raises(ValidationError) as raised:
        ProductInput(**fields)

    assert message in str(raised.value)


def test_gtin_check_digit():
    assert gtin_check_digit_valid("4006381333931")
    assert gtin_check_digit_valid("012345678905")
    assert not gtin_check_digit_valid("4006381333932")


def test_csv_rows_parse_cells():
    rows = parse_csv_rows(
        "sku,title,price,currency,images,attribute:size\n"
        "TEE-M ,Tee 🍃,19.90,EUR,https://a.example/1.jpg|https://a.example/2.jpg,M\n"
        "TEE-L,Tee,1,2,3\n"
    )

    first, second = rows
    assert first.product.sku == "TEE-M "
    assert first.product.price == Decimal("19.90")
    assert first.product.images == ["https://a.example/1.jpg", "https://a.example/2.jpg"]
    assert first.product.attributes == {"size": "M"}
    assert second.product is None
    assert second.errors == ["row has fewer cells than the header"]


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "CSV is empty"), ("title\nx\n", "no 'sku' column"), ("sku\n", "no data rows"), ("sku,bogus\n", "bogus")],
)
def test_csv_file_errors(text, message):
    with pytest.raises(BulkFileError) as raised:
        parse_csv_rows(text)

    assert message in str(raised.value)


def test_json_rows_keep_decimal_prices():
    rows = parse_json_text('[{"sku": "A", "price": 19.90, "currency": "EUR"}]')

    assert rows[0].product.price == Decimal("19.90")


def test_json_body_must_be_list():
    with pytest.raises(BulkFileError):
        parse_json_text('{"sku": "A"}')
