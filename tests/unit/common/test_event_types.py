"""Money, datetimes, countries and free text in canonical payloads."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pydantic
import pytest
from crossdock_common.events.codec import decode_json
from crossdock_common.events.types import CountryCode, Money, Text, UtcDatetime, quantize_money
from pydantic import BaseModel, ValidationError


class Priced(BaseModel):
    price: Money


class Stamped(BaseModel):
    at: UtcDatetime


class Shipped(BaseModel):
    country: CountryCode


class Titled(BaseModel):
    title: Text


def test_pydantic_version_is_pinned_for_decimal_cases():
    # The float detour of JSON numbers depends on pydantic-core; these cases were checked on this version.
    assert pydantic.VERSION == "2.14.4"


def test_money_json_number_keeps_trailing_zero():
    priced = Priced.model_validate(decode_json(b'{"price": 19.90}'))

    assert priced.price == Decimal("19.90")
    assert str(priced.price) == "19.90"


def test_money_string_keeps_trailing_zero():
    priced = Priced.model_validate(decode_json(b'{"price": "19.90"}'))

    assert str(priced.price) == "19.90"


def test_money_long_json_number_is_not_rounded_through_float():
    priced = Priced.model_validate(decode_json(b'{"price": 0.29999999999999998}'))

    assert priced.price == Decimal("0.29999999999999998")


def test_money_serializes_as_string():
    assert Priced(price=Decimal("19.90")).model_dump_json() == '{"price":"19.90"}'


@pytest.mark.parametrize("bad", ["12,50", "1,234.50", "abc", "", "NaN", "Infinity"])
def test_money_rejects_ambiguous_strings(bad):
    with pytest.raises(ValidationError) as raised:
        Priced(price=bad)

    assert repr(bad) in str(raised.value)


def test_money_comma_error_names_the_fix():
    with pytest.raises(ValidationError) as raised:
        Priced(price="12,50")

    assert "dot as decimal separator" in str(raised.value)


def test_money_rejects_python_float():
    with pytest.raises(ValidationError) as raised:
        Priced(price=19.9)

    assert "float" in str(raised.value)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [("19.9", "EUR", "19.90"), ("1999", "JPY", "1999"), ("1.2345", "KWD", "1.234"), ("0.125", "USD", "0.12")],
)
def test_quantize_money_uses_currency_decimals(amount, currency, expected):
    assert str(quantize_money(Decimal(amount), currency)) == expected


@pytest.mark.parametrize(
    "text",
    ["2024-03-01T10:02:00Z", "2024-03-01T11:02:00+01:00", "2024-03-01T05:32:00-04:30", "2024-03-01T10:02:00.000+00:00"],
)
def test_datetime_offsets_normalize_to_utc(text):
    stamped = Stamped.model_validate({"at": text})

    assert stamped.at == datetime(2024, 3, 1, 10, 2, tzinfo=UTC)
    assert stamped.at.utcoffset() == timedelta(0)


def test_datetime_naive_is_rejected():
    with pytest.raises(ValidationError):
        Stamped(at=datetime(2024, 3, 1, 10, 2))


def test_datetime_aware_python_value_converts():
    paris = timezone(timedelta(hours=1))

    stamped = Stamped(at=datetime(2024, 3, 1, 11, 2, tzinfo=paris))

    assert stamped.at.tzinfo == UTC
    assert stamped.at.hour == 10


@pytest.mark.parametrize(("given", "expected"), [("fr", "FR"), ("GB", "GB"), (" us ", "US")])
def test_country_accepts_alpha2_any_case(given, expected):
    assert Shipped(country=given).country == expected


@pytest.mark.parametrize("bad", ["France", "XX", "UK", "FRA", ""])
def test_country_rejects_non_iso_codes(bad):
    with pytest.raises(ValidationError):
        Shipped(country=bad)


def test_text_keeps_emoji_and_accents():
    title = "Tasse 🍃 Grün – 0,5 l"

    assert Titled(title=title).title == title
    assert Titled.model_validate_json(Titled(title="Zoë Ñandú").model_dump_json()).title == "Zoë Ñandú"


def test_text_drops_nul_characters():
    assert Titled(title="Mug\u0000 blue").title == "Mug blue"
