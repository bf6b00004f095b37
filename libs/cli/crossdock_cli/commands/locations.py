"""`crossdock locations`: list locations and link them to an HTTP-3PL integration."""

from typing import Annotated

import typer

from crossdock_cli.api import CliError, connect
from crossdock_cli.output import JsonOption, console, fail_all, print_json, print_table, progress_bar, reports_errors

app = typer.Typer(help="Warehouse and 3PL locations in inventory.", no_args_is_help=True)

COLUMNS = ("location_id", "name", "status", "fulfillment_integration_id", "source_integration_id", "priority")


@app.command("list")
@reports_errors
def list_locations(as_json: Annotated[bool, JsonOption] = False) -> None:
    """List the locations by priority, with the integration each is linked to (empty when unlinked)."""
    with connect("inventory") as client:
        locations = client.get("/v1/locations")
    if as_json:
        print_json(locations)
    else:
        print_table("Locations", COLUMNS, locations, empty="no locations")


@app.command("link")
@reports_errors
def link(
    integration: Annotated[str, typer.Option("--integration", help="HTTP-3PL integration id to link to")],
    location_id: Annotated[str | None, typer.Argument(help="location to link; omit with --all-unlinked")] = None,
    all_unlinked: Annotated[bool, typer.Option(help="link every location that has no link yet")] = False,
) -> None:
    """Link a location, or every unlinked one, to an HTTP-3PL integration; order routing then retries stalled orders.

    Exits with code 1 when any link fails; the others stay linked.
    """
    if (location_id is None) == (not all_unlinked):
        raise CliError("give either one LOCATION_ID or --all-unlinked")
    body = {"fulfillment_integration_id": integration}
    with connect("inventory") as client:
        if location_id is not None:
            location = client.put(f"/v1/locations/{location_id}/link", body)
            console.print(f"linked {location['location_id']} ({location['name']}) to {integration}", highlight=False)
            return
        targets = [item for item in client.get("/v1/locations") if not item["fulfillment_integration_id"]]
        if not targets:
            console.print("every location is already linked", highlight=False)
            return
        failures = []
        with progress_bar() as progress:
            task = progress.add_task("linking locations", total=len(targets))
            for location in targets:
                try:
                    client.put(f"/v1/locations/{location['location_id']}/link", body)
                except CliError as error:
                    failures.append(str(error))
                progress.advance(task)
    linked = len(targets) - len(failures)
    console.print(f"linked {linked} of {len(targets)} locations to {integration}", highlight=False)
    if failures:
        raise fail_all(failures)
