"""`crossdock inventory`: force a full availability resync, and explain what a channel receives for a SKU."""

from typing import Annotated, Any

import typer

from crossdock_cli.api import CliError, connect
from crossdock_cli.output import JsonOption, console, fail_all, print_json, print_table, progress_bar, reports_errors

app = typer.Typer(help="Stock availability sent to the channels.", no_args_is_help=True)

CHANNEL_TYPES = ("mirakl", "tiktok")


def _channel_integrations() -> list[str]:
    # The catalog records every integration from its `integration.upserted` events.
    with connect("catalog") as client:
        return [item["integration_id"] for item in client.get("/v1/integrations") if item["type"] in CHANNEL_TYPES]


@app.command("resync")
@reports_errors
def resync(
    integration: Annotated[
        str | None, typer.Option(help="Mirakl or TikTok integration id; omit to resync every channel integration")
    ] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Publish the current availability of every SKU as a full snapshot; the connectors then push it.

    The command ends when inventory has queued each snapshot's events. The
    connectors push them on their own schedule; `crossdock integrations inspect`
    shows when the last push ran. Exits with code 1 when any resync fails.
    """
    targets = [integration] if integration else _channel_integrations()
    if not targets:
        raise CliError("no Mirakl or TikTok integration to resync; create one with `crossdock integrations`")
    results: list[dict[str, Any]] = []
    failures: list[str] = []
    with connect("inventory") as client, progress_bar() as progress:
        task = progress.add_task("publishing availability snapshots", total=len(targets))
        for integration_id in targets:
            try:
                snapshot = client.post("/v1/availability/resync", {"integration_id": integration_id})
                results.append({"integration_id": integration_id, **snapshot})
            except CliError as error:
                failures.append(str(error))
            progress.advance(task)
    if as_json:
        print_json(results)
    else:
        print_table("Availability snapshots", ("integration_id", "snapshot_id", "events"), results, "no snapshot")
    if failures:
        raise fail_all(failures)


def _contribution_rows(channel: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for figure in channel["figures"]:
        for contribution in figure["contributions"]:
            rows.append({"channel_warehouse_id": figure["channel_warehouse_id"], **contribution})
    return rows


@app.command("simulate")
@reports_errors
def simulate(
    sku: Annotated[str, typer.Option(help="master SKU, matched exactly")],
    integration: Annotated[str | None, typer.Option(help="only this Mirakl or TikTok integration")] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Show the quantity each channel would receive for a SKU and why: locations, buffer, exclusions, lists.

    Use it when a channel's stock looks wrong: every location's share is
    listed with the reason it counts or is left out.
    """
    with connect("inventory") as client:
        result = client.get("/v1/availability/simulate", sku=sku, integration_id=integration)
    if as_json:
        print_json(result)
        return
    for note in result["notes"]:
        console.print(f"[yellow]note:[/yellow] {note}", highlight=False)
    for channel in result["channels"]:
        state = "sent" if channel["publishable"] else f"not sent ({channel['dropped_by']})"
        console.print(
            f"[bold]{channel['integration_id']}[/bold]  channel SKU {channel['channel_sku']!r}  {state}",
            highlight=False,
        )
        print_table(
            "Quantities",
            ("channel_warehouse_id", "quantity", "located_available", "unallocated_committed", "buffer", "notes"),
            channel["figures"],
            empty="no figures",
        )
        print_table(
            "Location contributions",
            ("channel_warehouse_id", "location_id", "name", "available", "included", "reason"),
            _contribution_rows(channel),
            empty="no locations",
        )
