"""Evaluation of an unrouted order: line resolution, release rules, routing and the shipping requests it creates."""

import logging
from datetime import UTC, datetime
from typing import Any

import asyncpg
from crossdock_common.events import EventEnvelope
from crossdock_common.service import ServiceRuntime

from crossdock_order_routing.adapters.threepl import shipping_request_body
from crossdock_order_routing.domain.release import UNROUTED_STATUSES, decide_release
from crossdock_order_routing.domain.rules import (
    ChannelRouting,
    Decision,
    LineDemand,
    LocationFacts,
    OrderFacts,
    RoutingRule,
    choose_route,
)
from crossdock_order_routing.service_layer import commands
from crossdock_order_routing.service_layer.projections import channel_settings, hold_minutes, resolve_master_sku
from crossdock_order_routing.service_layer.records import (
    add_history,
    line_payloads,
    load_lines,
    lock_order,
    order_key,
    set_status,
)

logger = logging.getLogger(__name__)

RESOLUTION_RULE_NAME = "line resolution"
PRECONDITION_RULE_NAME = "preconditions"


async def evaluate_order(
    runtime: ServiceRuntime,
    connection: asyncpg.Connection,
    order_id: str,
    *,
    cause: EventEnvelope | None = None,
    first: bool = False,
) -> str:
    """Resolve lines, apply the release rules, and route the order when it may be routed.

    Return the order's status afterwards. An order that is already routed (or
    closed) is left alone, so an order never routes twice.
    """
    order = await lock_order(connection, order_id)
    if order is None or (order["status"] not in UNROUTED_STATUSES and not first):
        return order["status"] if order else "missing"

    lines = await load_lines(connection, order_id)
    lines = await _resolve_lines(runtime, connection, order, lines, cause)
    unresolved = [line for line in lines if line["master_sku"] is None and _open_quantity(line) > 0]
    if unresolved and not order["had_unresolved_line"]:
        await connection.execute("UPDATE orders SET had_unresolved_line = true WHERE order_id = $1", order_id)

    settings = await channel_settings(connection, order["account_id"], order["integration_id"])
    release = decide_release(
        channel=order["channel"],
        channel_status=order["channel_status"],
        connector_status=order["channel_order_status"],
        connector_reason=order["channel_status_reason"],
        fulfillment_type=order["fulfillment_type"],
        created_at=order["channel_created_at"],
        hold_minutes=hold_minutes(settings),
        now=datetime.now(UTC),
    )
    await connection.execute(
        "UPDATE orders SET routable_after = $2 WHERE order_id = $1", order_id, release.routable_after
    )

    if not release.routable:
        if release.reason == "awaiting_acceptance":
            await _auto_accept_when_resolved(runtime, connection, order, unresolved, settings, cause)
        detail = _pending_detail(release.reason, unresolved, order)
        await set_status(
            runtime, connection, order, status="pending", reason=release.reason, detail=detail, cause=cause, first=first
        )
        return "pending"

    stall = _precondition_stall(order, unresolved)
    if stall is not None:
        reason, detail = stall
        await _record_decision(
            connection,
            order_id,
            Decision(
                rule_id=None,
                rule_name=RESOLUTION_RULE_NAME if reason == "unknown_sku" else PRECONDITION_RULE_NAME,
                candidates=[],
                allocations=[],
                stall_reason=reason,
                detail=detail,
            ),
        )
        await set_status(
            runtime, connection, order, status="stalled", reason=reason, detail=detail, cause=cause, first=first
        )
        return "stalled"

    decision = await _decide(connection, order, lines)
    await _record_decision(connection, order_id, decision)
    if not decision.routed:
        await set_status(
            runtime,
            connection,
            order,
            status="stalled",
            reason=decision.stall_reason,
            detail=decision.detail,
            cause=cause,
            first=first,
        )
        return "stalled"

    allocations = await _create_shipping_requests(connection, order, lines, decision)
    await set_status(
        runtime,
        connection,
        order,
        status="routed",
        reason=None,
        detail=decision.detail,
        allocations=allocations,
        cause=cause,
        first=first,
    )
    logger.info(
        "order routed to %s",
        ", ".join(allocation["location_id"] for allocation in allocations),
        extra={"order_id": order_id, "account_id": order["account_id"]},
    )
    return "routed"


def _open_quantity(line: asyncpg.Record) -> int:
    return line["quantity"] - line["cancelled_quantity"]


