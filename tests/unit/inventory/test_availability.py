"""Availability arithmetic per channel: buffer, clamp, sync flag, exclusions, channel warehouses, lists."""

import pytest
from crossdock_inventory.domain.availability import ChannelOption, IntegrationView, LocationStock, compute

MIRAKL = IntegrationView(integration_id="mirakl-1", type="mirakl", settings={})
TIKTOK = IntegrationView(integration_id="tiktok-1", type="tiktok", settings={})


def location(location_id: str, on_hand: int, committed: int = 0, **fields) -> LocationStock:
    return LocationStock(location_id=location_id, name=location_id, on_hand=on_hand, committed=committed, **fields)


def only_figure(result):
    assert len(result.figures) == 1
    return result.figures[0]


def test_compute_subtracts_buffer_from_sum_of_locations():
    result = compute(
        integration=MIRAKL,
        sku="TSHIRT-RED-M",
        product_status="active",
        option=ChannelOption(inventory_buffer=3, channel_sku="MK-TSHIRT-RED-M"),
        locations=[location("loc-a", 10, committed=2), location("loc-b", 5)],
        unallocated_committed=0,
    )

    figure = only_figure(result)
    assert figure.located_available == 13
    assert figure.buffer == 3
    assert figure.quantity == 10
    assert figure.channel_warehouse_id is None
    assert result.channel_sku == "MK-TSHIRT-RED-M"


def test_compute_clamps_at_zero_when_buffer_exceeds_stock():
    result = compute(
        integration=MIRAKL,
        sku="MUG-1",
        product_status="active",
        option=ChannelOption(inventory_buffer=5),
        locations=[location("loc-a", 2)],
        unallocated_committed=0,
    )

    assert only_figure(result).quantity == 0


@pytest.mark.parametrize(("on_hand", "expected"), [(1500, 1500), (999, 999), (-3, 0)])
def test_compute_quantity_from_large_exact_and_negative_stock(on_hand, expected):
    result = compute(
        integration=MIRAKL,
        sku="MUG-1",
        product_status="active",
        option=None,
        locations=[location("loc-a", on_hand)],
        unallocated_committed=0,
    )

    assert only_figure(result).quantity == expected


def test_compute_negative_location_does_not_cancel_other_locations():
    result = compute(
        integration=MIRAKL,
        sku="MUG-1",
        product_status="active",
        option=None,
        locations=[location("loc-a", -3), location("loc-b", 4)],
        unallocated_committed=0,
    )

    assert only_figure(result).quantity == 4


def test_compute_sync_off_gives_zero():
    result = compute(
        integration=MIRAKL,
        sku="MUG-1",
        product_status="active",
        option=ChannelOption(sync_to_channel=False),
        locations=[location("loc-a", 40)],
        unallocated_committed=0,
    )

    figure = only_figure(result)
    assert figure.quantity == 0
    assert figure.located_available == 40
    assert any("syncToChannel" in note for note in figure.notes)
    assert result.publishable


def test_compute_inactive_product_gives_zero():
    result = compute(
        integration=MIRAKL,
        sku="MUG-1",
        product_status="inactive",
        option=None,
        locations=[location("loc-a", 40)],
        unallocated_committed=0,
    )

    assert only_figure(result).quantity == 0


def test_compute_excludes_paused_location():
    result = compute(
        integration=MIRAKL,
        sku="MUG-1",
        product_status="active",
        option=None,
        locations=[location("loc-a", 10), location("loc-b", 7, status="paused")],
        unallocated_committed=0,
    )

    figure = only_figure(result)
    assert figure.quantity == 10
    paused = next(item for item in figure.contributions if item.location_id == "loc-b")
    assert not paused.included
    assert paused.reason == "location is paused"


def test_compute_excludes_location_from_totals_for_every_channel():
    locations = [location("loc-a", 10), location("loc-b", 7, exclude_from_totals=True)]

    for integration in (MIRAKL, TIKTOK):
        result = compute(
            integration=integration,
            sku="MUG-1",
            product_status="active",
            option=None,
            locations=locations,
            unallocated_committed=0,
        )
        assert only_figure(result).quantity == 10


def test_compute_excludes_location_for_one_channel_only():
    locations = [location("loc-a", 10), location("loc-b", 7, excluded_integration_ids=("mirakl-1",))]

    mirakl = compute(
        integration=MIRAKL,
        sku="MUG-1",
        product_status="active",
        option=None,
        locations=locations,
        unallocated_committed=0,
    )
    tiktok = compute(
        integration=TIKTOK,
        sku="MUG-1",
        product_status="active",
        option=None,
        locations=locations,
        unallocated_committed=0,
    )

    assert only_figure(mirakl).quantity == 10
    assert only_figure(tiktok).quantity == 17
    excluded = next(item for item in only_figure(mirakl).contributions if item.location_id == "loc-b")
    assert excluded.reason == "location is excluded from totals for mirakl-1"


