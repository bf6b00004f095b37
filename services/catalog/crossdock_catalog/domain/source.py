"""Catalog source rules: which channel's pull may create and update master products.

- `mirakl` / `tiktok`: products pulled from that channel create and update masters;
  products from the other channel only link to an existing master.
- `both`: either channel creates a master for a SKU it brings first, and only the
  integration that created a master updates it.
- `other`: masters come from the catalog API and CSV import; channel products only link.
"""

from typing import Literal

CatalogSource = Literal["mirakl", "tiktok", "both", "other"]
CATALOG_SOURCES: tuple[str, ...] = ("mirakl", "tiktok", "both", "other")
DEFAULT_CATALOG_SOURCE: CatalogSource = "other"

_CREATING_CHANNELS: dict[str, frozenset[str]] = {
    "mirakl": frozenset({"mirakl"}),
    "tiktok": frozenset({"tiktok"}),
    "both": frozenset({"mirakl", "tiktok"}),
    "other": frozenset(),
}


def creating_channels(source: str) -> frozenset[str]:
    """Return the channels whose pulled products create masters under `source`."""
    return _CREATING_CHANNELS[source]


def channel_may_create(source: str, channel: str) -> bool:
    """Tell whether a product pulled from `channel` may create a master under `source`."""
    return channel in _CREATING_CHANNELS[source]


def integration_may_update(*, source: str, channel: str, integration_id: str, owner_integration_id: str | None) -> bool:
    """Tell whether a channel product may overwrite the master's fields.

    Only the integration that created the master updates it, and only while its
    channel is still a catalog source.
    """
    return owner_integration_id == integration_id and channel_may_create(source, channel)


def api_may_edit(source: str) -> bool:
    """Tell whether the catalog API and CSV import may create, change or delete masters."""
    return source == "other"


def link_only_reason(source: str, channel: str, integration_id: str) -> str:
    """Explain why a channel product did not create a master under `source`."""
    if source == "other":
        return (
            f"catalog source is 'other', so products from {integration_id} only link to masters "
            "created through the catalog API or CSV import"
        )
    return f"catalog source is {source!r}, so {channel} products from {integration_id} only link to existing masters"