async def _resolve_lines(
    runtime: ServiceRuntime,
    connection: asyncpg.Connection,
    order: asyncpg.Record,
    lines: list[asyncpg.Record],
    cause: EventEnvelope | None,
) -> list[asyncpg.Record]:
    """Resolve unresolved lines from the catalog projection; publish `order.lines_resolved` for those that did."""
    resolved_ids = []
    for line in lines:
        if line["master_sku"] is not None:
            continue
        master_sku = await resolve_master_sku(
            connection,
            account_id=order["account_id"],
            integration_id=order["integration_id"],
            channel_sku=line["channel_sku"],
        )
        if master_sku is None:
            continue
        await connection.execute(
            "UPDATE order_lines SET master_sku = $3 WHERE order_id = $1 AND line_id = $2",
            order["order_id"],
            line["line_id"],
            master_sku,
        )
        resolved_ids.append(line["line_id"])
    if not resolved_ids:
        return lines

    lines = await load_lines(connection, order["order_id"])
    resolved = [payload for payload in line_payloads(lines) if payload["line_id"] in resolved_ids]
    await add_history(
        connection,
        order["order_id"],
        kind="lines_resolved",
        detail="resolved " + ", ".join(f"{p['channel_sku']!r} -> {p['master_sku']!r}" for p in resolved),
    )
    event = runtime.event(
        type="order.lines_resolved",
        payload={
            "integration_id": order["integration_id"],
            "channel": order["channel"],
            "external_id": order["external_id"],
            "lines": resolved,
        },
        account_id=order["account_id"],
        key=order_key(order["account_id"], order["integration_id"], order["external_id"]),
        integration_id=order["integration_id"],
        cause=cause,
    )
    await runtime.publish(connection, event)
    return lines


async def _auto_accept_when_resolved(
    runtime: ServiceRuntime,
    connection: asyncpg.Connection,
    order: asyncpg.Record,
    unresolved: list[asyncpg.Record],
    settings: dict,
    cause: EventEnvelope | None,
) -> None:
    """Send the accept command once for a Mirakl order that waited only for an unresolved line.

    The connector auto-accepts orders whose lines all resolve at ingestion, so
    this covers only orders that had an unresolved line here.
    """
    if order["channel"] != "mirakl" or unresolved or settings.get("ordersAutoAccept") is not True:
        return
    refreshed = await connection.fetchrow(
        "SELECT had_unresolved_line, auto_accept_command_id FROM orders WHERE order_id = $1", order["order_id"]
    )
    if not refreshed["had_unresolved_line"] or refreshed["auto_accept_command_id"] is not None:
        return
    command_id = await commands.send_order_command(
        runtime,
        connection,
        order,
        command_type="command.order.accept",
        requested_by="order_routing auto-accept",
        reason=None,
        cause=cause,
    )
    await connection.execute(
        "UPDATE orders SET auto_accept_command_id = $2 WHERE order_id = $1", order["order_id"], command_id
    )


def _pending_detail(reason: str | None, unresolved: list[asyncpg.Record], order: asyncpg.Record) -> str | None:
    parts = []
    if reason == "awaiting_acceptance" and order["acceptance_deadline"] is not None:
        parts.append(f"accept before {order['acceptance_deadline'].isoformat()}")
    if reason == "hold_window":
        parts.append("buyers may still edit the order during the hold window")
    if unresolved:
        parts.append("unresolved SKU " + ", ".join(repr(line["channel_sku"]) for line in unresolved))
    return "; ".join(parts) or None


def _precondition_stall(order: asyncpg.Record, unresolved: list[asyncpg.Record]) -> tuple[str, str] | None:
    """Return (stall reason, detail) when no routing rule can route the order."""
    if unresolved:
        skus = ", ".join(repr(line["channel_sku"]) for line in unresolved)
        return "unknown_sku", f"no master product for channel SKU {skus}; create the product or map its channel SKU"
    if order["ship_to"] is None:
        return "missing_address", "the channel has not revealed the delivery address yet"
    if order["shipping_type"] == "TIKTOK":
        reference = order["shipping_document_ref"]
        if not reference:
            return "awaiting_label", "waiting for the TikTok shipping label from the connector"
        if not reference.startswith(("http://", "https://")):
            # NOTE: the 3PL contract needs a document URL; a bare reference cannot be sent.
            return "awaiting_label", f"label reference {reference!r} is not an http(s) document URL"
    return None


