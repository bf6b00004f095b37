"""Choice of locations for a routable order: ordered rules, first match wins, then the default rule.

Every evaluation returns a `Decision` that records the rule used and each
candidate location with the reason it was taken or skipped, whether the order
routes or stalls.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

DEFAULT_RULE_NAME = "default"


@dataclass(frozen=True)
class LineDemand:
    """Units of one order line still to route, with the channel warehouse the line names."""

    line_id: str
    sku: str
    quantity: int
    channel_warehouse_id: str | None = None


@dataclass(frozen=True)
class OrderFacts:
    """The facts of an order that routing uses."""

    integration_id: str
    channel: str
    country: str | None
    lines: Sequence[LineDemand]
    channel_warehouse_id: str | None = None


@dataclass(frozen=True)
class LocationFacts:
    """A hub location as stored in this service's projection."""

    location_id: str
    status: str
    fulfillment_integration_id: str | None
    integration_known: bool
    source_integration_id: str | None = None
    external_code: str | None = None
    priority: int = 100


@dataclass(frozen=True)
class RoutingRule:
    """An account's rule: filters, candidate locations in priority order, and the inventory options."""

    rule_id: str
    name: str
    location_ids: Sequence[str]
    integration_ids: Sequence[str] = ()
    sku_prefixes: Sequence[str] = ()
    countries: Sequence[str] = ()
    check_inventory: bool = False
    allow_split: bool = False


@dataclass(frozen=True)
class ChannelRouting:
    """Routing settings of the order's channel integration (TikTok's location preference and warehouse map)."""

    location_preference: str | None = None
    warehouse_map: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Candidate:
    """One location considered, and why it was taken or skipped."""

    location_id: str
    taken: bool
    reason: str


@dataclass
class Allocation:
    """Units of order lines assigned to one location."""

    location_id: str
    fulfillment_integration_id: str
    lines: dict[str, int]


@dataclass
class Decision:
    """The outcome of one routing evaluation."""

    rule_id: str | None
    rule_name: str
    candidates: list[Candidate]
    allocations: list[Allocation]
    stall_reason: str | None = None
    detail: str = ""

    @property
    def routed(self) -> bool:
        return self.stall_reason is None


def rule_matches(rule: RoutingRule, order: OrderFacts) -> bool:
    """Tell whether every filter of `rule` accepts `order`. An empty filter accepts anything."""
    if rule.integration_ids and order.integration_id not in rule.integration_ids:
        return False
    if rule.countries and order.country not in rule.countries:
        return False
    if rule.sku_prefixes:
        for line in order.lines:
            if not any(line.sku.startswith(prefix) for prefix in rule.sku_prefixes):
                return False
    return True


def choose_route(
    *,
    order: OrderFacts,
    rules: Sequence[RoutingRule],
    locations: Mapping[str, LocationFacts],
    stock: Mapping[tuple[str, str], int],
    channel: ChannelRouting,
) -> Decision:
    """Route `order` with the first rule that matches it, or with the default rule.

    `stock` maps (SKU, location id) to available units; a missing pair counts as 0.
    """
    for rule in rules:
        if rule_matches(rule, order):
            return _route_with_candidates(
                rule_id=rule.rule_id,
                rule_name=rule.name,
                location_ids=list(rule.location_ids),
                lines=list(order.lines),
                locations=locations,
                stock=stock,
                check_inventory=rule.check_inventory,
                allow_split=rule.allow_split,
            )
    return _route_by_default(order=order, locations=locations, stock=stock, channel=channel)


def _route_by_default(
    *,
    order: OrderFacts,
    locations: Mapping[str, LocationFacts],
    stock: Mapping[tuple[str, str], int],
    channel: ChannelRouting,
) -> Decision:
    """Apply the default rule: channel warehouse mapping, then location preference, then account priority.

    Lines with different candidate lists (lines naming different channel
    warehouses) are routed separately, so such an order may split by warehouse.
    The default rule does not check inventory.
    """
    groups: dict[tuple[str, ...], list[LineDemand]] = {}
    for line in order.lines:
        candidates = tuple(_default_candidates(order, line, locations, channel))
        groups.setdefault(candidates, []).append(line)

    merged = Decision(rule_id=None, rule_name=DEFAULT_RULE_NAME, candidates=[], allocations=[])
    for candidate_ids, lines in groups.items():
        part = _route_with_candidates(
            rule_id=None,
            rule_name=DEFAULT_RULE_NAME,
            location_ids=list(candidate_ids),
            lines=lines,
            locations=locations,
            stock=stock,
            check_inventory=False,
            allow_split=False,
        )
        prefix = "" if len(groups) == 1 else f"lines {', '.join(line.line_id for line in lines)}: "
        merged.candidates.extend(
            Candidate(location_id=c.location_id, taken=c.taken, reason=prefix + c.reason) for c in part.candidates
        )
        if not part.routed:
            merged.stall_reason = part.stall_reason
            merged.detail = prefix + part.detail
            merged.allocations = []
            return merged
        _merge_allocations(merged.allocations, part.allocations)
    merged.detail = "rule 'default' chose " + ", ".join(a.location_id for a in merged.allocations)
    return merged


