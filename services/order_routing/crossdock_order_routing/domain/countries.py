"""Normalization of country names and codes to ISO 3166-1 alpha-2 with pycountry."""

import pycountry

# Common names that pycountry's lookup does not know, because ISO 3166 uses
# another name (the United Kingdom's code is GB, not UK).
_ALIASES = {
    "UK": "GB",
    "GREAT BRITAIN": "GB",
    "ENGLAND": "GB",
    "SCOTLAND": "GB",
    "WALES": "GB",
    "NORTHERN IRELAND": "GB",
    "USA": "US",
    "UNITED STATES OF AMERICA": "US",
}


class UnknownCountryError(ValueError):
    """A value that is neither an ISO 3166 country code nor a country name in pycountry's database."""


def normalize_country(value: str) -> str:
    """Return the ISO 3166-1 alpha-2 code of a code (alpha-2 or alpha-3, any case) or an English name."""
    text = value.strip()
    if not text:
        raise UnknownCountryError("country is empty; use an ISO 3166-1 alpha-2 code such as 'FR'")
    alias = _ALIASES.get(text.upper())
    if alias is not None:
        return alias
    # An exact lookup only: fuzzy matching maps typos to a wrong country.
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        raise UnknownCountryError(
            f"unknown country {value!r}; use an ISO 3166-1 alpha-2 code such as 'FR', 'GB' or 'US'"
        ) from None