async def _decide(connection: asyncpg.Connection, order: asyncpg.Record, lines: list[asyncpg.Record]) -> Decision:
    account_id = order["account_id"]
    demands = [
        LineDemand(
            line_id=line["line_id"],
            sku=line["master_sku"],
            quantity=_open_quantity(line),
            channel_warehouse_id=line["channel_warehouse_id"],
        )
        for line in lines
        if _open_quantity(line) > 0
    ]
    facts = OrderFacts(
        integration_id=order["integration_id"],
        channel=order["channel"],
        country=(order["ship_to"] or {}).get("country"),
        lines=demands,
        channel_warehouse_id=order["channel_warehouse_id"],
    )
    rules = [
        RoutingRule(
            rule_id=row["rule_id"],
            name=row["name"],
            location_ids=list(row["location_ids"]),
            integration_ids=list(row["integration_ids"]),
            sku_prefixes=list(row["sku_prefixes"]),
            countries=list(row["countries"]),
            check_inventory=row["check_inventory"],
            allow_split=row["allow_split"],
        )
        for row in await connection.fetch(
            "SELECT * FROM routing_rules WHERE account_id = $1 AND enabled ORDER BY position, rule_id", account_id
        )
    ]
    known_integrations = {
        row["integration_id"]
        for row in await connection.fetch(
            "SELECT integration_id FROM threepl_integrations WHERE account_id = $1", account_id
        )
    }
    locations = {
        row["location_id"]: LocationFacts(
            location_id=row["location_id"],
            status=row["status"],
            fulfillment_integration_id=row["fulfillment_integration_id"],
            integration_known=row["fulfillment_integration_id"] in known_integrations,
            source_integration_id=row["source_integration_id"],
            external_code=row["external_code"],
            priority=row["priority"],
        )
        for row in await connection.fetch("SELECT * FROM locations WHERE account_id = $1", account_id)
    }
    stock = {
        (row["sku"], row["location_id"]): row["available"]
        for row in await connection.fetch(
            "SELECT sku, location_id, available FROM stock_levels WHERE account_id = $1 AND sku = ANY($2::text[])",
            account_id,
            [demand.sku for demand in demands],
        )
    }
    settings = await channel_settings(connection, account_id, order["integration_id"])
    warehouse_map = settings.get("warehouseMap") if isinstance(settings.get("warehouseMap"), dict) else {}
    channel = ChannelRouting(
        location_preference=settings.get("locationPreference") or None,
        warehouse_map={str(key): list(value or []) for key, value in warehouse_map.items()},
    )
    return choose_route(order=facts, rules=rules, locations=locations, stock=stock, channel=channel)


async def _record_decision(connection: asyncpg.Connection, order_id: str, decision: Decision) -> None:
    await connection.execute(
        "INSERT INTO routing_decisions (order_id, rule_id, rule_name, outcome, stall_reason, detail, candidates, "
        "allocations) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        order_id,
        decision.rule_id,
        decision.rule_name,
        "routed" if decision.routed else "stalled",
        decision.stall_reason,
        decision.detail,
        [{"location_id": c.location_id, "taken": c.taken, "reason": c.reason} for c in decision.candidates],
        [
            {"location_id": a.location_id, "fulfillment_integration_id": a.fulfillment_integration_id, "lines": a.lines}
            for a in decision.allocations
        ],
    )


async def _create_shipping_requests(
    connection: asyncpg.Connection, order: asyncpg.Record, lines: list[asyncpg.Record], decision: Decision
) -> list[dict[str, Any]]:
    """Store one shipping request per allocation, with the exact body the dispatcher will send."""
    skus = {line["line_id"]: line["master_sku"] for line in lines}
    label = None
    if order["shipping_type"] == "TIKTOK":
        label = {
            "document_url": order["shipping_document_ref"],
            "format": "pdf",
            "carrier": None,
            "tracking_number": None,
        }
    existing = await connection.fetchval(
        "SELECT count(*) FROM shipping_requests WHERE order_id = $1", order["order_id"]
    )

    allocations = []
    for number, allocation in enumerate(decision.allocations, start=existing + 1):
        request_id = f"{order['order_id']}-{number}"
        request_lines = [
            {"line_id": line_id, "sku": skus[line_id], "quantity": quantity}
            for line_id, quantity in allocation.lines.items()
        ]
        body = shipping_request_body(
            request_id=request_id,
            channel=order["channel"],
            external_order_id=order["external_id"],
            ship_to=order["ship_to"],
            lines=request_lines,
            label=label,
        )
        await connection.execute(
            "INSERT INTO shipping_requests (request_id, order_id, account_id, location_id, fulfillment_integration_id, "
            "body) VALUES ($1, $2, $3, $4, $5, $6)",
            request_id,
            order["order_id"],
            order["account_id"],
            allocation.location_id,
            allocation.fulfillment_integration_id,
            body,
        )
        await connection.executemany(
            "INSERT INTO shipping_request_lines (request_id, line_id, sku, quantity) VALUES ($1, $2, $3, $4)",
            [(request_id, line["line_id"], line["sku"], line["quantity"]) for line in request_lines],
        )
        allocations.append(
            {
                "location_id": allocation.location_id,
                "fulfillment_integration_id": allocation.fulfillment_integration_id,
                "shipping_request_id": request_id,
                "lines": [{line_id: quantity} for line_id, quantity in allocation.lines.items()],
            }
        )
    return allocations
