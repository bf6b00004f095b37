"""Country normalization for routing rule filters."""

import pytest
from crossdock_order_routing.domain.countries import UnknownCountryError, normalize_country


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("FR", "FR"),
        ("fr", "FR"),
        ("FRA", "FR"),
        ("France", "FR"),
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        (" Germany ", "DE"),
    ],
)
def test_normalize_country_accepts_codes_and_names(value, code):
    assert normalize_country(value) == code


@pytest.mark.parametrize("value", ["", "XX", "Frnace"])
def test_normalize_country_rejects_unknown_value(value):
    with pytest.raises(UnknownCountryError, match="ISO 3166-1 alpha-2"):
        normalize_country(value)
