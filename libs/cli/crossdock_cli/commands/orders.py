"""`crossdock orders`: stalled orders and their retry, acceptance of Mirakl orders, and one order's routing record."""

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer

from crossdock_cli.api import CliError, ServiceClient, connect
from crossdock_cli.output import JsonOption, console, fail_all, print_json, print_table, progress_bar, reports_errors

app = typer.Typer(help="Orders in order routing and on Mirakl.", no_args_is_help=True)

SUMMARY_COLUMNS = ("order_id", "channel", "external_id", "status", "status_reason", "status_detail", "received_at")


def _run_each(
    description: str, items: list[str], action: Callable[[str], Any]
) -> tuple[list[tuple[str, Any]], list[str]]:
    """Apply `action` to every item under a progress bar; return the results and the error messages."""
    results: list[tuple[str, Any]] = []
    failures: list[str] = []
    with progress_bar() as progress:
        task = progress.add_task(description, total=len(items))
        for item in items:
            try:
                results.append((item, action(item)))
            except CliError as error:
                failures.append(str(error))
            progress.advance(task)
    return results, failures


@app.command("stalled")
@reports_errors
def stalled(
    reason: Annotated[
        str | None, typer.Option(help="show only this stall reason, e.g. location_not_linked or insufficient_inventory")
    ] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """List orders that could not be routed, oldest first, with the reason and its details."""
    with connect("order_routing") as client:
        orders = client.get("/v1/stalled-orders", reason=reason)
    if as_json:
        print_json(orders)
    else:
        print_table("Stalled orders", SUMMARY_COLUMNS, orders, empty="no stalled orders")


@app.command("retry")
@reports_errors
def retry(
    order_ids: Annotated[list[str] | None, typer.Argument(help="hub order ids to retry", show_default=False)] = None,
    all_stalled: Annotated[bool, typer.Option("--all", help="retry every stalled order")] = False,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Evaluate orders again now and resend their failed shipping requests; exit code 1 when any retry fails."""
    if bool(order_ids) == all_stalled:
        raise CliError("give ORDER_ID arguments or --all, not both and not neither")
    with connect("order_routing") as client:
        if all_stalled:
            order_ids = [order["order_id"] for order in client.get("/v1/stalled-orders")]
            if not order_ids:
                console.print("no stalled orders", highlight=False)
                return
        results, failures = _run_each(
            "retrying orders", order_ids, lambda order_id: client.post(f"/v1/orders/{order_id}/retry")
        )
    rows = [summary for _, summary in results]
    if as_json:
        print_json(rows)
    else:
        print_table("Retried orders", SUMMARY_COLUMNS, rows, empty="no order was retried")
    if failures:
        raise fail_all(failures)


@app.command("awaiting")
@reports_errors
def awaiting(
    integration: Annotated[
        str | None,
        typer.Option(help="Mirakl integration id: list its WAITING_ACCEPTANCE orders as the connector stores them"),
    ] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """List orders waiting for acceptance, with the deadline; hub order ids unless --integration is given."""
    if integration is None:
        with connect("order_routing") as client:
            orders = client.get("/v1/awaiting-acceptance")
        columns: tuple[str, ...] = (
            "order_id", "external_id", "integration_id", "acceptance_deadline", "auto_accept", "unresolved_lines"
        )
        rows = [{**order, "unresolved_lines": len(order["unresolved_lines"])} for order in orders]
    else:
        with connect("mirakl_connector") as client:
            orders = client.get(f"/v1/integrations/{integration}/orders/awaiting-acceptance")
        columns = ("order_id", "acceptance_status", "acceptance_reason", "acceptance_deadline")
        rows = orders
    if as_json:
        print_json(orders)
    else:
        print_table("Orders awaiting acceptance", columns, rows, empty="no orders awaiting acceptance")


@app.command("accept")
@reports_errors
def accept(
    order_ids: Annotated[
        list[str], typer.Argument(help="order ids: Mirakl order ids with --integration, else hub order ids")
    ],
    integration: Annotated[
        str | None,
        typer.Option(help="Mirakl integration id; without it the ids are hub order ids sent through order routing"),
    ] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Accept Mirakl orders; the connector sends the acceptance and reports the result later.

    Exits with code 1 when any request is rejected. With --integration the
    connector queues the acceptance even for an order it has not pulled yet and
    retries until the order arrives, so a mistyped id fails only later.
    """
    service = "order_routing" if integration is None else "mirakl_connector"
    with connect(service) as client:
        results, failures = _run_each("accepting orders", order_ids, _accept_action(client, integration))
    rows = [{"order_id": order_id, **result} for order_id, result in results]
    if as_json:
        print_json(rows)
    else:
        print_table("Acceptance requested", ("order_id", "command_id", "status"), rows, empty="no order was accepted")
    if failures:
        raise fail_all(failures)


def _accept_action(client: ServiceClient, integration: str | None) -> Callable[[str], Any]:
    if integration is None:
        return lambda order_id: client.post(f"/v1/orders/{order_id}/accept")
    return lambda order_id: client.post(f"/v1/integrations/{integration}/orders/{order_id}/accept", {})


def _candidates_text(candidates: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{item['location_id']} {'taken' if item['taken'] else 'skipped'}: {item['reason']}" for item in candidates
    )


def _allocations_text(allocations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{item['location_id']} via {item['fulfillment_integration_id']}: {json.dumps(item['lines'], default=str)}"
        for item in allocations
    )


def print_decisions(decisions: list[dict[str, Any]], shown: int) -> None:
    """Print the latest `shown` routing decisions, one candidate and one allocation per line."""
    latest = decisions[-shown:] if shown > 0 else []
    rows = [
        {
            **decision,
            "candidates": _candidates_text(decision["candidates"] or []),
            "allocations": _allocations_text(decision["allocations"] or []),
        }
        for decision in latest
    ]
    print_table(
        "Routing decisions, oldest first",
        ("decided_at", "rule_name", "outcome", "stall_reason", "detail", "candidates", "allocations"),
        rows,
        empty="no routing decisions shown",
    )
    hidden = len(decisions) - len(latest)
    if hidden:
        console.print(f"{hidden} earlier decisions not shown; use --decisions or --json to see them", highlight=False)


@app.command("show")
@reports_errors
def show(
    order_id: Annotated[str, typer.Argument(help="hub order id")],
    decisions_shown: Annotated[
        int, typer.Option("--decisions", min=0, help="number of latest routing decisions to print")
    ] = 5,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Show an order with its lines, shipping requests and routing decisions (all of them with --json)."""
    with connect("order_routing") as client:
        order = client.get(f"/v1/orders/{order_id}")
        decisions = client.get(f"/v1/orders/{order_id}/routing-decisions")
    if as_json:
        print_json({**order, "routing_decisions": decisions})
        return
    print_table(
        "Order", ("order_id", "channel", "external_id", "status", "status_reason", "status_detail"), [order], ""
    )
    print_table(
        "Lines", ("line_id", "channel_sku", "master_sku", "quantity", "shipped_quantity"), order["lines"], "no lines"
    )
    print_table(
        "Shipping requests",
        ("request_id", "location_id", "fulfillment_integration_id", "status", "attempts", "last_error"),
        order["shipping_requests"],
        empty="no shipping requests",
    )
    print_decisions(decisions, decisions_shown)
