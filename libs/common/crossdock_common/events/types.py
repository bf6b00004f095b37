"""Field types used by every canonical payload: money, UTC datetimes, country codes.

Money is `Decimal` end to end. JSON numbers are decoded straight to `Decimal`
(see `crossdock_common.events.codec`), strings are parsed strictly, and a Python
`float` is rejected because it cannot hold an amount such as 19.90 exactly.
Datetimes must carry an offset; any valid ISO 8601 offset is accepted and
converted to UTC.
"""

import re
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Annotated, Any

import pycountry
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, PlainSerializer

_AMOUNT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")

# ISO 4217 currencies whose minor unit is not 2 decimals. Every other code uses 2.
_CURRENCY_DECIMALS = {
    **dict.fromkeys(
        [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
}


def parse_amount(value: Any) -> Decimal:
    """Parse a money amount from a Decimal, an int or a string with a dot as decimal separator."""
    if isinstance(value, bool):
        raise ValueError(f'invalid amount {value!r}: expected a decimal number such as "19.90"')
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"invalid amount {value!r}: amounts must be finite")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        raise ValueError(
            f'invalid amount {value!r}: a float cannot hold money exactly; pass a string such as "19.90" '
            "or decode JSON with parse_float=Decimal"
        )
    if isinstance(value, str):
        text = value.strip()
        if not _AMOUNT.match(text):
            hint = " (use a dot as decimal separator, without thousands separators)" if "," in text else ""
            raise ValueError(f'invalid amount {value!r}: expected a decimal number such as "19.90"{hint}')
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(f"invalid amount {value!r}") from None
    raise ValueError(f'invalid amount {value!r}: expected a decimal number such as "19.90"')


def currency_decimals(currency: str) -> int:
    """Return the number of minor-unit decimals of an ISO 4217 currency code."""
    return _CURRENCY_DECIMALS.get(currency.upper(), 2)


def quantize_money(amount: Decimal, currency: str) -> Decimal:
    """Round `amount` to the currency's minor unit, for amounts sent to a marketplace."""
    exponent = Decimal(1).scaleb(-currency_decimals(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_EVEN)


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def parse_country(value: Any) -> str:
    """Accept an ISO 3166-1 alpha-2 code (any case) and return it upper-cased."""
    if not isinstance(value, str):
        raise ValueError(f'invalid country {value!r}: expected an ISO 3166-1 alpha-2 code such as "FR"')
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f'invalid country {value!r}: expected an ISO 3166-1 alpha-2 code such as "FR"')
    return code


def _parse_currency(value: Any) -> str:
    if not isinstance(value, str) or pycountry.currencies.get(alpha_3=value.strip().upper()) is None:
        raise ValueError(f'invalid currency {value!r}: expected an ISO 4217 code such as "EUR"')
    return value.strip().upper()


Money = Annotated[
    Decimal, BeforeValidator(parse_amount), PlainSerializer(lambda v: str(v), return_type=str, when_used="json")
]
"""A money amount: `Decimal`, serialized to JSON as a string so no reader turns it into a float."""

UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware datetime, normalized to UTC. Naive datetimes are rejected."""

CountryCode = Annotated[str, BeforeValidator(parse_country)]
"""An ISO 3166-1 alpha-2 country code, upper-case."""

CurrencyCode = Annotated[str, BeforeValidator(_parse_currency)]
"""An ISO 4217 currency code, upper-case."""


def _strip_nul(value: Any) -> Any:
    # PostgreSQL rejects U+0000 in text and jsonb, so one NUL in a buyer's note
    # would fail the whole write. Free text drops it; identifiers reject it instead.
    if isinstance(value, str):
        return value.replace("\x00", "")
    return value


def _reject_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(f"invalid identifier {value!r}: contains a NUL character")
    return value


Text = Annotated[str, BeforeValidator(_strip_nul)]
"""Free text (titles, names, addresses): any Unicode, NUL characters removed."""

Identifier = Annotated[str, BeforeValidator(_reject_nul)]
"""An identifier kept exactly as given (no trimming, no case folding); NUL is rejected."""
