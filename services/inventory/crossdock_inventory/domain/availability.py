"""Per-channel availability of a SKU, with the reasons behind each figure.

Availability for one integration and SKU starts from the sum of `available`
(on hand − committed, never below 0) over the locations included for that
integration. Stock committed to orders that are not routed yet and the
product's `inventory_buffer` for the integration are subtracted, and the
result is clamped at 0. It is 0 when
`sync_to_channel` is off or the product is not active. A channel with
warehouses gets one figure per channel warehouse, computed from the hub
locations mapped to it: TikTok through `warehouseMap`, Mirakl through the
warehouse codes of the locations discovered on it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

CHANNEL_TYPES = ("mirakl", "tiktok")


@dataclass(frozen=True, kw_only=True)
class IntegrationView:
    """The settings of a channel integration that availability depends on."""

    integration_id: str
    type: str
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ChannelOption:
    """The offer settings of one product on one integration (catalog's channel options)."""

    sync_to_channel: bool = True
    inventory_buffer: int = 0
    channel_sku: str | None = None


@dataclass(frozen=True, kw_only=True)
class LocationStock:
    """One location and the stock of the SKU there."""

    location_id: str
    name: str = ""
    status: str = "active"
    exclude_from_totals: bool = False
    excluded_integration_ids: tuple[str, ...] = ()
    source_integration_id: str | None = None
    external_code: str | None = None
    fulfillment_integration_id: str | None = None
    on_hand: int = 0
    committed: int = 0

    @property
    def available(self) -> int:
        return max(self.on_hand - self.committed, 0)


@dataclass(kw_only=True)
class Contribution:
    """One location's share of a figure, with the reason it is included or left out."""

    location_id: str
    name: str
    on_hand: int
    committed: int
    available: int
    included: bool
    reason: str


@dataclass(kw_only=True)
class Figure:
    """One quantity a channel receives: for the whole channel or one channel warehouse."""

    channel_warehouse_id: str | None
    quantity: int
    located_available: int
    unallocated_committed: int
    buffer: int
    contributions: list[Contribution]
    notes: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class ChannelAvailability:
    """Everything one integration would receive for one SKU, and why."""

    integration_id: str
    sku: str
    channel_sku: str
    sync_to_channel: bool
    dropped_by: str | None
    figures: list[Figure]
    notes: list[str] = field(default_factory=list)

    @property
    def publishable(self) -> bool:
        """False when nothing is sent for the SKU: an allow or block list drops it, or the hub has no stock record."""
        return self.dropped_by is None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "publishable": self.publishable}


def channel_sku_for(sku: str, option: ChannelOption | None) -> str:
    """Map a master SKU to the integration's SKU: the channel SKU when set, else the same SKU."""
    if option is not None and option.channel_sku:
        return option.channel_sku
    return sku


def list_filter_result(integration: IntegrationView, sku: str, channel_sku: str) -> str | None:
    """Return why the integration's allow or block list drops the SKU, or None when it passes.

    Both lists are Mirakl settings (`inventorySKUs`, `inventorySKUsExclude`); an
    entry matches the master SKU or the channel SKU exactly.
    """
    allow = _string_list(integration.settings.get("inventorySKUs"))
    block = _string_list(integration.settings.get("inventorySKUsExclude"))
    names = {sku, channel_sku}

    blocked = sorted(names & block)
    if blocked:
        return f"inventorySKUsExclude (block list) contains {blocked[0]!r}"
    if allow and not names & allow:
        return f"inventorySKUs (allow list) does not contain {channel_sku!r}"
    return None


def channel_warehouses(integration: IntegrationView, locations: Iterable[LocationStock]) -> dict[str, list[str]]:
    """Return the integration's channel warehouses with the hub location ids mapped to each.

    Empty when the channel has no warehouses, so availability is one figure.
    """
    if integration.type == "tiktok":
        mapping = integration.settings.get("warehouseMap") or {}
        if not isinstance(mapping, Mapping):
            return {}
        return {str(warehouse): [str(item) for item in _as_list(ids)] for warehouse, ids in mapping.items()}

    if integration.type == "mirakl":
        warehouses: dict[str, list[str]] = {}
        for location in locations:
            if location.source_integration_id == integration.integration_id and location.external_code:
                warehouses.setdefault(location.external_code, []).append(location.location_id)
        return warehouses

    return {}


