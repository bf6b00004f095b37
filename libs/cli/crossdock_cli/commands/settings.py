"""`crossdock settings`: show and change a Mirakl or TikTok Shop integration's settings."""

import json
from typing import Annotated, Any

import typer

from crossdock_cli.api import CliError, connect
from crossdock_cli.lookup import find_integration
from crossdock_cli.output import JsonOption, console, print_json, print_table, reports_errors
from crossdock_cli.settings_values import parse_assignment

app = typer.Typer(help="Settings of Mirakl and TikTok Shop integrations.", no_args_is_help=True)

CONNECTORS = ["mirakl_connector", "tiktok_connector"]


def _connector_candidates(integration_id: str) -> list[str]:
    if integration_id.startswith("3pl-"):
        raise CliError(f"{integration_id!r} is an HTTP-3PL integration, which has no settings")
    if integration_id.startswith("mirakl-"):
        return ["mirakl_connector"]
    if integration_id.startswith("tiktok-"):
        return ["tiktok_connector"]
    return CONNECTORS


def _print_settings(integration_id: str, settings: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(settings)
        return
    # Values print as JSON, the form `settings set` accepts: true, null, "11".
    rows = [{"setting": key, "value": json.dumps(value)} for key, value in sorted(settings.items())]
    print_table(f"Settings of {integration_id}", ("setting", "value"), rows, empty="no settings")


@app.command("show")
@reports_errors
def show(
    integration_id: Annotated[str, typer.Argument(help="Mirakl or TikTok Shop integration id")],
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Show every setting of an integration, defaults included."""
    _, view = find_integration(integration_id, _connector_candidates(integration_id))
    _print_settings(integration_id, view.get("settings") or {}, as_json)


@app.command("set")
@reports_errors
def set_settings(
    integration_id: Annotated[str, typer.Argument(help="Mirakl or TikTok Shop integration id")],
    assignments: Annotated[
        list[str],
        typer.Argument(
            help="key=value pairs; values that parse as JSON are sent as JSON (true, 300, '[\"SHIPPING\"]'), "
            "others as strings",
            show_default=False,
        ),
    ],
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Change some settings; the others keep their values. The connector rejects invalid values, naming the setting."""
    service, view = find_integration(integration_id, _connector_candidates(integration_id))
    current = view.get("settings") or {}
    changes = dict(parse_assignment(text, current) for text in assignments)
    with connect(service) as client:
        view = client.patch(f"/v1/integrations/{integration_id}/settings", changes)
    if not as_json:
        console.print(f"updated {', '.join(sorted(changes))} on {integration_id}", highlight=False)
    _print_settings(integration_id, view.get("settings") or {}, as_json)