def _default_candidates(
    order: OrderFacts, line: LineDemand, locations: Mapping[str, LocationFacts], channel: ChannelRouting
) -> list[str]:
    warehouse = line.channel_warehouse_id or order.channel_warehouse_id
    if warehouse:
        if order.channel == "mirakl":
            mapped = [
                location.location_id
                for location in _by_priority(locations.values())
                if location.source_integration_id == order.integration_id and location.external_code == warehouse
            ]
        else:
            mapped = list(channel.warehouse_map.get(warehouse, ()))
        if mapped:
            return mapped
    if channel.location_preference:
        return [channel.location_preference]
    return [location.location_id for location in _by_priority(locations.values())]


def _by_priority(locations) -> list[LocationFacts]:
    # A lower priority number comes first; the id breaks ties so the order is stable.
    return sorted(locations, key=lambda location: (location.priority, location.location_id))


def _route_with_candidates(
    *,
    rule_id: str | None,
    rule_name: str,
    location_ids: list[str],
    lines: list[LineDemand],
    locations: Mapping[str, LocationFacts],
    stock: Mapping[tuple[str, str], int],
    check_inventory: bool,
    allow_split: bool,
) -> Decision:
    decision = Decision(rule_id=rule_id, rule_name=rule_name, candidates=[], allocations=[])
    valid: list[LocationFacts] = []
    skip_kinds: set[str] = set()
    for location_id in location_ids:
        location = locations.get(location_id)
        problem = _invalid_because(location_id, location)
        if problem is None:
            valid.append(location)
        else:
            kind, reason = problem
            skip_kinds.add(kind)
            decision.candidates.append(Candidate(location_id=location_id, taken=False, reason=reason))

    if not valid:
        return _stall_without_destination(decision, location_ids, skip_kinds)
    if not check_inventory:
        return _take_first(decision, valid, lines)
    return _take_by_inventory(decision, valid, lines, stock, allow_split)


def _invalid_because(location_id: str, location: LocationFacts | None) -> tuple[str, str] | None:
    """Return (stall reason, explanation) when the location is not a valid destination."""
    if location is None:
        return "no_location", f"location {location_id!r} is unknown to order routing"
    if location.status != "active":
        return "location_paused", f"location is {location.status}, not active"
    if not location.fulfillment_integration_id:
        return "location_not_linked", "location is not linked to a 3PL or warehouse integration"
    if not location.integration_known:
        return (
            "location_not_linked",
            f"linked integration {location.fulfillment_integration_id!r} is not an "
            f"HTTP-3PL integration of this account",
        )
    return None


def _stall_without_destination(decision: Decision, location_ids: list[str], skip_kinds: set[str]) -> Decision:
    if not location_ids:
        decision.stall_reason = "no_location"
        decision.detail = f"rule {decision.rule_name!r} has no candidate location; add a location to the account"
    elif "location_not_linked" in skip_kinds:
        decision.stall_reason = "location_not_linked"
        decision.detail = "no candidate location is linked to a 3PL or warehouse integration; link one in inventory"
    elif "location_paused" in skip_kinds:
        decision.stall_reason = "location_paused"
        decision.detail = "every candidate location is paused; reactivate one"
    else:
        decision.stall_reason = "no_location"
        decision.detail = f"no candidate location of rule {decision.rule_name!r} exists"
    return decision


def _take_first(decision: Decision, valid: list[LocationFacts], lines: list[LineDemand]) -> Decision:
    chosen = valid[0]
    decision.candidates.append(
        Candidate(location_id=chosen.location_id, taken=True, reason="first valid location (inventory not checked)")
    )
    for other in valid[1:]:
        decision.candidates.append(
            Candidate(location_id=other.location_id, taken=False, reason="not needed: an earlier location was taken")
        )
    decision.allocations = [_allocation(chosen, {line.line_id: line.quantity for line in lines})]
    decision.detail = f"rule {decision.rule_name!r} chose {chosen.location_id}"
    return decision


