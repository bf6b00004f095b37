"""Demo catalog: size, variant data, the special-case SKUs of each marketplace side and determinism."""

import re
from decimal import Decimal

from crossdock_sandbox.demo_catalog import (
    CONFLICTS,
    MAPPED_SKUS,
    NEAR_MISSES,
    build_demo_catalog,
    ean13,
)


def _by_seller_sku(listings):
    return {listing.seller_sku: listing for listing in listings}


def test_catalog_size_and_variant_counts():
    catalog = build_demo_catalog()

    assert 40 <= len(catalog.families) <= 50
    assert len(catalog.variants) >= 220
    assert all(1 <= len(family.variants) <= 8 for family in catalog.families)
    assert any(len(family.variants) == 1 for family in catalog.families)
    assert {family.department for family in catalog.families} == {"apparel", "shoes", "outdoor", "home"}


def test_catalog_skus_and_gtins_unique():
    variants = build_demo_catalog().variants

    assert len({variant.sku for variant in variants}) == len(variants)
    assert len({variant.gtin for variant in variants}) == len(variants)


def test_catalog_variant_fields_valid():
    for variant in build_demo_catalog().variants:
        assert re.fullmatch(r"\d{13}", variant.gtin), variant.sku
        assert ean13(variant.gtin[:12]) == variant.gtin, variant.sku
        assert Decimal(variant.price) > 0, variant.sku
        assert variant.image_url.startswith("https://images.example.com/"), variant.sku
        assert variant.title, variant.sku
        assert variant.brand, variant.sku
        assert variant.description, variant.sku
        assert variant.category_code, variant.sku
        assert variant.sku == variant.sku.strip().upper(), variant.sku


def test_catalog_ean13_check_digit():
    assert ean13("400638133393") == "4006381333931"


def test_catalog_most_skus_shared():
    catalog = build_demo_catalog()
    mirakl, tiktok = _by_seller_sku(catalog.mirakl), _by_seller_sku(catalog.tiktok)

    assert len(catalog.shared_skus) >= 200
    for sku in catalog.shared_skus:
        assert mirakl[sku].product == tiktok[sku].product, sku


def test_catalog_one_side_skus():
    catalog = build_demo_catalog()
    mirakl = {listing.hub_sku for listing in catalog.mirakl}
    tiktok = {listing.hub_sku for listing in catalog.tiktok}

    assert catalog.mirakl_only_skus
    assert catalog.tiktok_only_skus
    assert set(catalog.mirakl_only_skus) == mirakl - tiktok
    assert set(catalog.tiktok_only_skus) == tiktok - mirakl


def test_catalog_conflicting_skus_differ_in_product():
    catalog = build_demo_catalog()
    mirakl, tiktok = _by_seller_sku(catalog.mirakl), _by_seller_sku(catalog.tiktok)

    assert 2 <= len(catalog.conflicting_skus) <= 3
    assert set(catalog.conflicting_skus) == set(CONFLICTS)
    for sku in catalog.conflicting_skus:
        assert mirakl[sku].product.gtin != tiktok[sku].product.gtin, sku
        assert mirakl[sku].product.title != tiktok[sku].product.title, sku
        assert tiktok[sku].group_code != mirakl[sku].group_code, sku


def test_catalog_near_misses_differ_by_case_or_whitespace():
    catalog = build_demo_catalog()
    mirakl, tiktok = _by_seller_sku(catalog.mirakl), _by_seller_sku(catalog.tiktok)

    assert 3 <= len(catalog.near_miss_pairs) <= 4
    assert dict(catalog.near_miss_pairs) == NEAR_MISSES
    for mirakl_sku, tiktok_sku in catalog.near_miss_pairs:
        assert mirakl_sku != tiktok_sku
        assert mirakl_sku.casefold() == tiktok_sku.strip().casefold()
        assert tiktok_sku not in mirakl, tiktok_sku
        assert mirakl_sku not in tiktok, mirakl_sku
        assert mirakl[mirakl_sku].product == tiktok[tiktok_sku].product


def test_catalog_near_misses_cover_case_and_whitespace():
    pairs = build_demo_catalog().near_miss_pairs

    assert any(tiktok != tiktok.strip() for _mirakl, tiktok in pairs)
    assert any(tiktok == tiktok.strip() and tiktok.upper() == mirakl for mirakl, tiktok in pairs)


def test_catalog_mapped_skus_need_channel_mapping():
    catalog = build_demo_catalog()
    mirakl, tiktok = _by_seller_sku(catalog.mirakl), _by_seller_sku(catalog.tiktok)

    assert len(catalog.mapped_skus) == 2
    assert catalog.mapped_skus == MAPPED_SKUS
    for hub_sku, mirakl_sku in catalog.mapped_skus.items():
        assert mirakl_sku.startswith("MK-")
        assert hub_sku not in mirakl, hub_sku
        assert mirakl[mirakl_sku].hub_sku == hub_sku
        assert tiktok[hub_sku].product == mirakl[mirakl_sku].product


def test_catalog_special_cases_disjoint():
    catalog = build_demo_catalog()
    groups = [
        set(catalog.shared_skus),
        set(catalog.mirakl_only_skus),
        set(catalog.tiktok_only_skus),
        set(catalog.conflicting_skus),
        {mirakl for mirakl, _tiktok in catalog.near_miss_pairs},
        set(catalog.mapped_skus),
    ]

    assert sum(len(group) for group in groups) == len(catalog.variants)
    assert set().union(*groups) == {variant.sku for variant in catalog.variants}


def test_catalog_deterministic():
    first = build_demo_catalog()
    build_demo_catalog.cache_clear()
    second = build_demo_catalog()

    assert first is not second
    assert first == second
