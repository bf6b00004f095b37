"""Integration settings: defaults, validation messages and the allow/block list rule."""

import pytest
from crossdock_mirakl_connector.domain.settings import IntegrationSettings, check_products_against_source
from pydantic import ValidationError


def test_settings_defaults_match_spec():
    settings = IntegrationSettings()

    assert settings.products == "disabled"
    assert settings.ordersStatuses == ["WAITING_ACCEPTANCE", "REFUSED", "CANCELED"]
    assert settings.ordersAutoAccept is False
    assert settings.pullLocations is False
    assert settings.syncOrders is True
    assert settings.syncInventory is True
    assert settings.syncFulfillments is True
    assert settings.inventorySKUs == []
    assert settings.inventorySKUsExclude == []


def test_settings_overlap_names_skus():
    with pytest.raises(ValidationError) as raised:
        IntegrationSettings(inventorySKUs=["A", "B", "C"], inventorySKUsExclude=["C", "B", "Z"])

    assert "['B', 'C']" in str(raised.value)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"ordersStatuses": ["WAITING_ACCEPTANCE", "PAID"]}, "PAID"),
        ({"ordersStatuses": []}, "at least one"),
        ({"ordersPollSeconds": 59}, "use at least 60 seconds"),
        ({"importStatusSeconds": 14}, "use at least 15 seconds"),
        ({"reconcileSeconds": 1}, "reconcileSeconds=1"),
        ({"products": "both"}, "products"),
        ({"unknownSetting": 1}, "unknownSetting"),
    ],
)
def test_settings_invalid_value_names_it(values, expected):
    with pytest.raises(ValidationError) as raised:
        IntegrationSettings(**values)

    assert expected in str(raised.value)


def test_settings_duplicate_states_collapsed():
    settings = IntegrationSettings(ordersStatuses=["SHIPPING", "SHIPPING", "CANCELED"])

    assert settings.ordersStatuses == ["SHIPPING", "CANCELED"]


@pytest.mark.parametrize(
    ("allow", "block", "sku", "eligible"),
    [
        ([], [], "MUG-1", True),
        (["MUG-1"], [], "MUG-1", True),
        (["MUG-1"], [], "MUG-2", False),
        ([], ["MUG-1"], "MUG-1", False),
        ([], ["MUG-1"], "mug-1", True),
    ],
)
def test_settings_sku_eligible_lists(allow, block, sku, eligible):
    settings = IntegrationSettings(inventorySKUs=allow, inventorySKUsExclude=block)

    assert settings.sku_eligible(sku) is eligible


@pytest.mark.parametrize(
    ("mode", "source", "refused"),
    [
        ("pull", "mirakl", False),
        ("push", "mirakl", True),
        ("disabled", "mirakl", True),
        ("push", "both", True),
        ("pull", "tiktok", False),
        ("push", "tiktok", True),
        ("push", "other", False),
        ("disabled", "other", False),
        ("push", None, False),
    ],
)
def test_products_mode_against_catalog_source(mode, source, refused):
    assert (check_products_against_source(mode, source) is not None) is refused
