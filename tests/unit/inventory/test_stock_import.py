"""Stock CSV parsing: exact SKUs, every bad line named, nothing partial."""

import pytest
from crossdock_inventory.domain.stock_import import StockImportInvalid, parse_stock_csv


def test_parse_stock_csv_keeps_sku_exactly():
    rows = parse_stock_csv('location_id,sku,on_hand\nloc-a,123456 Oaktree,5\nloc-a," ABC-123 ",2\n')

    assert [(row.location_id, row.sku, row.on_hand) for row in rows] == [
        ("loc-a", "123456 Oaktree", 5),
        ("loc-a", " ABC-123 ", 2),
    ]


def test_parse_stock_csv_extra_columns_and_bom():
    rows = parse_stock_csv("\ufefflocation_id,sku,on_hand,note\nloc-a,MUG-1,3,recount\n")

    assert rows[0].sku == "MUG-1"
    assert rows[0].on_hand == 3


def test_parse_stock_csv_lists_every_bad_line():
    text = "location_id,sku,on_hand\nloc-a,MUG-1,three\nloc-a,,4\nloc-a,MUG-2,1\nloc-a,MUG-2,2\n"

    with pytest.raises(StockImportInvalid) as caught:
        parse_stock_csv(text)

    messages = {error.line: error.message for error in caught.value.errors}
    assert messages[2] == "on_hand 'three' is not a whole number"
    assert messages[3] == "sku is empty"
    assert messages[5] == "location 'loc-a' and sku 'MUG-2' already appear on line 4"
    assert 4 not in messages


def test_parse_stock_csv_rejects_missing_header_column():
    with pytest.raises(StockImportInvalid) as caught:
        parse_stock_csv("location,sku,quantity\nloc-a,MUG-1,3\n")

    assert "header is missing ['location_id', 'on_hand']" in str(caught.value)


def test_parse_stock_csv_rejects_file_without_rows():
    with pytest.raises(StockImportInvalid) as caught:
        parse_stock_csv("location_id,sku,on_hand\n")

    assert caught.value.errors[0].message == "the file has no data rows"