def test_compute_tiktok_warehouse_mapped_to_two_locations():
    tiktok = IntegrationView(
        integration_id="tiktok-1",
        type="tiktok",
        settings={"warehouseMap": {"TT-WH-1": ["loc-a", "loc-b"], "TT-WH-2": ["loc-c"]}},
    )
    locations = [location("loc-a", 10, committed=1), location("loc-b", 5), location("loc-c", 3)]

    result = compute(
        integration=tiktok,
        sku="MUG-1",
        product_status="active",
        option=ChannelOption(inventory_buffer=2),
        locations=locations,
        unallocated_committed=0,
    )

    figures = {figure.channel_warehouse_id: figure for figure in result.figures}
    assert set(figures) == {"TT-WH-1", "TT-WH-2"}
    assert figures["TT-WH-1"].quantity == 12
    assert figures["TT-WH-2"].quantity == 1
    assert [item.location_id for item in figures["TT-WH-1"].contributions] == ["loc-a", "loc-b"]


def test_compute_tiktok_warehouse_map_names_missing_location():
    tiktok = IntegrationView(
        integration_id="tiktok-1", type="tiktok", settings={"warehouseMap": {"TT-WH-1": ["loc-a", "loc-gone"]}}
    )

    result = compute(
        integration=tiktok,
        sku="MUG-1",
        product_status="active",
        option=None,
        locations=[location("loc-a", 4)],
        unallocated_committed=0,
    )

    figure = only_figure(result)
    assert figure.quantity == 4
    assert figure.notes == ["mapped location 'loc-gone' does not exist in this account"]


def test_compute_mirakl_per_warehouse_code():
    locations = [
        location("loc-paris", 8, source_integration_id="mirakl-1", external_code="WH-PARIS"),
        location("loc-lyon", 2, source_integration_id="mirakl-1", external_code="WH-LYON"),
        location("loc-own", 50),
    ]

    result = compute(
        integration=MIRAKL,
        sku="MUG-1",
        product_status="active",
        option=None,
        locations=locations,
        unallocated_committed=0,
    )

    figures = {figure.channel_warehouse_id: figure.quantity for figure in result.figures}
    assert figures == {"WH-LYON": 2, "WH-PARIS": 8}
    assert result.notes == [
        "location 'loc-own' (loc-own) is not mapped to a channel warehouse of this integration, "
        "so its 50 available unit(s) count for no figure here"
    ]


def test_compute_single_figure_has_no_unmapped_location_notes():
    result = compute(
        integration=MIRAKL,
        sku="MUG-1",
        product_status="active",
        option=None,
        locations=[location("loc-own", 50)],
        unallocated_committed=0,
    )

    assert result.notes == []


def test_compute_subtracts_unallocated_commitments():
    result = compute(
        integration=MIRAKL,
        sku="MUG-1",
        product_status="active",
        option=ChannelOption(inventory_buffer=1),
        locations=[location("loc-a", 10)],
        unallocated_committed=4,
    )

    figure = only_figure(result)
    assert figure.unallocated_committed == 4
    assert figure.quantity == 5


def test_compute_block_list_drops_sku():
    mirakl = IntegrationView(integration_id="mirakl-1", type="mirakl", settings={"inventorySKUsExclude": ["MUG-XL-9"]})

    result = compute(
        integration=mirakl, sku="MUG-XL-9", product_status="active", option=None, locations=[], unallocated_committed=0
    )

    assert not result.publishable
    assert result.dropped_by == "inventorySKUsExclude (block list) contains 'MUG-XL-9'"


def test_compute_allow_list_matches_channel_sku():
    mirakl = IntegrationView(integration_id="mirakl-1", type="mirakl", settings={"inventorySKUs": ["MK-MUG-1"]})

    kept = compute(
        integration=mirakl,
        sku="MUG-1",
        product_status="active",
        option=ChannelOption(channel_sku="MK-MUG-1"),
        locations=[],
        unallocated_committed=0,
    )
    dropped = compute(
        integration=mirakl, sku="MUG-2", product_status="active", option=None, locations=[], unallocated_committed=0
    )

    assert kept.publishable
    assert not dropped.publishable
    assert dropped.dropped_by == "inventorySKUs (allow list) does not contain 'MUG-2'"