def _take_by_inventory(
    decision: Decision,
    valid: list[LocationFacts],
    lines: list[LineDemand],
    stock: Mapping[tuple[str, str], int],
    allow_split: bool,
) -> Decision:
    for index, location in enumerate(valid):
        if any(stock.get((line.sku, location.location_id), 0) < line.quantity for line in lines):
            continue
        for earlier in valid[:index]:
            decision.candidates.append(_short_candidate(earlier, lines, stock))
        decision.candidates.append(
            Candidate(location_id=location.location_id, taken=True, reason="can fill the whole order")
        )
        for later in valid[index + 1 :]:
            decision.candidates.append(
                Candidate(
                    location_id=later.location_id, taken=False, reason="not needed: an earlier location was taken"
                )
            )
        decision.allocations = [_allocation(location, {line.line_id: line.quantity for line in lines})]
        decision.detail = f"rule {decision.rule_name!r} chose {location.location_id}"
        return decision

    if allow_split:
        return _split(decision, valid, lines, stock)
    decision.candidates.extend(_short_candidate(location, lines, stock) for location in valid)
    decision.stall_reason = "insufficient_inventory"
    decision.detail = "no candidate location can fill the whole order and the rule does not allow a split"
    return decision


def _short_candidate(
    location: LocationFacts, lines: list[LineDemand], stock: Mapping[tuple[str, str], int]
) -> Candidate:
    shortages = [
        f"{line.sku!r} has {stock.get((line.sku, location.location_id), 0)} of {line.quantity}"
        for line in lines
        if stock.get((line.sku, location.location_id), 0) < line.quantity
    ]
    return Candidate(
        location_id=location.location_id,
        taken=False,
        reason="cannot fill the whole order: " + "; ".join(shortages),
    )


def _split(
    decision: Decision, valid: list[LocationFacts], lines: list[LineDemand], stock: Mapping[tuple[str, str], int]
) -> Decision:
    """Fill each line from the candidates in order, splitting a line's units where one location has too few."""
    remaining_stock = {location.location_id: {} for location in valid}
    assigned: dict[str, dict[str, int]] = {location.location_id: {} for location in valid}
    missing: list[str] = []
    for line in lines:
        left = line.quantity
        for location in valid:
            used = remaining_stock[location.location_id].get(line.sku, 0)
            available = stock.get((line.sku, location.location_id), 0) - used
            take = min(left, max(available, 0))
            if take > 0:
                assigned[location.location_id][line.line_id] = take
                remaining_stock[location.location_id][line.sku] = used + take
                left -= take
            if left == 0:
                break
        if left > 0:
            missing.append(f"{line.sku!r} is short by {left} of {line.quantity}")

    if missing:
        decision.candidates.extend(_short_candidate(location, lines, stock) for location in valid)
        decision.stall_reason = "insufficient_inventory"
        decision.detail = "not enough stock across the candidate locations: " + "; ".join(missing)
        return decision

    for location in valid:
        share = assigned[location.location_id]
        if share:
            units = ", ".join(f"{line_id} x{quantity}" for line_id, quantity in share.items())
            decision.candidates.append(
                Candidate(location_id=location.location_id, taken=True, reason=f"split: takes {units}")
            )
            decision.allocations.append(_allocation(location, share))
        else:
            decision.candidates.append(
                Candidate(
                    location_id=location.location_id,
                    taken=False,
                    reason="not needed: earlier locations filled the order",
                )
            )
    decision.detail = f"rule {decision.rule_name!r} split the order across " + ", ".join(
        allocation.location_id for allocation in decision.allocations
    )
    return decision


def _allocation(location: LocationFacts, lines: dict[str, int]) -> Allocation:
    return Allocation(
        location_id=location.location_id,
        fulfillment_integration_id=location.fulfillment_integration_id or "",
        lines=dict(lines),
    )


def _merge_allocations(into: list[Allocation], parts: list[Allocation]) -> None:
    for part in parts:
        existing = next((a for a in into if a.location_id == part.location_id), None)
        if existing is None:
            into.append(Allocation(part.location_id, part.fulfillment_integration_id, dict(part.lines)))
        else:
            existing.lines.update(part.lines)
