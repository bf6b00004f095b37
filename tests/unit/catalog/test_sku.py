"""SKU comparison: exact matching stays exact, near-misses are named."""

import unicodedata

import pytest
from crossdock_catalog.domain.sku import describe_difference, explain_mismatch, sku_key, surrounding_whitespace_warning


@pytest.mark.parametrize(
    ("candidate", "reference", "expected"),
    [
        ("ABC-1 ", "ABC-1", ["trailing space"]),
        (" ABC-1", "ABC-1", ["leading space"]),
        ("ABC-1  ", "ABC-1", ["2 trailing spaces"]),
        ("ABC-1\t", "ABC-1", ["trailing whitespace '\\t'"]),
        ("abc-1", "ABC-1", ["letter case"]),
        (" abc-1", "ABC-1", ["leading space", "letter case"]),
        (unicodedata.normalize("NFD", "Café-1"), "Café-1", ["Unicode normalization form (NFC vs NFD)"]),
        ("ABC-1", "ABC-1", []),
        ("ABC-2", "ABC-1", []),
        ("123456Oaktree", "123456 Oaktree", []),
    ],
)
def test_describe_difference_names_each_kind(candidate, reference, expected):
    assert describe_difference(candidate, reference) == expected


def test_sku_key_groups_near_misses_only():
    assert sku_key(" ABC-1 ") == sku_key("abc-1")
    assert sku_key("123456 Oaktree") != sku_key("123456Oaktree")


def test_explain_mismatch_sentence():
    assert explain_mismatch("ABC-1 ", "ABC-1") == "no master SKU 'ABC-1 '; differs from 'ABC-1' by trailing space"


def test_surrounding_whitespace_warning_only_for_edges():
    assert surrounding_whitespace_warning("123456 Oaktree") is None
    assert "'ABC-1 '" in surrounding_whitespace_warning("ABC-1 ")
