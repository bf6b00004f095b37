"""The rule engine: first match wins, candidate validity, inventory checks, splits and the default rule."""

from crossdock_order_routing.domain.rules import (
    ChannelRouting,
    LineDemand,
    LocationFacts,
    OrderFacts,
    RoutingRule,
    choose_route,
)


def location(
    location_id: str, *, status: str = "active", linked: str | None = "3pl-1", known: bool = True, **extra
) -> LocationFacts:
    return LocationFacts(
        location_id=location_id, status=status, fulfillment_integration_id=linked, integration_known=known, **extra
    )


def order(*lines: LineDemand, channel: str = "tiktok", country: str = "FR", **extra) -> OrderFacts:
    return OrderFacts(integration_id=f"{channel}-1", channel=channel, country=country, lines=list(lines), **extra)


MUG = LineDemand(line_id="L1", sku="MUG-BLUE-350", quantity=4)
SHIRT = LineDemand(line_id="L2", sku="TSHIRT-RED-M", quantity=1)


def route(facts, *, rules=(), locations=(), stock=None, channel=None):
    return choose_route(
        order=facts,
        rules=list(rules),
        locations={item.location_id: item for item in locations},
        stock=stock or {},
        channel=channel or ChannelRouting(),
    )


def test_rules_first_match_wins():
    first = RoutingRule(rule_id="r1", name="France", location_ids=["loc-a"], countries=["FR"])
    second = RoutingRule(rule_id="r2", name="everything", location_ids=["loc-b"])

    decision = route(order(MUG), rules=[first, second], locations=[location("loc-a"), location("loc-b")])

    assert decision.rule_name == "France"
    assert [allocation.location_id for allocation in decision.allocations] == ["loc-a"]


def test_rules_filters_skip_non_matching_rule():
    germany = RoutingRule(rule_id="r1", name="Germany", location_ids=["loc-a"], countries=["DE"])
    mugs = RoutingRule(rule_id="r2", name="mugs", location_ids=["loc-b"], sku_prefixes=["MUG-"])

    only_mug = route(order(MUG), rules=[germany, mugs], locations=[location("loc-a"), location("loc-b")])
    mixed = route(order(MUG, SHIRT), rules=[germany, mugs], locations=[location("loc-a"), location("loc-b")])

    assert only_mug.rule_name == "mugs"
    assert mixed.rule_name == "default"


def test_rules_unlinked_location_stalls_with_reason():
    rule = RoutingRule(rule_id="r1", name="paris", location_ids=["loc-a", "loc-b"])

    decision = route(
        order(MUG),
        rules=[rule],
        locations=[location("loc-a", linked=None), location("loc-b", linked="wms-9", known=False)],
    )

    assert decision.stall_reason == "location_not_linked"
    assert [candidate.taken for candidate in decision.candidates] == [False, False]
    assert "'wms-9'" in decision.candidates[1].reason


def test_rules_paused_and_missing_locations_stall():
    rule = RoutingRule(rule_id="r1", name="paris", location_ids=["loc-a"])

    paused = route(order(MUG), rules=[rule], locations=[location("loc-a", status="paused")])
    missing = route(order(MUG), rules=[rule], locations=[])
    empty_account = route(order(MUG))

    assert paused.stall_reason == "location_paused"
    assert missing.stall_reason == "no_location"
    assert empty_account.stall_reason == "no_location"


def test_rules_check_inventory_takes_full_location():
    rule = RoutingRule(rule_id="r1", name="stocked", location_ids=["loc-a", "loc-b"], check_inventory=True)
    stock = {("MUG-BLUE-350", "loc-a"): 3, ("MUG-BLUE-350", "loc-b"): 4}

    decision = route(order(MUG), rules=[rule], locations=[location("loc-a"), location("loc-b")], stock=stock)

    assert [allocation.location_id for allocation in decision.allocations] == ["loc-b"]
    assert decision.candidates[0].reason == "cannot fill the whole order: 'MUG-BLUE-350' has 3 of 4"
    assert decision.candidates[1].taken is True


def test_rules_split_across_locations_when_allowed():
    rule = RoutingRule(
        rule_id="r1", name="split", location_ids=["loc-a", "loc-b"], check_inventory=True, allow_split=True
    )
    stock = {("MUG-BLUE-350", "loc-a"): 3, ("MUG-BLUE-350", "loc-b"): 1, ("TSHIRT-RED-M", "loc-b"): 1}

    decision = route(order(MUG, SHIRT), rules=[rule], locations=[location("loc-a"), location("loc-b")], stock=stock)

    assert decision.routed
    assert {a.location_id: a.lines for a in decision.allocations} == {"loc-a": {"L1": 3}, "loc-b": {"L1": 1, "L2": 1}}


def test_rules_insufficient_inventory_without_split():
    rule = RoutingRule(rule_id="r1", name="no split", location_ids=["loc-a", "loc-b"], check_inventory=True)
    stock = {("MUG-BLUE-350", "loc-a"): 3, ("MUG-BLUE-350", "loc-b"): 1}

    decision = route(order(MUG), rules=[rule], locations=[location("loc-a"), location("loc-b")], stock=stock)
    split = route(
        order(MUG),
        rules=[RoutingRule(rule_id="r2", name="split", location_ids=["loc-a"], check_inventory=True, allow_split=True)],
        locations=[location("loc-a")],
        stock=stock,
    )

    assert decision.stall_reason == "insufficient_inventory"
    assert decision.allocations == []
    assert split.stall_reason == "insufficient_inventory"
    assert "'MUG-BLUE-350' is short by 1 of 4" in split.detail


def test_default_rule_uses_mirakl_warehouse_code():
    line = LineDemand(line_id="L1", sku="MUG-BLUE-350", quantity=1, channel_warehouse_id="WH-LYON")
    locations = [
        location("loc-paris", priority=1),
        location("loc-lyon", priority=50, source_integration_id="mirakl-1", external_code="WH-LYON"),
    ]

    decision = route(order(line, channel="mirakl"), locations=locations)

    assert [allocation.location_id for allocation in decision.allocations] == ["loc-lyon"]


def test_default_rule_uses_tiktok_warehouse_map_then_preference():
    mapped = LineDemand(line_id="L1", sku="MUG-BLUE-350", quantity=1, channel_warehouse_id="7001")
    plain = LineDemand(line_id="L2", sku="TSHIRT-RED-M", quantity=1)
    channel = ChannelRouting(location_preference="loc-pref", warehouse_map={"7001": ["loc-mapped"]})
    locations = [location("loc-first", priority=1), location("loc-mapped"), location("loc-pref")]

    decision = route(order(mapped, plain), locations=locations, channel=channel)

    assert {a.location_id: a.lines for a in decision.allocations} == {"loc-mapped": {"L1": 1}, "loc-pref": {"L2": 1}}


def test_default_rule_orders_account_locations_by_priority():
    locations = [
        location("loc-b", priority=20),
        location("loc-a", priority=10, linked=None),
        location("loc-c", priority=30),
    ]

    decision = route(order(MUG), locations=locations)

    assert [candidate.location_id for candidate in decision.candidates] == ["loc-a", "loc-b", "loc-c"]
    assert [allocation.location_id for allocation in decision.allocations] == ["loc-b"]