def compute(
    *,
    integration: IntegrationView,
    sku: str,
    product_status: str,
    option: ChannelOption | None,
    locations: list[LocationStock],
    unallocated_committed: int,
) -> ChannelAvailability:
    """Compute what `integration` should advertise for `sku`, with per-location reasons."""
    channel_sku = channel_sku_for(sku, option)
    sync = option.sync_to_channel if option is not None else True
    buffer = option.inventory_buffer if option is not None else 0

    warehouses = channel_warehouses(integration, locations)
    if warehouses:
        figures = [
            _figure(
                integration=integration,
                channel_warehouse_id=warehouse,
                locations=[location for location in locations if location.location_id in set(mapped)],
                unmapped_ids=[item for item in mapped if item not in {loc.location_id for loc in locations}],
                unallocated_committed=unallocated_committed,
                buffer=buffer,
                sync=sync,
                product_status=product_status,
            )
            for warehouse, mapped in sorted(warehouses.items())
        ]
    else:
        figures = [
            _figure(
                integration=integration,
                channel_warehouse_id=None,
                locations=locations,
                unmapped_ids=[],
                unallocated_committed=unallocated_committed,
                buffer=buffer,
                sync=sync,
                product_status=product_status,
            )
        ]

    return ChannelAvailability(
        integration_id=integration.integration_id,
        sku=sku,
        channel_sku=channel_sku,
        sync_to_channel=sync,
        dropped_by=list_filter_result(integration, sku, channel_sku),
        figures=figures,
        notes=_unmapped_location_notes(warehouses, locations),
    )


def _unmapped_location_notes(warehouses: Mapping[str, list[str]], locations: list[LocationStock]) -> list[str]:
    """Name the locations that feed no figure, since per-warehouse figures leave them out without a trace."""
    if not warehouses:
        return []
    mapped = {location_id for ids in warehouses.values() for location_id in ids}
    return [
        f"location {location.name!r} ({location.location_id}) is not mapped to a channel warehouse of this "
        f"integration, so its {location.available} available unit(s) count for no figure here"
        for location in locations
        if location.location_id not in mapped
    ]


def _figure(
    *,
    integration: IntegrationView,
    channel_warehouse_id: str | None,
    locations: list[LocationStock],
    unmapped_ids: list[str],
    unallocated_committed: int,
    buffer: int,
    sync: bool,
    product_status: str,
) -> Figure:
    contributions = [_contribution(integration, location) for location in locations]
    located = sum(item.available for item in contributions if item.included)
    notes = [f"mapped location {location_id!r} does not exist in this account" for location_id in unmapped_ids]

    # NOTE: stock committed to unrouted orders may be routed to any location, so it
    # is subtracted from every figure. Per-warehouse figures can therefore under-report
    # while orders wait for routing, which never oversells.
    quantity = max(located - unallocated_committed - buffer, 0)
    if not sync:
        quantity = 0
        notes.append("syncToChannel is off for this integration, so the channel receives 0")
    elif product_status != "active":
        quantity = 0
        notes.append(f"product status is {product_status!r}, so the channel receives 0")

    return Figure(
        channel_warehouse_id=channel_warehouse_id,
        quantity=quantity,
        located_available=located,
        unallocated_committed=unallocated_committed,
        buffer=buffer,
        contributions=contributions,
        notes=notes,
    )


def _contribution(integration: IntegrationView, location: LocationStock) -> Contribution:
    if location.status != "active":
        included, reason = False, f"location is {location.status}"
    elif location.exclude_from_totals:
        included, reason = False, "location is excluded from totals for every channel"
    elif integration.integration_id in location.excluded_integration_ids:
        included, reason = False, f"location is excluded from totals for {integration.integration_id}"
    else:
        included, reason = True, "included"
    return Contribution(
        location_id=location.location_id,
        name=location.name,
        on_hand=location.on_hand,
        committed=location.committed,
        available=location.available,
        included=included,
        reason=reason,
    )


def _string_list(value: Any) -> set[str]:
    return {str(item) for item in _as_list(value)}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)
